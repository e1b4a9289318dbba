import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeResultSchema } from '../../shared/contract';
import { EVENTS, initTelemetry } from '../../shared/telemetry';
import { telemetrySettings } from './settings';
import { loginFailure, loginSuccess } from '../helpers/results';

const none = telemetrySettings();
const change = { target: 'orders', region: 'westeurope', verdict: 'gateway-idle-kill', recommendation: 'Use the Redirect connection policy.' } as const;

test('without a connection string or a file, each result is one console line', async () => {
  const lines: string[] = [];
  const telemetry = initTelemetry(none, { print: (line) => lines.push(line) });
  telemetry.record(loginSuccess());
  telemetry.record(loginFailure());
  telemetry.recordVerdictChange(change);
  expect(await telemetry.flush(1000)).toBe(true);
  expect(await telemetry.shutdown(1000)).toBe(true);
  expect(lines).toEqual([
    'ok   orders/login westeurope ok: 312 ms',
    "FAIL billing/login westeurope firewall-blocked: Cannot open server 'billing-sql' requested by the login. Client with IP address '203.0.113.7' is not allowed to access the server.",
    'idle orders westeurope verdict none -> gateway-idle-kill: Use the Redirect connection policy.',
  ]);
});

describe('SQLPROBE_RESULTS_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlprobe-jsonl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('appends one result per line that validates against the result schema, and verdict changes', async () => {
    const file = join(dir, 'results.jsonl');
    const results = [loginSuccess(), loginFailure()];
    const telemetry = initTelemetry({ ...none, SQLPROBE_RESULTS_FILE: file }, { print: () => { throw new Error('no console output expected'); } });
    results.forEach((r) => telemetry.record(r));
    telemetry.recordVerdictChange(change);
    expect(await telemetry.flush(5000)).toBe(true);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as object);
    expect(lines.slice(0, 2).map((l) => probeResultSchema.parse(l))).toEqual(results);
    expect(lines[2]).toEqual({ event: EVENTS.verdictChanged, time: expect.any(String), ...change });
  });

  test('a file that cannot be written makes flush report false instead of throwing', async () => {
    const telemetry = initTelemetry({ ...none, SQLPROBE_RESULTS_FILE: join(dir, 'missing', 'results.jsonl') });
    telemetry.record(loginSuccess());
    expect(await telemetry.flush(5000)).toBe(false);
  });
});

test('a malformed connection string fails at init, naming the setting but not its value', () => {
  expect(() => initTelemetry({ ...none, APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=oops;Password=hunter2' })).toThrow(/^APPLICATIONINSIGHTS_CONNECTION_STRING: expected/);
  expect(() => initTelemetry({ ...none, APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=oops;Password=hunter2' })).not.toThrow(/hunter2/);
});
