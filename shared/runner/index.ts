export { runRound, DEFAULT_GRACE_MS } from './round';
export { roundOptionsFrom } from './options';
export type { ProberMap, RoundOptions, RoundReport, SkippedProbe } from './types';
