/**
 * Child process for the runner fan-out benchmark: one round in a fresh process, so its peak RSS
 * (getrusage maxrss) belongs to that round alone. Config as JSON in argv[2]; answers over IPC.
 * In `workers` mode the targets are split over worker threads, each running its own round on its
 * own event loop (this same file, as the worker).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { targetSchema } from '../shared/config/target';
import type { ProbeResult } from '../shared/contract';
import { PROBERS } from '../shared/probers';
import { DEFAULT_TUNING, LoadGate, loopMonitor, runRound, UNGATED, type GateTuning } from '../shared/runner';

export interface FanoutConfig {
  ports: number[];
  caFile: string;
  user: string;
  passwordSetting: string;
  count: number;
  concurrency: number;
  /** gated: the runner as shipped; ungated: every probe starts at once (the runner before the gate); workers: ungated rounds on worker threads. */
  mode: 'gated' | 'ungated' | 'workers';
  /** Worker threads in `workers` mode; the concurrency is split among them. */
  workers?: number;
  /** Gate settings other than the shipped ones (to compare tunings). */
  tuning?: Partial<GateTuning>;
}

/** What one round measured, per result: the phases the goals compare, and the prober's own load. */
export interface Samples {
  tcp: number[];
  tls: number[];
  login: number[];
  lagMax: number[];
  lagMean: number[];
  perturbed: number;
  failed: number;
}

export interface FanoutResult extends Samples {
  wallMs: number;
  /** This process's CPU time (user + system, all threads) per probe. */
  cpuMsPerProbe: number;
  peakRssMiB: number;
}

const emptySamples = (): Samples => ({ tcp: [], tls: [], login: [], lagMax: [], lagMean: [], perturbed: 0, failed: 0 });

function collect(into: Samples, r: ProbeResult): void {
  if (!r.success) into.failed++;
  for (const phase of ['tcp', 'tls', 'login'] as const) {
    const p = r.phases.find((x) => x.name === phase);
    if (p) into[phase].push(p.durationMs);
  }
  into.lagMax.push(r.loopLag?.maxMs ?? 0);
  into.lagMean.push(r.loopLag?.meanMs ?? 0);
  if (r.measurement === 'perturbed') into.perturbed++;
}

function merge(all: Samples[]): Samples {
  const out = emptySamples();
  for (const s of all) {
    for (const k of ['tcp', 'tls', 'login', 'lagMax', 'lagMean'] as const) out[k].push(...s[k]);
    out.perturbed += s.perturbed;
    out.failed += s.failed;
  }
  return out;
}

/** One round over targets `from`…`to` of the config, on this thread. */
async function round(config: FanoutConfig, from: number, to: number, concurrency: number, gated: boolean): Promise<Samples> {
  const targets = Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    return targetSchema.parse({
      // An address, not "localhost": resolving a name here sometimes stalls 5 s in the resolver, which would measure DNS, not the runner.
      name: `t${i}`, server: '127.0.0.1', port: config.ports[i % config.ports.length], database: 'orders', caFile: config.caFile,
      auth: { type: 'sql', user: config.user, passwordSetting: config.passwordSetting }, probes: ['login'],
    });
  });
  const samples = emptySamples();
  await runRound(targets, {
    env: process.env, region: 'bench', timeoutMs: 60_000, concurrency, probers: PROBERS,
    gate: !gated ? UNGATED : config.tuning ? new LoadGate(loopMonitor, { ...DEFAULT_TUNING, ...config.tuning }) : undefined,
    onResult: (r) => collect(samples, r),
  });
  return samples;
}

function inWorkers(config: FanoutConfig): Promise<Samples> {
  const n = config.workers ?? 2;
  const per = Math.ceil(config.count / n);
  return Promise.all(Array.from({ length: n }, (_, w) => new Promise<Samples>((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { config, from: w * per, to: Math.min(config.count, (w + 1) * per), concurrency: Math.ceil(config.concurrency / n) } });
    worker.once('message', resolve);
    worker.once('error', reject);
  }))).then(merge);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]) as FanoutConfig;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const samples = config.mode === 'workers' ? await inWorkers(config) : await round(config, 0, config.count, config.concurrency, config.mode === 'gated');
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const answer: FanoutResult = { ...samples, wallMs, cpuMsPerProbe: (cpu.user + cpu.system) / 1000 / config.count, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
  process.send?.(answer, () => process.exit(0));
}

if (isMainThread) main();
else {
  const { config, from, to, concurrency } = workerData as { config: FanoutConfig; from: number; to: number; concurrency: number };
  round(config, from, to, concurrency, false).then((s) => parentPort?.postMessage(s));
}
