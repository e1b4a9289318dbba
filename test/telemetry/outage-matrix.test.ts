import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeResult, VerdictChange } from '../../shared/contract';
import { METRICS } from '../../shared/telemetry';
import { idleTick, loginFailure, loginSuccess, poolRun } from '../helpers/results';
import { describeIfAble } from '../helpers/strict-ci';
import { delivered, heldInQueue } from './held';
import { outageWorld } from './outage-world';
import { LOST_ANSWER, OUTAGE_SHAPES, type OutageShape } from './shapes';
import { PrivateHosts, TelemetryProcess } from './telemetry-process';

// Each shape: a process built like the function app, an outage, a flush (the invocation's bound),
// then recovery and the next invocation's flushes.
jest.setTimeout(120_000);

const INGEST_HOST = 'ingest.sqlprobe.test';

const { breeze, storage, appSettings } = outageWorld();

const verdict = (target: string): VerdictChange => ({ target, region: 'westeurope', verdict: 'nat-idle-drop', previous: 'no-idle-kill', recommendation: 'Keep TCP keepalive on, at or below 180 s.' });

/** A distinct Application Insights resource per shape, so each has its own outbox queue. */
const ikey = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

async function expectShapeRecovers(shape: OutageShape, n: number): Promise<void> {
  breeze.envelopes.length = 0;
  const hosts = shape.outside === 'dns' ? new PrivateHosts(INGEST_HOST) : undefined;
  const offline = mkdtempSync(join(tmpdir(), 'sqlprobe-matrix-'));
  const telemetry = await TelemetryProcess.start(appSettings(ikey(n), offline, hosts ? INGEST_HOST : undefined), hosts);
  try {
    // A warm instance: the first flush loads the distro, which on a busy machine takes seconds of the bound.
    expect((await telemetry.flush()).ok).toBe(true);
    // The outage.
    breeze.fault = shape.fault;
    if (shape.outside === 'refused') await breeze.stop();
    const during: ProbeResult[] = [loginSuccess(), loginFailure(), idleTick(), poolRun()];
    const changes = [verdict(`t${n}`)];
    await telemetry.record(during, changes);
    const outage = await telemetry.flush();
    expect(outage.ok).toBe(true);
    expect(await heldInQueue(storage(), ikey(n))).toBeGreaterThan(0);
    expect(outage.warnings.join('\n')).toMatch(/ingestion did not take \d+ item\(s\) \(.*\); they are kept in storage queue/);
    expect(outage.warnings.join('\n')).toMatch(shape.reason);
    const through = delivered(breeze, during).filter((c) => c.count > 0).length;
    expect(through).toBe({ half: during.length / 2, all: during.length, none: 0 }[shape.takes ?? 'none']);

    // Recovery: the next invocation sends its own results and everything held.
    breeze.fault = undefined;
    if (shape.outside === 'refused') await breeze.start();
    hosts?.resolve(true);
    const after = [loginSuccess({ target: `after-${n}` })];
    await telemetry.record(after);
    for (let i = 0; i < 10 && (i === 0 || (await heldInQueue(storage(), ikey(n))) > 0); i++) {
      // A 429's Retry-After holds re-sending back for its length; the next flush then sends.
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await telemetry.flush()).ok).toBe(true);
    }

    const all = [...during, ...after];
    const copies = delivered(breeze, all);
    expect(copies.filter((c) => c.count < 1)).toEqual([]);
    expect(copies.filter((c) => c.count > (shape.copies ?? 1))).toEqual([]);
    if (shape.copies === undefined) {
      // Every metric recorded during the outage, once: the counts add up to what was recorded.
      expect(breeze.metricSum(METRICS.probeResult, 'value')).toBe(all.length);
      expect(breeze.metricSum(METRICS.phaseDuration, 'count')).toBe(all.reduce((n, r) => n + r.phases.length, 0));
      expect(breeze.of('EventData').filter((e) => e.data.baseData.properties?.target === `t${n}`)).toHaveLength(1);
    }
    expect(await heldInQueue(storage(), ikey(n))).toBe(0);
    // Nothing fell back to the instance's disk: the storage queue took it all.
    expect((readdirSync(offline, { recursive: true }) as string[]).filter((f) => f.endsWith('.gz'))).toEqual([]);
  } finally {
    breeze.fault = undefined;
    await telemetry.shutdown();
    await breeze.start();
    hosts?.remove();
    rmSync(offline, { recursive: true, force: true });
  }
}

// A private /etc/hosts needs root: without it the DNS shape skips on a developer's machine and fails in CI.
const dnsMissing = process.getuid?.() === 0 ? undefined : 'a private /etc/hosts for the ingestion host needs root';

describe('every outage shape loses nothing, and each item arrives exactly once after recovery', () => {
  const rows = OUTAGE_SHAPES.map((shape, i) => [shape.name, shape, i + 1] as const);
  test.each(rows.filter(([, shape]) => shape.outside !== 'dns'))('%s', (_name, shape, n) => expectShapeRecovers(shape, n));
  describeIfAble('outside the server, in DNS', dnsMissing, () => {
    test.each(rows.filter(([, shape]) => shape.outside === 'dns'))('%s', (_name, shape, n) => expectShapeRecovers(shape, n));
  });
});

test('the bound on duplicates: a post ingestion took but whose answer was lost arrives at most twice', async () => {
  await expectShapeRecovers(LOST_ANSWER, 99);
});
