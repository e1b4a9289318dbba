import { z } from 'zod';
import { connectionOutcomeSchema, idleOutcomeKind, keepaliveVariant, phaseName, phaseTimingSchema, probeName, probeResultSchema, verdictChangeSchema, verdictSchema } from '../../shared/contract';

/**
 * `GET /api/status` on `sqlprobe start`'s local port: what the status page draws, for scripts too.
 * Results and verdicts are the result contract itself (probeResultSchema, verdictSchema); the rest
 * is what this process gathered from them since it started.
 */

/** One connectivity result on the latency chart: when, whether it worked, and each phase's time. */
export const latencySampleSchema = z.object({
  at: z.iso.datetime(),
  success: z.boolean(),
  durationMs: z.number().nonnegative(),
  phases: z.partialRecord(phaseName, z.number().nonnegative()),
});

/** The phase waterfall of a target's last connectivity result with the most phases (its login when it runs one). */
export const waterfallSchema = z.object({
  probe: probeName,
  at: z.iso.datetime(),
  success: z.boolean(),
  durationMs: z.number().nonnegative(),
  /** The phase it failed in, drawn as such. */
  failedPhase: phaseName.optional(),
  phases: z.array(phaseTimingSchema),
});

/** One rung and keepalive variant of the idle ladder: its latest outcome and a tally of all of them. */
export const survivalCellSchema = z.object({
  rungMs: z.int().positive(),
  keepalive: keepaliveVariant,
  /** The latest settled connection of this cell, with its death age when it died. */
  latest: connectionOutcomeSchema.optional(),
  /** How many connections of this cell ended each way since the process started. */
  counts: z.record(idleOutcomeKind, z.int().nonnegative()),
});

export const idleStatusSchema = z.object({
  /** Every rung × keepalive variant of the target's ladder, shortest rung first. */
  cells: z.array(survivalCellSchema),
  /** Connections settled since start, and how many one whole ladder takes. */
  settled: z.int().nonnegative(),
  expected: z.int().nonnegative(),
  /** Idle connections the target holds now. */
  held: z.int().nonnegative(),
  /** The verdict of the latest idle result, with its recommendations. */
  verdict: verdictSchema.optional(),
  updatedAt: z.iso.datetime().optional(),
});

export const targetStatusSchema = z.object({
  name: z.string(),
  server: z.string(),
  port: z.int(),
  region: z.string(),
  /** The probes the target runs, in the order they run. */
  probes: z.array(probeName),
  /** The path the target expects (expect.policy), to show a mismatch next to the path taken. */
  expectedPolicy: z.enum(['proxy', 'redirect']).optional(),
  /** The last result of each probe that has reported, in the target's probe order. */
  latest: z.array(probeResultSchema),
  waterfall: waterfallSchema.optional(),
  /** Phase latency of the waterfall's probe over the last hour. */
  latency: z.object({ probe: probeName, windowMs: z.int().positive(), samples: z.array(latencySampleSchema) }).optional(),
  idle: idleStatusSchema.optional(),
  /** The latest verdict changes (the telemetry events), newest last. */
  verdictChanges: z.array(verdictChangeSchema.extend({ at: z.iso.datetime() })),
});

export const statusSchema = z.object({
  schemaVersion: z.literal(1),
  sqlprobeVersion: z.string(),
  region: z.string(),
  /** True when no targets are configured and the built-in simulator's demo targets are probed. */
  demo: z.boolean(),
  startedAt: z.iso.datetime(),
  generatedAt: z.iso.datetime(),
  /** Goes up by one with every result and verdict change: the live stream sends it. */
  revision: z.int().nonnegative(),
  targets: z.array(targetStatusSchema),
});

export type Status = z.infer<typeof statusSchema>;
export type TargetStatus = z.infer<typeof targetStatusSchema>;
export type LatencySample = z.infer<typeof latencySampleSchema>;
export type SurvivalCell = z.infer<typeof survivalCellSchema>;
export type IdleStatus = z.infer<typeof idleStatusSchema>;
export type Waterfall = z.infer<typeof waterfallSchema>;
