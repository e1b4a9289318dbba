/** Rounds over targets: bounded concurrency, a deadline per probe, retries and a budget per round. */
export { sleep } from './bounded';
export { DEFAULT_GRACE_MS, roundOptionsFrom, runRound, type ProberMap, type RoundOptions, type RoundReport, type SkippedProbe } from './round';
