/** Rounds over targets: bounded concurrency, load-aware starts, a deadline per probe, retries and a budget per round. */
export { sleep } from './bounded';
export { withLoad } from './attempt';
export { LoadGate, processGate, UNGATED, DEFAULT_TUNING, type AdmissionGate, type GateTuning, type LoadSignal } from './gate';
export { loopMonitor, LoopLagMonitor, type Clock, type LagStats, type LoadSample } from './loop-lag';
export { DEFAULT_GRACE_MS, roundOptionsFrom, runRound, type ProberMap, type RoundOptions, type RoundReport, type SkippedProbe } from './round';
