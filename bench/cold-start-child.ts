/**
 * One cold start in a fresh process (forked by cold-start.bench.ts), timed from before the first
 * import. Scenarios:
 * - functions: `@azure/functions` alone (the registration baseline);
 * - tedious: tedious and one raw login with `SELECT 1`, nothing else (spawned: the CLI's baseline);
 * - raw: `@azure/functions`, then tedious and one raw login with `SELECT 1` (the first-probe baseline);
 * - entry: every compiled registration file, triggers captured (registered), then the HTTP probe
 *   handler's first invocation, one login probe on the configured target (the first probe).
 * Config as JSON in argv[3]; answers {registeredMs?, firstProbeMs?} over IPC.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tediousSelectOne } from './raw-tedious';

export interface ColdStartConfig {
  port: number;
  caFile: string;
  user: string;
  password: string;
}

export interface ColdStart {
  registeredMs?: number;
  firstProbeMs?: number;
}

type Handler = (...args: unknown[]) => Promise<{ status?: number; jsonBody?: { results: { success: boolean }[] } }>;

const rawLogin = (config: ColdStartConfig): Promise<void> =>
  tediousSelectOne({ server: '127.0.0.1', serverName: 'localhost', port: config.port, user: config.user, password: config.password, ca: readFileSync(config.caFile) });

async function main(scenario: string, config: ColdStartConfig): Promise<ColdStart> {
  const t0 = performance.now();
  if (scenario === 'tedious') {
    await rawLogin(config);
    return { firstProbeMs: performance.now() - t0 };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { app, HttpRequest } = require('@azure/functions') as typeof import('@azure/functions');
  if (scenario === 'functions') return { registeredMs: performance.now() - t0 };
  if (scenario === 'raw') {
    await rawLogin(config);
    return { firstProbeMs: performance.now() - t0 };
  }
  const handlers: Record<string, Handler> = {};
  const capture = (name: string, options: { handler: Handler }) => void (handlers[name] = options.handler);
  Object.assign(app, { timer: capture, http: capture });
  const dir = join(__dirname, '..', 'functions');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) require(join(dir, file));
  const registeredMs = performance.now() - t0;
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
  const request = new HttpRequest({ method: 'POST', url: 'http://localhost/api/probe', body: { string: JSON.stringify({ target: 'bench', probes: ['login'] }) }, headers: { 'content-type': 'application/json' } });
  const response = await handlers.probe(request, quiet);
  if (!response.jsonBody?.results.every((r) => r.success)) throw new Error(`the first probe failed: ${JSON.stringify(response)}`);
  return { registeredMs, firstProbeMs: performance.now() - t0 };
}

const [scenario, raw] = process.argv.slice(2);
const config = JSON.parse(raw) as ColdStartConfig;
process.env.SQLPROBE_TARGETS = JSON.stringify([{
  name: 'bench', server: '127.0.0.1', port: config.port, database: 'orders', caFile: config.caFile, probes: ['login'],
  auth: { type: 'sql', user: config.user, passwordSetting: 'BENCH_PASSWORD' },
}]);
process.env.BENCH_PASSWORD = config.password;
main(scenario, config).then(
  (m) => (process.send ? process.send(m, () => process.exit(0)) : process.exit(0)),
  (e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
