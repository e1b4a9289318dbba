import type { HolderLease, LeaseRecord } from './lease';

export interface HolderTimings {
  /** How long the lease lasts unrenewed: how soon another process takes over from a dead holder. */
  ttlMs: number;
  /** How often the holder renews it between ticks (and it renews at every tick). */
  renewMs: number;
}

/**
 * Renewed every 30 s (the Functions host renews its own timer lease as often), it survives three
 * missed renewals; a dead holder's cohorts are taken over at the first tick 2 minutes after its
 * last renewal, so a kill costs at most three one-minute ticks of measurements.
 */
export const HOLDER_TIMINGS: HolderTimings = { ttlMs: 120_000, renewMs: 30_000 };

/** The timings with their bounds checked: a lease of 1 s to 10 min, renewed at least three times in it. */
export function holderTimings(given: Partial<HolderTimings> = {}): HolderTimings {
  const t = { ...HOLDER_TIMINGS, ...given };
  if (!Number.isInteger(t.ttlMs) || t.ttlMs < 1_000 || t.ttlMs > 600_000) {
    throw new RangeError(`idle holder ttlMs: expected whole ms from 1000 (1 s) to 600000 (10 min), got ${t.ttlMs}`);
  }
  if (!Number.isInteger(t.renewMs) || t.renewMs < 100 || t.renewMs * 3 > t.ttlMs) {
    throw new RangeError(`idle holder renewMs: expected whole ms from 100 to a third of ttlMs (${Math.floor(t.ttlMs / 3)}), got ${t.renewMs}`);
  }
  return t;
}

/** A holder's tenure as run records name it: its process generation and its lease term. */
export const tenureOf = (generation: string, term: number): string => `${generation}/${term}`;

/** Raised when a process that does not hold the idle lease is asked to open connections. */
export class NotHolder extends Error {
  constructor(readonly lease?: LeaseRecord) {
    super(`this process does not hold the idle lease${lease ? ` (process ${lease.holder.slice(0, 8)} holds it until ${new Date(lease.expiresAt).toISOString()})` : ''}`);
  }
}

/** Where this process stands after its last claim, for a tick's log line. */
export interface Standing {
  holder: boolean;
  /** The lease as the last claim saw it (another holder's, when this process is not it). */
  lease?: LeaseRecord;
  /** This claim began a tenure: the process just became the holder. */
  took?: boolean;
  /** The holder it took over from, when one held the lease before. */
  tookFrom?: LeaseRecord;
  /** The lease could not be read or written (storage unreachable); `holder` then says whether the last renewal still covers us. */
  error?: string;
}

/**
 * This process's side of the lease: claims it at each tick and on a timer of its own (started once
 * the process becomes the holder, never before, and unref'd so it keeps no process alive), and
 * knows without a round trip whether its last renewal still covers it.
 */
export class Holder {
  /** The lease term this process holds, undefined while it holds none. */
  private term?: number;
  /** performance.now() until which the last renewal surely holds: its expiry less one renewal interval, for clock skew. */
  private validUntil = -Infinity;
  private timer?: NodeJS.Timeout;
  private queue: Promise<unknown> = Promise.resolve();
  /** Counts the tenures lost, so work begun under one can tell that it ended. */
  tenure = 0;
  standing: Standing = { holder: false };

  constructor(
    private readonly lease: HolderLease,
    private readonly timings: HolderTimings,
    private readonly id: () => string,
    /** Called when a tenure ends without a release: what the process held was, or will be, taken over. */
    private readonly onLost: () => void,
  ) {}

  /** Whether the last renewal still covers this process, without asking storage. */
  holds(): boolean {
    return this.term !== undefined && performance.now() < this.validUntil;
  }

  /** Claims or renews the lease; claims are serialised, so the timer and a tick never race. */
  claim(): Promise<Standing> {
    return this.serially(() => this.claimNow());
  }

  /** Whether this process still holds the tenure `tenure` began: without a round trip while the last renewal covers it. */
  async confirm(tenure: number): Promise<boolean> {
    if (!this.holds()) await this.claim();
    return this.tenure === tenure && this.holds();
  }

  /**
   * Gives the lease up (a clean shutdown) and stops renewing: at once, so work under way sees its
   * tenure end, and in storage after any claim under way.
   */
  release(): Promise<void> {
    const id = this.id();
    const had = this.term !== undefined;
    this.stopTimer();
    if (had) this.tenure += 1;
    this.term = undefined;
    this.validUntil = -Infinity;
    this.standing = { holder: false };
    return this.serially(async () => {
      if (had) await this.lease.release(id);
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async claimNow(): Promise<Standing> {
    const sent = performance.now();
    try {
      const claim = await this.lease.claim(this.id(), this.timings.ttlMs);
      if (!claim.held) {
        this.lose();
        return (this.standing = { holder: false, lease: claim.lease });
      }
      // A term of our own that changed means another process held the lease in between.
      const took = this.term !== claim.lease.term;
      if (took) this.lose();
      this.term = claim.lease.term;
      this.validUntil = sent + this.timings.ttlMs - this.timings.renewMs;
      this.startTimer();
      return (this.standing = { holder: true, lease: claim.lease, ...(took ? { took: true } : {}), ...(took && claim.from ? { tookFrom: claim.from } : {}) });
    } catch (err) {
      const { lease } = this.standing;
      return (this.standing = { holder: this.holds(), ...(lease ? { lease } : {}), error: err instanceof Error ? err.message : String(err) });
    }
  }

  private lose(): void {
    if (this.term === undefined) return;
    this.term = undefined;
    this.validUntil = -Infinity;
    this.tenure += 1;
    this.stopTimer();
    this.onLost();
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.claim(), this.timings.renewMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
