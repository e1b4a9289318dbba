import type { ServerResponse } from 'node:http';
import type { Envelope, Fault } from './breeze';

/** One way ingestion can fail, as the fake ingestion server plays it. */
export interface OutageShape {
  name: string;
  /** How the server answers each post; absent for outages outside the server (`refused`, `dns`). */
  fault?: Fault;
  /** The server's port refuses connections, or the ingestion host's name does not resolve. */
  outside?: 'refused' | 'dns';
  /** The most copies of an item that may arrive: 1, unless ingestion took a post whose answer was lost. */
  copies?: number;
  /** How sqlprobe's warning names the failure, so the test knows the shape really played. */
  reason: RegExp;
  /** What ingestion takes of each post during the outage: nothing by default, half for a 206. */
  takes?: 'half' | 'all';
}

const json = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) =>
  void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

/** Breeze's answer when it took nothing. */
const nothing = (items: Envelope[], errors: object[] = []) => ({ itemsReceived: items.length, itemsAccepted: 0, errors });

/** Starts an answer, then resets the connection before its body is complete. */
function resetMidAnswer(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': '400' });
  res.write('{"itemsReceived":');
  setTimeout(() => res.socket?.resetAndDestroy(), 10);
}

const all = (items: Envelope[]) => items.map((_, i) => i);

/** The outage matrix: every shape must lose nothing, and deliver each item exactly once after recovery. */
export const OUTAGE_SHAPES: OutageShape[] = [
  { name: '503 with an empty body', reason: /HTTP 503/, fault: (_, res) => void res.writeHead(503).end() },
  { name: '503 with a JSON body', reason: /HTTP 503/, fault: (items, res) => json(res, 503, nothing(items)) },
  { name: '500', reason: /HTTP 500/, fault: (_, res) => void res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error') },
  { name: '502 with an HTML body', reason: /HTTP 502/, fault: (_, res) => void res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>') },
  { name: '429 with Retry-After', reason: /HTTP 429/, fault: (items, res) => json(res, 429, nothing(items), { 'retry-after': '1' }) },
  {
    name: '206 partial success, every other item refused',
    reason: /HTTP 206: \d+ of \d+ items refused/,
    takes: 'half',
    fault: (items, res) => {
      const refused = all(items).filter((i) => i % 2 === 0);
      const statuses = [500, 503, 429, 408];
      json(res, 206, { itemsReceived: items.length, itemsAccepted: items.length - refused.length, errors: refused.map((index) => ({ index, statusCode: statuses[index % 4], message: 'Try again later' })) });
      return all(items).filter((i) => i % 2 === 1);
    },
  },
  { name: '408', reason: /HTTP 408/, fault: (_, res) => void res.writeHead(408).end() },
  { name: '401 (expired Entra token)', reason: /HTTP 401/, fault: (items, res) => json(res, 401, nothing(items, [{ index: 0, statusCode: 401, message: 'The provided credentials are invalid or expired' }])) },
  { name: '403 (identity lacks the publisher role)', reason: /HTTP 403/, fault: (items, res) => json(res, 403, nothing(items, [{ index: 0, statusCode: 403, message: 'Forbidden' }])) },
  { name: 'connection reset mid-response', reason: /the answer was cut off/, fault: (_, res) => resetMidAnswer(res, 503) },
  { name: 'accepted and never answered', reason: /no answer within the bound/, fault: () => undefined },
  { name: 'connection refused', reason: /ECONNREFUSED/, outside: 'refused' },
  { name: 'DNS failure of the ingestion host', reason: /ENOTFOUND/, outside: 'dns' },
];

/**
 * The bound on duplicates: ingestion took the post, but its 200 never arrived complete. No client can
 * tell this from a failure, so the items are sent again: each arrives at most twice.
 */
export const LOST_ANSWER: OutageShape = {
  name: 'ingestion took the post, then the connection reset mid-answer',
  reason: /the answer was cut off/,
  fault: (items, res) => {
    resetMidAnswer(res, 200);
    return all(items);
  },
  takes: 'all',
  copies: 2,
};
