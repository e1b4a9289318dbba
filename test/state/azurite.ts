import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface Azurite {
  /** An account connection string for the table endpoint, as AzureWebJobsStorage would hold. */
  connectionString: string;
  stop(): Promise<void>;
}

// Azurite's well-known development account (public, documented; not a secret).
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
// Resolved, not joined to __dirname: the benchmarks run this file compiled under dist/.
const MAIN = require.resolve('azurite/dist/src/table/main.js');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function startOn(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, '--inMemoryPersistence', '--tableHost', '127.0.0.1', '--tablePort', String(port), '--disableTelemetry', '--skipApiVersionCheck'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('successfully started')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`azurite-table exited (${code}): ${output}`)));
  });
}

/** Azurite's Table service on a free loopback port, data in memory. */
export async function startAzurite(): Promise<Azurite> {
  let lastError: unknown;
  // The port is free when picked but could be taken before Azurite binds it: try a few.
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    try {
      const child = await startOn(port);
      return {
        connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`,
        stop: async () => {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          await once(child, 'exit');
        },
      };
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}
