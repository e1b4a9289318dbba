import type { Cell } from './cohort';

/** What outlives a dead holder about a cohort: enough to report its open cells as inconclusive. */
export interface JournalEntry {
  cohort: string;
  target: string;
  kind: 'idle' | 'pool';
  /** The process (registry generation) that holds the connections. */
  generation: string;
  /** Its lease term when it wrote the entry: a process that lost the lease and took it again is another tenure. */
  term?: number;
  /** The holder's last lease renewal before it wrote the entry (ISO 8601): when it was last known alive. */
  heartbeatAt?: string;
  pending: Cell[];
  runId?: string;
}

/**
 * Where the idle holder notes its open cohorts. In memory by default (a CLI or a test); a deployment
 * passes one in the app's storage, so the next holder finds what a dead one held.
 */
export interface CohortJournal {
  /**
   * Creates or updates the entry. Answers false, writing nothing, when another holder took the entry
   * since this process wrote it: its cells were reported already.
   */
  save(entry: JournalEntry): Promise<boolean>;
  /** Removes the entry: its cohort settled, or the holder shuts down cleanly. */
  remove(cohort: string): Promise<void>;
  /** Every entry of the region. */
  list(): Promise<JournalEntry[]>;
  /**
   * Removes an entry another holder left, if nobody changed or took it since `list` returned it.
   * True for exactly one caller: the one that reports its cells.
   */
  take(entry: JournalEntry): Promise<boolean>;
}

export class MemoryJournal implements CohortJournal {
  private readonly entries = new Map<string, JournalEntry>();
  private readonly taken = new Set<string>();

  async save(entry: JournalEntry): Promise<boolean> {
    if (this.taken.has(entry.cohort)) return false;
    this.entries.set(entry.cohort, structuredClone(entry));
    return true;
  }

  async remove(cohort: string): Promise<void> {
    this.entries.delete(cohort);
  }

  async list(): Promise<JournalEntry[]> {
    return [...this.entries.values()].map((e) => structuredClone(e));
  }

  async take(entry: JournalEntry): Promise<boolean> {
    if (!this.entries.delete(entry.cohort)) return false;
    this.taken.add(entry.cohort);
    return true;
  }
}
