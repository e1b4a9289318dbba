import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeResult } from '../../shared/contract';
import { initTelemetry, type Telemetry } from '../../shared/telemetry';
import { FakeBreeze } from './breeze';
import { telemetrySettings } from './settings';
import { delivered } from './held';
import { loginFailure, loginSuccess } from '../helpers/results';

// Without a storage account (the CLI), held items wait in files under the offline storage directory.
jest.setTimeout(60_000);

const breeze = new FakeBreeze();
const storage = mkdtempSync(join(tmpdir(), 'sqlprobe-outage-'));
const sent: ProbeResult[] = [];
let telemetry: Telemetry | undefined;

/** What a new invocation does: a fresh telemetry against the same offline storage. */
function invocation(): Telemetry {
  telemetry = initTelemetry(telemetrySettings({
    APPLICATIONINSIGHTS_CONNECTION_STRING: breeze.connectionString,
    SQLPROBE_OFFLINE_STORAGE_DIR: storage,
  }), {});
  return telemetry;
}

function round(t: Telemetry, n: number): void {
  for (let i = 0; i < n; i++) {
    const r = i % 2 ? loginFailure() : loginSuccess();
    sent.push(r);
    t.record(r);
  }
}

/** Batches held in the local outbox. */
const held = (): string[] => (readdirSync(join(storage, 'outbox')) as string[]).filter((f) => f.includes('.gz'));

beforeAll(async () => {
  await breeze.start();
});

afterAll(async () => {
  await telemetry?.shutdown(5000);
  await breeze.stop();
  rmSync(storage, { recursive: true, force: true });
});

test('results of a round during an outage (503, then refused) arrive exactly once after recovery, from the local outbox', async () => {
  const first = invocation();
  breeze.mode = 'unavailable';
  round(first, 3);
  expect(await first.flush(10_000)).toBe(true);
  expect(breeze.unavailableAnswers).toBeGreaterThan(0);

  // A later round of the same invocation while ingestion refuses connections.
  await breeze.stop();
  round(first, 3);
  expect(await first.flush(10_000)).toBe(true);
  expect(await first.shutdown(10_000)).toBe(true);
  expect(breeze.of('AvailabilityData')).toHaveLength(0);
  expect(held().length).toBeGreaterThan(0);

  // Recovery: the next invocation (a new process on the same machine) sends its own and the held ones.
  await breeze.start();
  breeze.mode = 'accept';
  const next = invocation();
  round(next, 1);
  expect(await next.flush(10_000)).toBe(true);
  expect(delivered(breeze, sent).map((c) => c.count)).toEqual(sent.map(() => 1));
  expect(held()).toEqual([]);
});
