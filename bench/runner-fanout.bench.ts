/**
 * Runner fan-out: one round of login probes over 1,000 targets against simulators that delay every
 * message by 20 ms, with bounded concurrency against sequential. Each round runs in its own child
 * process (wall time and peak RSS of that process); the simulators run in theirs.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { loadConfig } from '../shared/config';
import { createTestCerts } from '../test/helpers/certs';
import type { FanoutConfig, FanoutResult } from './runner-fanout-child';
import { machine } from './stats';

export const name = 'runner';

/** The round a deployment gets without tuning: the goal is judged there. */
const DEFAULT_CONCURRENCY = loadConfig({}).settings.SQLPROBE_CONCURRENCY;
const TARGETS = 1000;
const LATENCY_MS = 20;
/** One simulator process does a few hundred TLS logins a second; several keep the server side from being the limit. */
const SIMULATORS = 4;
/** Sequential would take minutes: it runs on this many targets and is scaled up to TARGETS. */
const SEQUENTIAL_SAMPLE = 50;
const CONCURRENCIES = [10, 50, 100, 200];
const USER = 'bench';
const PASSWORD = 'Bench-Passw0rd';

/** A simulator in a process of its own (the sinks benchmark uses it too); resolves with its port. */
export async function forkSim(config: object): Promise<{ port: number; stop: () => Promise<void> }> {
  const proc = fork(join(__dirname, 'sim-server.js'), [JSON.stringify(config)]);
  const [message] = (await once(proc, 'message')) as [{ port: number }];
  return {
    port: message.port,
    stop: async () => {
      proc.send({ cmd: 'stop' });
      await once(proc, 'exit');
    },
  };
}

async function round(config: FanoutConfig): Promise<FanoutResult> {
  const child = fork(join(__dirname, 'runner-fanout-child.js'), [JSON.stringify(config)], { env: { ...process.env, BENCH_PASSWORD: PASSWORD } });
  const [result] = (await once(child, 'message')) as [FanoutResult];
  await once(child, 'exit');
  if (result.failed > 0) throw new Error(`${result.failed} probe(s) failed at concurrency ${config.concurrency}`);
  return result;
}

export async function run(): Promise<string> {
  const certs = createTestCerts();
  const tls = { certFile: certs.good.certFile, keyFile: certs.good.keyFile };
  const sims = await Promise.all(Array.from({ length: SIMULATORS }, () => forkSim({
    encrypt: 'on', tls, latencyMs: LATENCY_MS, servers: [{ logins: [{ user: USER, password: PASSWORD }], databases: ['orders'] }],
  })));
  try {
    const base = { ports: sims.map((s) => s.port), caFile: certs.caFile, user: USER, passwordSetting: 'BENCH_PASSWORD' };
    const sequential = await round({ ...base, count: SEQUENTIAL_SAMPLE, concurrency: 1 });
    const row = (label: string, r: FanoutResult, scale = 1) => `| ${label} | ${((r.wallMs * scale) / 1000).toFixed(1)} | ${r.cpuMsPerProbe.toFixed(1)} | ${r.peakRssMiB.toFixed(0)} |`;
    const rows = [row(`sequential (concurrency 1; ${SEQUENTIAL_SAMPLE} targets measured, ×${TARGETS / SEQUENTIAL_SAMPLE})`, sequential, TARGETS / SEQUENTIAL_SAMPLE)];
    const byConcurrency = new Map<number, FanoutResult>();
    for (const concurrency of new Set([...CONCURRENCIES, DEFAULT_CONCURRENCY])) {
      const r = await round({ ...base, count: TARGETS, concurrency });
      byConcurrency.set(concurrency, r);
      rows.push(row(`concurrency ${concurrency}${concurrency === DEFAULT_CONCURRENCY ? ' (the default)' : ''}`, r));
    }
    const atDefault = byConcurrency.get(DEFAULT_CONCURRENCY) as FanoutResult;
    const met = atDefault.wallMs < 10_000 && atDefault.peakRssMiB < 300;
    return [
      '## Runner fan-out',
      '',
      `One round of the login probe (PRELOGIN, classic TLS 1.2 with verification, LOGIN7, tedious's SET batch, \`SELECT 1\`) over ${TARGETS} targets,`,
      `spread over ${SIMULATORS} simulator processes that delay every message by ${LATENCY_MS} ms. Each round runs in a fresh process:`,
      'wall time of `runRound`, the probing process\'s CPU time per probe, and its peak RSS (getrusage maxrss). Every probe succeeded.',
      `Machine: ${machine()}.`,
      '',
      '| round | wall time (s) | client CPU per probe (ms) | peak RSS (MiB) |',
      '|---|---|---|---|',
      ...rows,
      '',
      `Goal: ${TARGETS} targets under 10 s and under 300 MB at the default SQLPROBE_CONCURRENCY (${DEFAULT_CONCURRENCY}): ${met ? 'met' : '**not met**'}`,
      `(${(atDefault.wallMs / 1000).toFixed(1)} s, ${atDefault.peakRssMiB.toFixed(0)} MiB). The wall time is about`,
      '⌈targets / concurrency⌉ × one probe\'s latency until CPU (TLS handshakes) becomes the limit.',
    ].join('\n');
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
    certs.cleanup();
  }
}
