import { randomUUID } from 'node:crypto';
import type { Target } from '../config';
import type { ConnectionOutcome, ProbeResult, Verdict } from '../contract';
import type { ProbeOptions } from '../probers';
import { type Cell, Cohort, type CohortPlan, idlePlan, poolPlan } from './cohort';
import { type HeldSession, openHeldSession } from './held-connection';
import { idleResult, poolDetails, poolResult, recorderFor } from './results';
import { verdictFor } from './verdict';

/** What outlives a recycled host about a cohort: enough to report its open cells as inconclusive. */
export interface JournalEntry {
  cohort: string;
  target: string;
  kind: 'idle' | 'pool';
  /** The process (registry generation) that holds the connections. */
  generation: string;
  pending: Cell[];
  runId?: string;
}

/**
 * Where the registry notes its open cohorts. In memory by default (a CLI or a test); a deployment
 * passes one backed by the app's storage so a recycled host finds what its predecessor held.
 */
export interface CohortJournal {
  save(entry: JournalEntry): Promise<void>;
  remove(cohort: string): Promise<void>;
  list(target: string): Promise<JournalEntry[]>;
}

export class MemoryJournal implements CohortJournal {
  private readonly entries = new Map<string, JournalEntry>();

  async save(entry: JournalEntry): Promise<void> {
    this.entries.set(entry.cohort, structuredClone(entry));
  }

  async remove(cohort: string): Promise<void> {
    this.entries.delete(cohort);
  }

  async list(target: string): Promise<JournalEntry[]> {
    return [...this.entries.values()].filter((e) => e.target === target).map((e) => structuredClone(e));
  }
}

export type OpenSessionFor = (target: Target, options: ProbeOptions, signal: AbortSignal) => Promise<HeldSession>;

export interface IdleRegistryOptions {
  /** Opens one logged-in connection to a target; the login prober's opener by default. */
  open?: OpenSessionFor;
  /** SQLPROBE_MAX_HELD_CONNECTIONS: held connections across all targets. */
  maxHeld?: number;
  /** The registry's clock in ms; a bench or test may scale it. Date.now by default. */
  clock?: () => number;
  journal?: CohortJournal;
  /** A rung due within this many ms is checked by the current tick rather than the next one. */
  slackMs?: number;
}

export interface RunStatus {
  id: string;
  target: string;
  status: 'running' | 'completed';
  /** How many outcomes the run will settle in all. */
  expected: number;
  outcomes: ConnectionOutcome[];
  verdict: Verdict;
}

interface TargetState {
  cohorts: Cohort[];
  lastOpened: Partial<Record<'idle' | 'pool', number>>;
  /** The latest conclusive outcome per rung and keepalive variant: what the verdict reads. */
  latest: Map<string, ConnectionOutcome>;
  /** Serialises the ticks of one target (the timer and a round may overlap). */
  busy: Promise<unknown>;
}

const cellKey = (o: Cell) => `${o.rungMs}:${o.keepalive}`;

/**
 * The connections held across invocations, in the worker process. Each tick checks the rungs that
 * are due and opens the cohorts that are due, so a tick bills milliseconds while a connection idles
 * for half an hour. Cohorts a predecessor process held come back as inconclusive, never as failures.
 */
export class IdleRegistry {
  private generation = randomUUID();
  private readonly states = new Map<string, TargetState>();
  private readonly runs = new Map<string, { target: string; cohort?: Cohort; expected: number; outcomes: ConnectionOutcome[] }>();
  private readonly clock: () => number;
  private readonly journal: CohortJournal;
  private readonly slackMs: number;

  private readonly open: OpenSessionFor;

  constructor(private readonly options: IdleRegistryOptions = {}) {
    this.open = options.open ?? openHeldSession;
    this.clock = options.clock ?? Date.now;
    this.journal = options.journal ?? new MemoryJournal();
    this.slackMs = options.slackMs ?? 2000;
  }

  private state(target: string): TargetState {
    let s = this.states.get(target);
    if (!s) this.states.set(target, (s = { cohorts: [], lastOpened: {}, latest: new Map(), busy: Promise.resolve() }));
    return s;
  }

  private serially<T>(target: string, work: () => Promise<T>): Promise<T> {
    const s = this.state(target);
    const next = s.busy.then(work, work);
    s.busy = next.catch(() => undefined);
    return next;
  }

