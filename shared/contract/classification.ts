import { z } from 'zod';

export const PHASES = ['dns', 'tcp', 'prelogin', 'tls', 'login', 'reroute', 'initialSql', 'query', 'idle', 'browser', 'tlsAudit'] as const;
export const phaseName = z.enum(PHASES);
export type Phase = z.infer<typeof phaseName>;

export const FAILURE_CLASSES = [
  'dns-not-found', 'dns-failed', 'dns-privatelink-public', 'tcp-refused', 'tcp-timeout', 'tcp-reset', 'tcp-unreachable',
  'tls-untrusted', 'tls-hostname-mismatch', 'tls-expired', 'tls-handshake-failed', 'encryption-not-supported',
  'login-failed', 'auth-token-failed', 'secret-missing', 'db-not-found', 'db-unavailable', 'failover', 'throttled',
  'firewall-blocked', 'public-access-denied', 'vnet-rule-missing', 'login-format',
  'redirect-ports-blocked', 'connection-lost', 'policy-mismatch', 'read-only-mismatch', 'query-failed',
  ...PHASES.map((p) => `timeout-${p}` as const),
  'unexpected-server-response', 'unknown',
  'server-closed', 'windows-auth-required', 'ca-file-unreadable',
  'tls-below-minimum', 'browser-unreachable', 'instance-not-found', 'instance-port-closed',
  'login-untrusted-domain', 'login-domain-password', 'dns-resolver-split', 'query-unexpected-result',
] as const;
export const failureClass = z.enum(FAILURE_CLASSES);
export type FailureClass = z.infer<typeof failureClass>;

/** What went wrong, where, and what to do: the message is redacted before it gets here. */
export const classificationSchema = z.object({
  class: failureClass,
  phase: phaseName,
  number: z.int().optional(),
  state: z.int().optional(),
  transient: z.boolean(),
  message: z.string(),
  recommendation: z.string(),
  docsUrl: z.url().optional(),
  /** The client IP that a firewall error (40615) names. */
  clientIp: z.string().optional(),
});
export type Classification = z.infer<typeof classificationSchema>;
