/**
 * The telemetry outbox's part of the telemetry bench: delivery of 1,000 results held through an
 * outage, and the outbox's cost per invocation with nothing held. Azurite's table and queue services
 * stand in for the storage account; a counting proxy in front of the queue service counts storage
 * round trips.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAzurite } from '../test/state/azurite';
import { medianRange } from './stats';

const RUNS = Number(process.env.TELEMETRY_BENCH_RUNS ?? 5);

function child<T>(scenario: string, env: Record<string, string>): Promise<T> {
  const proc = fork(require.resolve('./telemetry-outbox-child'), [scenario], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    proc.once('message', (m) => resolve(m as T));
    proc.once('exit', (code) => (code ? reject(new Error(`outbox bench "${scenario}" exited ${code}: ${stderr}`)) : undefined));
  });
}

/** Forwards to `port` and notes when each request came. */
async function countingProxy(port: number): Promise<{ port: number; since: (t: number) => number; close: () => void }> {
  const seen: number[] = [];
  const proxy = createServer((req, res) => {
    seen.push(Date.now());
    const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  return { port: (proxy.address() as AddressInfo).port, since: (t) => seen.filter((s) => s >= t).length, close: () => proxy.close() };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

export async function outboxSection(): Promise<string> {
  const azurite = await startAzurite({ queue: true });
  const queuePort = Number(/QueueEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(azurite.connectionString)![1]);
  const proxy = await countingProxy(queuePort);
  const storage = azurite.connectionString.replace(`127.0.0.1:${queuePort}`, `127.0.0.1:${proxy.port}`);
  try {
    const drains: { keepMs: number; drainMs: number; flushes: number; freshMs: number }[] = [];
    const idle: Record<'idle-queue' | 'idle-local', number[]> = { 'idle-queue': [], 'idle-local': [] };
    let requests = 0;
    let flushes = 0;
    for (let run = 0; run < RUNS; run++) {
      // A resource per run: each starts with an empty queue.
      const env = { BENCH_STORAGE: storage, BENCH_IKEY: `00000000-0000-4000-8000-${String(run + 1).padStart(12, '0')}` };
      drains.push(await child('drain', env));
      for (const scenario of ['idle-queue', 'idle-local'] as const) {
        const m = await child<{ samples: number[]; warmAt: number; flushes: number }>(scenario, { ...env, BENCH_IKEY: `00000000-0000-4000-9000-${String(run + 1).padStart(12, '0')}` });
        idle[scenario].push(median(m.samples));
        if (scenario === 'idle-queue') {
          requests += proxy.since(m.warmAt);
          flushes += m.flushes;
        }
      }
    }
    const extra = idle['idle-queue'].map((q, i) => q - idle['idle-local'][i]);
    const drainMedian = median(drains.map((d) => d.drainMs));
    const freshMedian = median(drains.map((d) => d.freshMs));
    const perFlush = requests / flushes;
    return [
      '### Durable outbox',
      '',
      `${RUNS} runs, each in fresh processes built like the function app (createRuntime), Azurite as the storage account; median (min–max) in ms.`,
      '',
      '| measure | result |',
      '|---|---|',
      `| 1,000 results during an outage (503, empty body): the flush that keeps them in the queue | ${medianRange(drains.map((d) => d.keepMs))} |`,
      `| … once ingestion recovers: the next invocation's flush until all 1,000 are delivered | ${medianRange(drains.map((d) => d.drainMs))} (${medianRange(drains.map((d) => d.flushes))} flush) |`,
      `| the same 1,000 results sent with ingestion up (peer) | ${medianRange(drains.map((d) => d.freshMs))} |`,
      `| ratio, held ÷ fresh | ${(drainMedian / freshMedian).toFixed(2)} |`,
      `| a warm flush of one result, nothing held, outbox in the storage queue | ${medianRange(idle['idle-queue'], 1)} |`,
      `| the same, outbox in a local directory (peer: no storage round trip) | ${medianRange(idle['idle-local'], 1)} |`,
      `| the queue outbox's extra cost per invocation | ${medianRange(extra, 1)} |`,
      `| storage requests per invocation with nothing held | ${perFlush.toFixed(2)} |`,
      '',
      `Goal: one storage round trip or less per invocation with nothing held: ${perFlush <= 1 ? 'met' : 'not met'} (${perFlush.toFixed(2)}: the one`,
      'Get Messages that finds the queue empty, or absent).',
    ].join('\n');
  } finally {
    proxy.close();
    await azurite.stop();
  }
}