  /** Connections held for one target, or in all. */
  held(target?: string): number {
    const states = target ? [this.states.get(target)] : [...this.states.values()];
    return states.reduce((n, s) => n + (s?.cohorts.reduce((m, c) => m + c.held, 0) ?? 0), 0);
  }

  /** The verdict from the latest conclusive outcomes this process has for a target. */
  verdict(target: string): Verdict {
    return verdictFor([...this.state(target).latest.values()]);
  }

  /** The held-mode `idle` prober: settle what is due for this target, open a cohort if one is due. */
  idle(target: Target, options: ProbeOptions, signal: AbortSignal): Promise<ProbeResult> {
    return this.idleTick(target, options, signal, true);
  }

  /** With `schedule` false only the due rungs are checked (a target that is here for an async run only). */
  private idleTick(target: Target, options: ProbeOptions, signal: AbortSignal, schedule: boolean): Promise<ProbeResult> {
    return this.serially(target.name, async () => {
      const rec = recorderFor(target, 'idle', options);
      const outcomes = [...(await this.recycled(target.name, 'idle')), ...(await this.checkDue(target, 'idle', options, signal))];
      const due = schedule && this.clock() - (this.state(target.name).lastOpened.idle ?? -Infinity) >= target.idle.cohortEvery;
      const opened = due ? await this.openCohort(target, options, signal, idlePlan(target, this.clock())) : undefined;
      outcomes.push(...(opened?.cohort?.entries.flatMap((e) => (e.outcome ? [e.outcome] : [])) ?? []));
      const details = {
        mode: 'held' as const,
        outcomes,
        held: this.held(target.name),
        ...(opened?.capped ? { capped: true } : {}),
        verdict: this.verdict(target.name),
      };
      return idleResult(rec, details, opened?.cohort?.openError);
    });
  }

  /** The held-mode `pool` prober: one pool at a time, borrowed in full once it has idled long enough. */
  pool(target: Target, options: ProbeOptions, signal: AbortSignal): Promise<ProbeResult> {
    return this.serially(target.name, async () => {
      const rec = recorderFor(target, 'pool', options);
      const outcomes = [...(await this.recycled(target.name, 'pool')), ...(await this.checkDue(target, 'pool', options, signal))];
      const holding = this.state(target.name).cohorts.some((c) => c.plan.kind === 'pool');
      // The next pool opens on the tick after a borrow, so a failed open never hides the borrow's result.
      const opened = holding || outcomes.length > 0 ? undefined : await this.openCohort(target, options, signal, poolPlan(target, this.clock()));
      return poolResult(rec, outcomes.length > 0 ? poolDetails(outcomes) : undefined, opened?.cohort?.openError);
    });
  }

  /**
   * One timer tick over the configured targets: runs the idle and pool probers of the targets that
   * list them (and checks the rungs of async runs). Returns only results that settled something or
   * failed, so a quiet tick sends no telemetry.
   */
  async tick(targets: readonly Target[], options: ProbeOptions, signal: AbortSignal = new AbortController().signal): Promise<ProbeResult[]> {
    const results = await Promise.all(targets.flatMap((t) => {
      // A run still opening counts too: its tick waits for the open, then checks what is due.
      const runsHeld = [...this.runs.values()].some((r) => r.target === t.name && r.outcomes.length < r.expected);
      return [
        ...(t.probes.includes('idle') || runsHeld ? [this.idleTick(t, options, signal, t.probes.includes('idle'))] : []),
        ...(t.probes.includes('pool') ? [this.pool(t, options, signal)] : []),
      ];
    }));
    return results.filter((r) => !r.success || (r.idle?.outcomes.length ?? 0) > 0 || r.pool !== undefined);
  }

  /**
   * Starts an on-demand ladder (the HTTP trigger's async idle run); `status(id)` follows it. The
   * caller may choose the id, so it can save the run's record before any connection opens.
   */
  startRun(target: Target, options: ProbeOptions, rungs: readonly number[] = target.idle.rungs, id: string = randomUUID()): string {
    const plan = { ...idlePlan(target, this.clock(), rungs), runId: id };
    const run = { target: target.name, expected: plan.cells.length, outcomes: [] as ConnectionOutcome[], cohort: undefined as Cohort | undefined };
    this.runs.set(id, run);
    this.serially(target.name, async () => {
      const opened = await this.openCohort(target, options, new AbortController().signal, plan);
      run.cohort = opened.cohort;
      if (!opened.cohort) run.outcomes.push(...plan.cells.map((c) => ({ cohort: id, ...c, outcome: 'inconclusive' as const, reason: 'open-failed' as const, error: 'the cap on held connections is reached' })));
      else run.outcomes.push(...opened.cohort.entries.flatMap((e) => (e.outcome ? [e.outcome] : [])));
    });
    return id;
  }

