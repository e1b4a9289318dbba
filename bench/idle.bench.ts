import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { start } from '../sim';
import { createTestCerts } from '../test/helpers/certs';
import { startAzurite } from '../test/state/azurite';
import { type Billing, flexBilledMs, GOAL, heldLadder, idleGoal, memorySetup, MINUTE, PASSWORD, storageSetup, USER } from './idle-ladder';
import { machine, medianRange } from './stats';

const RUNS = Number(process.env.IDLE_BENCH_RUNS ?? 5);
const HELD = Number(process.env.IDLE_BENCH_CONNECTIONS ?? 200);
const RUNG_31 = 31 * MINUTE;

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
/** Billed ms per idle result: every tick's real duration, or every tick at Flex Consumption's minimum. */
const rawPerResult = (b: Billing) => sum(b.tickMs) / b.results;
const flexPerResult = (b: Billing) => sum(b.tickMs.map(flexBilledMs)) / b.results;

/** Asynchronous, so the simulator in this process keeps answering while the holder logs in. */
async function rssPerConnection(mode: 'registry' | 'raw', port: number, caFile: string): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', join(__dirname, 'idle-holder.js'), JSON.stringify({ mode, port, n: HELD, caFile, user: USER, password: PASSWORD })]);
  return (JSON.parse(stdout) as { perConnection: number }).perConnection;
}

export const name = 'idle';

export async function run(): Promise<string> {
  const certs = createTestCerts();
  const [sim, azurite] = await Promise.all([
    start({ port: 0, encrypt: 'on', tls: certs.good, idleTimeoutMs: 3_600_000, servers: [{ logins: [{ user: USER, password: PASSWORD }] }] }),
    startAzurite(),
  ]);
  try {
    const today: Billing[] = [];
    const holder: Billing[] = [];
    const registryRss: number[] = [];
    const rawRss: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternated within each run, so load on the machine falls on both alike.
      today.push(await heldLadder(sim.gatewayPort, certs.caFile, memorySetup));
      holder.push(await heldLadder(sim.gatewayPort, certs.caFile, (clock) => storageSetup(azurite.connectionString, clock)));
      // The simulator runs in this process, the holders in their own: their RSS is theirs alone.
      registryRss.push(await rssPerConnection('registry', sim.gatewayPort, certs.caFile) / 1024);
      rawRss.push(await rssPerConnection('raw', sim.gatewayPort, certs.caFile) / 1024);
      process.stderr.write(`idle bench run ${i + 1}/${RUNS}: ladder ${sum(today[i].tickMs).toFixed(0)} ms, with the lease ${sum(holder[i].tickMs).toFixed(0)} ms over ${today[i].tickMs.length} ticks, ${registryRss[i].toFixed(1)} vs ${rawRss[i].toFixed(1)} KiB\n`);
    }
    const ratios = (perResult: number[]) => perResult.map((ms) => RUNG_31 / ms);
    const ratio = (perResult: number[]) => medianRange(ratios(perResult));
    const extraPerTick = holder.map((h, i) => (sum(h.tickMs) - sum(today[i].tickMs)) / h.tickMs.length);
    const tripsPerTick = holder.map((h) => h.roundTrips / h.tickMs.length);
    const rssRatio = registryRss.map((r, i) => r / rawRss[i]);
    const { busyTicks, results } = today[0];
    const ticks = today[0].tickMs.length;
    const flexHolder = holder.map(flexPerResult);
    return [
      '## Idle survival',
      '',
      `Machine: ${machine()}. ${RUNS} runs; median (min–max). Simulator in this process with classic TLS, no idle kill; Azurite's Table service on loopback.`,
      '',
      `**Billed time.** The default ladder (3, 5, 15, 29, 31, 40 min × keepalive on/off = ${results} results) in held mode, on a`,
      `scaled clock: ${ticks} timer ticks a minute apart, of which ${busyTicks} open or check something. Billed time is the sum of`,
      'the ticks\' durations (opening 12 TLS logins, then SELECT 1 on each rung as it falls due). Two holders, alternated in each run:',
      '*in memory* is the registry alone (lease and journal in the process, no storage round trip: the figure before the lease),',
      '*with the lease* is the function app\'s holder: each tick renews the idle lease (one conditional write), queries the idle runs',
      'that need the holder (one query), and writes the journal when a cohort opens or a rung settles, all in Table storage. The naive way',
      'holds one invocation for the rung: 1860 s for the 31-minute rung. Flex Consumption bills every execution at least 1,000 ms,',
      'then in 100 ms steps ([billing](https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#billing)), so the Flex rows bill',
      `every one of the ${ticks} ticks, quiet or busy, at least 1 s.`,
      '',
      '| measure | in memory | with the lease |',
      '|---|---|---|',
      `| billed ms for the whole ladder, summed over ticks | ${medianRange(today.map((b) => sum(b.tickMs)))} | ${medianRange(holder.map((b) => sum(b.tickMs)))} |`,
      `| billed ms per idle result | ${medianRange(today.map(rawPerResult), 1)} | ${medianRange(holder.map(rawPerResult), 1)} |`,
      `| naive 31-minute invocation ÷ billed per result | ${ratio(today.map(rawPerResult))}× | ${ratio(holder.map(rawPerResult))}× |`,
      `| storage round trips per tick | 0 | ${medianRange(tripsPerTick, 2)} |`,
      `| ms the lease adds per tick | | ${medianRange(extraPerTick, 2)} |`,
      `| Flex Consumption: billed ms per idle result, every tick ≥ 1 s | ${medianRange(today.map(flexPerResult))} | ${medianRange(flexHolder)} |`,
      `| Flex Consumption: naive 31-minute invocation ÷ billed per result | ${ratio(today.map(flexPerResult))}× | ${ratio(flexHolder)}× |`,
      '',
      `Goal: a held result ≥ ${GOAL.toLocaleString('en-US')}× cheaper than the naive invocation (medians of this run):`,
      '',
      idleGoal('in memory, ticks billed by their duration', ratios(today.map(rawPerResult))),
      idleGoal('with the lease, ticks billed by their duration', ratios(holder.map(rawPerResult))),
      idleGoal('with the lease, every tick billed at Flex Consumption\'s 1,000 ms minimum', ratios(flexHolder), 1000, ticks, results),
      '',
      'The always-ready instance that keeps the holder alive costs more than its ticks ([deploy.md](deploy.md)).',
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
    await Promise.all([sim.stop(), azurite.stop()]);
    certs.cleanup();
  }
}
