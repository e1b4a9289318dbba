import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Target } from '../config';
import type { ConnectionOutcome, KeepaliveVariant } from '../contract';
import { HeldConnection, type HeldSession } from './held-connection';

/** Opens one logged-in connection for the idle probes (openHeldSession wraps the login prober's opener). */
export type OpenHeld = (signal: AbortSignal) => Promise<HeldSession>;

export interface Cell {
  rungMs: number;
  keepalive: KeepaliveVariant;
}

interface Entry extends Cell {
  held?: HeldConnection;
  /** The cohort's clock when this connection's login finished: its last activity. */
  loggedInAt?: number;
  /** Set the moment its check starts, so a check that takes seconds is never started twice. */
  checking?: boolean;
  outcome?: ConnectionOutcome;
}

export interface CohortPlan {
  target: string;
  kind: 'idle' | 'pool';
  cells: Cell[];
  keepaliveIdleMs: number;
  /**
   * The registry's clock (ms) when the cohort started opening: the schedule's mark. Rungs fall due
   * from `Cohort.idleSince`, once the logins are done, never from this.
   */
  openedAt: number;
  runId?: string;
}

/** The cells of a ladder: one connection per rung and keepalive variant. */
export const ladderCells = (rungs: readonly number[], variants: readonly KeepaliveVariant[]): Cell[] =>
  rungs.flatMap((rungMs) => variants.map((keepalive) => ({ rungMs, keepalive })));

/** Connections opened together and left idle, each until its rung falls due. */
export class Cohort {
  readonly id = randomUUID();
  readonly entries: Entry[];
  /** The first open failure, when any connection could not be opened. */
  openError?: unknown;
  /**
   * When the last of the cohort's logins finished, on its clock: every connection held has idled at
   * least since then. Idle ages and rungs count from it, so a login's own time (seconds on a loaded
   * host) is never idle time, and the connections of one rung share one age, checked together.
   */
  idleSince?: number;

  /**
   * `clock` is the caller's clock in ms (the one `checkDue`'s `now` is read from): idle ages are
   * measured on it. `onOutcome` hears each connection's outcome the moment it settles (an open that
   * failed, a check at its rung, a connection given up), so a caller can show progress before the
   * cohort is done.
   */
  constructor(readonly plan: CohortPlan, private readonly clock: () => number, private readonly onOutcome?: (outcome: ConnectionOutcome) => void) {
    this.entries = plan.cells.map((cell) => ({ ...cell }));
  }

  /** Every outcome is set here, once per connection. */
  private settle(entry: Entry, outcome: ConnectionOutcome): ConnectionOutcome {
    entry.outcome = outcome;
    try {
      this.onOutcome?.(outcome);
    } catch {
      // A progress listener must never cost a measurement or leave a connection held.
    }
    return outcome;
  }

  /**
   * Opens every connection at once; a connection that fails to open settles as inconclusive
   * (`open-failed`, and `openError` is set). An open cut short because the caller's `signal`
   * aborted (Ctrl-C, shutdown) settles as inconclusive `stopped`: it says nothing about the target.
   */
  async open(openHeld: OpenHeld, signal: AbortSignal): Promise<void> {
    // Every open listens on the signal; a cohort-wide child keeps the caller's listener count at one.
    const cohortSignal = AbortSignal.any([signal]);
    setMaxListeners(this.entries.length * 2 + 10, cohortSignal);
    await Promise.all(this.entries.map(async (entry) => {
      try {
        const session = await openHeld(cohortSignal);
        if (signal.aborted) {
          // Opened just as the caller stopped: nobody will check it, so it is not held.
          session.connection.close();
          this.settle(entry, this.inconclusive(entry, 'stopped'));
          return;
        }
        entry.held = new HeldConnection(session, entry.keepalive, this.plan.keepaliveIdleMs);
        entry.loggedInAt = this.clock();
      } catch (err) {
        if (signal.aborted) {
          this.settle(entry, this.inconclusive(entry, 'stopped'));
          return;
        }
        this.openError ??= err;
        this.settle(entry, this.inconclusive(entry, 'open-failed', err instanceof Error ? err.message : String(err)));
      }
    }));
    const loggedIn = this.entries.flatMap((e) => (e.held && e.loggedInAt !== undefined ? [e.loggedInAt] : []));
    if (loggedIn.length > 0) this.idleSince = Math.max(...loggedIn);
  }

