/**
 * Round trips of the login and tls probers against the simulator with a fixed delay on every server
 * flight, side by side with raw tedious (connect + SELECT 1) and mssql used the way Microsoft's
 * custom-availability-test sample does (new pool, query, close). Writes its section of
 * docs/BENCHMARKS.md between the probe markers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import sql from 'mssql';
import { Connection, Request } from 'tedious';
import { targetSchema } from '../shared/config';
import { loginProber } from '../shared/probers/login';
import { tlsProber } from '../shared/probers/tls';
import { start } from '../sim';
import { median, probeGoals, type ProbeTimes } from './probe-goals';
import { machine, medianRange } from './stats';

const LATENCY_MS = 20;
const RUNS = 7;
const USER = 'bench';
const PASSWORD = 'Bench-Passw0rd';

function selfSignedCert(dir: string): { certFile: string; keyFile: string } {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { cwd: dir, stdio: 'pipe' });
  return { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
}

/**
 * A loopback proxy that holds every server-to-client chunk for `delayMs`: one delay per flight the
 * client waits for, TLS handshake flights included. (The simulator's own latency setting delays
 * only TDS messages, not the TLS handshake flights inside them.)
 */
async function delayingProxy(upstreamPort: number, delayMs: number): Promise<{ server: Server; port: number }> {
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    upstream.on('data', (chunk) => setTimeout(() => client.write(chunk), delayMs));
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('close', () => setTimeout(() => client.destroy(), delayMs));
    client.on('close', () => upstream.destroy());
    upstream.on('error', () => undefined);
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

function rawTedious(port: number, ca: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = new Connection({
      server: 'localhost',
      authentication: { type: 'default', options: { userName: USER, password: PASSWORD } },
      options: { port, database: 'orders', encrypt: true, cryptoCredentialsDetails: { ca }, maxRetriesOnTransientErrors: 0 },
    });
    c.on('error', () => undefined);
    c.connect((err) => {
      if (err) return reject(err);
      c.execSqlBatch(new Request('SELECT 1', (e) => {
        c.once('end', () => (e ? reject(e) : resolve()));
        c.close();
      }));
    });
  });
}

async function mssqlSample(port: number, ca: Buffer): Promise<void> {
  const pool = new sql.ConnectionPool({ server: 'localhost', port, database: 'orders', user: USER, password: PASSWORD, options: { encrypt: true, cryptoCredentialsDetails: { ca } } });
  await pool.connect();
  await pool.request().query('SELECT 1');
  await pool.close();
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Replaces this benchmark's section of docs/BENCHMARKS.md, creating the file or the section if needed. */
export const name = 'probe';

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlprobe-bench-'));
  const tls = selfSignedCert(dir);
  const ca = readFileSync(tls.certFile);
  const sim = await start({ host: '127.0.0.1', port: 0, encrypt: 'on', tls, servers: [{ logins: [{ user: USER, password: PASSWORD }], databases: ['orders'] }] });
  const proxy = await delayingProxy(sim.gatewayPort, LATENCY_MS);
  const port = proxy.port;
  const target = targetSchema.parse({ name: 'bench', server: 'localhost', port, database: 'orders', caFile: tls.certFile, auth: { type: 'sql', user: USER, passwordSetting: 'BENCH_PASSWORD' } });
  const options = { region: 'bench', timeoutMs: 30_000, env: { BENCH_PASSWORD: PASSWORD } };
  const probe = async (prober: typeof loginProber) => {
    const r = await prober(target, options, AbortSignal.timeout(30_000));
    if (!r.success) throw new Error(`${r.probe} probe failed: ${r.error?.class} ${r.error?.message}`);
  };
  const times: ProbeTimes = { login: [], tedious: [], mssql: [], tls: [] };
  try {
    // Interleaved, so drift on the machine hits every client alike; the first round warms up.
    for (let i = 0; i <= RUNS; i++) {
      const round = { login: await timed(() => probe(loginProber)), tedious: await timed(() => rawTedious(port, ca)), mssql: await timed(() => mssqlSample(port, ca)), tls: await timed(() => probe(tlsProber)) };
      if (i > 0) for (const k of Object.keys(times) as (keyof typeof times)[]) times[k].push(round[k]);
    }
  } finally {
    await new Promise((resolve) => proxy.server.close(resolve));
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const trips = (v: number[]) => Math.round(median(v) / LATENCY_MS);
  const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(3);
  const markdown = `## Probe round trips

Simulator behind a loopback proxy that holds every server flight for ${LATENCY_MS} ms (TLS flights
included), classic TLS 1.2 with certificate verification, ${RUNS} interleaved runs after one warm-up;
median (min–max) in ms. "Round trips" is the median divided by the delay: the server flights the
client waited for. The TCP handshake (on loopback, not delayed) comes on top.
Machine: ${machine()}.

| client | ms | round trips | ratio to raw tedious |
|---|---|---|---|
| login probe (query + phases) | ${medianRange(times.login, 1)} | ${trips(times.login)} | ${ratio(times.login, times.tedious)} |
| raw tedious connect + SELECT 1 | ${medianRange(times.tedious, 1)} | ${trips(times.tedious)} | 1.000 |
| mssql new pool, query, close | ${medianRange(times.mssql, 1)} | ${trips(times.mssql)} | ${ratio(times.mssql, times.tedious)} |
| tls probe (no login) | ${medianRange(times.tls, 1)} | ${trips(times.tls)} | ${ratio(times.tls, times.tedious)} |

${probeGoals(times, LATENCY_MS)}`;
  return markdown;
}

