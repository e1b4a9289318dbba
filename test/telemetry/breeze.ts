import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One Breeze envelope as the exporter sends it (only the fields the tests read are typed). */
export interface Envelope {
  name: string;
  time: string;
  iKey?: string;
  tags?: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> & { properties?: Record<string, string> } };
}

export type Mode = 'accept' | 'unavailable' | 'hang';

/**
 * Answers one post in an outage shape of its own (takes precedence over `mode`); returns the
 * indices of the items it ingested (none when it returns nothing).
 */
export type Fault = (items: Envelope[], res: ServerResponse) => number[] | void;

/**
 * A plain-HTTP stand-in for Application Insights ingestion: POST /v2.1/track takes a JSON array of
 * envelopes (gzip accepted) and answers {itemsReceived, itemsAccepted, errors}. `mode` switches it
 * between accepting, answering 503, and never answering; `stop()` makes the port refuse connections.
 */
export class FakeBreeze {
  readonly envelopes: Envelope[] = [];
  readonly requests: { headers: IncomingMessage['headers']; body: string }[] = [];
  mode: Mode = 'accept';
  fault?: Fault;
  /** Posts answered 503. */
  unavailableAnswers = 0;
  /** Sent on accepted posts: the exporter replays persisted files this many seconds later. */
  retryAfterSeconds?: number;
  private readonly held: (() => void)[] = [];
  private server?: Server;
  private listeningPort = 0;

  /** The port it listens on; kept across stop() and start(). */
  get port(): number {
    return this.listeningPort;
  }

  get connectionString(): string {
    return `InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=http://127.0.0.1:${this.listeningPort}/`;
  }

  /** Listens (again, on the same port after a stop); a no-op while listening. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(this.listeningPort, '127.0.0.1', resolve));
    this.listeningPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the port (connections are refused until start() again) and drops hanging requests. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  of(baseType: string): Envelope[] {
    return this.envelopes.filter((e) => e.data.baseType === baseType);
  }

  /** The sum of `value` (or `count`) over every metric row named `name` ingested so far. */
  metricSum(name: string, field: 'value' | 'count'): number {
    const rows = this.of('MetricData').flatMap((e) => e.data.baseData.metrics as { name: string; value: number; count?: number }[]);
    return rows.filter((m) => m.name === name).reduce((sum, m) => sum + (field === 'value' ? m.value : (m.count ?? 1)), 0);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v2.1/track') {
        res.writeHead(404).end();
        return;
      }
      if (this.fault) {
        const items = JSON.parse(this.body(req, chunks)) as Envelope[];
        for (const i of this.fault(items, res) ?? []) this.envelopes.push(items[i]);
        return;
      }
      if (this.mode === 'hang') {
        this.held.push(() => this.accept(req, res, chunks));
        return;
      }
      if (this.mode === 'unavailable') {
        this.unavailableAnswers++;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"itemsReceived":0,"itemsAccepted":0,"errors":[]}');
        return;
      }
      this.accept(req, res, chunks);
    });
  }

  /** Answers every post held while hanging, as accepted. */
  release(): void {
    for (const answer of this.held.splice(0)) answer();
  }

  private body(req: IncomingMessage, chunks: Buffer[]): string {
    const raw = Buffer.concat(chunks);
    return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
  }

  private accept(req: IncomingMessage, res: ServerResponse, chunks: Buffer[]): void {
    // A held post whose client gave up (its bound cut it) was never answered: nothing went in.
    if (res.destroyed || req.socket.destroyed) return;
    const body = this.body(req, chunks);
    this.requests.push({ headers: req.headers, body });
    const items = JSON.parse(body) as Envelope[];
    this.envelopes.push(...items);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.retryAfterSeconds) headers['retry-after'] = String(this.retryAfterSeconds);
    res.writeHead(200, headers).end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
  }
}
