import { z } from 'zod';

/**
 * The details of the checks a DBA would otherwise run with another tool: the server's TLS floor, a
 * named instance through the SQL Server Browser, the answers of several resolvers, and an assertion
 * on the query's answer. The result schema (result.ts) holds them; docs/results.md documents them.
 */

/** TLS protocol versions, named as Azure SQL's "Minimum TLS version" setting names them. */
export const TLS_VERSIONS = ['1.0', '1.1', '1.2', '1.3'] as const;
export const tlsVersionName = z.enum(TLS_VERSIONS, { error: 'expected "1.0", "1.1", "1.2" or "1.3"' });
export type TlsVersionName = z.infer<typeof tlsVersionName>;

/** One handshake of the TLS audit, offering a single protocol version. */
export const tlsAuditAttemptSchema = z.object({
  version: tlsVersionName,
  /** `refused`: the server ended the handshake (protocol_version or handshake_failure alert, or a reset). */
  outcome: z.enum(['accepted', 'refused', 'no-answer', 'error']),
  durationMs: z.number().nonnegative(),
  cipher: z.string().optional(),
  /** The alert or error code the handshake ended with. */
  detail: z.string().optional(),
});
export type TlsAuditAttempt = z.infer<typeof tlsAuditAttemptSchema>;

export const tlsAuditSchema = z.object({
  /** The target's `expect.minTls`, when it has one. */
  minimum: tlsVersionName.optional(),
  attempts: z.array(tlsAuditAttemptSchema),
  /** The versions the server accepted, oldest first. */
  accepted: z.array(tlsVersionName),
});
export type TlsAudit = z.infer<typeof tlsAuditSchema>;

/** One instance as the SQL Server Browser lists it (MC-SQLR SVR_RESP). */
export const browserInstanceSchema = z.object({
  name: z.string(),
  /** Its TCP port; absent when TCP/IP is off for it. */
  tcpPort: z.int().optional(),
  version: z.string().optional(),
  clustered: z.boolean().optional(),
});
export type BrowserInstance = z.infer<typeof browserInstanceSchema>;

export const BROWSER_OUTCOMES = ['found', 'not-found', 'no-tcp', 'no-answer', 'unreachable'] as const;

export const browserDetailsSchema = z.object({
  instance: z.string(),
  /** Where the question went: the server's address and the Browser's UDP port. */
  address: z.string(),
  port: z.int(),
  outcome: z.enum(BROWSER_OUTCOMES),
  /** The instance's TCP port, when found: the port the probe then connects to. */
  tcpPort: z.int().optional(),
  /** The instances the Browser named: the instance itself once found (its answer comes first), else every instance it lists. */
  instances: z.array(browserInstanceSchema),
});
export type BrowserDetails = z.infer<typeof browserDetailsSchema>;

export const DNS_DIFFERENCES = ['answer', 'visibility', 'addresses', 'cnames'] as const;

/** What one comparison resolver answered for the target's name. */
export const dnsComparisonSchema = z.object({
  resolver: z.string(),
  outcome: z.enum(['answered', 'not-found', 'failed', 'timeout']),
  cnames: z.array(z.string()),
  addresses: z.array(z.object({ address: z.string(), family: z.union([z.literal(4), z.literal(6)]), private: z.boolean() })),
  privateLinkAlias: z.boolean(),
  /** How its answer differs from the probe's own resolver's; empty when they agree. */
  differences: z.array(z.enum(DNS_DIFFERENCES)),
  /** The error code when it did not answer (ESERVFAIL, ECONNREFUSED …). */
  error: z.string().optional(),
});
export type DnsComparison = z.infer<typeof dnsComparisonSchema>;

const EQUALS_HINT = 'expected a string, a number or true/false';
/** What the first column of the first row must be: equal to a value, match a pattern, or fall in a range. */
export const resultExpectationSchema = z.object({
  equals: z.union([z.string().max(4000, 'expected at most 4000 characters'), z.number(), z.boolean()], { error: EQUALS_HINT }).optional(),
  pattern: z.string({ error: 'expected a regular expression, e.g. "^ONLINE$"' }).min(1, 'expected a regular expression, e.g. "^ONLINE$"').max(500, 'expected at most 500 characters').optional(),
  min: z.number({ error: 'expected a number' }).optional(),
  max: z.number({ error: 'expected a number' }).optional(),
});
export type ResultExpectation = z.infer<typeof resultExpectationSchema>;

/** The query's answer, checked against `expect.result`. */
export const assertionSchema = z.object({
  /** The first column of the first row (null for SQL NULL); absent when the query returned no row. */
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  expected: resultExpectationSchema,
  matches: z.boolean(),
});
export type Assertion = z.infer<typeof assertionSchema>;
