/**
 * One post to Application Insights ingestion (`POST /v2.1/track`) and what it came to, read from the
 * raw response so that no answer shape (an empty or HTML body, a reset, a hang) can make items
 * vanish between the HTTP layer and the decision to keep them.
 */

/** The exporter's generated client: its `track` posts the envelopes; `onResponse` sees the raw answer. */
export interface TrackClient {
  track(items: unknown[], options: { abortSignal: AbortSignal; onResponse: (raw: RawResponse) => void }): Promise<unknown>;
}

interface RawResponse {
  status: number;
  bodyAsText?: string | null;
  headers: { get(name: string): string | undefined };
}

export interface Answer {
  /** Absent when no answer arrived: refused, DNS failure, reset, or cut by the bound. */
  status?: number;
  body?: string;
  /** From a Retry-After header (seconds or an HTTP date). */
  retryAfterMs?: number;
  /** Why no answer arrived (an error code), when none did. */
  failure?: string;
}

function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const ms = /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** Posts `items`, ending at `signal`; never throws. */
export async function post(client: TrackClient, items: unknown[], signal: AbortSignal): Promise<Answer> {
  let raw: RawResponse | undefined;
  let failure: unknown;
  try {
    await client.track(items, { abortSignal: signal, onResponse: (r) => (raw = r) });
  } catch (err) {
    // The client throws for every status but 200 and 206, and for some (503 with an empty body) while
    // parsing the body; the raw answer it saw first is what counts.
    failure = err;
  }
  if (raw) return { status: raw.status, body: raw.bodyAsText ?? '', retryAfterMs: retryAfterMs(raw.headers.get('retry-after')) };
  if (signal.aborted) return { failure: 'no answer within the bound' };
  const { code, name, message } = (failure ?? {}) as { code?: string; name?: string; message?: string };
  if (code === 'PARSE_ERROR') return { failure: 'the answer was cut off' };
  return { failure: code ?? name ?? message ?? 'unknown error' };
}

export interface Triage<T> {
  /** Items ingestion took. */
  delivered: number;
  /** Items to send again: ingestion did not take them, for a reason that may pass. */
  keep: T[];
  /** Items ingestion refused as invalid: sending them again cannot succeed. */
  rejected: T[];
  /** The answer in a few words, for warnings: "HTTP 503", "ECONNREFUSED". */
  reason: string;
}

interface BreezeError {
  index?: number;
  statusCode?: number;
  message?: string;
}

/** Ingestion's sampling dropped the item on purpose: as good as delivered. */
const sampledOut = (e: BreezeError) => e.message?.toLowerCase() === 'telemetry sampled out.';

/**
 * Which items to keep after an answer. Only an explicit verdict on an item lets it go: 200 took
 * everything, 206 lists the refused items (the others went in), 400 refused the request as invalid.
 * Every other answer (5xx, 429, 408, 401/403 while a token is fixed, a redirect loop, no answer)
 * keeps all. A 206 whose body cannot be read keeps all too: at worst the accepted ones arrive twice.
 */
export function triage<T>(items: readonly T[], answer: Answer): Triage<T> {
  const reason = answer.status === undefined ? (answer.failure ?? 'no answer') : `HTTP ${answer.status}`;
  if (answer.status === 200) return { delivered: items.length, keep: [], rejected: [], reason };
  if (answer.status === 400) return { delivered: 0, keep: [], rejected: [...items], reason };
  if (answer.status === 206) {
    let errors: BreezeError[];
    try {
      errors = (JSON.parse(answer.body ?? '') as { errors?: BreezeError[] }).errors ?? [];
    } catch {
      return { delivered: 0, keep: [...items], rejected: [], reason: `${reason} with an unreadable body` };
    }
    const refused = new Map(errors.filter((e) => Number.isInteger(e.index) && items[e.index!] !== undefined && !sampledOut(e)).map((e) => [e.index!, e]));
    const keep = [...refused].filter(([, e]) => e.statusCode !== 400).map(([i]) => items[i]);
    const rejected = [...refused].filter(([, e]) => e.statusCode === 400).map(([i]) => items[i]);
    return { delivered: items.length - refused.size, keep, rejected, reason: `${reason}: ${refused.size} of ${items.length} items refused` };
  }
  return { delivered: 0, keep: [...items], rejected: [], reason };
}
