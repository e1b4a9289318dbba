/**
 * The idle and pool probes: connections held idle for a ladder of ages in the worker process, the
 * registry that drives them across timer ticks, single-run ladders, and the verdict.
 */
export { ladderCells, type Cell } from './cohort';
export type { HeldSession } from './held-connection';
export { IdleRegistry, MemoryJournal, type CohortJournal, type IdleRegistryOptions, type JournalEntry, type OpenSessionFor, type RunStatus } from './registry';
export { runSingle, type SingleRunOptions } from './single';
export { formatSeconds, verdictFor } from './verdict';
