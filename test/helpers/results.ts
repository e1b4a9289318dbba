import { randomUUID } from 'node:crypto';
import { probeResultSchema, type ProbeResult } from '../../shared/contract';

/** The one result builder: a schema-valid login result through the gateway; tests override what they look at. */
export function result(overrides: Partial<ProbeResult> = {}): ProbeResult {
  const startedAt = '2025-01-01T12:00:00.000Z';
  const success = overrides.success ?? true;
  return probeResultSchema.parse({
    schemaVersion: 1,
    id: randomUUID(),
    target: 'orders',
    probe: 'login',
    region: 'westeurope',
    server: 'sql1.database.windows.net',
    port: 1433,
    startedAt,
    durationMs: 40,
    success,
    attempts: [{ startedAt, durationMs: 40, success }],
    phases: [
      { name: 'dns', startMs: 0, durationMs: 4 },
      { name: 'tcp', startMs: 4, durationMs: 2 },
      { name: 'prelogin', startMs: 6, durationMs: 1 },
      { name: 'tls', startMs: 7, durationMs: 13 },
      { name: 'login', startMs: 20, durationMs: 20 },
    ],
    policy: 'proxy',
    encrypted: true,
    sqlprobeVersion: '0.1.0',
    ...overrides,
  });
}

export const LOGIN_FAILED: NonNullable<ProbeResult['error']> = {
  class: 'login-failed',
  phase: 'login',
  number: 18456,
  state: 8,
  transient: false,
  message: "Login failed for user 'app'.",
  recommendation: 'The password is wrong: check the secret that passwordSetting names.',
  docsUrl: 'https://learn.microsoft.com/azure/azure-sql/database/troubleshoot-common-errors-issues',
};

/** A login probe that succeeded through the gateway's redirect, parsed through the result schema. */
export function loginSuccess(overrides: Partial<ProbeResult> = {}): ProbeResult {
  const startedAt = new Date(Date.now() - 2000).toISOString();
  return result({
    target: 'orders',
    probe: 'login',
    region: 'westeurope',
    server: 'orders-sql.database.windows.net',
    port: 1433,
    startedAt,
    durationMs: 312.4,
    success: true,
    attempts: [{ startedAt, durationMs: 312.4, success: true }],
    phases: [
      { name: 'dns', startMs: 0, durationMs: 4.2 },
      { name: 'tcp', startMs: 4.2, durationMs: 21.7 },
      { name: 'prelogin', startMs: 25.9, durationMs: 20.1 },
      { name: 'tls', startMs: 46, durationMs: 80.5 },
      { name: 'login', startMs: 126.5, durationMs: 120.3 },
      { name: 'reroute', startMs: 246.8, durationMs: 50.1 },
      { name: 'query', startMs: 296.9, durationMs: 15.5 },
    ],
    policy: 'redirect',
    routed: { host: 'wwa.worker.database.windows.net', port: 11042 },
    encrypted: true,
    tls: {
      mode: 'classic',
      version: 'TLSv1.3',
      cert: { subject: 'CN=*.database.windows.net', subjectAltNames: ['*.database.windows.net'], issuer: 'CN=Microsoft Azure RSA TLS Issuing CA 03', notAfter: '2026-09-01T00:00:00.000Z', daysLeft: 87.5 },
    },
    sqlprobeVersion: '0.1.0',
    ...overrides,
  });
}

/** A login probe refused by the server's firewall after a retry. */
export function loginFailure(overrides: Partial<ProbeResult> = {}): ProbeResult {
  const startedAt = new Date(Date.now() - 1500).toISOString();
  return result({
    target: 'billing',
    probe: 'login',
    region: 'westeurope',
    server: 'billing-sql.database.windows.net',
    port: 1433,
    startedAt,
    durationMs: 1840,
    success: false,
    attempts: [
      { startedAt, durationMs: 900, success: false, class: 'firewall-blocked' },
      { startedAt, durationMs: 840, success: false, class: 'firewall-blocked' },
    ],
    phases: [
      { name: 'dns', startMs: 0, durationMs: 3 },
      { name: 'tcp', startMs: 3, durationMs: 20 },
      { name: 'login', startMs: 23, durationMs: 800 },
    ],
    error: {
      class: 'firewall-blocked',
      phase: 'login',
      number: 40615,
      state: 1,
      transient: false,
      message: "Cannot open server 'billing-sql' requested by the login. Client with IP address '203.0.113.7' is not allowed to access the server.\nTo enable access, use the Azure portal.",
      recommendation: 'Add a firewall rule for 203.0.113.7, or use a private endpoint.',
      docsUrl: 'https://learn.microsoft.com/azure/azure-sql/database/firewall-configure',
      clientIp: '203.0.113.7',
    },
    policy: 'proxy',
    sqlprobeVersion: '0.1.0',
    ...overrides,
  });
}

/** An idle tick: a 5-minute rung with keepalive off found dead on first use, the on variant alive. */
export function idleTick(): ProbeResult {
  return loginSuccess({
    probe: 'idle',
    phases: [{ name: 'idle', startMs: 0, durationMs: 30 }],
    durationMs: 30,
    idle: {
      mode: 'held',
      outcomes: [
        { cohort: 'c1', rungMs: 300_000, keepalive: 'off', outcome: 'dead-on-use', idleMs: 300_400, deathAgeMs: 240_100, close: 'rst', error: 'Connection lost - read ECONNRESET' },
        { cohort: 'c1', rungMs: 300_000, keepalive: 'on', outcome: 'survived', idleMs: 300_400 },
      ],
      held: 10,
      verdict: { kind: 'nat-idle-drop', atSeconds: 240, text: 'NAT idle drop ≈ 240 s', recommendations: ['Keep TCP keepalive on'], findings: [] },
    },
  });
}

/**
 * A pool probe: 5 connections idle 5 minutes, 3 dead on first use, the socket check caught 2; borrowed
 * through the check, 2 uses still failed (the one it missed, and a replacement that failed).
 */
export function poolRun(): ProbeResult {
  return loginSuccess({
    probe: 'pool',
    success: false,
    phases: [{ name: 'query', startMs: 0, durationMs: 12 }],
    error: { class: 'connection-lost', phase: 'query', transient: true, message: 'Connection lost - read ECONNRESET', recommendation: 'Validate pooled connections on borrow.' },
    pool: { size: 5, idleMs: 300_000, failedOnFirstUse: 3, caughtBySocketCheck: 2, missedBySocketCheck: 1, validatedFailures: 2, error: 'Connection lost - read ECONNRESET' },
  });
}

/** A tls probe of the same server: TLS 1.2, a trusted certificate that does not name the server. */
export function tlsProbe(): ProbeResult {
  return loginSuccess({
    probe: 'tls',
    durationMs: 95,
    phases: [
      { name: 'dns', startMs: 0, durationMs: 2.5 },
      { name: 'tcp', startMs: 2.5, durationMs: 20.5 },
      { name: 'prelogin', startMs: 23, durationMs: 19 },
      { name: 'tls', startMs: 42, durationMs: 53 },
    ],
    policy: undefined,
    routed: undefined,
    tls: {
      mode: 'classic',
      version: 'TLSv1.2',
      hostnameMatches: false,
      trusted: true,
      cert: { subject: 'CN=other.example', subjectAltNames: ['other.example'], issuer: 'CN=Contoso CA', notAfter: '2026-09-01T00:00:00.000Z', daysLeft: 87.5 },
    },
  });
}
