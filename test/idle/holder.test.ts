import { IdleRegistry, MemoryJournal } from '../../shared/idle';
import { holderTimings, NotHolder } from '../../shared/idle/holder';
import { MemoryLease } from '../../shared/idle/lease';
import { runRetention } from '../../shared/idle/runs';
import type { Simulator } from '../../sim';
import { cleanupCerts, SIM_OPTIONS, simTarget, startTlsSim } from '../helpers/sim';

afterAll(cleanupCerts);

describe('the idle holder\'s timings', () => {
  it('are bounded: a lease of 1 s to 10 min, renewed at least three times in it', () => {
    expect(holderTimings()).toEqual({ ttlMs: 120_000, renewMs: 30_000 });
    expect(holderTimings({ ttlMs: 3000, renewMs: 1000 })).toEqual({ ttlMs: 3000, renewMs: 1000 });
    expect(() => holderTimings({ ttlMs: 999 })).toThrow('idle holder ttlMs: expected whole ms from 1000 (1 s) to 600000 (10 min), got 999');
    expect(() => holderTimings({ ttlMs: 3_600_000 })).toThrow(/ttlMs: .* got 3600000/);
    expect(() => holderTimings({ ttlMs: 3000, renewMs: 1001 })).toThrow('idle holder renewMs: expected whole ms from 100 to a third of ttlMs (1000), got 1001');
    expect(() => holderTimings({ renewMs: 50 })).toThrow(/renewMs: .* got 50/);
  });

  it('and so are the finished runs a process remembers', () => {
    expect(runRetention()).toEqual({ ttlMs: 600_000, maxFinished: 100 });
    expect(() => runRetention({ ttlMs: -1 })).toThrow('idle run ttlMs: expected whole ms from 0 to 86400000 (24 h), got -1');
    expect(() => runRetention({ maxFinished: 1e6 })).toThrow('idle run maxFinished: expected 0 to 10000, got 1000000');
  });
});

describe('two registries sharing one lease and one journal', () => {
  let sim: Simulator;
  /** The lease's clock: the test decides when a lease expires. */
  let leaseNow = 0;
  let lease: MemoryLease;
  let journal: MemoryJournal;
  const registries: IdleRegistry[] = [];
  const make = () => {
    const r = new IdleRegistry({ slackMs: 0, lease, journal, holder: { ttlMs: 60_000, renewMs: 20_000 } });
    registries.push(r);
    return r;
  };

  beforeEach(async () => {
    sim = await startTlsSim();
    leaseNow = 0;
    lease = new MemoryLease(() => leaseNow);
    journal = new MemoryJournal();
  });
  afterEach(async () => {
    await Promise.all(registries.splice(0).map((r) => r.close()));
    await sim.stop();
  });

  it('only the holder opens cohorts; the other does nothing and says who holds the lease', async () => {
    const target = simTarget(sim, { idle: { rungs: ['1h'], keepalive: ['on', 'off'] } });
    const [a, b] = [make(), make()];
    await a.tick([target], SIM_OPTIONS);
    expect(a.held()).toBe(2);
    expect(a.standing()).toMatchObject({ holder: true, took: true, lease: { holder: a.id, term: 1 } });
    expect(await b.tick([target], SIM_OPTIONS)).toEqual([]);
    expect(b.held()).toBe(0);
    expect(b.standing()).toEqual({ holder: false, lease: expect.objectContaining({ holder: a.id, term: 1 }) });
    await expect(b.startRun(target, SIM_OPTIONS, [1000])).rejects.toThrow(NotHolder);
    await expect(b.idle(target, SIM_OPTIONS, new AbortController().signal)).rejects.toThrow(`this process does not hold the idle lease (process ${a.id.slice(0, 8)} holds it until`);
    expect(sim.sessions()).toHaveLength(2);
  });

  it('a holder whose lease expired (a stalled process) is taken over once; it then closes what it held and reports nothing', async () => {
    const target = simTarget(sim, { idle: { rungs: ['1h', '2h'], keepalive: ['on'] } });
    const [a, b] = [make(), make()];
    await a.tick([target], SIM_OPTIONS);
    expect(a.held()).toBe(2);
    const cohort = (await journal.list())[0];
    expect(cohort).toMatchObject({ generation: a.id, term: 1, pending: [{ rungMs: 3_600_000 }, { rungMs: 7_200_000 }] });
    expect(Date.parse(cohort.heartbeatAt!)).toBe(0);

    leaseNow += 60_001; // A stopped renewing (its own clock says its renewal still holds)
    const [taken] = await b.tick([target], SIM_OPTIONS);
    expect(b.standing()).toMatchObject({ holder: true, took: true, lease: { holder: b.id, term: 2 }, tookFrom: { holder: a.id, term: 1 } });
    expect(taken.idle?.outcomes.filter((o) => o.reason === 'host-recycled').map((o) => [o.cohort, o.rungMs])).toEqual([[cohort.cohort, 3_600_000], [cohort.cohort, 7_200_000]]);
    expect(b.held()).toBe(2); // and its own cohort

    // A wakes up: its renewal is refused, so it drops its connections without a word.
    expect(await a.tick([target], SIM_OPTIONS)).toEqual([]);
    expect(a.standing()).toMatchObject({ holder: false, lease: { holder: b.id } });
    expect(a.held()).toBe(0);
    // Nothing is reported twice: B's next ticks have no more host-recycled cells.
    expect(await b.tick([target], SIM_OPTIONS)).toEqual([]);
    expect((await journal.list()).map((e) => e.generation)).toEqual([b.id]);
  });
});