  status(id: string): RunStatus | undefined {
    const run = this.runs.get(id);
    if (!run) return undefined;
    const status = run.outcomes.length >= run.expected ? 'completed' : 'running';
    return { id, target: run.target, status, expected: run.expected, outcomes: [...run.outcomes], verdict: verdictFor(run.outcomes) };
  }

  /**
   * Forgets every held connection as a recycled host would (they are closed, their outcomes never
   * settle). The journal stays, so the next tick reports those cohorts as inconclusive.
   */
  reset(): void {
    for (const s of this.states.values()) for (const c of s.cohorts) for (const e of c.entries) e.held?.close();
    this.states.clear();
    this.runs.clear();
    this.generation = randomUUID();
  }

  /** Closes everything and forgets the journal's entries for it (a clean shutdown). */
  async close(): Promise<void> {
    const cohorts = [...this.states.values()].flatMap((s) => s.cohorts);
    this.reset();
    await Promise.all(cohorts.map((c) => this.journal.remove(c.id)));
  }

  private fits(target: Target, size: number): boolean {
    return this.held(target.name) + size <= target.idle.maxHeld && this.held() + size <= (this.options.maxHeld ?? Infinity);
  }

  private async openCohort(target: Target, options: ProbeOptions, signal: AbortSignal, plan: CohortPlan): Promise<{ cohort?: Cohort; capped?: boolean }> {
    const s = this.state(target.name);
    if (!this.fits(target, plan.cells.length)) return { capped: true };
    const cohort = new Cohort({ ...plan, openedAt: this.clock() }, this.clock);
    s.cohorts.push(cohort);
    await cohort.open((sig) => this.open(target, options, sig), signal);
    // Only a scheduled cohort that holds something sets the schedule; a failed open is retried next tick.
    if (!plan.runId && cohort.held > 0) s.lastOpened[plan.kind] = cohort.plan.openedAt;
    await this.settled(target.name, cohort);
    return { cohort };
  }

  /** Checks the due rungs of every cohort of this kind the target holds. */
  private async checkDue(target: Target, kind: 'idle' | 'pool', options: ProbeOptions, signal: AbortSignal): Promise<ConnectionOutcome[]> {
    const cohorts = this.state(target.name).cohorts.filter((c) => c.plan.kind === kind);
    const settled = await Promise.all(cohorts.map(async (c) => {
      const outcomes = await c.checkDue(this.clock(), this.slackMs, target.expect.query, target.idle.useTimeout, (sig) => this.open(target, options, sig), signal);
      if (outcomes.length > 0) await this.settled(target.name, c, outcomes);
      return outcomes;
    }));
    return settled.flat();
  }

  /** Books a cohort's progress: latest outcomes, its run, the journal, and drops it once settled. */
  private async settled(target: string, cohort: Cohort, outcomes: ConnectionOutcome[] = []): Promise<void> {
    const s = this.state(target);
    if (cohort.plan.kind === 'idle') for (const o of outcomes) if (o.outcome !== 'inconclusive') s.latest.set(cellKey(o), o);
    if (cohort.plan.runId) this.runs.get(cohort.plan.runId)?.outcomes.push(...outcomes);
    if (cohort.settled) {
      s.cohorts = s.cohorts.filter((c) => c !== cohort);
      await this.journal.remove(cohort.id);
    } else {
      await this.journal.save({ cohort: cohort.id, target, kind: cohort.plan.kind, generation: this.generation, pending: cohort.pending, ...(cohort.plan.runId ? { runId: cohort.plan.runId } : {}) });
    }
  }

  /** Cohorts a predecessor process held for this target: every cell it never settled is inconclusive. */
  private async recycled(target: string, kind: 'idle' | 'pool'): Promise<ConnectionOutcome[]> {
    const stale = (await this.journal.list(target)).filter((e) => e.kind === kind && e.generation !== this.generation);
    await Promise.all(stale.map((e) => this.journal.remove(e.cohort)));
    return stale.flatMap((e) => e.pending.map((cell) => ({ cohort: e.cohort, ...cell, outcome: 'inconclusive' as const, reason: 'host-recycled' as const })));
  }
}
