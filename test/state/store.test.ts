import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../shared/config';
import type { IdleRun, ProbeResult } from '../../shared/contract';
import { type CohortJournal, type JournalEntry, verdictFor } from '../../shared/idle';
import { connectStateStore, MemoryStateStore, type StateStore } from '../../shared/state';
import { result as built } from '../helpers/results';
import { type Azurite, startAzurite } from './azurite';

/** A result of `target`'s `probe`, as the store keeps it. */
const result = (target: string, probe: ProbeResult['probe'], extra: Partial<ProbeResult> = {}): ProbeResult => built({ target, probe, ...extra });

let azurite: Azurite;
let tableStore: StateStore;
let journal: CohortJournal;

beforeAll(async () => {
  azurite = await startAzurite();
  const { settings } = loadConfig({ AzureWebJobsStorage: azurite.connectionString, SQLPROBE_REGION: 'westeurope' });
  const connected = await connectStateStore(settings);
  expect(connected.kind).toBe('table');
  tableStore = connected.store;
  journal = connected.journal as CohortJournal;
}, 30_000);

afterAll(() => azurite?.stop());

describe.each([
  ['memory', () => new MemoryStateStore() as StateStore],
  ['table (Azurite)', () => tableStore],
])('%s state store', (_kind, store) => {
  it('keeps the latest result per target and probe (and listener)', async () => {
    const s = store();
    const target = `t-${randomUUID().slice(0, 8)}`;
    await s.recordResult(result(target, 'tcp', { success: false, attempts: [{ startedAt: new Date().toISOString(), durationMs: 1, success: false }] }));
    const latestTcp = result(target, 'tcp');
    await s.recordResult(latestTcp);
    await s.recordResult(result(target, 'login', { listener: 'primary' }));
    await s.recordResult(result(target, 'login', { listener: 'secondary' }));
    const mine = (await s.latestResults()).filter((r) => r.target === target);
    expect(mine.map((r) => `${r.probe}/${r.listener ?? ''}`).sort()).toEqual(['login/primary', 'login/secondary', 'tcp/']);
    expect(mine.find((r) => r.probe === 'tcp')).toEqual(latestTcp);
  });

  it('stores results larger than one Table property', async () => {
    const s = store();
    const target = `big-${randomUUID().slice(0, 8)}`;
    const addresses = Array.from({ length: 2000 }, (_, i) => ({ address: `10.0.${i >> 8}.${i & 255}`, family: 4 as const, private: true }));
    const big = result(target, 'dns', { dns: { cnames: [], addresses, privateLinkAlias: false, resolver: 'system' } });
    expect(JSON.stringify(big).length).toBeGreaterThan(60_000);
    await s.recordResult(big);
    expect((await s.latestResults()).find((r) => r.target === target)).toEqual(big);
  });

  it('saves and replaces an idle run as it progresses', async () => {
    const s = store();
    const now = new Date().toISOString();
    const run: IdleRun = { id: randomUUID(), target: 'orders', rungs: [5000, 31 * 60_000], status: 'running', createdAt: now, updatedAt: now, expected: 2, outcomes: [] };
    await s.saveIdleRun(run);
    expect(await s.getIdleRun(run.id)).toEqual(run);
    const outcome = { cohort: 'c1', rungMs: 5000, keepalive: 'on' as const, outcome: 'survived' as const, idleMs: 5012 };
    const done: IdleRun = { ...run, status: 'completed', outcomes: [outcome, { ...outcome, rungMs: 31 * 60_000, idleMs: 1_860_500 }], verdict: verdictFor([outcome]) };
    await s.saveIdleRun(done);
    expect(await s.getIdleRun(run.id)).toEqual(done);
  });

  it('answers undefined for an unknown run', async () => {
    expect(await store().getIdleRun(randomUUID())).toBeUndefined();
  });
});

