import type { ConnectionOutcome } from '../../shared/contract';

export const MIN = 60_000;

/** One held connection's outcome at its rung, idle exactly the rung unless `extra` says otherwise. */
export const o = (rungMs: number, keepalive: 'on' | 'off', outcome: ConnectionOutcome['outcome'], extra: Partial<ConnectionOutcome> = {}): ConnectionOutcome =>
  ({ cohort: 'c1', rungMs, keepalive, outcome, idleMs: rungMs, ...extra });

/** The default ladder: 3, 5, 15, 29, 31, 40 minutes. */
export const LADDER = [3, 5, 15, 29, 31, 40].map((m) => m * MIN);
