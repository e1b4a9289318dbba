import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

/**
 * The part of the OTLP protocol the receiver decodes (opentelemetry-proto: collector/*, trace/v1,
 * metrics/v1, logs/v1, common/v1, resource/v1), with the specification's field numbers. Fields the
 * tests do not read are left out; protobuf skips them when decoding.
 */
const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Scope { string name = 1; string version = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Status { string message = 2; int32 code = 3; }
message Span { bytes trace_id = 1; bytes span_id = 2; string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; repeated Event events = 11; Status status = 15; }
message ScopeSpans { Scope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message NumberDataPoint { fixed64 time_unix_nano = 3; double as_double = 4; sfixed64 as_int = 6; repeated KeyValue attributes = 7; }
message HistogramDataPoint { fixed64 count = 4; double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7; repeated KeyValue attributes = 9; }
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message Metric { string name = 1; string description = 2; string unit = 3; oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; } }
message ScopeMetrics { Scope scope = 1; repeated Metric metrics = 2; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message LogRecord { fixed64 time_unix_nano = 1; AnyValue body = 5; repeated KeyValue attributes = 6; bytes trace_id = 9; bytes span_id = 10; string event_name = 12; }
message ScopeLogs { Scope scope = 1; repeated LogRecord log_records = 2; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
`;
const root = protobuf.parse(OTLP_PROTO).root;
const REQUESTS = { traces: 'otlp.ExportTraceServiceRequest', metrics: 'otlp.ExportMetricsServiceRequest', logs: 'otlp.ExportLogsServiceRequest' } as const;
type Signal = keyof typeof REQUESTS;

type Attributes = Record<string, string | number | boolean>;
interface Wire {
  key: string;
  value?: { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number };
}
const attributes = (kvs: Wire[] = []): Attributes =>
  Object.fromEntries(kvs.map(({ key, value: v = {} }) => [key, v.stringValue ?? v.boolValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.doubleValue ?? '')]));

export interface ReceivedSpan {
  name: string;
  attributes: Attributes;
  events: { name: string; attributes: Attributes }[];
  status?: { code?: number; message?: string };
}
export interface ReceivedMetric {
  name: string;
  unit: string;
  kind: 'gauge' | 'sum' | 'histogram';
  points: { attributes: Attributes; value?: number; count?: number; sum?: number }[];
}
export interface ReceivedLog {
  attributes: Attributes;
}

/** One export request as the receiver got it: the raw body, its headers, and the decoded request (OTLP/JSON field names). */
export interface Received {
  signal: Signal;
  path: string;
  contentType: string;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  body: Record<string, unknown[]>;
}

/**
 * A local OTLP/HTTP receiver, as an OpenTelemetry Collector's otlp receiver on port 4318 would be:
 * POST /v1/traces, /v1/metrics and /v1/logs in protobuf or JSON. It answers 200 with an empty
 * response and decodes what arrives into spans, metrics and log records.
 */
export class OtlpReceiver {
  readonly requests: Received[] = [];
  private server?: Server;

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const signal = /\/v1\/(traces|metrics|logs)$/.exec(req.url ?? '')?.[1] as Signal | undefined;
        if (req.method !== 'POST' || !signal) return void res.writeHead(404).end();
        const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks);
        const contentType = req.headers['content-type'] ?? '';
        const body = contentType.startsWith('application/json')
          ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown[]>)
          : (root.lookupType(REQUESTS[signal]).toObject(root.lookupType(REQUESTS[signal]).decode(raw), { longs: String, bytes: String, defaults: false }) as Record<string, unknown[]>);
        this.requests.push({ signal, path: req.url ?? '', contentType, headers: req.headers, raw, body });
        res.writeHead(200, { 'content-type': contentType }).end(contentType.startsWith('application/json') ? '{}' : Buffer.alloc(0));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Every resource's attributes, of every request. */
  resources(): Attributes[] {
    return this.requests.flatMap((r) => (Object.values(r.body)[0] ?? []).map((rs) => attributes((rs as { resource?: { attributes?: Wire[] } }).resource?.attributes)));
  }

  spans(): ReceivedSpan[] {
    return this.items('traces', 'scopeSpans', 'spans').map((s) => {
      const span = s as { name: string; attributes?: Wire[]; events?: { name: string; attributes?: Wire[] }[]; status?: { code?: number; message?: string } };
      return { name: span.name, attributes: attributes(span.attributes), events: (span.events ?? []).map((e) => ({ name: e.name, attributes: attributes(e.attributes) })), status: span.status };
    });
  }

  metrics(): ReceivedMetric[] {
    return this.items('metrics', 'scopeMetrics', 'metrics').map((m) => {
      type Point = { attributes?: Wire[]; asDouble?: number; asInt?: string | number; count?: string | number; sum?: number };
      const metric = m as { name: string; unit?: string; gauge?: { dataPoints: Point[] }; sum?: { dataPoints: Point[] }; histogram?: { dataPoints: Point[] } };
      const kind = metric.histogram ? 'histogram' : metric.sum ? 'sum' : 'gauge';
      const points = (metric[kind]?.dataPoints ?? []).map((p) => ({
        attributes: attributes(p.attributes),
        ...(kind === 'histogram' ? { count: Number(p.count), sum: p.sum } : { value: p.asDouble ?? Number(p.asInt) }),
      }));
      return { name: metric.name, unit: metric.unit ?? '', kind, points };
    });
  }

  logs(): ReceivedLog[] {
    return this.items('logs', 'scopeLogs', 'logRecords').map((l) => ({ attributes: attributes((l as { attributes?: Wire[] }).attributes) }));
  }

  private items(signal: Signal, scopes: string, items: string): unknown[] {
    return this.requests
      .filter((r) => r.signal === signal)
      .flatMap((r) => Object.values(r.body)[0] ?? [])
      .flatMap((resource) => ((resource as Record<string, unknown[]>)[scopes] ?? []) as Record<string, unknown[]>[])
      .flatMap((scope) => scope[items] ?? []);
  }
}
