import type { ConnectionOutcome } from '../contract';
import type { CohortJournal, JournalEntry } from './journal';

type Kind = 'idle' | 'pool';

/**
 * The cells dead holders left: taken from the journal once, by the process that took the lease
 * over, and kept as `host-recycled` until its next tick of their target reports them.
 */
export class Orphans {
  private readonly cells = new Map<string, ConnectionOutcome[]>();

  constructor(private readonly journal: CohortJournal) {}

  /**
   * Takes every journal entry that is not `mine`: each belongs to a holder whose lease expired or
   * was released (this process holds it now). An entry another process took first is skipped.
   */
  async sweep(mine: (entry: JournalEntry) => boolean): Promise<void> {
    const foreign = (await this.journal.list()).filter((e) => !mine(e));
    const taken = await Promise.all(foreign.map(async (e) => ((await this.journal.take(e)) ? e : undefined)));
    for (const e of taken) {
      if (!e) continue;
      const key = `${e.target}:${e.kind}`;
      const cells = e.pending.map((cell) => ({ cohort: e.cohort, ...cell, outcome: 'inconclusive' as const, reason: 'host-recycled' as const }));
      this.cells.set(key, [...(this.cells.get(key) ?? []), ...cells]);
    }
  }

  has(target: string, kind: Kind): boolean {
    return this.cells.has(`${target}:${kind}`);
  }

  /** The cells waiting for this target and kind, handed over once. */
  take(target: string, kind: Kind): ConnectionOutcome[] {
    const cells = this.cells.get(`${target}:${kind}`) ?? [];
    this.cells.delete(`${target}:${kind}`);
    return cells;
  }

  clear(): void {
    this.cells.clear();
  }
}
