import { z } from 'zod';
import { keepaliveVariant, policySchema } from './enums';

/** How an idle connection ended: the peer's FIN, the peer's RST, or our keepalive giving up. */
export const closeKind = z.enum(['fin', 'rst', 'timeout']);
export type CloseKind = z.infer<typeof closeKind>;

export const IDLE_OUTCOMES = ['survived', 'closed-by-peer', 'dead-on-use', 'keepalive-detected', 'inconclusive'] as const;
export const idleOutcomeKind = z.enum(IDLE_OUTCOMES);
export type IdleOutcomeKind = z.infer<typeof idleOutcomeKind>;

/** What one held connection showed at (or before) its rung. */
export const connectionOutcomeSchema = z.object({
  cohort: z.string(),
  rungMs: z.int().positive(),
  keepalive: keepaliveVariant,
  /** With keepalive on: the idle before its first probe (tedious's is 30 s; target.idle.keepaliveIdle). */
  keepaliveIdleMs: z.int().positive().optional(),
  outcome: idleOutcomeKind,
  /** The idle age when the rung was checked (ticks land a little after the planned rung). */
  idleMs: z.number().nonnegative().optional(),
  /** For a peer close or a keepalive timeout: ms from the last activity to the close event. */
  deathAgeMs: z.number().nonnegative().optional(),
  close: closeKind.optional(),
  /** The error exactly as the app would have seen it: tedious's message, which holds no secret. */
  error: z.string().optional(),
  /**
   * Why an outcome is inconclusive: the process holding it died (its lease expired), the probe
   * stopped, the connection never opened, or its idle run was cancelled.
   */
  reason: z.enum(['host-recycled', 'stopped', 'open-failed', 'cancelled']).optional(),
  policy: policySchema.optional(),
});
export type ConnectionOutcome = z.infer<typeof connectionOutcomeSchema>;

export const VERDICT_KINDS = ['gateway-idle-kill', 'nat-idle-drop', 'silent-drop', 'no-idle-kill', 'inconclusive'] as const;
export const verdictKind = z.enum(VERDICT_KINDS);
export type VerdictKind = z.infer<typeof verdictKind>;

/** One idle timer found on the path; a path can have two (a NAT at 4 min and the gateway at 30). */
export const findingSchema = z.object({
  kind: verdictKind,
  /** Best estimate of the timer, in seconds (for no-idle-kill: the longest idle that survived). */
  atSeconds: z.number().nonnegative().optional(),
  /** The measured bracket: the longest idle that survived and the shortest that died. */
  minSeconds: z.number().nonnegative().optional(),
  maxSeconds: z.number().nonnegative().optional(),
});
export type Finding = z.infer<typeof findingSchema>;

export const verdictSchema = findingSchema.extend({
  text: z.string(),
  recommendations: z.array(z.string()),
  /** Every timer found, shortest first; the verdict itself is the first. */
  findings: z.array(findingSchema),
});
export type Verdict = z.infer<typeof verdictSchema>;

export const idleDetailsSchema = z.object({
  mode: z.enum(['held', 'single']),
  /** Outcomes settled by this run (or tick). */
  outcomes: z.array(connectionOutcomeSchema),
  /** Connections this target holds after the run. */
  held: z.int().nonnegative(),
  /** Set when a due cohort was not opened because a cap on held connections was reached. */
  capped: z.boolean().optional(),
  /** From the latest conclusive outcome per rung and keepalive variant, this run's included. */
  verdict: verdictSchema,
});
export type IdleDetails = z.infer<typeof idleDetailsSchema>;

export const poolDetailsSchema = z.object({
  size: z.int().positive(),
  idleMs: z.number().nonnegative(),
  /** Borrowed without validation: how many failed on their first use. */
  failedOnFirstUse: z.int().nonnegative(),
  /** How many a socket check on borrow (closed / socket.destroyed, no round trip) flags as dead. */
  caughtBySocketCheck: z.int().nonnegative(),
  /** First uses that failed although the socket check passed: what a validating pool still hands out. */
  missedBySocketCheck: z.int().nonnegative(),
  /**
   * Measured with validation, as SqlClient borrows: a connection the socket check flags is discarded
   * and a fresh one opened and used instead. How many of those borrows still failed. The pool prober
   * always sets it; optional only so results stored before it existed still read back.
   */
  validatedFailures: z.int().nonnegative().optional(),
  /** The first error the app would have seen, as tedious words it. */
  error: z.string().optional(),
  /** The first error an app behind a validating pool would have seen. */
  validatedError: z.string().optional(),
  /** Set when the pool's connections were lost with the host or the probe stopped: no counts then. */
  inconclusive: z.enum(['host-recycled', 'stopped']).optional(),
});
export type PoolDetails = z.infer<typeof poolDetailsSchema>;

/**
 * An idle run started over HTTP. The request is written to shared state; the region's idle holder
 * picks it up and writes the outcomes to the same record as rungs settle, so
 * `GET /api/idle-runs/{id}` answers from any instance.
 */
export const idleRunSchema = z.object({
  id: z.uuid(),
  target: z.string(),
  /** Planned idle ages, in ms. */
  rungs: z.array(z.int().positive()),
  /**
   * `pending`: waiting for the idle holder to pick it up; `inconclusive`: the process holding it
   * died (its lease expired); `cancelled`: a DELETE ended it.
   */
  status: z.enum(['running', 'completed', 'inconclusive', 'pending', 'cancelled']),
  createdAt: z.iso.datetime(),
  /** When the record last changed. */
  updatedAt: z.iso.datetime(),
  /** How many outcomes the run settles in all: progress is `outcomes.length / expected`. */
  expected: z.int().nonnegative(),
  /** Outcomes so far, in the order they settled. */
  outcomes: z.array(connectionOutcomeSchema),
  verdict: verdictSchema.optional(),
  /** The idle holder (its process generation) that picked the run up and holds its connections. */
  holder: z.string().optional(),
  /** Cancelled while its connections were held: the holder closes them at its next tick. */
  closing: z.boolean().optional(),
  /** The keepalive variants of each rung (the target's), so `expected` is rungs × variants. */
  keepalive: z.array(keepaliveVariant).optional(),
});
export type IdleRun = z.infer<typeof idleRunSchema>;

/** An idle verdict that appeared, changed or cleared for a target in a region. */
export const verdictChangeSchema = z.object({
  target: z.string(),
  region: z.string(),
  verdict: verdictKind,
  /** The verdict before this change; absent for the first verdict of a target. */
  previous: verdictKind.optional(),
  /** The first recommendation of the new verdict, the one to act on. */
  recommendation: z.string(),
});
export type VerdictChange = z.infer<typeof verdictChangeSchema>;
