import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { adHocServerSchema, adHocTarget, hostAllowed, HTTP_AD_HOC, onDemandProbesSchema, probeTarget, refuseOnDemandLogin, roundProbesOf, type AppRuntime, type Log } from '../../shared/app';
import { loginProblem, secretsOf, targetName, type Target } from '../../shared/config';
import { prometheusSink, scrubSecrets, type PrometheusTelemetry } from '../../shared/telemetry';
import type { Route } from './server';

/** What Prometheus assumes without a scrape_timeout, and so the deadline when no header says otherwise. */
const DEFAULT_SCRAPE_TIMEOUT_S = 10;
/** Kept back from the scrape timeout to write the answer, as blackbox_exporter's timeout_offset. */
const ANSWER_MARGIN_MS = 500;

/** A comma-separated list, with POST /api/probe's rules: at most one of each, a duplicate run once. */
const probeList = z
  .string()
  .transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean))
  .pipe(onDemandProbesSchema('idle and pool hold connections for minutes: they run on the idle schedule'));

const configuredQuery = z.strictObject({ target: targetName, probes: probeList.optional() });

/** An ad-hoc server as query parameters, in the HTTP API's terms: the HTTP API's schema then decides what is allowed. */
const adHocQuery = z.strictObject({
  server: z.string(),
  port: z.string().optional(),
  database: z.string().optional(),
  encrypt: z.enum(['true', 'strict'], { error: 'expected "true" or "strict"' }).optional(),
  auth: z.enum(['none', 'managed-identity'], { error: 'expected "none" or "managed-identity": an ad-hoc server never gets a secret' }).optional(),
  probes: probeList.optional(),
});

const scrapeTimeout = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'expected seconds, such as "10" or "9.5"')
  .transform(Number)
  .pipe(z.number().positive('expected more than 0 seconds').max(600, 'expected at most 600 seconds'));

/** Every query parameter once; a repeated one is joined with commas (probes=dns&probes=tls). */
function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  return query;
}

const reasons = (error: z.ZodError): string => error.issues.map((i) => {
  if (i.code === 'unrecognized_keys') return `unknown query parameter${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')}`;
  return `${i.path.join('.') || 'query'}: ${i.message}`;
}).join('; ');

function answer(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(`${text}\n`);
}

/** The exposition of `sink`, gzipped when the client accepts it (Prometheus does). */
async function sendMetrics(sink: PrometheusTelemetry, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  const body = await sink.body(gzip);
  response.writeHead(200, { 'content-type': sink.contentType, ...(gzip && { 'content-encoding': 'gzip' }) }).end(body);
}

/** GET /metrics: every result the scheduled rounds and idle ticks recorded in `sink`, as of their last flush. */
export function metricsRoute(sink: PrometheusTelemetry): Route {
  return { path: '/metrics', handle: (request, response) => sendMetrics(sink, request, response) };
}

type Resolved = { target: Target; adHoc: boolean; probes?: z.infer<typeof probeList>; deadlineMs: number } | { status: number; reason: string };