describe('connectStateStore', () => {
  it('keeps state in memory when the host has no storage account', async () => {
    const { settings } = loadConfig({});
    expect((await connectStateStore(settings)).kind).toBe('memory');
  });

  it('keeps each region\'s latest results apart in a shared account', async () => {
    const other = await connectStateStore(loadConfig({ AzureWebJobsStorage: azurite.connectionString, SQLPROBE_REGION: 'eastus' }).settings);
    const target = `shared-${randomUUID().slice(0, 8)}`;
    await other.store.recordResult(result(target, 'tcp', { region: 'eastus' }));
    expect((await other.store.latestResults()).some((r) => r.target === target)).toBe(true);
    expect((await tableStore.latestResults()).some((r) => r.target === target)).toBe(false);
  });
});

describe('table journal (Azurite)', () => {
  it('lists the region\'s open cohorts until they are removed', async () => {
    const entry: JournalEntry = { cohort: randomUUID(), target: 'orders', kind: 'idle', generation: 'g1', term: 1, heartbeatAt: new Date().toISOString(), pending: [{ rungMs: 5000, keepalive: 'off' }], runId: randomUUID() };
    const other = { ...entry, cohort: randomUUID(), target: 'billing' };
    expect(await journal.save(entry)).toBe(true);
    expect(await journal.save(other)).toBe(true);
    const mine = async () => (await journal.list()).filter((e) => e.cohort === entry.cohort || e.cohort === other.cohort);
    expect(await mine()).toEqual(expect.arrayContaining([entry, other]));
    expect(await journal.save({ ...entry, pending: [] })).toBe(true);
    expect((await mine()).find((e) => e.cohort === entry.cohort)).toEqual({ ...entry, pending: [] });
    await journal.remove(entry.cohort);
    await journal.remove(entry.cohort);
    await journal.remove(other.cohort);
    expect(await mine()).toEqual([]);
  });

  it('lets exactly one of two holders take an entry, and never writes a taken entry back', async () => {
    const { settings } = loadConfig({ AzureWebJobsStorage: azurite.connectionString, SQLPROBE_REGION: 'westeurope' });
    const [a, b] = [(await connectStateStore(settings)).journal!, (await connectStateStore(settings)).journal!];
    const entry: JournalEntry = { cohort: randomUUID(), target: 'orders', kind: 'idle', generation: 'dead', term: 3, pending: [{ rungMs: 5000, keepalive: 'on' }] };
    const owner = (await connectStateStore(settings)).journal!;
    expect(await owner.save(entry)).toBe(true);
    const [listedA, listedB] = [await a.list(), await b.list()];
    const seen = (list: JournalEntry[]) => list.find((e) => e.cohort === entry.cohort)!;
    const takes = await Promise.all([a.take(seen(listedA)), b.take(seen(listedB))]);
    expect(takes.filter(Boolean)).toHaveLength(1);
    // The holder that wrote it lost its lease meanwhile: its next write is refused, not a resurrection.
    expect(await owner.save({ ...entry, pending: [] })).toBe(false);
    expect((await a.list()).some((e) => e.cohort === entry.cohort)).toBe(false);
  });

  it('does not take an entry its holder changed after it was listed', async () => {
    const { settings } = loadConfig({ AzureWebJobsStorage: azurite.connectionString, SQLPROBE_REGION: 'westeurope' });
    const [owner, other] = [(await connectStateStore(settings)).journal!, (await connectStateStore(settings)).journal!];
    const entry: JournalEntry = { cohort: randomUUID(), target: 'orders', kind: 'pool', generation: 'alive', term: 1, pending: [{ rungMs: 1000, keepalive: 'on' }] };
    await owner.save(entry);
    const listed = (await other.list()).find((e) => e.cohort === entry.cohort)!;
    expect(await owner.save({ ...entry, pending: [] })).toBe(true);
    expect(await other.take(listed)).toBe(false);
    await owner.remove(entry.cohort);
  });
});
