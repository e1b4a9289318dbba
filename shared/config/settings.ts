import { isIP } from 'node:net';
import { z } from 'zod';
import { guidSchema } from '../contract';
import { authenticationStringProblem, connectionStringProblem } from './app-insights';
import { boundedDuration, parseDuration } from './duration';
import { MAX_TARGETS_BYTES } from './files';
import { OTLP_PROTOCOLS, otlpEndpointProblem, otlpHeadersProblem } from './otlp';
import { scheduleProblem, SCHEDULES, type ScheduleSetting } from './schedule';

const intIn = (min: number, max: number) => {
  const hint = `expected an integer ${min}–${max}`;
  return z.string().regex(/^\d+$/, hint).transform(Number).pipe(z.int().min(min, hint).max(max, hint));
};
const bool = z.enum(['true', 'false'], { error: 'expected "true" or "false"' }).transform((v) => v === 'true');
const list = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
/** A schedule croner can run, that fires, and at most once every SCHEDULES[name].minGapS seconds. */
const ncrontab = (name: ScheduleSetting) => {
  const { fallback, minGapS, why } = SCHEDULES[name];
  return z.string().superRefine((v, ctx) => {
    const problem = scheduleProblem(v, minGapS, why);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }).default(fallback);
};
const HOST_PATTERN_HINT = 'expected host patterns such as "*.database.windows.net,sql1.contoso.com"';
const GUID_HINT = 'expected a GUID such as "00000000-0000-0000-0000-000000000000", the client ID of the app\'s user-assigned managed identity';
const guid = guidSchema(GUID_HINT);

/** "ip", "ip:port", "[v6]" or "[v6]:port": the forms Node's resolver.setServers takes. */
export function isDnsServer(entry: string): boolean {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^([^:]+):(\d+)$/.exec(entry);
  const [address, port] = m ? [m[1], m[2]] : [entry, undefined];
  const portOk = port === undefined || (/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535);
  return portOk && (m?.[0].startsWith('[') ? isIP(address) === 6 : isIP(address) !== 0);
}
export const DNS_SERVERS_HINT = 'expected DNS server IP addresses, each "ip", "ip:port" or "[ipv6]:port" (no host names), such as "168.63.129.16,10.0.0.4:5353,[fd00::53]:53"';

/**
 * One retry of a transient failure, after this delay: 5 s by default, Microsoft's first-retry delay for
 * transient Azure SQL errors (https://learn.microsoft.com/azure/azure-sql/database/troubleshoot-common-connectivity-issues).
 * "off" (0) turns it off; at most 60 s, the longest backoff that guidance suggests.
 */
const RETRY_DELAY_HINT = 'expected "off" or a duration up to 60s such as "5s"';
/** "off" (0), or a duration from `minMs` to `maxMs`. */
const offOrDuration = (minMs: number, maxMs: number, hint: string) => z.string().transform((text, ctx) => {
  if (text.trim() === 'off') return 0;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0 || ms < minMs || ms > maxMs) {
    ctx.addIssue({ code: 'custom', message: hint });
    return z.NEVER;
  }
  return ms;
});
const retryDelayMs = offOrDuration(1, 60_000, RETRY_DELAY_HINT);

/**
 * How long an on-demand login probe of one target blocks the next: a loop of POST /api/probe
 * requests must not lock the probe's login out (SQL Server's lockout policy counts failed logins,
 * and Azure SQL's DoSGuard blocks an address that fails many). Up to an hour.
 */
const LOGIN_COOLDOWN_HINT = 'expected "off" or a duration from 1s to 1h such as "5s" (on-demand login probes of one target at most once per this long)';

const OTLP_PROTOCOL_HINT = `expected ${OTLP_PROTOCOLS.map((p) => `"${p}"`).join(' or ')} (OTLP over gRPC is not supported: point OTEL_EXPORTER_OTLP_ENDPOINT at the receiver's HTTP port, 4318 on an OpenTelemetry Collector)`;
const METRICS_HOST_HINT = 'expected an IP address to listen on, such as "127.0.0.1" (the default), "0.0.0.0" or "::"';

/** A string checked by the parser telemetry reads it with, so there is one parser. */
const checkedBy = (problem: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const found = problem(value);
    if (found) ctx.addIssue({ code: 'custom', message: found });
  });

/**
 * Every app setting sqlprobe reads, keyed by its exact name. The README's configuration table is
 * checked against these keys, so a new setting must be documented there.
 */
