import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOutcome, ProbeResult } from '../../shared/contract';
import type { Simulator } from '../../sim';
import { cleanupCerts, SIM_PASSWORD, SIM_USER, simCerts, startTlsSim } from '../helpers/sim';
import { type Azurite, startAzurite } from '../state/azurite';
import { Worker } from './workers';

// Worker processes of one function app share one storage account (Azurite) and one database (the
// simulator, whose gateway closes a session idle for 3 s with a FIN, as Azure SQL's does at 30 min).
// The lease is scaled to seconds: 10 s, renewed every second (a loaded CI machine may stall a process for seconds). No assertion reads a clock: each test
// drives ticks and checks what they reported, and in which order.
const IDLE_KILL_MS = 3000;
const IDLE = { holder: { ttlMs: 10_000, renewMs: 1000 }, slackMs: 50 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let sim: Simulator;
let azurite: Azurite;
let dir: string;
const workers: Worker[] = [];

beforeAll(async () => {
  [sim, azurite] = await Promise.all([startTlsSim({ idleTimeoutMs: IDLE_KILL_MS, idleClose: 'fin' }), startAzurite()]);
  dir = mkdtempSync(join(tmpdir(), 'sqlprobe-holder-'));
}, 30_000);

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.kill()));
});

afterAll(async () => {
  await Promise.all([sim?.stop(), azurite?.stop()]);
  rmSync(dir, { recursive: true, force: true });
  cleanupCerts();
});

/** The app settings of one region: its own lease row, journal partition and runs. */
function appSettings(region: string, probes: string[]): (name: string) => Record<string, string> {
  const targets = [{
    name: 'orders', server: '127.0.0.1', port: sim.gatewayPort, database: 'appdb', caFile: simCerts().caFile, probes,
    auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' },
    idle: { rungs: ['1s', '5s'], keepalive: ['on', 'off'], cohortEvery: '1h', useTimeout: '2s' },
  }];
  return (name) => ({
    SQLPROBE_REGION: region, SQLPROBE_PROBE_TIMEOUT: '5s', SIM_PASSWORD, AzureWebJobsStorage: azurite.connectionString,
    SQLPROBE_TARGETS: JSON.stringify(targets), SQLPROBE_RESULTS_FILE: join(dir, `${region}-${name}.jsonl`),
  });
}

async function start(settings: (name: string) => Record<string, string>, ...names: string[]): Promise<Worker[]> {
  const started = await Promise.all(names.map((n) => Worker.start(settings(n), IDLE)));
  workers.push(...started);
  return started;
}

const outcomesOf = (results: ProbeResult[]): ConnectionOutcome[] => results.flatMap((r) => r.idle?.outcomes ?? []);
const cells = (outcomes: ConnectionOutcome[]) => outcomes.map((o) => `${o.rungMs}/${o.keepalive}`).sort();
const LADDER = ['1000/off', '1000/on', '5000/off', '5000/on'];
const short = (w: Worker) => w.id.slice(0, 8);

