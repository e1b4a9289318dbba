/**
 * The durable outbox, measured in a fresh process built like the function app (runtimeFromEnv from
 * app settings). Scenarios (argv[2]):
 * - drain: 1,000 results recorded during an outage (503 with an empty body) and kept, then ingestion
 *   recovers: how long the next invocation's flushes take to deliver them all; against the same
 *   1,000 results sent with ingestion up;
 * - idle-queue / idle-local: warm flushes of one result each with nothing held, with the outbox in
 *   the storage queue (BENCH_STORAGE) or in a local directory: the outbox's cost per invocation.
 * Sends the measurements to the parent.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLUSH_TIMEOUT_MS, runtimeFromEnv } from '../shared/app';
import { loginSuccess } from '../test/helpers/results';

const HELD = 1000;
const IDLE_FLUSHES = 30;

async function main(scenario: string): Promise<object> {
  let up = scenario !== 'drain';
  const delivered = new Set<string>();
  const collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!up) return void res.writeHead(503).end();
      const items = JSON.parse(Buffer.concat(chunks).toString()) as { data: { baseType: string; baseData: { id?: string } } }[];
      for (const e of items) if (e.data.baseType === 'AvailabilityData' && e.data.baseData.id) delivered.add(e.data.baseData.id);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const offline = mkdtempSync(join(tmpdir(), 'sqlprobe-bench-outbox-'));
  const rt = await runtimeFromEnv({
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${process.env.BENCH_IKEY};IngestionEndpoint=http://127.0.0.1:${(collector.address() as AddressInfo).port}/`,
    SQLPROBE_OFFLINE_STORAGE_DIR: offline,
    SQLPROBE_REGION: 'bench',
    ...(scenario === 'idle-local' ? {} : { AzureWebJobsStorage: process.env.BENCH_STORAGE }),
  });
  console.warn = () => undefined;
  const flush = async () => {
    const t0 = performance.now();
    if (!(await rt.telemetry.flush(FLUSH_TIMEOUT_MS))) throw new Error('a flush failed');
    return performance.now() - t0;
  };
  try {
    if (scenario === 'drain') {
      for (let i = 0; i < HELD; i++) rt.telemetry.record(loginSuccess({ target: `t${i % 50}` }));
      const keepMs = await flush();
      up = true;
      let drainMs = 0;
      let flushes = 0;
      while (delivered.size < HELD && flushes < 20) {
        drainMs += await flush();
        flushes++;
      }
      if (delivered.size < HELD) throw new Error(`only ${delivered.size} of ${HELD} delivered`);
      const fresh = Array.from({ length: HELD }, (_, i) => loginSuccess({ target: `f${i % 50}` }));
      for (const r of fresh) rt.telemetry.record(r);
      const freshMs = await flush();
      return { keepMs, drainMs, flushes, freshMs };
    }
    // The first flushes load the distro and the storage SDK; the rest are what each invocation pays.
    for (let i = 0; i < 3; i++) {
      rt.telemetry.record(loginSuccess());
      await flush();
    }
    const warmAt = Date.now();
    const samples: number[] = [];
    for (let i = 0; i < IDLE_FLUSHES; i++) {
      rt.telemetry.record(loginSuccess());
      samples.push(await flush());
    }
    return { samples, warmAt, flushes: IDLE_FLUSHES };
  } finally {
    await rt.telemetry.shutdown(5000);
    collector.close();
    rmSync(offline, { recursive: true, force: true });
  }
}

main(process.argv[2]).then(
  (m) => process.send?.(m, () => process.exit(0)),
  (e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
