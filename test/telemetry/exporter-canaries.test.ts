// Canaries: each asserts a loss or a leak of the pinned exporter or distro that sqlprobe works around
// (shared/telemetry/exporter-sender.ts, quiet.ts). When one fails, upstream behaves: drop that part
// of the workaround. This file never loads sqlprobe's telemetry, so it sees upstream's own code.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FakeBreeze } from './breeze';
import { OUTAGE_SHAPES } from './shapes';

const IKEY = '00000000-0000-4000-8000-000000000001';
const exporterFile = (path: string) => join(dirname(require.resolve('@azure/monitor-opentelemetry-exporter')), path);

interface UpstreamSender {
  exportEnvelopes(envelopes: unknown[]): Promise<{ code: number }>;
  shutdown(): Promise<void>;
}

const breeze = new FakeBreeze();
const storage = mkdtempSync(join(tmpdir(), 'sqlprobe-canary-'));
let sender: UpstreamSender;

beforeAll(async () => {
  process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
  await breeze.start();
  await import('@azure/monitor-opentelemetry-exporter');
  const { HttpSender } = (await import(exporterFile('platform/nodejs/httpSender.js'))) as { HttpSender: new (options: object) => UpstreamSender };
  const host = `http://127.0.0.1:${breeze.port}`;
  sender = new HttpSender({
    endpointUrl: host,
    instrumentationKey: IKEY,
    trackStatsbeat: false,
    // No pipeline retries: the outcome, not the waiting, is what is checked.
    exporterOptions: { host, allowInsecureConnection: true, storageDirectory: storage, retryOptions: { maxRetries: 0 } },
  });
});

afterAll(async () => {
  await sender.shutdown();
  breeze.fault = undefined;
  await breeze.stop();
  rmSync(storage, { recursive: true, force: true });
});

const envelope = () => ({ name: 'Microsoft.ApplicationInsights.Message', time: new Date(), version: 1, instrumentationKey: IKEY, data: { baseType: 'MessageData', baseData: { message: 'canary', version: 2 } } });
const persisted = () => (readdirSync(storage, { recursive: true }) as string[]).filter((f) => f.endsWith('.ai.json'));
const shape = (name: string) => OUTAGE_SHAPES.find((s) => s.name === name)!.fault;
/** Resolves with the export's outcome, or 'pending' when it has not settled within `ms`. */
const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'pending'>((resolve) => setTimeout(resolve, ms, 'pending').unref())]);

test.each(['503 with an empty body', 'connection reset mid-response'])('canary: upstream drops a batch answered by "%s", keeping nothing', async (name) => {
  breeze.fault = shape(name);
  const before = persisted().length;
  expect((await sender.exportEnvelopes([envelope()])).code).toBe(1); // ExportResultCode.FAILED
  expect(persisted().length).toBe(before);
});

test('canary: upstream posts without a timeout, so a post never answered holds its items in memory', async () => {
  breeze.fault = shape('accepted and never answered');
  expect(await within(sender.exportEnvelopes([envelope()]), 3000)).toBe('pending');
});

test('canary: upstream sleeps a 429\'s Retry-After inside the request, past any invocation', async () => {
  // 6 s here; ingestion may ask for minutes, and the invocation waits as long.
  breeze.fault = (items, res) => void res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '6' }).end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: 0, errors: [] }));
  const { HttpSender } = (await import(exporterFile('platform/nodejs/httpSender.js'))) as { HttpSender: new (options: object) => UpstreamSender };
  const host = `http://127.0.0.1:${breeze.port}`;
  const sleeper = new HttpSender({ endpointUrl: host, instrumentationKey: IKEY, trackStatsbeat: false, exporterOptions: { host, allowInsecureConnection: true, storageDirectory: storage, retryOptions: { maxRetries: 1 } } });
  const exported = sleeper.exportEnvelopes([envelope()]);
  expect(await within(exported, 3000)).toBe('pending');
  await exported;
  await sleeper.shutdown();
}, 30_000);
