/**
 * Child process for the idle benchmark: holds N logged-in connections to the simulator, either in
 * the idle registry or as raw tedious connections, and prints the RSS they cost as JSON.
 */
import { Connection } from 'tedious';
import { readFileSync } from 'node:fs';
import { targetSchema } from '../shared/config';
import { IdleRegistry } from '../shared/idle';

interface Input {
  mode: 'registry' | 'raw';
  port: number;
  n: number;
  caFile: string;
  user: string;
  password: string;
}

const input = JSON.parse(process.argv[2]) as Input;
const gc = (globalThis as { gc?: () => void }).gc;
const rss = () => {
  gc?.();
  return process.memoryUsage().rss;
};

function raw(): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const c = new Connection({
      server: '127.0.0.1',
      authentication: { type: 'default', options: { userName: input.user, password: input.password } },
      options: { port: input.port, database: 'master', encrypt: true, cryptoCredentialsDetails: { ca: readFileSync(input.caFile) } },
    });
    c.on('error', () => undefined);
    c.connect((err) => (err ? reject(err) : resolve(c)));
  });
}

async function main(): Promise<void> {
  // Warm both paths once so module loading and TLS setup are not counted per connection.
  const parsed = targetSchema.parse({
    name: 'bench', server: '127.0.0.1', port: input.port, database: 'master', caFile: input.caFile,
    auth: { type: 'sql', user: input.user, passwordSetting: 'BENCH_PW' },
    idle: { rungs: ['1h'], keepalive: ['on', 'off'], maxHeld: 1000 },
  });
  // n connections at once, more than a target's ladder may hold (24 rungs): set past the schema, for this measurement only.
  const target = { ...parsed, idle: { ...parsed.idle, rungs: Array.from({ length: input.n / 2 }, () => 3_600_000) } };
  const options = { region: 'bench', timeoutMs: 30_000, env: { BENCH_PW: input.password } };
  const registry = new IdleRegistry({ maxHeld: 10_000 });
  const warm = await raw();
  warm.close();
  const warmRegistry = new IdleRegistry();
  await warmRegistry.idle({ ...target, idle: { ...target.idle, rungs: [3_600_000], keepalive: ['on'] } }, options, new AbortController().signal);
  await warmRegistry.close();
  const before = rss();
  const held: Connection[] = [];
  // Both open all connections at once, as a cohort does: the same peak, so RSS compares fairly.
  if (input.mode === 'raw') held.push(...(await Promise.all(Array.from({ length: input.n }, raw))));
  else await registry.idle(target, options, new AbortController().signal);
  const after = rss();
  const count = input.mode === 'raw' ? held.length : registry.held();
  process.stdout.write(JSON.stringify({ perConnection: (after - before) / count, count }));
  for (const c of held) c.close();
  await registry.close();
  process.exit(0);
}

main();