describe('the journal', () => {
  it('is written when a cohort opens and when a cell settles, never by a quiet tick', async () => {
    const sim = await startTlsSim();
    const journal = new (class extends MemoryJournal {
      saves = 0;
      override async save(entry: Parameters<MemoryJournal['save']>[0]): Promise<boolean> {
        this.saves += 1;
        return super.save(entry);
      }
    })();
    let now = 0;
    const registry = new IdleRegistry({ slackMs: 0, clock: () => now, journal });
    const target = simTarget(sim, { idle: { rungs: ['1m', '3m'], keepalive: ['on'], cohortEvery: '1h' } });
    try {
      await registry.tick([target], SIM_OPTIONS);
      expect(journal.saves).toBe(1);
      for (let i = 0; i < 5; i++) await registry.tick([target], SIM_OPTIONS);
      expect(journal.saves).toBe(1);
      now += 60_000;
      await registry.tick([target], SIM_OPTIONS);
      expect(journal.saves).toBe(2); // the 1 m rung settled; the 3 m one is still open
    } finally {
      await registry.close();
      await sim.stop();
    }
  });
});

describe('finished idle runs in memory', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startTlsSim();
  });
  afterEach(() => sim.stop());

  it('expire after their time, and never more than the bound are kept, however many runs finish', async () => {
    let now = 0;
    const registry = new IdleRegistry({ slackMs: 0, clock: () => now, runs: { ttlMs: 60_000, maxFinished: 5 } });
    const target = simTarget(sim, { probes: ['login'], idle: { keepalive: ['on'], useTimeout: '1s' } });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        ids.push(await registry.startRun(target, SIM_OPTIONS, [1000]));
        await registry.drain();
        now += 1000;
        await registry.tick([target], SIM_OPTIONS);
        expect(registry.status(ids[i])).toMatchObject({ status: 'completed', outcomes: [{ outcome: 'survived' }] });
        expect(registry.runCount).toBeLessThanOrEqual(5);
      }
      // The five latest are remembered.
      expect(ids.map((id) => registry.status(id) !== undefined)).toEqual([...Array(7).fill(false), ...Array(5).fill(true)]);
      now += 60_000;
      await registry.tick([target], SIM_OPTIONS);
      expect(registry.runCount).toBe(0);
      expect(registry.held()).toBe(0);
    } finally {
      await registry.close();
    }
  });
});
