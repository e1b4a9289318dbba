import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTelemetry, METRICS, type Telemetry } from '../../shared/telemetry';
import { loginSuccess } from '../helpers/results';
import { FakeBreeze } from './breeze';
import { telemetrySettings } from './settings';

// 400 targets × 7 login phases: 2,800 phase series, past OpenTelemetry's default of 2,000 per
// instrument, after which the SDK folds every new series into one `otel.metric.overflow` series.
const TARGETS = 400;
const breeze = new FakeBreeze();
const storage = mkdtempSync(join(tmpdir(), 'sqlprobe-cardinality-'));
let telemetry: Telemetry;

beforeAll(async () => {
  await breeze.start();
  telemetry = initTelemetry(telemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: breeze.connectionString, SQLPROBE_OFFLINE_STORAGE_DIR: storage }), {});
  for (let i = 0; i < TARGETS; i++) telemetry.record(loginSuccess({ target: `t${i}` }));
  expect(await telemetry.flush(60_000)).toBe(true);
}, 90_000);

afterAll(async () => {
  await telemetry.shutdown(5000);
  await breeze.stop();
  rmSync(storage, { recursive: true, force: true });
});

test('every target keeps its own phase series past 2,000 series (none folded into the overflow series)', () => {
  const rows = breeze.of('MetricData').flatMap((e) => (e.data.baseData.metrics as { name: string }[])
    .filter((m) => m.name === METRICS.phaseDuration)
    .map(() => e.data.baseData.properties ?? {}));
  expect(rows.filter((dims) => 'otel.metric.overflow' in dims)).toEqual([]);
  expect(new Set(rows.map((dims) => `${dims.target}/${dims.phase}`)).size).toBe(TARGETS * loginSuccess().phases.length);
});
