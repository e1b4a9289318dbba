/**
 * The idle lease: which process of a region holds the idle connections. Only its holder opens
 * cohorts and checks rungs, so ticks that land on other instances (a timer moves between them, and
 * on Premium or Dedicated every instance may run it) never duplicate or contradict its outcomes.
 */
export interface LeaseRecord {
  /** The holding registry's generation (one per process, and a new one after it lost the lease). */
  holder: string;
  /** Bumped at every takeover, so a holder can tell a renewal from having lost and retaken the lease. */
  term: number;
  /** Epoch ms of the holder's last renewal. */
  heartbeatAt: number;
  /** Epoch ms after which another process may take the lease. */
  expiresAt: number;
}

export type Claim =
  /** `from`: the holder this claim took over from (its lease had expired or was released). */
  | { held: true; lease: LeaseRecord; from?: LeaseRecord }
  | { held: false; lease: LeaseRecord };

/**
 * One lease per region. The function app keeps it in its storage account (shared/state, a Table row
 * written only with its ETag); one process (the CLI) keeps it in memory.
 */
export interface HolderLease {
  /**
   * Renews the lease when `holder` has it, takes it when it is free, expired or released, and never
   * takes a live lease from another holder. Rejects only when the lease cannot be read or written.
   */
  claim(holder: string, ttlMs: number): Promise<Claim>;
  /** Gives the lease up at once (a clean shutdown), if `holder` has it. */
  release(holder: string): Promise<void>;
  /** The lease as stored, for readers; undefined before anyone took it. */
  read(): Promise<LeaseRecord | undefined>;
}

/** The lease of one process: the CLI, a test or a bench. */
export class MemoryLease implements HolderLease {
  private record?: LeaseRecord;

  constructor(private readonly now: () => number = Date.now) {}

  async claim(holder: string, ttlMs: number): Promise<Claim> {
    const now = this.now();
    const current = this.record;
    if (current && current.holder !== holder && current.expiresAt > now) return { held: false, lease: { ...current } };
    const took = current?.holder !== holder;
    this.record = { holder, term: (current?.term ?? 0) + (took ? 1 : 0), heartbeatAt: now, expiresAt: now + ttlMs };
    return { held: true, lease: { ...this.record }, ...(took && current ? { from: { ...current } } : {}) };
  }

  async release(holder: string): Promise<void> {
    if (this.record?.holder === holder) this.record = { ...this.record, expiresAt: this.now() };
  }

  async read(): Promise<LeaseRecord | undefined> {
    return this.record && { ...this.record };
  }
}
