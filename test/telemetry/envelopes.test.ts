import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, secretsOf, type TargetInput, targetSchema } from '../../shared/config';
import { type ProbeResult, probeResultSchema } from '../../shared/contract';
import { PROBERS } from '../../shared/probers';
import { DIMENSIONS, EVENTS, initTelemetry, METRICS, PHASE_EVENT, type Telemetry } from '../../shared/telemetry';
import type { Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { idleTick, loginFailure, loginSuccess, poolRun } from '../helpers/results';
import { startSim } from '../helpers/sim';
import { type Envelope, FakeBreeze } from './breeze';
import { telemetrySettings } from './settings';

const PASSWORD = 'Pa55w0rd-never-leaves-7b1e';
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-token-31f9';

const breeze = new FakeBreeze();
const storage = mkdtempSync(join(tmpdir(), 'sqlprobe-telemetry-test-'));
let telemetry: Telemetry;
let certs: TestCerts;
let sim: Simulator;
const ok = loginSuccess();
const idle = idleTick();
const pool = poolRun();
const failed = loginFailure();
/** Real login probes the simulator refuses: the password and the token are the secrets above. */
const refused: ProbeResult[] = [];
/** What a prober bug could produce: a driver message copied into the result without redaction. */
const leaky = loginFailure({
  target: 'leaky',
  error: {
    ...loginFailure().error!,
    class: 'login-failed',
    message: `Login failed for user 'probe' with password '${PASSWORD}' (token ${TOKEN}).\nSecond line.`,
    recommendation: `Check that ${PASSWORD} is the current password.`,
  },
  pool: { size: 1, idleMs: 1000, failedOnFirstUse: 1, caughtBySocketCheck: 0, missedBySocketCheck: 1, error: `socket closed; auth ${TOKEN}` },
});

/** The simulator's probe login: the password it knows is not ours, and it accepts no token of ours. */
const simTargets = (s: Simulator): TargetInput[] => [
  { name: 'orders-sim', server: 'localhost', port: s.gatewayPort, database: 'orders', caFile: certs.caFile, auth: { type: 'sql', user: 'probe', passwordSetting: 'ORDERS_DB_PASSWORD' } },
  { name: 'billing-sim', server: 'localhost', port: s.gatewayPort, database: 'orders', caFile: certs.caFile, auth: { type: 'access-token', tokenSetting: 'BILLING_DB_TOKEN' } },
];

beforeAll(async () => {
  // Secrets a real deployment holds in its environment: a target's password and access token.
  process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
  process.env.ORDERS_DB_PASSWORD = PASSWORD;
  process.env.BILLING_DB_TOKEN = TOKEN;
  certs = createTestCerts();
  sim = await startSim({
    encrypt: 'on', tls: certs.good,
    servers: [{ logins: [{ user: 'probe', password: 'not-the-configured-one' }], databases: ['orders'], accessTokens: ['a-token-that-is-not-ours'] }],
  });
  const targets = simTargets(sim);
  // The targets as the app reads them: telemetry learns from them which settings hold secrets.
  process.env.SQLPROBE_TARGETS = JSON.stringify(targets);
  for (const t of targets) refused.push(await PROBERS.login(targetSchema.parse(t), { env: process.env, region: 'westeurope', timeoutMs: 5000 }, AbortSignal.timeout(5000)));
  await breeze.start();
  telemetry = initTelemetry(telemetrySettings({
    // Both sinks at once: Application Insights and a JSON Lines file.
    APPLICATIONINSIGHTS_CONNECTION_STRING: breeze.connectionString,
    SQLPROBE_OFFLINE_STORAGE_DIR: storage,
    SQLPROBE_RESULTS_FILE: join(storage, 'results.jsonl'),
  }), { secrets: secretsOf(loadConfig(process.env).targets, process.env) });
  for (const r of [ok, failed, idle, pool]) telemetry.record(r);
  telemetry.recordVerdictChange({ target: 'orders', region: 'westeurope', verdict: 'nat-idle-drop', previous: 'no-idle-kill', recommendation: 'Keep TCP keepalive on, at or below 180 s.' });
  for (const r of [...refused, leaky]) telemetry.record(r);
  expect(await telemetry.flush(20_000)).toBe(true);
}, 30_000);

afterAll(async () => {
  await telemetry.shutdown(5000);
  await breeze.stop();
  await sim?.stop();
  certs?.cleanup();
  rmSync(storage, { recursive: true, force: true });
});

/** Envelope times are ms, but the exporter converts through float nanoseconds and may land 1 ms early. */
const msApart = (time: string, epochMs: number) => Math.abs(Date.parse(time) - epochMs);

const availability = (id: string): Envelope => {
  const found = breeze.of('AvailabilityData').filter((e) => e.data.baseData.id === id);
  expect(found).toHaveLength(1);
  return found[0];
};

test('a success becomes one availability result with exactly the agreed fields', () => {
  const e = availability(ok.id);
  const { properties, ...fields } = e.data.baseData;
  expect(fields).toEqual({
    id: ok.id,
    name: 'orders/login',
    duration: '00:00:00.312',
    success: true,
    runLocation: 'westeurope',
    message: 'ok: 312 ms',
    ver: 2,
    measurements: {},
  });
  expect(properties).toEqual({
    target: 'orders',
    server: 'orders-sql.database.windows.net',
    probe: 'login',
    class: 'ok',
    policy: 'redirect',
    routedPort: '11042',
    tlsVersion: 'TLSv1.3',
    certDaysLeft: '87.5',
    attempts: '1',
    sqlprobeVersion: '0.1.0',
  });
  expect(msApart(e.time, Date.parse(ok.startedAt))).toBeLessThanOrEqual(1);
});

test('a failure carries class, phase, error number and the first line of the message', () => {
  const { properties, ...fields } = availability(failed.id).data.baseData;
  expect(fields).toMatchObject({
    name: 'billing/login',
    duration: '00:00:01.840',
    success: false,
    runLocation: 'westeurope',
    message: "firewall-blocked: Cannot open server 'billing-sql' requested by the login. Client with IP address '203.0.113.7' is not allowed to access the server.",
  });
  expect(properties).toEqual({
    target: 'billing',
    server: 'billing-sql.database.windows.net',
    probe: 'login',
    class: 'firewall-blocked',
    phase: 'login',
    errorNumber: '40615',
    policy: 'proxy',
    attempts: '2',
    sqlprobeVersion: '0.1.0',
  });
});

test('each probe is a SQL dependency with its real times, joined to its availability result', () => {
  const deps = breeze.of('RemoteDependencyData').filter((e) => e.data.baseData.name === 'orders/login');
  expect(deps).toHaveLength(1);
  const dep = deps[0];
  // db.system=mssql gives type SQL; net.peer.name gives the target (semantic attributes are not copied to properties).
  expect(dep.data.baseData).toMatchObject({ type: 'SQL', target: 'orders-sql.database.windows.net', success: true, duration: expect.stringMatching(/^00:00:00\.312/) });
  expect(dep.data.baseData.properties).toMatchObject({ target: 'orders', region: 'westeurope', class: 'ok', policy: 'redirect' });
  expect(msApart(dep.time, Date.parse(ok.startedAt))).toBeLessThanOrEqual(1);
  expect(dep.tags?.['ai.operation.id']).toBe(availability(ok.id).tags?.['ai.operation.id']);

  const failedDep = breeze.of('RemoteDependencyData').find((e) => e.data.baseData.name === 'billing/login');
  expect(failedDep?.data.baseData.success).toBe(false);
});

test('phase events arrive at each phase start, under the probe span', () => {
  const opId = availability(ok.id).tags?.['ai.operation.id'];
  const events = breeze.of('MessageData').filter((e) => e.data.baseData.message === PHASE_EVENT && e.tags?.['ai.operation.id'] === opId);
  const byPhase = Object.fromEntries(events.map((e) => [e.data.baseData.properties?.phase, e]));
  expect(Object.keys(byPhase).sort()).toEqual(ok.phases.map((p) => p.name).sort());
  const tls = ok.phases.find((p) => p.name === 'tls')!;
  expect(byPhase.tls.data.baseData.properties?.durationMs).toBe('80.5');
  expect(msApart(byPhase.tls.time, Date.parse(ok.startedAt) + tls.startMs)).toBeLessThanOrEqual(1);
});

function metric(name: string, dims: Record<string, string>): { value: number; count: number } | undefined {
  const found = breeze.of('MetricData').filter((e) => {
    const m = (e.data.baseData.metrics as { name: string }[])[0];
    return m.name === name && Object.entries(dims).every(([k, v]) => e.data.baseData.properties?.[k] === v);
  });
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0] && (found[0].data.baseData.metrics as { value: number; count: number }[])[0];
}

