import { randomUUID } from 'node:crypto';
import type { ProbeResult } from '../../shared/contract';

/** A schema-valid result; tests override what they look at. */
export function result(overrides: Partial<ProbeResult> = {}): ProbeResult {
  const startedAt = '2025-01-01T12:00:00.000Z';
  const success = overrides.success ?? true;
  return {
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
  };
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
