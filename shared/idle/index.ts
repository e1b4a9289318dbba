/**
 * The idle and pool probes: connections held idle for a ladder of ages in the worker process that
 * holds the region's idle lease, the registry that drives them across timer ticks, single-run
 * ladders, and the verdict.
 */
export { ladderCells, type Cell } from './cohort';
export type { HeldSession } from './held-connection';
export { HOLDER_TIMINGS, holderTimings, NotHolder, tenureOf, type HolderTimings, type Standing } from './holder';
export { MemoryJournal, type CohortJournal, type JournalEntry } from './journal';
export { MemoryLease, type Claim, type HolderLease, type LeaseRecord } from './lease';
export { IdleRegistry, type IdleRegistryOptions, type OpenSessionFor } from './registry';
export { RUN_RETENTION, type RunRetention, type RunStatus } from './runs';
export { runSingle, type SingleRunOptions } from './single';
export { formatSeconds, verdictFor } from './verdict';