/** The request's target, probes and deadline, or the status and reason to answer with. */
function resolve(rt: AppRuntime, request: IncomingMessage, url: URL): Resolved {
  const header = request.headers['x-prometheus-scrape-timeout-seconds'];
  const timeout = header === undefined ? { success: true as const, data: DEFAULT_SCRAPE_TIMEOUT_S } : scrapeTimeout.safeParse(String(header));
  if (!timeout.success) return { status: 400, reason: `X-Prometheus-Scrape-Timeout-Seconds: ${timeout.error.issues[0].message}` };
  const scrapeMs = timeout.data * 1000;
  const deadlineMs = Math.max(scrapeMs / 2, scrapeMs - ANSWER_MARGIN_MS);

  const query = queryOf(url);
  if (('target' in query) === ('server' in query)) return { status: 400, reason: 'expected either target=NAME (a configured target) or server=HOST (an ad-hoc server the allowlist permits)' };
  if ('target' in query) {
    const parsed = configuredQuery.safeParse(query);
    if (!parsed.success) return { status: 400, reason: reasons(parsed.error) };
    const target = rt.targets.find((t) => t.name === parsed.data.target);
    if (!target) return { status: 404, reason: `no configured target "${parsed.data.target}"; /probe probes only configured targets (and ad-hoc servers that SQLPROBE_ADHOC_ALLOWLIST permits)` };
    const problem = loginProblem(target, parsed.data.probes ?? roundProbesOf(target), 'add credentials (auth) to the target, or leave those probes out');
    return problem ? { status: 400, reason: problem } : { target, adHoc: false, probes: parsed.data.probes, deadlineMs };
  }
  const allowlist = rt.settings.SQLPROBE_ADHOC_ALLOWLIST;
  if (allowlist.length === 0) return { status: 403, reason: 'ad-hoc servers are off: only configured targets can be probed (set SQLPROBE_ADHOC_ALLOWLIST to allow host patterns)' };
  const parsed = adHocQuery.safeParse(query);
  if (!parsed.success) return { status: 400, reason: reasons(parsed.error) };
  const { probes, encrypt, auth, ...rest } = parsed.data;
  const checked = adHocServerSchema(HTTP_AD_HOC).safeParse({ ...rest, ...(encrypt && { encrypt: encrypt === 'true' || encrypt }), ...(auth && { auth: { type: auth } }) });
  if (!checked.success) return { status: 400, reason: reasons(checked.error) };
  const server = checked.data;
  if (!hostAllowed(server.server, allowlist)) return { status: 403, reason: `server "${server.server}" is not in SQLPROBE_ADHOC_ALLOWLIST` };
  const target = adHocTarget(server);
  const problem = loginProblem(target, probes ?? roundProbesOf(target), 'use auth=managed-identity (Azure SQL names only), or leave those probes out');
  return problem ? { status: 400, reason: problem } : { target, adHoc: true, probes, deadlineMs };
}

/**
 * GET /probe?target=NAME[&probes=dns,tls]: probes one configured target now, within the scrape's
 * deadline (X-Prometheus-Scrape-Timeout-Seconds), and answers with the metrics of those results
 * alone, in a registry made for the request, as blackbox_exporter does. The results are not recorded:
 * /metrics and telemetry carry the scheduled rounds only. At most SQLPROBE_CONCURRENCY requests
 * probe at once; more answer 503, so a flood of scrapes cannot open unbounded connections. Probes
 * that log in claim the on-demand login cool-down, as POST /api/probe does: a scrape within it
 * answers 429 with Retry-After, so scraping too often cannot lock the target's login out.
 */
export function probeRoute(rt: AppRuntime, log: Log): Route {
  const secrets = secretsOf(rt.targets, rt.env);
  let inFlight = 0;
  return {
    path: '/probe',
    handle: async (request, response, url) => {
      const resolved = resolve(rt, request, url);
      if ('status' in resolved) return answer(response, resolved.status, resolved.reason);
      if (inFlight >= rt.settings.SQLPROBE_CONCURRENCY) {
        return answer(response, 503, `${inFlight} probes are running, the most SQLPROBE_CONCURRENCY allows; scrape less often or raise it`);
      }
      inFlight++;
      try {
        const { target, adHoc, probes, deadlineMs } = resolved;
        const refused = await refuseOnDemandLogin(rt, target, adHoc, probes ?? roundProbesOf(target), log);
        if (refused) return answer(response, refused.status, refused.reason, { 'retry-after': String(refused.retryAfterS) });
        const { results } = await probeTarget(rt, target, { budgetMs: deadlineMs, ...(probes && { probes }), record: false }, log);
        const sink = await prometheusSink();
        for (const result of results) sink.record(scrubSecrets(result, secrets));
        await sink.flush();
        await sendMetrics(sink, request, response);
      } finally {
        inFlight--;
      }
    },
  };
}
