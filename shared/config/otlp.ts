// The settings schema validates the OTLP settings with these parsers, and the OTLP sink reads them
// with the same ones; importing this file loads none of the OpenTelemetry SDK.

/** The OTLP transports sqlprobe sends over; "grpc", the third in the specification, is refused with a fix. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

const HEADERS_FORM = '"key1=value1,key2=value2" (values URL-encoded), e.g. "api-key=abc123"';
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * OTEL_EXPORTER_OTLP_HEADERS as the specification writes it: comma-separated key=value pairs whose
 * values are URL-encoded. Problems name the pair by position, never quoting it: it may hold an API key.
 */
function readHeaders(text: string): Parsed<Record<string, string>> {
  const headers: Record<string, string> = {};
  const pairs = text.split(',').map((p) => p.trim()).filter(Boolean);
  for (const [i, pair] of pairs.entries()) {
    const at = pair.indexOf('=');
    const key = at < 0 ? '' : pair.slice(0, at).trim();
    if (!HEADER_NAME.test(key)) return { ok: false, problem: `pair ${i + 1} is not key=value with a valid header name; expected ${HEADERS_FORM}` };
    try {
      headers[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      return { ok: false, problem: `the value of pair ${i + 1} is not valid URL encoding; expected ${HEADERS_FORM}` };
    }
  }
  return { ok: true, value: headers };
}

/** What is wrong with OTEL_EXPORTER_OTLP_HEADERS, or undefined when it is fine. */
export const otlpHeadersProblem = (text: string): string | undefined => {
  const read = readHeaders(text);
  return read.ok ? undefined : read.problem;
};

/** The headers to send with every export; empty when the setting is unset. */
export function otlpHeaders(text: string | undefined): Record<string, string> {
  const read = readHeaders(text ?? '');
  if (!read.ok) throw new Error(`OTEL_EXPORTER_OTLP_HEADERS: ${read.problem}`);
  return read.value;
}

/** What is wrong with OTEL_EXPORTER_OTLP_ENDPOINT, or undefined when it is fine. */
export function otlpEndpointProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'expected the base URL of an OTLP/HTTP receiver, such as "http://localhost:4318" (an OpenTelemetry Collector)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'expected an http:// or https:// URL, such as "http://localhost:4318"';
  if (url.username || url.password) return 'credentials in the URL are not sent; remove them and put the credential in OTEL_EXPORTER_OTLP_HEADERS';
  return undefined;
}

/**
 * The URL a signal is posted to: the base endpoint with `v1/traces`, `v1/metrics` or `v1/logs`
 * appended to its path, as the specification says for OTEL_EXPORTER_OTLP_ENDPOINT.
 */
export function otlpSignalUrl(endpoint: string, signal: 'traces' | 'metrics' | 'logs'): string {
  const url = new URL(endpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/${signal}`;
  return url.href;
}
