/** What a host asks for: a round, an on-demand probe, an idle tick, an idle run or ladder, the targets. */
export { adHocServerSchema, adHocTarget, AD_HOC_NAME, CLI_AD_HOC, HTTP_AD_HOC, hostAllowed, type AdHocRules, type AdHocServer } from './adhoc';
export { claimOnDemandLogin, loginCooldownKey } from './cooldown';
export { idleLadder, idleTick } from './idle';
export { cancelIdleRun, readIdleRun, startIdleRun } from './idle-runs';
export { onDemandProbesSchema, refuseOnDemandLogin, type OnDemandRefusal } from './on-demand';
export { connectivityRound, FUNCTION_TIMEOUT_MS, probeTarget, probeTargets, roundBudgetMs, roundProbesOf, type ProbeRun, type TargetProbe } from './probe';
export { FLUSH_TIMEOUT_MS, resultSink } from './result-sink';
export { createRuntime, processRuntime, runtimeFromEnv, startedRuntime, type AppRuntime, type IdleDriver, type Log, type RuntimeParts } from './runtime';
export { listTargets, publicTargetSchema, type PublicTarget } from './targets';