  private inconclusive(cell: Cell, reason: NonNullable<ConnectionOutcome['reason']>, error?: string): ConnectionOutcome {
    return { cohort: this.id, rungMs: cell.rungMs, keepalive: cell.keepalive, outcome: 'inconclusive', reason, ...(error ? { error } : {}) };
  }

  get held(): number {
    return this.entries.filter((e) => e.held && !e.outcome).length;
  }

  get settled(): boolean {
    return this.entries.every((e) => e.outcome);
  }

  get pending(): Cell[] {
    return this.entries.filter((e) => !e.outcome).map(({ rungMs, keepalive }) => ({ rungMs, keepalive }));
  }

  /** The held connections not yet settled nor being checked. */
  private waiting(): (Entry & { held: HeldConnection })[] {
    return this.entries.filter((e): e is Entry & { held: HeldConnection } => !e.outcome && !e.checking && !!e.held);
  }

  /** When the next unsettled rung falls due, on the cohort's clock. */
  nextDueAt(): number | undefined {
    const rungs = this.waiting().map((e) => e.rungMs);
    return rungs.length > 0 && this.idleSince !== undefined ? this.idleSince + Math.min(...rungs) : undefined;
  }

  /** The connections whose rung is due at `now` (within `slackMs`), for a socket check or a use. */
  due(now: number, slackMs: number): (Entry & { held: HeldConnection })[] {
    const since = this.idleSince;
    return since === undefined ? [] : this.waiting().filter((e) => since + e.rungMs <= now + slackMs);
  }

  /**
   * Checks every due connection at once (the ladder's check, or a pool's borrow) and closes it.
   * `openHeld` opens the fresh connection a validated pool borrow uses in place of one its socket
   * check discarded (pool cohorts only).
   */
  async checkDue(now: number, slackMs: number, sql: string, useTimeoutMs: number, openHeld: OpenHeld, signal: AbortSignal): Promise<ConnectionOutcome[]> {
    const due = this.due(now, slackMs);
    for (const entry of due) entry.checking = true;
    return Promise.all(due.map(async (entry) => {
      const cell = { cohort: this.id, rungMs: entry.rungMs };
      // The time the logins took is not idle time (the death age, too, counts from the login's end).
      const idleMs = Math.max(0, Math.round(now - (this.idleSince ?? now)));
      let outcome: ConnectionOutcome;
      if (this.plan.kind === 'pool') {
        const borrowed = await entry.held.borrow(cell, idleMs, sql, useTimeoutMs, () => openHeld(signal));
        // A replacement cut short by the caller's stop measured nothing: the borrow is not counted.
        outcome = signal.aborted && borrowed.validated.replaced && !borrowed.validated.ok ? this.inconclusive(entry, 'stopped') : borrowed;
      } else {
        outcome = await entry.held.check(cell, idleMs, sql, useTimeoutMs);
      }
      entry.held.close();
      return this.settle(entry, outcome);
    }));
  }

  /** Gives up the unsettled connections (the probe stopped, or its run was cancelled): each settles as inconclusive. */
  abandon(reason: 'stopped' | 'host-recycled' | 'cancelled'): ConnectionOutcome[] {
    return this.entries.filter((e) => !e.outcome).map((entry) => {
      entry.held?.close();
      return this.settle(entry, this.inconclusive(entry, reason));
    });
  }
}

/** The idle ladder of a target: one connection per rung and keepalive variant. */
export function idlePlan(target: Target, openedAt: number, rungs: readonly number[] = target.idle.rungs): CohortPlan {
  return { target: target.name, kind: 'idle', cells: ladderCells(rungs, target.idle.keepalive), keepaliveIdleMs: target.idle.keepaliveIdle, openedAt };
}

/** A pool of `size` connections that all idle for `idleFor`, with the keepalive an app's pool would have. */
export function poolPlan(target: Target, openedAt: number): CohortPlan {
  const cells = Array.from({ length: target.pool.size }, () => ({ rungMs: target.pool.idleFor, keepalive: target.pool.keepalive }));
  return { target: target.name, kind: 'pool', cells, keepaliveIdleMs: target.idle.keepaliveIdle, openedAt };
}
