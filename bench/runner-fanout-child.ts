/**
 * Child process for the runner fan-out benchmark: one round in a fresh process, so its peak RSS
 * (getrusage maxrss) belongs to that round alone. Config as JSON in argv[2]; answers over IPC.
 */
import { targetSchema } from '../shared/config';
import { PROBERS } from '../shared/probers';
import { runRound } from '../shared/runner';

export interface FanoutConfig {
  ports: number[];
  caFile: string;
  user: string;
  passwordSetting: string;
  count: number;
  concurrency: number;
}

export interface FanoutResult {
  wallMs: number;
  /** This process's CPU time (user + system) per probe. */
  cpuMsPerProbe: number;
  peakRssMiB: number;
  succeeded: number;
  failed: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]) as FanoutConfig;
  const targets = Array.from({ length: config.count }, (_, i) => targetSchema.parse({
    // An address, not "localhost": resolving a name here sometimes stalls 5 s in the resolver, which would measure DNS, not the runner.
    name: `t${i}`, server: '127.0.0.1', port: config.ports[i % config.ports.length], database: 'orders', caFile: config.caFile,
    auth: { type: 'sql', user: config.user, passwordSetting: config.passwordSetting }, probes: ['login'],
  }));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const { results } = await runRound(targets, { env: process.env, region: 'bench', timeoutMs: 30_000, concurrency: config.concurrency, probers: PROBERS });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const succeeded = results.filter((r) => r.success).length;
  const answer: FanoutResult = { wallMs, cpuMsPerProbe: (cpu.user + cpu.system) / 1000 / results.length, peakRssMiB: process.resourceUsage().maxRSS / 1024, succeeded, failed: results.length - succeeded };
  process.send?.(answer, () => process.exit(0));
}

main();
