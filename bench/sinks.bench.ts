/**
 * The cost of Prometheus /metrics and of OTLP export per probe: rounds of 1,000 login probes through
 * the app layer with each turned on, against the same rounds without them, interleaved in one run.
 * Each configuration runs in a fresh child process (its CPU time and peak RSS); this process scrapes
 * /metrics as Prometheus would and receives the OTLP exports, so neither side's work is counted
 * against the probing process.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTestCerts } from '../test/helpers/certs';
import { forkSim } from './runner-fanout.bench';
import type { ChildMessage, SinksConfig, SinksResult } from './sinks-child';
import { machine, medianRange } from './stats';

export const name = 'sinks';

const TARGETS = Number(process.env.SINKS_BENCH_TARGETS ?? 1000);
const RUNS = Number(process.env.SINKS_BENCH_RUNS ?? 3);
/** Measured rounds per child, after a warm-up round. */
const ROUNDS = 3;
const LATENCY_MS = 20;
const SIMULATORS = 4;
/** Scrapes between two rounds: a 5-minute schedule scraped every 15 s. */
const IDLE_SCRAPES = 20;
const GOAL_RATIO = 1.05;
const USER = 'bench';
const PASSWORD = 'Bench-Passw0rd';

const CONFIGS = {
  off: { metrics: false, otlp: false, label: 'neither (baseline)' },
  metrics: { metrics: true, otlp: false, label: '/metrics, scraped' },
  otlp: { metrics: false, otlp: true, label: 'OTLP/HTTP export (protobuf)' },
  both: { metrics: true, otlp: true, label: '/metrics and OTLP' },
} as const;
type ConfigName = keyof typeof CONFIGS;

/** Accepts OTLP posts and answers 200, as a collector would; what arrives is counted, not decoded. */
async function otlpReceiver(): Promise<{ endpoint: string; bytes: () => number; close: () => Promise<void> }> {
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bytes: () => bytes, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function scrape(url: string): Promise<number> {
  const response = await fetch(`${url}/metrics`);
  return (await response.text()).length;
}

async function runChild(config: SinksConfig): Promise<SinksResult & { exposition: number }> {
  const child = fork(join(__dirname, 'sinks-child.js'), [JSON.stringify(config)], { env: { ...process.env, BENCH_PASSWORD: PASSWORD } });
  let url = '';
  let exposition = 0;
  const done = new Promise<SinksResult>((resolve, reject) => {
    child.on('message', async (m: ChildMessage) => {
      if (m.kind === 'listening') url = m.url;
      if (m.kind === 'scrape') for (let i = 0; i < (m.when === 'idle' ? IDLE_SCRAPES : 1); i++) exposition = await scrape(url);
      if (m.kind === 'done') resolve(m.result);
      else child.send({ kind: 'ok' });
    });
    child.once('exit', (code) => (code ? reject(new Error(`sinks child exited with ${code}`)) : undefined));
  });
  const result = await done;
  await once(child, 'exit');
  if (result.failed > 0) throw new Error(`${result.failed} probe(s) failed`);
  return { ...result, exposition };
}

export async function run(): Promise<string> {
  const certs = createTestCerts();
  const sims = await Promise.all(Array.from({ length: SIMULATORS }, () => forkSim({
    encrypt: 'on', tls: { certFile: certs.good.certFile, keyFile: certs.good.keyFile }, latencyMs: LATENCY_MS,
    servers: [{ logins: [{ user: USER, password: PASSWORD }], databases: ['orders'] }],
  })));
  const receiver = await otlpReceiver();
  const samples: Record<ConfigName, (SinksResult & { exposition: number })[]> = { off: [], metrics: [], otlp: [], both: [] };
  try {
    const base = { ports: sims.map((s) => s.port), caFile: certs.caFile, user: USER, passwordSetting: 'BENCH_PASSWORD', count: TARGETS, rounds: ROUNDS };
    for (let i = 0; i < RUNS; i++) {
      for (const name of Object.keys(CONFIGS) as ConfigName[]) {
        const c = CONFIGS[name];
        samples[name].push(await runChild({ ...base, metrics: c.metrics, ...(c.otlp ? { otlpEndpoint: receiver.endpoint } : {}) }));
      }
    }
  } finally {
    await receiver.close();
    await Promise.all(sims.map((s) => s.stop()));
    certs.cleanup();
  }

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
  const cpu = (n: ConfigName) => median(samples[n].map((s) => s.cpuMsPerProbe));
  const ratio = (n: ConfigName) => cpu(n) / cpu('off');
  const rows = (Object.keys(CONFIGS) as ConfigName[]).map((n) => {
    const s = samples[n];
    return `| ${CONFIGS[n].label} | ${medianRange(s.map((x) => x.cpuMsPerProbe), 3)} | ${ratio(n).toFixed(3)} | ${medianRange(s.map((x) => x.peakRssMiB))} |`;
  });
  const exposition = median(samples.metrics.map((s) => s.exposition)) / 2 ** 20;
  const verdict = (n: ConfigName) => `${ratio(n) <= GOAL_RATIO ? 'met' : '**not met**'} (${((ratio(n) - 1) * 100).toFixed(1)} %)`;
  return [
    '## Prometheus and OTLP cost per probe',
    '',
    `Rounds of the login probe over ${TARGETS} targets through the app layer (probeTargets, as the connectivity timer runs them:`,
    `results to telemetry and state, flushed at the end of each round), against ${SIMULATORS} simulator processes with ${LATENCY_MS} ms per message,`,
    `concurrency 50. Each configuration runs ${ROUNDS} measured rounds after a warm-up round in a fresh process, ${RUNS} times, interleaved;`,
    'median (min–max) of the probing process\'s CPU time (user + system) per probe, and its peak RSS. With /metrics on, this',
    `process scrapes it as Prometheus would on a 5-minute schedule scraped every 15 s: once in the middle of each round and ${IDLE_SCRAPES}`,
    'times after it (only the first of those rebuilds the text). OTLP goes to a local receiver that answers 200.',
    `Machine: ${machine()}.`,
    '',
    '| telemetry | CPU per probe (ms) | ratio to baseline | peak RSS (MiB) |',
    '|---|---|---|---|',
    ...rows,
    '',
    `One /metrics exposition at ${TARGETS} targets: ${exposition.toFixed(1)} MiB. OTLP received: ${(receiver.bytes() / 2 ** 20).toFixed(1)} MiB in all.`,
    '',
    `Goal: at most ${((GOAL_RATIO - 1) * 100).toFixed(0)} % more CPU per probe: /metrics ${verdict('metrics')}; OTLP ${verdict('otlp')}; both ${verdict('both')}.`,
  ].join('\n');
}
