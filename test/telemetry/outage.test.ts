import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTelemetry, type Telemetry } from '../../shared/telemetry';
import { telemetrySettings } from './settings';
import type { ProbeResult } from '../../shared/contract';
import { FakeBreeze } from './breeze';
import { loginFailure, loginSuccess } from '../helpers/results';

// The exporter retries each failed post for about 7 s (three exponential retries) before persisting.
jest.setTimeout(90_000);

const breeze = new FakeBreeze();
const storage = mkdtempSync(join(tmpdir(), 'sqlprobe-outage-'));
const sent: ProbeResult[] = [];
let telemetry: Telemetry | undefined;

/** What a new invocation does: a fresh telemetry against the same offline storage. */
function invocation(): Telemetry {
  telemetry = initTelemetry(telemetrySettings({
    APPLICATIONINSIGHTS_CONNECTION_STRING: breeze.connectionString,
    SQLPROBE_OFFLINE_STORAGE_DIR: storage,
  }));
  return telemetry;
}

function round(t: Telemetry, n: number): void {
  for (let i = 0; i < n; i++) {
    const r = i % 2 ? loginFailure() : loginSuccess();
    sent.push(r);
    t.record(r);
  }
}

/** Every *.ai.json file the exporter persisted, however deep it nests them. */
const persisted = (): string[] => (readdirSync(storage, { recursive: true }) as string[]).filter((f) => f.endsWith('.ai.json'));

beforeAll(async () => {
  process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
  await breeze.start();
});

afterAll(async () => {
  await telemetry?.shutdown(5000);
  await breeze.stop();
  rmSync(storage, { recursive: true, force: true });
});

test('results of a round during an outage (503, then refused) arrive exactly once after recovery', async () => {
  const first = invocation();
  breeze.mode = 'unavailable';
  round(first, 3);
  const flushed = first.flush(30_000);
  // Ingestion answers 503, then goes away while the exporter is still retrying.
  while (breeze.unavailableAnswers === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  await breeze.stop();
  expect(await flushed).toBe(true);

  // A later round of the same invocation while ingestion still refuses connections.
  round(first, 3);
  expect(await first.flush(30_000)).toBe(true);
  expect(await first.shutdown(30_000)).toBe(true);

  expect(breeze.of('AvailabilityData')).toHaveLength(0);
  expect(persisted().length).toBeGreaterThan(0);

  // Recovery. The exporter replays persisted files `retry-after` seconds after a successful post
  // (60 s without the header), and at a start after a random delay of up to 60 s.
  await breeze.start();
  breeze.mode = 'accept';
  breeze.retryAfterSeconds = 1;
  const next = invocation();
  round(next, 1);
  expect(await next.flush(30_000)).toBe(true);

  const deadline = Date.now() + 30_000;
  while ((persisted().length > 0 || breeze.of('AvailabilityData').length < sent.length) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const ids = breeze.of('AvailabilityData').map((e) => e.data.baseData.id).sort();
  expect(ids).toEqual(sent.map((r) => r.id).sort());
  expect(persisted()).toEqual([]);
});
