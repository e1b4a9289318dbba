import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface Azurite {
  /** An account connection string for the table endpoint (and the queue one, when started), as AzureWebJobsStorage would hold. */
  connectionString: string;
  stop(): Promise<void>;
}

type Service = 'table' | 'queue';

// Azurite's well-known development account (public, documented; not a secret).
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
// Resolved from the package, so the compiled copy (the benchmarks run from dist/) finds it too.
const main = (service: Service) => join(dirname(require.resolve('azurite/package.json')), `dist/src/${service}/main.js`);

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function startOn(service: Service, port: number): Promise<ChildProcess> {
  const args = ['--inMemoryPersistence', `--${service}Host`, '127.0.0.1', `--${service}Port`, String(port), '--disableTelemetry', '--skipApiVersionCheck'];
  const child = spawn(process.execPath, [main(service), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // "…service successfully started" (table), "…service successfully listens on …" (queue).
      if (/successfully (started|listens)/.test(output)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`azurite-${service} exited (${code}): ${output}`)));
  });
}

/** One Azurite service on a free loopback port, data in memory. */
async function startService(service: Service): Promise<{ port: number; child: ChildProcess }> {
  let lastError: unknown;
  // The port is free when picked but could be taken before Azurite binds it: try a few.
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    try {
      return { port, child: await startOn(service, port) };
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** Azurite's Table service, and with `queue` its Queue service too, on free loopback ports, data in memory. */
export async function startAzurite(options: { queue?: boolean } = {}): Promise<Azurite> {
  const table = await startService('table');
  const queue = options.queue ? await startService('queue').catch(async (err: unknown) => {
    await stopChild(table.child);
    throw err;
  }) : undefined;
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=http://127.0.0.1:${table.port}/${ACCOUNT};${queue ? `QueueEndpoint=http://127.0.0.1:${queue.port}/${ACCOUNT};` : ''}`,
    stop: async () => {
      await Promise.all([stopChild(table.child), queue && stopChild(queue.child)]);
    },
  };
}
