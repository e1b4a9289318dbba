export { adHocServerSchema, adHocTarget, hostAllowed, type AdHocServer } from './adhoc';
export { connectivityRound, roundBudgetMs, FUNCTION_TIMEOUT_MS } from './connectivity';
export { idleTick, readIdleRun, startIdleRun, IdleUnavailableError, STALE_AFTER_MS } from './idle';
export type { Log } from './log';
export { CONNECTIVITY_PROBES, connectivityProbesOf, loginProblem, probeTargets, type ProbeRun } from './probe';
export { resultSink, FLUSH_TIMEOUT_MS } from './record';
export { createRuntime, processRuntime, type AppRuntime, type IdleDriver } from './runtime';
export { listTargets, publicTargetSchema, type PublicTarget } from './targets';
