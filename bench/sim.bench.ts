import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestCerts } from '../test/helpers/certs';
import { rawLogin, type RawLogin } from './raw-client';
import { machine, medianRange } from './stats';

const USER = 'bench';
const PASSWORD = 'bench-pw';
const SESSIONS = Number(process.env.SIM_BENCH_SESSIONS ?? 5000);
const RUNS = Number(process.env.SIM_BENCH_RUNS ?? 5);
const LOGIN_SECONDS = 3;

interface Child {
  proc: ChildProcess;
  port: number;
  ask(): Promise<{ rss: number; sessions: number }>;
  stop(): Promise<void>;
}

/** Starts the simulator in its own process (with --expose-gc, so RSS is read after a collection). */
async function startChild(config: object): Promise<Child> {
  const proc = fork(join(__dirname, 'sim-server.js'), [JSON.stringify(config)], { execArgv: ['--expose-gc'] });
  const port = await new Promise<number>((resolve) => proc.once('message', (m: { port: number }) => resolve(m.port)));
  return {
    proc,
    port,
    ask: () =>
      new Promise((resolve) => {
        proc.once('message', (m: { rss: number; sessions: number }) => resolve(m));
        proc.send({ cmd: 'rss' });
      }),
    stop: () =>
      new Promise((resolve) => {
        proc.once('exit', () => resolve());
        proc.send({ cmd: 'stop' });
      }),
  };
}

/** Runs `task` `total` times with at most `width` in flight. */
async function pool<T>(total: number, width: number, task: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < total) {
        next++;
        out.push(await task());
      }
    }),
  );
  return out;
}

async function idleSessions(config: object, ca: Buffer | undefined): Promise<{ perSession: number; held: number }> {
  const child = await startChild(config);
  const before = await child.ask();
  const clients: RawLogin[] = await pool(SESSIONS, 100, () => rawLogin(child.port, USER, PASSWORD, ca ? { tls: { ca } } : {}));
  const after = await child.ask();
  // RST rather than FIN: thousands of TIME_WAIT sockets would slow the next runs' connects.
  for (const c of clients) c.socket.resetAndDestroy();
  await child.stop();
  return { perSession: (after.rss - before.rss) / after.sessions, held: after.sessions };
}

async function tlsLoginsPerSecond(config: object, ca: Buffer): Promise<number> {
  const child = await startChild(config);
  let done = 0;
  const until = performance.now() + LOGIN_SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < until) {
        const c = await rawLogin(child.port, USER, PASSWORD, { tls: { ca } });
        c.socket.resetAndDestroy();
        done++;
      }
    }),
  );
  const rate = done / ((performance.now() - t0) / 1000);
  await child.stop();
  return rate;
}

export const name = 'sim';

export async function run(): Promise<string> {
  const host = machine();
  const certs = createTestCerts();
  try {
    const ca = readFileSync(certs.caFile);
    const base = { port: 0, idleTimeoutMs: 3_600_000, servers: [{ logins: [{ user: USER, password: PASSWORD }] }] };
    const tlsConfig = { ...base, encrypt: 'on', tls: certs.good };
    const plain: number[] = [];
    const encrypted: number[] = [];
    const rates: number[] = [];
    let held = 0;
    for (let i = 0; i < RUNS; i++) {
      const p = await idleSessions(base, undefined);
      plain.push(p.perSession / 1024);
      held = p.held;
      encrypted.push((await idleSessions(tlsConfig, ca)).perSession / 1024);
      rates.push(await tlsLoginsPerSecond(tlsConfig, ca));
      process.stderr.write(`sim bench run ${i + 1}/${RUNS}: ${plain[i].toFixed(1)} KiB plain, ${encrypted[i].toFixed(1)} KiB TLS, ${rates[i].toFixed(0)} TLS logins/s\n`);
    }
    return [
      '## Simulator',
      '',
      `Machine: ${host}. ${RUNS} runs; median (min–max). The simulator runs alone in a child process;`,
      'clients are raw TDS clients built on `shared/tds` in the parent process, so the client side is not the limit.',
      '',
      '| measure | result |',
      '|---|---|',
      `| concurrent idle logged-in sessions held in one process | ${held} |`,
      `| RSS per idle session, no TLS | ${medianRange(plain, 1)} KiB |`,
      `| RSS per idle session, classic TLS (full encryption) | ${medianRange(encrypted, 1)} KiB |`,
      `| TLS logins per second (one simulator process = one core; TLS 1.2 handshake + LOGIN7, 16 clients, ${LOGIN_SECONDS} s) | ${medianRange(rates)} |`,
      '',
      'Run with `npm run bench`; `SIM_BENCH_SESSIONS` and `SIM_BENCH_RUNS` change the session count and the number of runs.',
    ].join('\n');
  } finally {
    certs.cleanup();
  }
}
