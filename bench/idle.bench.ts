import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { targetSchema } from '../shared/config/target';
import { IdleRegistry } from '../shared/idle/registry';
import { start } from '../sim';
import { createTestCerts } from '../test/helpers/certs';
import { machine, medianRange } from './stats';

const USER = 'bench';
const PASSWORD = 'bench-pw';
const RUNS = Number(process.env.IDLE_BENCH_RUNS ?? 5);
const HELD = Number(process.env.IDLE_BENCH_CONNECTIONS ?? 200);
const MINUTE = 60_000;
const RUNG_31 = 31 * MINUTE;
/**
 * The least an execution is billed: 100 ms on the Consumption plan, 1 s on Flex Consumption (the plan
 * infra/ deploys; docs/deploy.md). Every tick is an execution, whether it finds work or not.
 */
const PLAN_MINIMUM_MS = { consumption: 100, flexConsumption: 1000 };

interface Billing {
  /** Sum of every tick's duration over the ladder's life, in ms. */
  totalMs: number;
  /** Every tick's duration, in ms. */
  tickMs: number[];
  /** Ticks that opened or checked something (the others found nothing due). */
  busyTicks: number;
  ticks: number;
  results: number;
}

/**
 * Held mode on a scaled clock: the registry believes a minute passes between timer ticks while the
 * connections are real, so every tick's work (opening the cohort, checking the due rungs) is the real
 * work and only the waiting is skipped. Billed time is the sum of the ticks' durations.
 */
async function heldLadder(port: number, caFile: string): Promise<Billing> {
  let now = 0;
  const registry = new IdleRegistry({ clock: () => now });
  const target = targetSchema.parse({
    name: 'bench', server: '127.0.0.1', port, database: 'master', caFile, probes: ['idle'],
    auth: { type: 'sql', user: USER, passwordSetting: 'BENCH_PW' }, idle: { cohortEvery: '1h' },
  });
  const options = { region: 'bench', timeoutMs: 30_000, env: { BENCH_PW: PASSWORD } };
  const billing: Billing = { totalMs: 0, tickMs: [], busyTicks: 0, ticks: 0, results: 0 };
  for (; now <= 41 * MINUTE; now += MINUTE) {
    const t0 = performance.now();
    const heldBefore = registry.held();
    const results = await registry.tick([target], options);
    billing.tickMs.push(performance.now() - t0);
    billing.totalMs += performance.now() - t0;
    billing.ticks++;
    const settled = results.reduce((n, r) => n + (r.idle?.outcomes.length ?? 0), 0);
    if (settled > 0 || registry.held() !== heldBefore) billing.busyTicks++;
    billing.results += settled;
  }
  await registry.close();
  return billing;
}

/** Asynchronous, so the simulator in this process keeps answering while the holder logs in. */
async function rssPerConnection(mode: 'registry' | 'raw', port: number, caFile: string): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', join(__dirname, 'idle-holder.js'), JSON.stringify({ mode, port, n: HELD, caFile, user: USER, password: PASSWORD })]);
  return (JSON.parse(stdout) as { perConnection: number }).perConnection;
}

export const name = 'idle';

export async function run(): Promise<string> {
  const certs = createTestCerts();
  const sim = await start({ port: 0, encrypt: 'on', tls: certs.good, idleTimeoutMs: 3_600_000, servers: [{ logins: [{ user: USER, password: PASSWORD }] }] });
  try {
    const billed: Billing[] = [];
    const registryRss: number[] = [];
    const rawRss: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      billed.push(await heldLadder(sim.gatewayPort, certs.caFile));
      // The simulator runs in this process, the holders in their own: their RSS is theirs alone.
      registryRss.push(await rssPerConnection('registry', sim.gatewayPort, certs.caFile) / 1024);
      rawRss.push(await rssPerConnection('raw', sim.gatewayPort, certs.caFile) / 1024);
      const b = billed[i];
      process.stderr.write(`idle bench run ${i + 1}/${RUNS}: ladder ${b.totalMs.toFixed(0)} ms over ${b.ticks} ticks, ${registryRss[i].toFixed(1)} vs ${rawRss[i].toFixed(1)} KiB\n`);
    }
    const perResult = billed.map((b) => b.totalMs / b.results);
    // The naive invocation holds the connection for the rung, then does the same work per result.
    const naive = perResult.map((ms) => RUNG_31 + ms);
    const ratio = perResult.map((ms, i) => naive[i] / ms);
    const billedWith = (minimumMs: number) => billed.map((b, i) => naive[i] / (b.tickMs.reduce((sum, ms) => sum + Math.max(ms, minimumMs), 0) / b.results));
    const rssRatio = registryRss.map((r, i) => r / rawRss[i]);
    const { ticks, busyTicks, results } = billed[0];
    return [
      '## Idle survival',
      '',
      `Machine: ${machine()}. ${RUNS} runs; median (min–max). Simulator in this process with classic TLS, no idle kill.`,
      '',
      `**Billed time.** The default ladder (3, 5, 15, 29, 31, 40 min × keepalive on/off = ${results} results) in held mode, on a`,
      `scaled clock: ${ticks} timer ticks a minute apart, of which ${busyTicks} open or check something. Billed time is the sum of`,
      'the ticks\' durations (opening 12 TLS logins, then SELECT 1 on each rung as it falls due). The naive way holds one',
      'invocation for the rung: 1860 s for the 31-minute rung, plus the same work per result. A plan bills every',
      'execution at least its minimum, so every tick, busy or not, is billed at least that: 100 ms on Consumption,',
      '1 s on Flex Consumption (the plan infra/ deploys).',
      '',
      '| measure | result |',
      '|---|---|',
      `| billed ms for the whole ladder, summed over ticks | ${medianRange(billed.map((b) => b.totalMs))} |`,
      `| billed ms per idle result | ${medianRange(perResult, 1)} |`,
      `| naive single invocation for a 31-minute rung ÷ held billed per result (durations only) | ${medianRange(ratio)}× |`,
      `| the same, every tick billed at least Consumption's ${PLAN_MINIMUM_MS.consumption} ms | ${medianRange(billedWith(PLAN_MINIMUM_MS.consumption))}× |`,
      `| the same, every tick billed at least Flex Consumption's ${PLAN_MINIMUM_MS.flexConsumption / 1000} s | ${medianRange(billedWith(PLAN_MINIMUM_MS.flexConsumption))}× |`,
      '',
      `**Memory.** RSS per held connection (classic TLS, ${HELD} held, after GC, each side in its own process):`,
      '',
      '| holder | KiB per connection |',
      '|---|---|',
      `| idle registry (opener, keepalive variant, death watch) | ${medianRange(registryRss, 1)} |`,
      '| raw tedious `Connection` | ' + medianRange(rawRss, 1) + ' |',
      `| ratio | ${medianRange(rssRatio, 2)} |`,
      '',
      'Run with `npm run bench -- idle`; `IDLE_BENCH_RUNS` and `IDLE_BENCH_CONNECTIONS` change the runs and the held count.',
    ].join('\n');
  } finally {
    await sim.stop();
    certs.cleanup();
  }
}
