import { z } from 'zod';
import { assertionSchema, browserDetailsSchema, dnsComparisonSchema, tlsAuditSchema } from './checks';
import { classificationSchema, phaseName } from './classification';
import { endpointSchema, policySchema } from './enums';
import { idleDetailsSchema, poolDetailsSchema } from './idle';
import { probeName } from './probes';

/**
 * The result contract: telemetry, the HTTP API, the CLI's --json and the alert queries all read
 * it. docs/results.md is checked against this schema; change both together.
 */
export const phaseTimingSchema = z.object({
  name: phaseName,
  /** Start offset from the probe's start, in ms (performance.now based). */
  startMs: z.number().nonnegative(),
  durationMs: z.number().nonnegative(),
});

export const dnsDetailsSchema = z.object({
  cnames: z.array(z.string()),
  addresses: z.array(z.object({ address: z.string(), family: z.union([z.literal(4), z.literal(6)]), private: z.boolean() })),
  privateLinkAlias: z.boolean(),
  resolver: z.string(),
  /** With the target's dns.compare: what each other resolver answered. */
  compare: z.array(dnsComparisonSchema).optional(),
});

export const tcpDetailsSchema = z.object({
  connects: z.array(z.object({
    address: z.string(),
    port: z.int(),
    durationMs: z.number().nonnegative(),
    outcome: z.enum(['connected', 'refused', 'timeout', 'unreachable', 'reset', 'error']),
  })),
});

export const tlsDetailsSchema = z.object({
  mode: z.enum(['classic', 'strict']),
  serverVersion: z.string().optional(),
  encryption: z.enum(['off', 'on', 'not-supported', 'required', 'strict']).optional(),
  version: z.string().optional(),
  cipher: z.string().optional(),
  cert: z.object({
    subject: z.string(),
    subjectAltNames: z.array(z.string()),
    issuer: z.string(),
    notAfter: z.iso.datetime(),
    daysLeft: z.number(),
  }).optional(),
  hostnameMatches: z.boolean().optional(),
  trusted: z.boolean().optional(),
  /** With expect.minTls or --tls-audit: every protocol version offered alone, and which the server accepted. */
  audit: tlsAuditSchema.optional(),
});

export const serverFactsSchema = z.object({
  spid: z.int().optional(),
  engineEdition: z.int().optional(),
  updateability: z.enum(['READ_WRITE', 'READ_ONLY']).optional(),
  database: z.string().optional(),
});

/** One listener of a failover group, as the login prober saw it (the top level repeats the primary). */
export const listenerResultSchema = z.object({
  listener: z.enum(['primary', 'secondary']),
  server: z.string(),
  port: z.int(),
  success: z.boolean(),
  durationMs: z.number().nonnegative(),
  phases: z.array(phaseTimingSchema),
  error: classificationSchema.optional(),
  policy: policySchema.optional(),
  routed: endpointSchema.optional(),
  facts: serverFactsSchema.optional(),
  assertion: assertionSchema.optional(),
});

export const attemptSchema = z.object({
  startedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  success: z.boolean(),
  class: classificationSchema.shape.class.optional(),
});

/** Whether the prober's own load may have stretched a result's timings (PERTURBED_LAG_MS). */
export const MEASUREMENTS = ['clean', 'perturbed'] as const;

export const probeResultSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.uuid(),
  target: z.string(),
  probe: probeName,
  region: z.string(),
  server: z.string(),
  port: z.int(),
  startedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  success: z.boolean(),
  /** Every attempt, the last one being this result; more than one only when retry is configured. */
  attempts: z.array(attemptSchema).min(1),
  phases: z.array(phaseTimingSchema),
  error: classificationSchema.optional(),
  /** For failover-group targets: which listener this result is about. */
  listener: z.enum(['primary', 'secondary']).optional(),
  /** For failover-group targets: both listeners; success requires both. */
  listeners: z.array(listenerResultSchema).optional(),
  policy: policySchema.optional(),
  routed: endpointSchema.optional(),
  encrypted: z.boolean().optional(),
  dns: dnsDetailsSchema.optional(),
  tcp: tcpDetailsSchema.optional(),
  tls: tlsDetailsSchema.optional(),
  facts: serverFactsSchema.optional(),
  /** Filled by the idle prober: per-connection outcomes and the verdict. */
  idle: idleDetailsSchema.optional(),
  /** Filled by the pool prober: dead connections a pool would hand out after idle. */
  pool: poolDetailsSchema.optional(),
  sqlprobeVersion: z.string(),
  /** For a named instance: how the SQL Server Browser answered. */
  browser: browserDetailsSchema.optional(),
  /** With expect.result: the query's answer and the expectation. */
  assertion: assertionSchema.optional(),
  /** The prober's own event-loop delay while the probe ran: how far its timings may be stretched by its own load. */
  loopLag: z.object({ maxMs: z.number().nonnegative(), meanMs: z.number().nonnegative() }).optional(),
  /** `perturbed` when loopLag.maxMs exceeded PERTURBED_LAG_MS: the latency alert and the workbook leave such results out. */
  measurement: z.enum(MEASUREMENTS).optional(),
});

export type ProbeResult = z.infer<typeof probeResultSchema>;
export type PhaseTiming = z.infer<typeof phaseTimingSchema>;
export type ListenerResult = z.infer<typeof listenerResultSchema>;
export type DnsDetails = z.infer<typeof dnsDetailsSchema>;
export type TcpConnect = z.infer<typeof tcpDetailsSchema>['connects'][number];
export type TlsDetails = z.infer<typeof tlsDetailsSchema>;
export type CertFacts = NonNullable<TlsDetails['cert']>;
export type ServerFacts = z.infer<typeof serverFactsSchema>;
/** Everything a prober may add to a result besides the common fields. */
export type ResultDetails = Partial<Omit<ProbeResult, 'schemaVersion' | 'id' | 'target' | 'probe' | 'region' | 'startedAt' | 'durationMs' | 'success' | 'attempts' | 'phases' | 'error' | 'sqlprobeVersion'>>;

/**
 * Above this event-loop delay (ms) during a probe, its timings are `perturbed`: any phase may be
 * stretched by about that much, more than a round trip inside one Azure region, and well above the
 * 1–2 ms (timer granularity, garbage collection) of a quiet loop.
 */
export const PERTURBED_LAG_MS = 20;

export type LoopLag = NonNullable<ProbeResult['loopLag']>;
export type Measurement = NonNullable<ProbeResult['measurement']>;

export const measurementOf = (lag: LoopLag): Measurement => (lag.maxMs > PERTURBED_LAG_MS ? 'perturbed' : 'clean');
