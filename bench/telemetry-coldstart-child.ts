/**
 * One cold start, in a fresh process (forked by telemetry.bench.ts). Scenarios:
 * - baseline: import @azure/functions and tedious, nothing else;
 * - entry: import every compiled functions entry, build the runtime (settings, state store,
 *   telemetry with a connection string), record a result: the moment the first probe could start;
 *   then the first flush, which loads the distro and sends to a local collector;
 * - eager: the same, with the distro imported up front, as a non-lazy design would;
 * - storage: the entry with the app's storage account (BENCH_STORAGE: Table state, the outbox queue),
 *   as in Azure; `queueLoaded` says whether the queue SDK was loaded before the first probe.
 * Sends {readyMs, flushMs?, queueLoaded?} to the parent, measured from before the first import.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(scenario: string): Promise<{ readyMs: number; flushMs?: number; queueLoaded?: boolean }> {
  // A local collector that accepts everything, started before the clock.
  const collector = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"itemsReceived":1,"itemsAccepted":1,"errors":[]}'));
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  process.env.APPLICATIONINSIGHTS_CONNECTION_STRING = `InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=http://127.0.0.1:${(collector.address() as AddressInfo).port}/`;
  process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
  if (scenario === 'storage') process.env.AzureWebJobsStorage = process.env.BENCH_STORAGE;

  const t0 = performance.now();
  if (scenario === 'baseline') {
    await import('@azure/functions');
    await import('tedious');
    collector.close();
    return { readyMs: performance.now() - t0 };
  }
  if (scenario === 'eager') await import('@azure/monitor-opentelemetry');
  const functionsDir = join(__dirname, '..', 'functions');
  for (const file of readdirSync(functionsDir).filter((f) => f.endsWith('.js'))) await import(join(functionsDir, file));
  await import('tedious'); // the login prober loads it on first use; a cold start pays it before the first probe
  const { processRuntime } = await import('../shared/app');
  const rt = await processRuntime();
  const startedAt = new Date().toISOString();
  rt.telemetry.record({
    schemaVersion: 1, id: randomUUID(), target: 'bench', probe: 'tcp', region: 'local', server: '127.0.0.1', port: 1433,
    startedAt, durationMs: 1, success: true, attempts: [{ startedAt, durationMs: 1, success: true }],
    phases: [{ name: 'tcp', startMs: 0, durationMs: 1 }], sqlprobeVersion: '0.0.0',
  });
  const readyMs = performance.now() - t0;
  const queueLoaded = Object.keys(require.cache).some((path) => path.includes('@azure/storage-queue'));
  if (!(await rt.telemetry.flush(10_000))) throw new Error('first flush did not complete');
  const flushMs = performance.now() - t0;
  await rt.telemetry.shutdown(5000);
  collector.close();
  return { readyMs, flushMs, queueLoaded };
}

main(process.argv[2]).then(
  (m) => process.send?.(m, () => process.exit(0)),
  (e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
