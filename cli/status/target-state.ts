import type { Target } from '../../shared/config';
import { type ConnectionOutcome, IDLE_OUTCOMES, type IdleDetails, type ProbeName, type ProbeResult, type VerdictChange } from '../../shared/contract';
import type { LatencySample, SurvivalCell, TargetStatus } from './schema';

/** The latency chart's window, and a cap on its samples for schedules faster than one per 10 s. */
export const LATENCY_WINDOW_MS = 60 * 60_000;
export const MAX_LATENCY_SAMPLES = 360;
/** Verdict changes kept per target: the latest ones are what a reader acts on. */
export const MAX_VERDICT_CHANGES = 20;
/** Cells beyond the configured ladder (rungs given elsewhere) are kept up to this many. */
export const MAX_SURVIVAL_CELLS = 64;

/** The probe whose phases the waterfall and the latency chart show: the one with the most of them that the target runs. */
const LATENCY_PROBES: readonly ProbeName[] = ['login', 'tls', 'tcp', 'dns'];

const cellKey = (rungMs: number, keepalive: string) => `${rungMs}/${keepalive}`;
/** A chart needs no more than a tenth of a millisecond; the results themselves keep full precision. */
const tenths = (ms: number) => Math.round(ms * 10) / 10;
const emptyCounts = () => Object.fromEntries(IDLE_OUTCOMES.map((o) => [o, 0])) as SurvivalCell['counts'];

/** The verdict reads the latest conclusive outcome of a cell; an inconclusive one shows only until there is one. */
const replaces = (next: ConnectionOutcome, current: ConnectionOutcome | undefined) =>
  next.outcome !== 'inconclusive' || current === undefined || current.outcome === 'inconclusive';

/**
 * What the status page knows of one target, from its results as they arrive. Memory is bounded:
 * one result per probe, the latency samples of the last hour (at most MAX_LATENCY_SAMPLES), one
 * cell per rung and keepalive variant, and the last MAX_VERDICT_CHANGES verdict changes.
 */
export class TargetState {
  private readonly latest = new Map<ProbeName, ProbeResult>();
  private readonly samples: LatencySample[] = [];
  private readonly cells = new Map<string, SurvivalCell>();
  private readonly changes: TargetStatus['verdictChanges'] = [];
  private readonly probes: ProbeName[];
  private readonly expectedPolicy: TargetStatus['expectedPolicy'];
  private readonly expectedCells: number;
  private idle?: { details: IdleDetails; at: string; settled: number };

  constructor(
    private readonly target: Pick<Target, 'name' | 'server' | 'port'> & Partial<Pick<Target, 'probes' | 'idle' | 'expect'>>,
    private readonly region: string,
  ) {
    this.probes = [...(target.probes ?? [])];
    this.expectedPolicy = target.expect?.policy;
    const ladder = this.probes.includes('idle') && target.idle ? target.idle : undefined;
    for (const rungMs of [...(ladder?.rungs ?? [])].sort((a, b) => a - b)) {
      for (const keepalive of ladder?.keepalive ?? []) this.cells.set(cellKey(rungMs, keepalive), { rungMs, keepalive, counts: emptyCounts() });
    }
    this.expectedCells = this.cells.size;
  }

  private get latencyProbe(): ProbeName | undefined {
    return LATENCY_PROBES.find((p) => this.probes.includes(p));
  }

  record(result: ProbeResult, now: number): void {
    if (!this.probes.includes(result.probe)) this.probes.push(result.probe);
    this.latest.set(result.probe, result);
    if (result.probe === this.latencyProbe) this.addSample(result, now);
    if (result.idle) this.addIdle(result.idle, result.startedAt);
  }

  recordVerdictChange(change: VerdictChange, at: string): void {
    this.changes.push({ ...change, at });
    this.changes.splice(0, this.changes.length - MAX_VERDICT_CHANGES);
  }

  private addSample(result: ProbeResult, now: number): void {
    this.samples.push({
      at: result.startedAt,
      success: result.success,
      durationMs: tenths(result.durationMs),
      phases: Object.fromEntries(result.phases.map((p) => [p.name, tenths(p.durationMs)])),
    });
    this.prune(now);
  }

  private prune(now: number): void {
    const old = this.samples.findIndex((s) => now - Date.parse(s.at) <= LATENCY_WINDOW_MS);
    this.samples.splice(0, Math.max(old < 0 ? this.samples.length : old, this.samples.length - MAX_LATENCY_SAMPLES));
  }

  private addIdle(details: IdleDetails, at: string): void {
    for (const o of details.outcomes) {
      const key = cellKey(o.rungMs, o.keepalive);
      let cell = this.cells.get(key);
      if (!cell && this.cells.size < MAX_SURVIVAL_CELLS) this.cells.set(key, (cell = { rungMs: o.rungMs, keepalive: o.keepalive, counts: emptyCounts() }));
      if (!cell) continue;
      cell.counts[o.outcome] += 1;
      if (replaces(o, cell.latest)) cell.latest = o;
    }
    this.idle = { details, at, settled: (this.idle?.settled ?? 0) + details.outcomes.length };
  }

  snapshot(now: number): TargetStatus {
    this.prune(now);
    const latest = this.probes.flatMap((p) => this.latest.get(p) ?? []);
    const probe = this.latencyProbe;
    const last = probe && this.latest.get(probe);
    // A stable sort: within a rung, the variants keep the ladder's order.
    const cells = [...this.cells.values()].sort((a, b) => a.rungMs - b.rungMs);
    return {
      name: this.target.name,
      server: this.target.server,
      port: this.target.port,
      region: latest[0]?.region ?? this.region,
      probes: [...this.probes],
      ...(this.expectedPolicy ? { expectedPolicy: this.expectedPolicy } : {}),
      latest,
      ...(last ? {
        waterfall: {
          probe: last.probe, at: last.startedAt, success: last.success, durationMs: last.durationMs, phases: last.phases,
          ...(last.error && !last.success ? { failedPhase: last.error.phase } : {}),
        },
      } : {}),
      ...(probe ? { latency: { probe, windowMs: LATENCY_WINDOW_MS, samples: [...this.samples] } } : {}),
      ...(cells.length || this.idle ? {
        idle: {
          cells: structuredClone(cells),
          settled: this.idle?.settled ?? 0,
          expected: this.expectedCells,
          held: this.idle?.details.held ?? 0,
          ...(this.idle ? { verdict: this.idle.details.verdict, updatedAt: this.idle.at } : {}),
        },
      } : {}),
      verdictChanges: [...this.changes],
    };
  }
}
