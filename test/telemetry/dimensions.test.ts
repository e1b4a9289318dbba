import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIMENSIONS, EVENTS, METRICS } from '../../shared/telemetry';
import { loginSuccess, tlsProbe } from '../helpers/results';
import { FakeBreeze } from './breeze';
import { sendThroughExporter, type Sent } from './sent';

// Metrics that can be sliced: the probe on every phase, the TLS facts on the TLS metric and the availability result.
const breeze = new FakeBreeze();
let sent: Sent;
const login = loginSuccess();
const tls = tlsProbe();

beforeAll(async () => {
  sent = await sendThroughExporter(breeze, [login, tls], 20_000);
  expect(sent.flushed).toBe(true);
}, 30_000);

afterAll(() => sent?.close());

const rows = (name: string) =>
  breeze.of('MetricData').flatMap((e) => (e.data.baseData.metrics as { name: string; value: number; count: number }[]).filter((m) => m.name === name).map((m) => ({ ...m, dims: e.data.baseData.properties ?? {} })));

test('sqlprobe.phase.duration carries the probe: the tls phase of a tls probe and of a login probe are apart', () => {
  const tlsPhase = rows(METRICS.phaseDuration).filter((r) => r.dims.phase === 'tls' && r.dims.target === 'orders');
  expect(tlsPhase.map((r) => [r.dims.probe, r.value, r.count]).sort()).toEqual([['login', 80.5, 1], ['tls', 53, 1]]);
  expect(rows(METRICS.phaseDuration).every((r) => r.dims.probe === 'login' || r.dims.probe === 'tls')).toBe(true);
});

test('sqlprobe.tls.cert_days_left carries the TLS version and whether the certificate names the server', () => {
  expect(rows(METRICS.certDaysLeft).map((r) => r.dims).sort((a, b) => a.tlsVersion.localeCompare(b.tlsVersion))).toEqual([
    expect.objectContaining({ tlsVersion: 'TLSv1.2', hostnameMatches: 'false', server: 'orders-sql.database.windows.net' }),
    // The login probe's result has no hostname check of its own: the dimension is left out, not "undefined".
    expect.not.objectContaining({ hostnameMatches: expect.anything() }),
  ]);
});

test('the availability result carries the TLS version and hostname match', () => {
  const props = (id: string) => breeze.of('AvailabilityData').find((e) => e.data.baseData.id === id)?.data.baseData.properties;
  expect(props(tls.id)).toMatchObject({ probe: 'tls', tlsVersion: 'TLSv1.2', hostnameMatches: 'false' });
  expect(props(login.id)).toMatchObject({ probe: 'login', tlsVersion: 'TLSv1.3' });
  expect(props(login.id)).not.toHaveProperty('hostnameMatches');
});

test('docs/telemetry.md has a KQL example for every metric and event, and for each slicing dimension', () => {
  const doc = readFileSync(join(__dirname, '../../docs/telemetry.md'), 'utf8');
  const kql = [...doc.matchAll(/```kusto\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
  const names = [...Object.values(METRICS), ...Object.values(EVENTS), DIMENSIONS.probe, DIMENSIONS.tlsVersion, DIMENSIONS.hostnameMatches];
  expect(names.filter((name) => !kql.includes(name))).toEqual([]);
});
