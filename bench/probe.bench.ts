/**
 * Round trips of the login and tls probers against the simulator with a fixed delay on every server
 * flight, side by side with raw tedious (connect + SELECT 1) and mssql used the way Microsoft's
 * custom-availability-test sample does (new pool, query, close). Writes its section of
 * docs/BENCHMARKS.md between the probe markers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sql from 'mssql';
import { targetSchema } from '../shared/config';
import { loginProber } from '../shared/probers/login';
import { tlsProber } from '../shared/probers/tls';
import { start } from '../sim';
import { startDelayingProxy } from './delaying-proxy';
import { tediousSelectOne } from './raw-tedious';
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
  const proxy = await startDelayingProxy(sim.gatewayPort, LATENCY_MS);
  const port = proxy.port;
  const target = targetSchema.parse({ name: 'bench', server: 'localhost', port, database: 'orders', caFile: tls.certFile, auth: { type: 'sql', user: USER, passwordSetting: 'BENCH_PASSWORD' } });
  const options = { region: 'bench', timeoutMs: 30_000, env: { BENCH_PASSWORD: PASSWORD } };
  const probe = async (prober: typeof loginProber) => {
    const r = await prober(target, options, AbortSignal.timeout(30_000));
    if (!r.success) throw new Error(`${r.probe} probe failed: ${r.error?.class} ${r.error?.message}`);
  };
  const times: ProbeTimes = { login: { ms: [], flights: [] }, tedious: { ms: [], flights: [] }, mssql: { ms: [], flights: [] }, tls: { ms: [], flights: [] } };
  const clients: Record<keyof ProbeTimes, () => Promise<unknown>> = {
    login: () => probe(loginProber), tedious: () => tediousSelectOne({ server: 'localhost', port, user: USER, password: PASSWORD, ca }), mssql: () => mssqlSample(port, ca), tls: () => probe(tlsProber),
  };
  try {
    // Interleaved, so drift on the machine hits every client alike; the first round warms up.
    for (let i = 0; i <= RUNS; i++) {
      for (const [name, client] of Object.entries(clients) as [keyof ProbeTimes, () => Promise<unknown>][]) {
        proxy.resetFlights();
        const ms = await timed(client);
        if (i === 0) continue;
        times[name].ms.push(ms);
        times[name].flights.push(proxy.flights());
      }
    }
  } finally {
    await proxy.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const flights = (c: keyof ProbeTimes) => medianRange(times[c].flights);
  const ratio = (a: keyof ProbeTimes) => (median(times[a].ms) / median(times.tedious.ms)).toFixed(3);
  const row = (label: string, c: keyof ProbeTimes) => `| ${label} | ${medianRange(times[c].ms, 1)} | ${flights(c)} | ${ratio(c)} |`;
  const markdown = `## Probe round trips

Simulator behind a loopback proxy that holds every server flight for ${LATENCY_MS} ms (TLS flights
included), classic TLS 1.2 with certificate verification, ${RUNS} interleaved runs after one warm-up;
median (min–max) in ms. "Server flights" are counted at the proxy: the server's data that follows
the client's, on each connection; the client waited for each one. The TCP handshake (on loopback,
not delayed) comes on top.
Machine: ${machine()}.

| client | ms | server flights | ratio to raw tedious |
|---|---|---|---|
${row('login probe (query + phases)', 'login')}
${row('raw tedious connect + SELECT 1', 'tedious')}
${row('mssql new pool, query, close', 'mssql')}
${row('tls probe (no login)', 'tls')}

${probeGoals(times)}`;
  return markdown;
}

