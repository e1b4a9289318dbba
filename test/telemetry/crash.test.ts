import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRICS } from '../../shared/telemetry';
import { delivered, heldInQueue } from './held';
import { outageWorld } from './outage-world';
import { idleTick, loginFailure, loginSuccess, poolRun } from '../helpers/results';
import { OUTAGE_SHAPES } from './shapes';
import { TelemetryProcess } from './telemetry-process';

jest.setTimeout(120_000);

const IKEY = '00000000-0000-4000-8000-00000000c4a5';
const { breeze, storage, appSettings } = outageWorld();
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** An instance of the app: its own process and its own temp disk, sharing only the storage account. */
function instance(): Promise<TelemetryProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlprobe-instance-'));
  dirs.push(dir);
  return TelemetryProcess.start(appSettings(IKEY, dir));
}

test('outage, kill -9, then recovery in a new process on another temp dir: every result arrives exactly once', async () => {
  // Two invocations on one instance during an outage (the shape the exporter used to drop).
  breeze.fault = OUTAGE_SHAPES.find((s) => s.name === '503 with an empty body')!.fault;
  const first = await instance();
  // A warm instance: the first flush loads the distro, which on a busy machine takes seconds of the bound.
  expect((await first.flush()).ok).toBe(true);
  const held = [[loginSuccess(), loginFailure()], [idleTick(), poolRun()]];
  for (const results of held) {
    await first.record(results);
    expect((await first.flush()).ok).toBe(true);
  }
  await first.kill9();
  expect(delivered(breeze, held.flat()).every((c) => c.count === 0)).toBe(true);
  expect(await heldInQueue(storage(), IKEY)).toBeGreaterThan(0);

  // Ingestion is back; the instance is gone with its disk. Another instance's next invocation sends all.
  breeze.fault = undefined;
  const second = await instance();
  const own = [loginSuccess({ target: 'after-crash' })];
  await second.record(own);
  const report = await second.flush();
  expect(report.ok).toBe(true);
  expect(report.warnings.join('\n')).toMatch(/re-sent \d+ item\(s\) held from an earlier failed delivery/);
  await second.shutdown();

  const all = [...held.flat(), ...own];
  expect(delivered(breeze, all).map((c) => c.count)).toEqual(all.map(() => 1));
  expect(breeze.metricSum(METRICS.probeResult, 'value')).toBe(all.length);
  expect(await heldInQueue(storage(), IKEY)).toBe(0);
});