test('every metric arrives with its dimensions', () => {
  const where = { target: 'orders', region: 'westeurope' };
  expect(metric(METRICS.phaseDuration, { ...where, phase: 'tls' })).toMatchObject({ value: 80.5, count: 1 });
  expect(metric(METRICS.probeResult, { target: 'billing', region: 'westeurope', probe: 'login', class: 'firewall-blocked' })).toMatchObject({ value: 1 });
  expect(metric(METRICS.probeResult, { ...where, probe: 'login', class: 'ok' })).toMatchObject({ value: 1 });
  expect(metric(METRICS.certDaysLeft, { ...where, server: 'orders-sql.database.windows.net' })).toMatchObject({ value: 87.5 });
  expect(metric(METRICS.idleOutcome, { ...where, rung: '5m', keepalive: 'off', outcome: 'dead-on-use' })).toMatchObject({ value: 1 });
  expect(metric(METRICS.idleOutcome, { ...where, rung: '5m', keepalive: 'on', outcome: 'survived' })).toMatchObject({ value: 1 });
  expect(metric(METRICS.idleDeathAge, { ...where, keepalive: 'off' })).toMatchObject({ value: 240_100, count: 1 });
  expect(metric(METRICS.poolDeadOnBorrow, { ...where, borrowCheck: 'none' })).toMatchObject({ value: 3 });
  expect(metric(METRICS.poolDeadOnBorrow, { ...where, borrowCheck: 'socket-check' })).toMatchObject({ value: 2 });
});

