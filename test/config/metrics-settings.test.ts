// The settings of the Prometheus endpoints and of OTLP export: defaults, bounds, and errors that
// name the setting and the fix without echoing a value that may hold a key.
import { ConfigError, loadConfig } from '../../shared/config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('SQLPROBE_METRICS_PORT and SQLPROBE_METRICS_HOST', () => {
  it('are off and loopback by default', () => {
    const { settings } = loadConfig({});
    expect(settings.SQLPROBE_METRICS_PORT).toBeUndefined();
    expect(settings.SQLPROBE_METRICS_HOST).toBe('127.0.0.1');
  });

  it('take a port from 0 (any free one) to 65535, and an IP address to listen on', () => {
    expect(loadConfig({ SQLPROBE_METRICS_PORT: '9464', SQLPROBE_METRICS_HOST: '::' }).settings).toMatchObject({ SQLPROBE_METRICS_PORT: 9464, SQLPROBE_METRICS_HOST: '::' });
    expect(loadConfig({ SQLPROBE_METRICS_PORT: '0' }).settings.SQLPROBE_METRICS_PORT).toBe(0);
  });

  it.each([
    ['SQLPROBE_METRICS_PORT', '65536', /^SQLPROBE_METRICS_PORT: expected an integer 0–65535, got "65536"$/],
    ['SQLPROBE_METRICS_PORT', 'http', /^SQLPROBE_METRICS_PORT: expected an integer 0–65535/],
    ['SQLPROBE_METRICS_HOST', 'metrics.local', /^SQLPROBE_METRICS_HOST: expected an IP address to listen on, such as "127.0.0.1" \(the default\)/],
  ])('%s=%s is a configuration error naming the setting and the fix', (setting, value, message) => {
    expect(problems({ [setting]: value })).toEqual([expect.stringMatching(message)]);
  });
});

describe('OTEL_EXPORTER_OTLP_*', () => {
  it('turn OTLP export on with an endpoint; the protocol defaults to http/protobuf', () => {
    expect(loadConfig({}).settings.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('http/protobuf');
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc' }).settings).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc',
    });
  });

  it('refuse gRPC with the fix: the receiver\'s HTTP port', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL: expected "http\/protobuf" or "http\/json" \(OTLP over gRPC is not supported: .*4318/)]);
  });

  it('never echo a header value or an endpoint, which may hold a key', () => {
    const key = 'Sup3r-Secret-Api-Key';
    const found = problems({ OTEL_EXPORTER_OTLP_HEADERS: `${key}`, OTEL_EXPORTER_OTLP_ENDPOINT: `https://user:${key}@otlp.example.com` });
    expect(found).toEqual([
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: credentials in the URL are not sent/),
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_HEADERS: pair 1 is not key=value/),
    ]);
    expect(found.join('\n')).not.toContain(key);
  });
});
