import type { Cell } from './cohort';

/** What outlives a recycled host about a cohort: enough to report its open cells as inconclusive. */
export interface JournalEntry {
  cohort: string;
  target: string;
  kind: 'idle' | 'pool';
  /** The process (registry generation) that holds the connections. */
  generation: string;
  pending: Cell[];
  runId?: string;
}

/**
 * Where the registry notes its open cohorts. In memory by default (a CLI or a test); a deployment
 * passes one backed by the app's storage so a recycled host finds what its predecessor held.
 */
export interface CohortJournal {
  save(entry: JournalEntry): Promise<void>;
  remove(cohort: string): Promise<void>;
  list(target: string): Promise<JournalEntry[]>;
}

export class MemoryJournal implements CohortJournal {
  private readonly entries = new Map<string, JournalEntry>();

  async save(entry: JournalEntry): Promise<void> {
    this.entries.set(entry.cohort, structuredClone(entry));
  }

  async remove(cohort: string): Promise<void> {
    this.entries.delete(cohort);
  }

  async list(target: string): Promise<JournalEntry[]> {
    return [...this.entries.values()].filter((e) => e.target === target).map((e) => structuredClone(e));
  }
}
