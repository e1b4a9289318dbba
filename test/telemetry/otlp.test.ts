// OTLP export through the OpenTelemetry exporters to a local OTLP/HTTP receiver that decodes what
// arrives: the same names and attributes as the Azure Monitor sink, never a secret, alongside Azure.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AVAILABILITY, CUSTOM_EVENT_NAME, DIMENSIONS as D, EVENTS, METRICS, PHASE_EVENT, SPAN_ATTRIBUTES, type TelemetrySettings } from '../../shared/telemetry';
import { otlpEndpointProblem, otlpHeaders, otlpHeadersProblem, otlpSignalUrl } from '../../shared/config';
import { FakeBreeze } from './breeze';
import type { OtlpChildInput } from './otlp-child';
import { OtlpReceiver } from './otlp-receiver';
import { idleTick, loginFailure, loginSuccess } from '../helpers/results';

const PASSWORD = 'Otlp-Passw0rd-must-not-leave-51c3';
const API_KEY = 'key,with=odd chars';
const env = {
  SQLPROBE_TARGETS: JSON.stringify([{ name: 'orders', server: 'orders-sql.database.windows.net', database: 'orders', auth: { type: 'sql', user: 'probe', passwordSetting: 'ORDERS_PASSWORD' } }]),
  ORDERS_PASSWORD: PASSWORD,
};

/** A failure whose driver message carries the password, as a prober bug could leave it. */
const leaky = loginFailure({ target: 'orders', error: { ...loginFailure().error!, message: `Login failed for 'probe' using '${PASSWORD}'` } });
const verdictChange = { target: 'orders', region: 'westeurope', verdict: 'nat-idle-drop' as const, recommendation: `Keep TCP keepalive on (was ${PASSWORD})` };

/** Records the results through initTelemetry in a child process; answers whether its flush and shutdown succeeded. */
async function send(settings: Partial<TelemetrySettings>, input: Partial<OtlpChildInput> = {}): Promise<{ flushed: boolean; shutdown: boolean }> {
  const child: OtlpChildInput = { settings, env, results: [loginSuccess(), leaky, idleTick()], changes: [verdictChange], flushMs: 15_000, ...input };
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', join(__dirname, '../helpers/ts-register.js'), join(__dirname, 'otlp-child.ts'), JSON.stringify(child)]);
  return JSON.parse(stdout) as { flushed: boolean; shutdown: boolean };
}

