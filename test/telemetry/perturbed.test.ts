// The prober's own load reaches Application Insights: the availability row carries the loop lag and
// the measurement, and a perturbed result's phase samples carry `measurement`, so the login alert
// and the workbook can leave them out. Real exporter, local ingestion endpoint.
import { DIMENSIONS as D, METRICS } from '../../shared/telemetry/names';
import { loginSuccess } from '../helpers/results';
import { FakeBreeze } from './breeze';
import { sendThroughExporter, type Sent } from './sent';

const breeze = new FakeBreeze();
let sent: Sent;
const busy = loginSuccess({ target: 'busy', loopLag: { maxMs: 48.2, meanMs: 12.5 }, measurement: 'perturbed' });
const calm = loginSuccess({ target: 'calm', loopLag: { maxMs: 1.1, meanMs: 0.4 }, measurement: 'clean' });
const older = loginSuccess({ target: 'older' });

beforeAll(async () => {
  process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
  sent = await sendThroughExporter(breeze, [busy, calm, older], 20_000);
  expect(sent.flushed).toBe(true);
}, 30_000);

afterAll(() => sent?.close());

const availability = (id: string) => breeze.of('AvailabilityData').find((e) => e.data.baseData.id === id)?.data.baseData.properties;
const phaseSamples = (target: string) => breeze.of('MetricData')
  .filter((e) => (e.data.baseData.metrics as { name: string }[])[0].name === METRICS.phaseDuration && e.data.baseData.properties?.[D.target] === target && e.data.baseData.properties?.[D.phase] === 'tls')
  .map((e) => e.data.baseData.properties?.[D.measurement] ?? 'none');

test('availability rows carry the loop lag and the measurement; a result from before the fields sends neither', () => {
  expect(availability(busy.id)).toMatchObject({ [D.loopLagMaxMs]: '48.2', [D.loopLagMeanMs]: '12.5', [D.measurement]: 'perturbed' });
  expect(availability(calm.id)).toMatchObject({ [D.loopLagMaxMs]: '1.1', [D.loopLagMeanMs]: '0.4', [D.measurement]: 'clean' });
  expect(availability(older.id)).not.toHaveProperty(D.measurement);
  expect(availability(older.id)).not.toHaveProperty(D.loopLagMaxMs);
});

test('phase samples carry the measurement, so the latency queries can leave the perturbed ones out', () => {
  expect(phaseSamples('busy')).toEqual(['perturbed']);
  expect(phaseSamples('calm')).toEqual(['clean']);
  expect(phaseSamples('older')).toEqual(['none']);
});
