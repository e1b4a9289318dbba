import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeResult } from '../../shared/contract';
import { initTelemetry, type Telemetry } from '../../shared/telemetry';
import { FakeBreeze } from './breeze';
import { telemetrySettings } from './settings';
import { delivered } from './held';
import { loginFailure, loginSuccess } from '../helpers/results';

const breeze = new FakeBreeze();
const storage = mkdtempSync(join(tmpdir(), 'sqlprobe-hang-'));
const sent: ProbeResult[] = [];
let telemetry: Telemetry;

const start = () => initTelemetry(telemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: breeze.connectionString, SQLPROBE_OFFLINE_STORAGE_DIR: storage }), {});
const record = (t: Telemetry, r: ProbeResult) => {
  sent.push(r);
  t.record(r);
};
/** Batches in the local outbox (no storage account here), leased ones included. */
const held = () => (readdirSync(join(storage, 'outbox')) as string[]).filter((f) => f.includes('.gz')).length;

beforeAll(async () => {
  await breeze.start();
  breeze.mode = 'hang';
  telemetry = start();
});

afterAll(async () => {
  breeze.mode = 'accept';
  breeze.release();
  await telemetry.shutdown(10_000);
  await breeze.stop();
  rmSync(storage, { recursive: true, force: true });
});

/** Resolves with the outcome, or with 'still pending' after a bound far above the flush bound. */
const settled = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'still pending'>((resolve) => setTimeout(resolve, ms, 'still pending').unref())]);

test('an invocation returns within its flush bound while ingestion accepts and never answers, and keeps the items', async () => {
  record(telemetry, loginSuccess());
  record(telemetry, loginFailure());
  await expect(settled(telemetry.flush(1500), 15_000)).resolves.not.toBe('still pending');
  // A second invocation on the same worker is bounded too.
  record(telemetry, loginSuccess());
  await expect(settled(telemetry.flush(1500), 15_000)).resolves.not.toBe('still pending');
  expect(held()).toBeGreaterThan(0);
  expect(breeze.of('AvailabilityData')).toHaveLength(0);
});

test('once ingestion answers, the next flush sends what the bound cut short, each exactly once', async () => {
  breeze.mode = 'accept';
  // Answering what was held now changes nothing: those posts were cut, their items kept.
  breeze.release();
  expect(await telemetry.flush(10_000)).toBe(true);
  expect(delivered(breeze, sent).map((c) => c.count)).toEqual(sent.map(() => 1));
});

test('shutdown is bounded the same way, and what it cut short is sent by the next process', async () => {
  breeze.mode = 'hang';
  record(telemetry, loginFailure());
  await expect(settled(telemetry.shutdown(1500), 15_000)).resolves.not.toBe('still pending');
  breeze.mode = 'accept';
  breeze.release();
  telemetry = start();
  record(telemetry, loginSuccess());
  expect(await telemetry.flush(10_000)).toBe(true);
  expect(delivered(breeze, sent).map((c) => c.count)).toEqual(sent.map(() => 1));
});
