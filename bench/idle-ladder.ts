/**
 * One default idle ladder in held mode on a scaled clock, tick by tick, as the idle benchmark bills
 * it: the registry believes a minute passes between timer ticks while the connections and the
 * storage round trips are real, so every tick's work is the real work and only the waiting is skipped.
 */
import { TableClient } from '@azure/data-tables';
import { randomUUID } from 'node:crypto';
import { targetSchema } from '../shared/config';
import { IdleRegistry } from '../shared/idle';
import { TableJournal } from '../shared/state/table-journal';
import { TableLease } from '../shared/state/table-lease';
import { TableStateStore } from '../shared/state/table-store';

export const MINUTE = 60_000;
export const USER = 'bench';
export const PASSWORD = 'bench-pw';

/** Flex Consumption bills an execution at least 1,000 ms, then rounds up to the next 100 ms. */
export const flexBilledMs = (ms: number): number => Math.max(1000, Math.ceil(ms / 100) * 100);

export interface Billing {
  /** Each tick's duration, in ms, over the ladder's life. */
  tickMs: number[];
  /** Ticks that opened or checked something (the others found nothing due). */
  busyTicks: number;
  results: number;
  /** Storage requests the ticks made (the holder's lease, journal and run queries). */
  roundTrips: number;
}

/** What a ladder runs against: a registry on the scaled clock, and what else a tick does in that setup. */
export interface Setup {
  registry: IdleRegistry;
  /** The holder's work per tick besides the registry's: the query for idle runs that need it. */
  afterTick?: () => Promise<unknown>;
  roundTrips: () => number;
}

/** Today's process-local holder: lease and journal in memory, no storage round trip. */
export function memorySetup(clock: () => number): Setup {
  return { registry: new IdleRegistry({ clock }), roundTrips: () => 0 };
}

/**
 * The function app's holder: the lease, the journal and the idle runs in Table storage (Azurite on
 * loopback), every request counted. Tables are created before the ladder, as a process that has
 * ticked before has them.
 */
export async function storageSetup(connectionString: string, clock: () => number): Promise<Setup> {
  let trips = 0;
  const client = (table: string) => {
    const c = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
    c.pipeline.addPolicy({ name: 'countRoundTrips', sendRequest: (request, next) => ((trips += 1), next(request)) });
    return c;
  };
  const region = `bench-${randomUUID().slice(0, 8)}`;
  const lease = new TableLease(client('sqlprobeIdleLease'), region);
  const journal = new TableJournal(client('sqlprobeIdleJournal'), region);
  const store = new TableStateStore({ latest: client('sqlprobeLatest'), idleRuns: client('sqlprobeIdleRuns'), cooldowns: client('sqlprobeCooldowns') }, region);
  const registry = new IdleRegistry({ clock, lease, journal });
  await Promise.all([lease.read(), journal.list(), store.idleRunsToAttend('warm-up')]);
  trips = 0;
  return {
    registry,
    afterTick: async () => {
      const tenure = registry.tenureId();
      if (tenure) await store.idleRunsToAttend(tenure);
    },
    roundTrips: () => trips,
  };
}

/** The default ladder (3 … 40 min × keepalive on/off), ticked once a scaled minute until every rung settled. */
export async function heldLadder(port: number, caFile: string, setup: (clock: () => number) => Promise<Setup> | Setup): Promise<Billing> {
  let now = 0;
  const { registry, afterTick, roundTrips } = await setup(() => now);
  const target = targetSchema.parse({
    name: 'bench', server: '127.0.0.1', port, database: 'master', caFile, probes: ['idle'],
    auth: { type: 'sql', user: USER, passwordSetting: 'BENCH_PW' }, idle: { cohortEvery: '1h' },
  });
  const options = { region: 'bench', timeoutMs: 30_000, env: { BENCH_PW: PASSWORD } };
  const billing: Billing = { tickMs: [], busyTicks: 0, results: 0, roundTrips: 0 };
  for (; now <= 41 * MINUTE; now += MINUTE) {
    const t0 = performance.now();
    const heldBefore = registry.held();
    const results = await registry.tick([target], options);
    await afterTick?.();
    billing.tickMs.push(performance.now() - t0);
    const settled = results.reduce((n, r) => n + (r.idle?.outcomes.length ?? 0), 0);
    if (settled > 0 || registry.held() !== heldBefore) billing.busyTicks++;
    billing.results += settled;
  }
  billing.roundTrips = roundTrips();
  await registry.close();
  return billing;
}

/** The goal: a held result costs at most this fraction of a naive invocation that waits out the rung. */
export const GOAL = 10_000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[sorted.length >> 1] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};

/**
 * The goal judged from one run's numbers, per way of billing: `ratios` are the naive invocation's
 * billed ms over a held result's, one per run. A miss under a per-execution minimum names the
 * number of targets (each settling one ladder on the same ticks) at which the minimum is shared enough.
 */
export function idleGoal(billing: string, ratios: number[], minimumMs?: number, ticks?: number, results?: number): string {
  const m = median(ratios);
  const met = m >= GOAL;
  const verdict = `- ${billing}: ${met ? 'met' : '**not met**'} (${Math.round(m).toLocaleString('en-US')}×)`;
  if (met || minimumMs === undefined || !ticks || !results) return `${verdict}.`;
  const targets = Math.ceil((GOAL * ticks * minimumMs) / (results * 31 * MINUTE));
  return `${verdict}: every tick is billed the minimum whatever it does, so the minimum, not the work, sets the cost. The targets of a region share the ticks: at ${targets} targets with the default ladder, while a tick stays under ${minimumMs} ms, the minimum per result reaches the goal.`;
}
