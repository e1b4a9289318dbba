import { METRICS } from '../../shared/telemetry';
import { loginSuccess } from '../helpers/results';
import { FakeBreeze } from './breeze';
import { sendThroughExporter, type Sent } from './sent';

// 400 targets × 7 login phases: 2,800 phase series, past OpenTelemetry's default of 2,000 per
// instrument, after which the SDK folds every new series into one `otel.metric.overflow` series.
const TARGETS = 400;
const breeze = new FakeBreeze();
let sent: Sent;

beforeAll(async () => {
  sent = await sendThroughExporter(breeze, Array.from({ length: TARGETS }, (_, i) => loginSuccess({ target: `t${i}` })), 60_000);
  expect(sent.flushed).toBe(true);
}, 90_000);

afterAll(() => sent?.close());

test('every target keeps its own phase series past 2,000 series (none folded into the overflow series)', () => {
  const rows = breeze.of('MetricData').flatMap((e) => (e.data.baseData.metrics as { name: string }[])
    .filter((m) => m.name === METRICS.phaseDuration)
    .map(() => e.data.baseData.properties ?? {}));
  expect(rows.filter((dims) => 'otel.metric.overflow' in dims)).toEqual([]);
  expect(new Set(rows.map((dims) => `${dims.target}/${dims.phase}`)).size).toBe(TARGETS * loginSuccess().phases.length);
});
