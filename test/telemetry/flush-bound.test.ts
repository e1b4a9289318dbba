import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTelemetry, type Telemetry } from '../../shared/telemetry';
import { telemetrySettings } from './settings';
import { FakeBreeze } from './breeze';
import { loginFailure, loginSuccess } from '../helpers/results';

const breeze = new FakeBreeze();
const storage = mkdtempSync(join(tmpdir(), 'sqlprobe-hang-'));
let telemetry: Telemetry;

beforeAll(async () => {
  process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
  await breeze.start();
  breeze.mode = 'hang';
  telemetry = initTelemetry(telemetrySettings({
    APPLICATIONINSIGHTS_CONNECTION_STRING: breeze.connectionString,
    SQLPROBE_OFFLINE_STORAGE_DIR: storage,
  }));
});

afterAll(async () => {
  // Answer what is held so the exporters finish before the port closes, leaving nothing retrying.
  breeze.mode = 'accept';
  breeze.release();
  await arrived(4);
  await telemetry.shutdown(10_000);
  await breeze.stop();
  rmSync(storage, { recursive: true, force: true });
});

/** Resolves with the outcome, or with 'still pending' after a bound far above the flush bound. */
const settled = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'still pending'>((resolve) => setTimeout(resolve, ms, 'still pending').unref())]);

test('an invocation returns within its flush bound while ingestion accepts and never answers', async () => {
  telemetry.record(loginSuccess());
  telemetry.record(loginFailure());
  await expect(settled(telemetry.flush(1500), 15_000)).resolves.toBe(false);
  // A second invocation on the same worker is bounded too, while the first export still hangs.
  telemetry.record(loginSuccess());
  await expect(settled(telemetry.flush(500), 15_000)).resolves.toBe(false);
});

async function arrived(results: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (breeze.of('AvailabilityData').length < results && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

test('once ingestion answers, the results the bound cut short still arrive', async () => {
  breeze.mode = 'accept';
  breeze.release();
  await arrived(3);
  expect(breeze.of('AvailabilityData')).toHaveLength(3);
});

test('shutdown is bounded the same way', async () => {
  breeze.mode = 'hang';
  telemetry.record(loginFailure());
  await expect(settled(telemetry.shutdown(500), 15_000)).resolves.toBe(false);
});
