import { TableClient } from '@azure/data-tables';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../shared/config';
import type { IdleRun } from '../../shared/contract';
import { type HolderLease, MemoryLease } from '../../shared/idle/lease';
import { connectStateStore, MemoryStateStore, type StateStore } from '../../shared/state';
import { TableLease } from '../../shared/state/table-lease';
import { type Azurite, startAzurite } from './azurite';

let azurite: Azurite;

beforeAll(async () => {
  azurite = await startAzurite();
}, 30_000);

afterAll(() => azurite?.stop());

/** The clock every lease of one test reads: leases expire when the test says so. */
let now = 1_000_000;
const clock = () => now;

const leaseTable = () => TableClient.fromConnectionString(azurite.connectionString, 'sqlprobeIdleLease', { allowInsecureConnection: true });

/** Two clients of one region's lease, as two processes would have. */
async function tableLeases(region = `r${randomUUID().slice(0, 8)}`): Promise<[HolderLease, HolderLease]> {
  return [new TableLease(leaseTable(), region, clock), new TableLease(leaseTable(), region, clock)];
}

async function memoryLeases(): Promise<[HolderLease, HolderLease]> {
  const shared = new MemoryLease(clock);
  return [shared, shared];
}

describe.each([
  ['table (Azurite)', () => tableLeases()],
  ['memory', memoryLeases],
])('%s idle lease', (_kind, leases) => {
  beforeEach(() => {
    now = 1_000_000;
  });

  it('goes to the first claimant; the other cannot take it while it is renewed', async () => {
    const [a, b] = await leases();
    expect(await a.read()).toBeUndefined();
    const first = await a.claim('A', 10_000);
    expect(first).toEqual({ held: true, lease: { holder: 'A', term: 1, heartbeatAt: now, expiresAt: now + 10_000 } });
    now += 9_000;
    expect(await b.claim('B', 10_000)).toEqual({ held: false, lease: first.lease });
    expect(await a.claim('A', 10_000)).toEqual({ held: true, lease: { holder: 'A', term: 1, heartbeatAt: now, expiresAt: now + 10_000 } });
    now += 9_000;
    expect((await b.claim('B', 10_000)).held).toBe(false);
    expect(await b.read()).toMatchObject({ holder: 'A', term: 1 });
  });

  it('is taken over once expired, with a new term and the dead holder named; the old holder cannot renew it', async () => {
    const [a, b] = await leases();
    const dead = await a.claim('A', 10_000);
    now += 10_001;
    expect(await b.claim('B', 10_000)).toEqual({ held: true, lease: { holder: 'B', term: 2, heartbeatAt: now, expiresAt: now + 10_000 }, from: dead.lease });
    expect(await a.claim('A', 10_000)).toEqual({ held: false, lease: expect.objectContaining({ holder: 'B', term: 2 }) });
  });

  it('is free at once after a release', async () => {
    const [a, b] = await leases();
    await a.claim('A', 60_000);
    await a.release('A');
    await b.release('B'); // not B's: changes nothing
    expect(await b.claim('B', 60_000)).toMatchObject({ held: true, lease: { holder: 'B', term: 2 }, from: { holder: 'A', term: 1 } });
  });

  it('gives an expired lease nobody else took back to its holder in the same term', async () => {
    const [a] = await leases();
    await a.claim('A', 10_000);
    now += 60_000;
    expect(await a.claim('A', 10_000)).toEqual({ held: true, lease: { holder: 'A', term: 1, heartbeatAt: now, expiresAt: now + 10_000 } });
  });

  it('lets exactly one of several processes racing for a free lease take it', async () => {
    const [a, b] = await leases();
    const [c, d] = await leases();
    // Four clients, two regions: per region exactly one winner, and both losers see the winner.
    const claims = await Promise.all([a.claim('A', 10_000), b.claim('B', 10_000)]);
    expect(claims.filter((c) => c.held)).toHaveLength(1);
    const winner = claims.find((c) => c.held)!.lease.holder;
    expect(claims.map((c) => c.lease.holder)).toEqual([winner, winner]);
    expect((await Promise.all([c.claim('C', 10_000), d.claim('D', 10_000)])).filter((x) => x.held)).toHaveLength(1);
  });
});

describe('the lease in Table storage', () => {
  it('keeps one readable row per region: holder, term, heartbeat, expiry', async () => {
    const region = `r${randomUUID().slice(0, 8)}`;
    const [a] = await tableLeases(region);
    await a.claim('A', 10_000);
    const rows = [];
    for await (const row of leaseTable().listEntities()) if (row.partitionKey === region) rows.push(row);
    expect(rows).toEqual([expect.objectContaining({
      rowKey: 'idle-holder', holder: 'A', term: 1, heartbeatAt: new Date(now).toISOString(), expiresAt: new Date(now + 10_000).toISOString(),
    })]);
  });
});

describe.each([
  ['memory', async () => new MemoryStateStore() as StateStore],
  ['table (Azurite)', async () => (await connectStateStore(loadConfig({ AzureWebJobsStorage: azurite.connectionString, SQLPROBE_REGION: `r${randomUUID().slice(0, 8)}` }).settings)).store],
])('%s idle run records', (_kind, store) => {
  const run = (extra: Partial<IdleRun> = {}): IdleRun => {
    const at = new Date().toISOString();
    return { id: randomUUID(), target: 'orders', rungs: [5000], keepalive: ['on'], status: 'pending', createdAt: at, updatedAt: at, expected: 1, outcomes: [], ...extra };
  };

  it('changes a run against concurrent writers without losing either change', async () => {
    const s = await store();
    const r = run({ rungs: [1000, 2000], expected: 2 });
    await s.saveIdleRun(r);
    const outcome = (rungMs: number) => ({ cohort: 'c', rungMs, keepalive: 'on' as const, outcome: 'survived' as const });
    await Promise.all([
      s.updateIdleRun(r.id, (x) => ({ ...x, outcomes: [...x.outcomes, outcome(1000)] })),
      s.updateIdleRun(r.id, (x) => ({ ...x, outcomes: [...x.outcomes, outcome(2000)] })),
    ]);
    expect((await s.getIdleRun(r.id))?.outcomes.map((o) => o.rungMs).sort()).toEqual([1000, 2000]);
    // A change that declines leaves the run as it is and answers it.
    expect(await s.updateIdleRun(r.id, () => undefined)).toMatchObject({ id: r.id, outcomes: [{}, {}] });
    expect(await s.updateIdleRun(randomUUID(), (x) => x)).toBeUndefined();
  });

  it('lists the runs the holder must attend to, and no other', async () => {
    const s = await store();
    const pending = run();
    const mine = run({ status: 'running', holder: 'me/1' });
    const dead = run({ status: 'running', holder: 'dead/1' });
    const closing = run({ status: 'cancelled', holder: 'me/1', closing: true });
    const closed = run({ status: 'cancelled', holder: 'me/1', closing: false });
    const done = run({ status: 'completed', holder: 'dead/1' });
    for (const r of [pending, mine, dead, closing, closed, done]) await s.saveIdleRun(r);
    const ids = (await s.idleRunsToAttend('me/1')).map((r) => r.id);
    expect(ids.filter((id) => [pending, mine, dead, closing, closed, done].some((r) => r.id === id)).sort()).toEqual([pending.id, dead.id, closing.id].sort());
  });
});