describe('one idle holder per region, across worker processes', () => {
  it('ticks alternating between two processes for a whole ladder: one outcome per cell, none host-recycled, the verdict right', async () => {
    const [a, b] = await start(appSettings(`alt-${randomUUID().slice(0, 6)}`, ['idle']), 'a', 'b');
    const lines: string[] = [];
    for (let i = 0; i < 60 && outcomesOf(a.results()).length < 4; i++) {
      for (const w of [a, b]) lines.push(...(await w.tick()).lines.map((l) => `${w === a ? 'a' : 'b'} ${l}`));
      await sleep(250);
    }
    const outcomes = outcomesOf(a.results());
    expect(cells(outcomes)).toEqual(LADDER);
    expect(outcomes.filter((o) => o.outcome === 'inconclusive')).toEqual([]);
    expect(outcomes.filter((o) => o.rungMs === 1000).map((o) => o.outcome)).toEqual(['survived', 'survived']);
    expect(outcomes.filter((o) => o.rungMs === 5000).map((o) => o.outcome)).toEqual(['closed-by-peer', 'closed-by-peer']);
    expect(a.results().at(-1)?.idle?.verdict.kind).toBe('gateway-idle-kill');
    // B ran every other tick and did nothing for idle, saying who holds the lease.
    expect(b.results()).toEqual([]);
    const bLines = lines.filter((l) => l.startsWith('b '));
    expect(bLines.length).toBeGreaterThanOrEqual(3);
    expect(bLines.every((l) => l.includes(`nothing to do here: process ${short(a)} holds the idle lease`))).toBe(true);
    expect(lines[0]).toMatch(new RegExp(`^a information: sqlprobe: idle tick: this process \\(${short(a)}\\) now holds the idle lease`));
  }, 90_000);

  it('kill -9 of the holder mid-ladder: the other takes over after the lease expires, reports the open cells host-recycled once, and completes the next ladder', async () => {
    const [a, b] = await start(appSettings(`kill-${randomUUID().slice(0, 6)}`, ['idle']), 'a', 'b');
    expect((await a.tick()).held).toBe(4);
    // Mid-ladder: the 1 s rung settled, the 5 s rung still open.
    for (let i = 0; i < 40 && outcomesOf(a.results()).length < 2; i++) {
      await sleep(250);
      await a.tick();
    }
    const settled = outcomesOf(a.results());
    expect(cells(settled)).toEqual(['1000/off', '1000/on']);
    const cohort = settled[0].cohort;
    await a.kill();

    const lines: string[] = [];
    for (let i = 0; i < 80 && !lines.some((l) => l.includes('now holds the idle lease')); i++) {
      lines.push(...(await b.tick()).lines);
      await sleep(250);
    }
    // Refused while the dead holder's lease ran, then taken over once it expired.
    expect(lines[0]).toContain(`nothing to do here: process ${short(a)} holds the idle lease`);
    expect(lines.filter((l) => l.includes('now holds the idle lease'))).toEqual([expect.stringContaining(`this process (${short(b)}) now holds the idle lease for region kill-`)]);
    expect(lines.at(-1)).toMatch(new RegExp(`^information: sqlprobe: idle tick reported 1 result|after process ${short(a)}`));

    for (let i = 0; i < 60 && outcomesOf(b.results()).filter((o) => o.cohort !== cohort).length < 4; i++) {
      await sleep(250);
      await b.tick();
    }
    const reported = outcomesOf(b.results());
    const recycled = reported.filter((o) => o.reason === 'host-recycled');
    expect(recycled.map((o) => [o.cohort, o.rungMs, o.keepalive, o.outcome])).toEqual([[cohort, 5000, 'on', 'inconclusive'], [cohort, 5000, 'off', 'inconclusive']]);
    // Its own ladder: one outcome per cell, the verdict right (the dead holder's cells count for nothing).
    const own = reported.filter((o) => o.cohort !== cohort);
    expect(cells(own)).toEqual(LADDER);
    expect(own.filter((o) => o.rungMs === 5000).map((o) => o.outcome)).toEqual(['closed-by-peer', 'closed-by-peer']);
    expect(b.results().at(-1)?.idle?.verdict.kind).toBe('gateway-idle-kill');
    // Later ticks report nothing more of the dead holder.
    await b.tick();
    expect(outcomesOf(b.results()).filter((o) => o.reason === 'host-recycled')).toHaveLength(2);
  }, 120_000);

  it('a clean stop releases the lease: the other process takes over at its very next tick and reports the open cells host-recycled once', async () => {
    const [a, b] = await start(appSettings(`stop-${randomUUID().slice(0, 6)}`, ['idle']), 'a', 'b');
    expect((await a.tick()).held).toBe(4);
    expect((await b.tick()).lines).toEqual([expect.stringContaining(`nothing to do here: process ${short(a)} holds the idle lease`)]);
    await a.stop();
    const took = await b.tick();
    expect(took.lines[0]).toMatch(new RegExp(`this process \\(${short(b)}\\) now holds the idle lease for region stop-.*, after process ${short(a)} \\(last heartbeat `));
    expect(took.held).toBe(4);
    const recycled = outcomesOf(b.results()).filter((o) => o.reason === 'host-recycled');
    expect(cells(recycled)).toEqual(LADDER);
    await b.tick();
    expect(outcomesOf(b.results()).filter((o) => o.reason === 'host-recycled')).toHaveLength(4);
  }, 90_000);

  it('an HTTP idle run posted to one process while the other holds the lease completes on the holder and is read back through the first; a DELETE cancels a running one', async () => {
    const [a, b] = await start(appSettings(`http-${randomUUID().slice(0, 6)}`, ['tcp']), 'a', 'b');
    expect((await b.tick()).holds).toBe(true);

    const posted = await a.post({ target: 'orders' });
    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({ status: 'pending', expected: 4 });
    const id = posted.body.id;
    expect((await a.tick()).lines).toEqual([expect.stringContaining(`nothing to do here: process ${short(b)} holds the idle lease`)]);
    expect((await a.get(id)).body.status).toBe('pending');

    let run = (await a.get(id)).body;
    for (let i = 0; i < 60 && run.status !== 'completed'; i++) {
      await b.tick();
      run = (await a.get(id)).body;
      await sleep(250);
    }
    expect(run.status).toBe('completed');
    expect(run.holder?.startsWith(`${b.id}/`)).toBe(true);
    expect(cells(run.outcomes)).toEqual(LADDER);
    expect(run.outcomes.filter((o) => o.rungMs === 5000).map((o) => o.outcome)).toEqual(['closed-by-peer', 'closed-by-peer']);
    expect(run.verdict?.kind).toBe('gateway-idle-kill');

    const long = (await a.post({ target: 'orders', rungs: ['1m'] })).body;
    const before = sim.sessions().length;
    expect((await b.tick()).held).toBe(2);
    expect((await a.get(long.id)).body).toMatchObject({ status: 'running' });
    expect(sim.sessions().length).toBe(before + 2);
    const cancelled = await a.delete(long.id);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', closing: true });
    expect(cancelled.body.outcomes.map((o) => [o.keepalive, o.outcome, o.reason])).toEqual([['on', 'inconclusive', 'cancelled'], ['off', 'inconclusive', 'cancelled']]);
    expect((await b.tick()).held).toBe(0);
    expect((await a.get(long.id)).body).toMatchObject({ status: 'cancelled', closing: false, outcomes: cancelled.body.outcomes });
    for (let i = 0; i < 40 && sim.sessions().length > before; i++) await sleep(50);
    expect(sim.sessions().length).toBe(before);
  }, 120_000);
});