test('a verdict change is one custom event', () => {
  const events = breeze.of('EventData');
  expect(events).toHaveLength(1);
  expect(events[0].data.baseData).toMatchObject({
    name: EVENTS.verdictChanged,
    properties: {
      [DIMENSIONS.target]: 'orders',
      [DIMENSIONS.region]: 'westeurope',
      [DIMENSIONS.verdict]: 'nat-idle-drop',
      [DIMENSIONS.previousVerdict]: 'no-idle-kill',
      [DIMENSIONS.recommendation]: 'Keep TCP keepalive on, at or below 180 s.',
    },
  });
});

test('real probes with the secret password and token fail at login against the simulator, and are sent', () => {
  expect(refused.map((r) => [r.target, r.success, r.error?.class, r.error?.phase, r.error?.number])).toEqual([
    ['orders-sim', false, 'login-failed', 'login', 18456],
    ['billing-sim', false, 'login-failed', 'login', 18456],
  ]);
  for (const r of refused) expect(availability(r.id).data.baseData).toMatchObject({ success: false, message: expect.stringMatching(/^login-failed: /) });
});

test('a result that carries the secrets (a prober bug) is scrubbed before any sink sees it', () => {
  expect(JSON.stringify(leaky)).toContain(PASSWORD);
  const e = availability(leaky.id);
  expect(e.data.baseData.message).toBe("login-failed: Login failed for user 'probe' with password '[redacted]' (token [redacted]).");
  expect(breeze.of('RemoteDependencyData').find((d) => d.data.baseData.name === 'leaky/login')).toBeDefined();
});

test('no envelope and no request carries the password or the token', () => {
  expect(breeze.requests.length).toBeGreaterThan(0);
  // Every result above was sent, the refused probes and the leaky one among them.
  for (const r of [...refused, leaky]) availability(r.id);
  for (const { headers, body } of breeze.requests) {
    const text = `${JSON.stringify(headers)}\n${body}`;
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(TOKEN);
  }
});

test('with a results file too, the same results land there as JSON Lines', () => {
  const lines = readFileSync(join(storage, 'results.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as object);
  expect(lines.slice(0, 4).map((l) => probeResultSchema.parse(l))).toEqual([ok, failed, idle, pool]);
  expect(lines[4]).toMatchObject({ event: EVENTS.verdictChanged, target: 'orders', verdict: 'nat-idle-drop', previous: 'no-idle-kill' });
  const scrubbed = lines.slice(5).map((l) => probeResultSchema.parse(l));
  expect(scrubbed.map((r) => r.id)).toEqual([...refused, leaky].map((r) => r.id));
  expect(scrubbed.at(-1)).toMatchObject({
    error: { message: "Login failed for user 'probe' with password '[redacted]' (token [redacted]).\nSecond line.", recommendation: 'Check that [redacted] is the current password.' },
    pool: { error: 'socket closed; auth [redacted]' },
  });
  const file = readFileSync(join(storage, 'results.jsonl'), 'utf8');
  expect(file).not.toContain(PASSWORD);
  expect(file).not.toContain(TOKEN);
});