const exportTo = (receiver: OtlpReceiver, over: Partial<TelemetrySettings>) =>
  send({ OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.endpoint}/otlp`, OTEL_EXPORTER_OTLP_HEADERS: `api-key=${encodeURIComponent(API_KEY)}`, ...over });

describe.each([['http/protobuf', 'application/x-protobuf'], ['http/json', 'application/json']] as const)('OTLP over %s', (protocol, contentType) => {
  const receiver = new OtlpReceiver();

  beforeAll(async () => {
    await receiver.start();
    expect(await exportTo(receiver, { OTEL_EXPORTER_OTLP_PROTOCOL: protocol })).toEqual({ flushed: true, shutdown: true });
  }, 30_000);

  afterAll(() => receiver.stop());

  it('posts traces, metrics and logs under the endpoint\'s path, in the protocol\'s encoding, with the configured headers', () => {
    expect(new Set(receiver.requests.map((r) => r.signal))).toEqual(new Set(['traces', 'metrics', 'logs']));
    for (const r of receiver.requests) {
      expect(r.path).toBe(`/otlp/v1/${r.signal}`);
      expect(r.contentType).toMatch(new RegExp(`^${contentType}`));
      expect(r.headers['api-key']).toBe(API_KEY);
    }
    expect(receiver.resources()).toContainEqual(expect.objectContaining({ 'service.name': 'sqlprobe', 'service.version': expect.any(String) }));
  });

  it('sends each probe as a CLIENT span named <target>/<probe>, with the availability dimensions and a phase event per phase', () => {
    const spans = receiver.spans();
    const ok = spans.find((s) => s.name === 'orders/login' && s.attributes[D.class] === 'ok')!;
    expect(ok.attributes).toMatchObject({ [SPAN_ATTRIBUTES.dbSystem]: 'mssql', [SPAN_ATTRIBUTES.serverAddress]: 'orders-sql.database.windows.net', [D.region]: 'westeurope', [D.policy]: 'redirect', [D.tlsVersion]: 'TLSv1.3' });
    expect(ok.events.map((e) => e.attributes[D.phase])).toEqual(['dns', 'tcp', 'prelogin', 'tls', 'login', 'reroute', 'query']);
    expect(ok.events.every((e) => e.name === PHASE_EVENT)).toBe(true);
    const failed = spans.find((s) => s.attributes[D.class] === 'firewall-blocked')!;
    expect(failed.attributes).toMatchObject({ [D.errorNumber]: 40615, [D.phase]: 'login' });
    expect(failed.status?.code).toBe(2);
  });

  it('sends the metrics under their Azure names and dimensions', () => {
    const metrics = new Map(receiver.metrics().map((m) => [m.name, m]));
    expect([...metrics.keys()]).toEqual(expect.arrayContaining([METRICS.phaseDuration, METRICS.probeResult, METRICS.idleOutcome, METRICS.idleDeathAge, METRICS.certDaysLeft]));
    const phases = metrics.get(METRICS.phaseDuration)!;
    expect(phases).toMatchObject({ kind: 'histogram', unit: 'ms' });
    expect(phases.points).toContainEqual({ attributes: { [D.target]: 'orders', [D.region]: 'westeurope', [D.probe]: 'login', [D.phase]: 'login' }, count: 2, sum: 920.3 });
    expect(metrics.get(METRICS.probeResult)!.points).toContainEqual({ attributes: { [D.target]: 'orders', [D.region]: 'westeurope', [D.probe]: 'login', [D.class]: 'firewall-blocked' }, value: 1 });
    expect(metrics.get(METRICS.idleOutcome)!.points).toContainEqual({ attributes: expect.objectContaining({ [D.rung]: '5m', [D.keepalive]: 'off', [D.outcome]: 'dead-on-use' }), value: 1 });
    expect(metrics.get(METRICS.certDaysLeft)).toMatchObject({ kind: 'gauge', points: [expect.objectContaining({ value: 87.5 })] });
  });

  it('sends availability records and the verdict-change event as log records with the Azure attributes', () => {
    const logs = receiver.logs();
    expect(logs.filter((l) => l.attributes[AVAILABILITY.name] === 'orders/login').map((l) => l.attributes[AVAILABILITY.success])).toEqual(expect.arrayContaining([true, false]));
    expect(logs).toContainEqual({ attributes: { [CUSTOM_EVENT_NAME]: EVENTS.verdictChanged, [D.target]: 'orders', [D.region]: 'westeurope', [D.verdict]: 'nat-idle-drop', [D.recommendation]: 'Keep TCP keepalive on (was [redacted])' } });
  });

  it('never sends a configured secret: it is scrubbed before the exporter sees it', () => {
    for (const r of receiver.requests) expect(r.raw.toString('latin1')).not.toContain(PASSWORD);
    expect(receiver.logs().some((l) => String(l.attributes[AVAILABILITY.message]).includes('[redacted]'))).toBe(true);
  });
});

describe('OTLP alongside Azure Monitor', () => {
  it('sends every result to both when both are configured', async () => {
    process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
    const receiver = new OtlpReceiver();
    const breeze = new FakeBreeze();
    await Promise.all([receiver.start(), breeze.start()]);
    try {
      expect(await exportTo(receiver, { APPLICATIONINSIGHTS_CONNECTION_STRING: breeze.connectionString })).toEqual({ flushed: true, shutdown: true });
      expect(receiver.spans().map((s) => s.name).sort()).toEqual(['orders/idle', 'orders/login', 'orders/login']);
      expect(breeze.of('AvailabilityData').map((e) => e.data.baseData.name).sort()).toEqual(['orders/idle', 'orders/login', 'orders/login']);
    } finally {
      await Promise.all([receiver.stop(), breeze.stop()]);
    }
  }, 60_000);
});

describe('a receiver that is down', () => {
  it('makes flush answer false within its bound, and shutdown still returns', async () => {
    const receiver = new OtlpReceiver();
    await receiver.start();
    const endpoint = receiver.endpoint;
    await receiver.stop();
    const sent = await send({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, { flushMs: 3_000 });
    expect(sent.flushed).toBe(false);
  }, 30_000);
});

describe('OTLP settings', () => {
  it('appends the signal path to the base endpoint, as the specification says', () => {
    expect(otlpSignalUrl('http://collector:4318', 'traces')).toBe('http://collector:4318/v1/traces');
    expect(otlpSignalUrl('https://otlp.example.com/tenant/a/', 'logs')).toBe('https://otlp.example.com/tenant/a/v1/logs');
  });

  it('reads URL-encoded header values, and names a bad pair by position without quoting it', () => {
    expect(otlpHeaders('api-key=abc%3D%3D , x-tenant=blue')).toEqual({ 'api-key': 'abc==', 'x-tenant': 'blue' });
    expect(otlpHeaders(undefined)).toEqual({});
    expect(otlpHeadersProblem('api-key=ok,Secret-Value-Without-Key')).toMatch(/^pair 2 is not key=value/);
    expect(otlpHeadersProblem('api-key=%E0%A4%A')).toMatch(/^the value of pair 1 is not valid URL encoding/);
    expect(otlpHeadersProblem('api-key=%E0%A4%A')).not.toContain('%E0');
  });

  it('accepts http and https endpoints only, without credentials in the URL', () => {
    expect(otlpEndpointProblem('http://localhost:4318')).toBeUndefined();
    expect(otlpEndpointProblem('collector 4318')).toMatch(/expected the base URL/);
    expect(otlpEndpointProblem('localhost:4318')).toMatch(/http:\/\/ or https:\/\//);
    expect(otlpEndpointProblem('grpc://localhost:4317')).toMatch(/http:\/\/ or https:\/\//);
    expect(otlpEndpointProblem('https://user:pw@otlp.example.com')).toMatch(/OTEL_EXPORTER_OTLP_HEADERS/);
  });
});