export const settingsSchema = z.object({
  SQLPROBE_TARGETS: z.string().max(MAX_TARGETS_BYTES, `expected at most ${MAX_TARGETS_BYTES / 1024} KiB of JSON; split the targets over several apps`).optional(),
  SQLPROBE_TARGETS_FILE: z.string().min(1, 'expected a path to a JSON file').optional(),
  REGION_NAME: z.string().min(1).optional(),
  SQLPROBE_REGION: z.string().min(1).optional(),
  SQLPROBE_CONNECTIVITY_SCHEDULE: ncrontab('SQLPROBE_CONNECTIVITY_SCHEDULE'),
  SQLPROBE_IDLE_SCHEDULE: ncrontab('SQLPROBE_IDLE_SCHEDULE'),
  // Above the number of targets that may hang at once: a hanging target holds its slot for a whole deadline.
  SQLPROBE_CONCURRENCY: intIn(1, 500).default(50),
  // Minutes, not days: a probe cannot outlast the function's 10-minute timeout.
  SQLPROBE_PROBE_TIMEOUT: boundedDuration(1000, 600_000, 'a probe deadline cannot outlast the function timeout', '30s').prefault('30s'),
  SQLPROBE_RETRY_DELAY: retryDelayMs.prefault('5s'),
  SQLPROBE_DNS_SERVERS: list.refine((servers) => servers.every(isDnsServer), DNS_SERVERS_HINT).optional(),
  SQLPROBE_MAX_HELD_CONNECTIONS: intIn(1, 10000).default(200),
  SQLPROBE_ADHOC_ALLOWLIST: list
    .pipe(z.array(z.string().regex(/^(\*\.)?[A-Za-z0-9.-]+$/, HOST_PATTERN_HINT)))
    .default([]),
  APPLICATIONINSIGHTS_CONNECTION_STRING: checkedBy(connectionStringProblem).optional(),
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: checkedBy(authenticationStringProblem).optional(),
  SQLPROBE_LIVE_METRICS: bool.default(false),
  SQLPROBE_OFFLINE_STORAGE_DIR: z.string().min(1).optional(),
  SQLPROBE_RESULTS_FILE: z.string().min(1).optional(),
  // OpenTelemetry's own names (https://opentelemetry.io/docs/specs/otel/protocol/exporter/): OTLP export beside the other sinks.
  OTEL_EXPORTER_OTLP_ENDPOINT: checkedBy(otlpEndpointProblem).optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(OTLP_PROTOCOLS, { error: OTLP_PROTOCOL_HINT }).default('http/protobuf'),
  OTEL_EXPORTER_OTLP_HEADERS: checkedBy(otlpHeadersProblem).optional(),
  // `sqlprobe start` serves its status page, /metrics and /probe on this port; 0 takes any free port (it prints which).
  SQLPROBE_METRICS_PORT: intIn(0, 65535).optional(),
  // Loopback by default: anyone who reaches the port reads every target's results and can start probes.
  SQLPROBE_METRICS_HOST: z.string().refine((h) => isIP(h) !== 0, METRICS_HOST_HINT).default('127.0.0.1'),
  // The Functions host's own storage, reused for state that every instance must see (shared/state):
  // a connection string (Azurite: "UseDevelopmentStorage=true"), or identity-based via the __ settings.
  AzureWebJobsStorage: z.string().min(1).optional(),
  AzureWebJobsStorage__accountName: z.string().regex(/^[a-z0-9]{3,24}$/, 'expected a storage account name (3–24 lowercase letters and digits)').optional(),
  AzureWebJobsStorage__tableServiceUri: z.url({ error: 'expected a URL such as "https://myaccount.table.core.windows.net"' }).optional(),
  AzureWebJobsStorage__queueServiceUri: z.url({ error: 'expected a URL such as "https://myaccount.queue.core.windows.net"' }).optional(),
  AzureWebJobsStorage__clientId: z.string().min(1).optional(),
  // The app's user-assigned identity (set by the Bicep): managed-identity targets without a clientId log in with it.
  AZURE_CLIENT_ID: guid.optional(),
  SQLPROBE_LOGIN_COOLDOWN: offOrDuration(1000, 3_600_000, LOGIN_COOLDOWN_HINT).prefault('5s'),
  // Workload identity on AKS: its webhook sets these (with AZURE_CLIENT_ID) in a pod that uses it.
  AZURE_TENANT_ID: guidSchema('expected a GUID such as "00000000-0000-0000-0000-000000000000", the Microsoft Entra tenant ID').optional(),
  AZURE_FEDERATED_TOKEN_FILE: z.string().min(1, 'expected the path of the projected service-account token').optional(),
  // A sovereign or private Microsoft Entra authority for the identities targets log in with.
  AZURE_AUTHORITY_HOST: z.url({ protocol: /^https$/, error: 'expected an https URL such as "https://login.microsoftonline.us"' }).optional(),
});

export type RawSettings = z.infer<typeof settingsSchema>;
export const SETTING_NAMES = Object.keys(settingsSchema.shape) as (keyof RawSettings)[];

