import { randomUUID } from 'node:crypto';
import type { Target } from '../config';
import type { ConnectionOutcome, ProbeResult, Verdict } from '../contract';
import type { ProbeOptions } from '../probers';
import { type Cell, Cohort, type CohortPlan, idlePlan, poolPlan } from './cohort';
import { type HeldSession, openHeldSession } from './held-connection';
import { Holder, holderTimings, type HolderTimings, NotHolder, type Standing, tenureOf } from './holder';
import { Orphans } from './orphans';
import { type CohortJournal, type JournalEntry, MemoryJournal } from './journal';
import { type HolderLease, type LeaseRecord, MemoryLease } from './lease';
import { idleResult, poolDetails, poolResult, recorderFor } from './results';
import { type HeldRun, RunBook, runRetention, type RunRetention, type RunStatus } from './runs';
import { verdictFor } from './verdict';

export type OpenSessionFor = (target: Target, options: ProbeOptions, signal: AbortSignal) => Promise<HeldSession>;

export interface IdleRegistryOptions {
  /** Opens one logged-in connection to a target; the login prober's opener by default. */
  open?: OpenSessionFor;
  /** SQLPROBE_MAX_HELD_CONNECTIONS: held connections across all targets. */
  maxHeld?: number;
  /** The registry's clock in ms; a bench or test may scale it. Date.now by default. */
  clock?: () => number;
  journal?: CohortJournal;
  /** Who holds the region's idle connections; in memory by default (one process, always the holder). */
  lease?: HolderLease;
  /** The lease's length and renewal interval; tests scale them to seconds. */
  holder?: Partial<HolderTimings>;
  /** How long finished on-demand runs stay in memory. */
  runs?: Partial<RunRetention>;
  /** A rung due within this many ms is checked by the current tick rather than the next one. */
  slackMs?: number;
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

type Kind = 'idle' | 'pool';

/**
 * The connections held across invocations, in the worker process that holds the region's idle
 * lease. Each tick renews the lease, checks the rungs that are due and opens the cohorts that are
 * due, so a tick bills milliseconds while a connection idles for half an hour. A tick in any other
 * process does nothing. Cohorts a dead holder left come back once as inconclusive, never as failures.
 */
export class IdleRegistry {
  private generation = randomUUID();
  private readonly states = new Map<string, TargetState>();
  private readonly runs: RunBook;
  private readonly orphans: Orphans;
  /** The lease term whose journal sweep is done. */
  private sweptTerm?: number;
  private readonly clock: () => number;
  private readonly journal: CohortJournal;
  private readonly lease: HolderLease;
  private readonly holder: Holder;
  private readonly slackMs: number;
  private readonly open: OpenSessionFor;

  constructor(private readonly options: IdleRegistryOptions = {}) {
    this.open = options.open ?? openHeldSession;
    this.clock = options.clock ?? Date.now;
    this.journal = options.journal ?? new MemoryJournal();
    this.orphans = new Orphans(this.journal);
    this.lease = options.lease ?? new MemoryLease();
    this.holder = new Holder(this.lease, holderTimings(options.holder), () => this.generation, () => this.drop());
    this.runs = new RunBook(this.clock, runRetention(options.runs));
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

  /** This process's id in the lease and the journal. */
  get id(): string {
    return this.generation;
  }

  /** Where this process stood at its last claim of the lease: holder or not, and who holds it. */
  standing(): Standing {
    return this.holder.standing;
  }

  /** Whether this process holds the lease now (its last renewal still covers it), without asking storage. */
  holds(): boolean {
    return this.holder.holds();
  }

  /**
   * This process's current tenure as the holder (its id and lease term), which run records name;
   * undefined while it does not hold the lease.
   */
  tenureId(): string | undefined {
    const term = this.holder.standing.lease?.term;
    return this.holder.holds() && term !== undefined ? tenureOf(this.generation, term) : undefined;
  }

  /** Waits for the work queued on every target (cohorts still opening for runs just started). */
  async drain(): Promise<void> {
    await Promise.all([...this.states.values()].map((s) => s.busy));
  }

  /** The lease as stored: who holds the region's idle connections, and until when. */
  readLease(): Promise<LeaseRecord | undefined> {
    return this.lease.read();
  }

  /** Connections held for one target, or in all. */
  held(target?: string): number {
    const states = target ? [this.states.get(target)] : [...this.states.values()];
    return states.reduce((n, s) => n + (s?.cohorts.reduce((m, c) => m + c.held, 0) ?? 0), 0);
  }

  /** On-demand runs this process remembers: unfinished ones, and finished ones until they expire. */
  get runCount(): number {
    return this.runs.size;
  }

  /** The verdict from the latest conclusive outcomes this process has for a target. */
  verdict(target: string): Verdict {
    return verdictFor([...this.state(target).latest.values()]);
  }

  /**
   * Claims the lease (a renewal when this process holds it; with `ifNeeded`, only when its last
   * renewal no longer covers it) and, on a new tenure, takes over what dead holders left.
   */
  private async lead(ifNeeded = false): Promise<Standing> {
    const standing = ifNeeded && this.holder.holds() ? this.holder.standing : await this.holder.claim();
    const term = standing.lease?.term;
    if (standing.holder && term !== undefined && this.sweptTerm !== term) {
      // A new tenure: what other processes (or an earlier tenure of this one) left is a dead holder's.
      await this.orphans.sweep((e) => e.generation === this.generation && e.term === term);
      this.sweptTerm = term;
    }
    return standing;
  }

  private async ensureHeld(): Promise<void> {
    const standing = await this.lead(true);
    if (!standing.holder) throw new NotHolder(standing.lease);
  }

  /** The held-mode `idle` prober: settle what is due for this target, open a cohort if one is due. */
  async idle(target: Target, options: ProbeOptions, signal: AbortSignal): Promise<ProbeResult> {
    await this.ensureHeld();
    return this.idleTick(target, options, signal, true);
  }

  /** With `schedule` false only the due rungs are checked (a target that is here for an async run only). */
  private idleTick(target: Target, options: ProbeOptions, signal: AbortSignal, schedule: boolean): Promise<ProbeResult> {
    return this.serially(target.name, async () => {
      const rec = recorderFor(target, 'idle', options);
      const outcomes = [...this.orphans.take(target.name, 'idle'), ...(await this.checkDue(target, 'idle', options, signal))];
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
  async pool(target: Target, options: ProbeOptions, signal: AbortSignal): Promise<ProbeResult> {
    await this.ensureHeld();
    return this.poolTick(target, options, signal);
  }

  private poolTick(target: Target, options: ProbeOptions, signal: AbortSignal): Promise<ProbeResult> {
    return this.serially(target.name, async () => {
      const rec = recorderFor(target, 'pool', options);
      const outcomes = [...this.orphans.take(target.name, 'pool'), ...(await this.checkDue(target, 'pool', options, signal))];
      const holding = this.state(target.name).cohorts.some((c) => c.plan.kind === 'pool');
      // The next pool opens on the tick after a borrow, so a failed open never hides the borrow's result.
      const opened = holding || outcomes.length > 0 || !target.probes.includes('pool') ? undefined : await this.openCohort(target, options, signal, poolPlan(target, this.clock()));
      return poolResult(rec, outcomes.length > 0 ? poolDetails(outcomes) : undefined, opened?.cohort?.openError);
    });
  }

  /**
   * One timer tick over the configured targets. In the process that holds the idle lease (renewed
   * here) it runs the idle and pool probers of the targets that list them, checks the rungs of
   * on-demand runs, and reports what dead holders left; anywhere else it does nothing (`standing()`
   * says why). Returns only results that settled something or failed, so a quiet tick sends no
   * telemetry, and none whose tenure ended before they were reported.
   */
  async tick(targets: readonly Target[], options: ProbeOptions, signal: AbortSignal = new AbortController().signal): Promise<ProbeResult[]> {
    if (!(await this.lead()).holder) return [];
    const tenure = this.holder.tenure;
    this.runs.prune();
    const has = (t: Target, kind: Kind) => t.probes.includes(kind) || this.orphans.has(t.name, kind);
    const results = await Promise.all(targets.flatMap((t) => [
      // A run still opening counts too: its tick waits for the open, then checks what is due.
      ...(has(t, 'idle') || this.runs.holding(t.name) ? [this.idleTick(t, options, signal, t.probes.includes('idle'))] : []),
      ...(has(t, 'pool') ? [this.poolTick(t, options, signal)] : []),
    ]));
    if (!(await this.holder.confirm(tenure))) return [];
    return results.filter((r) => !r.success || (r.idle?.outcomes.length ?? 0) > 0 || r.pool !== undefined);
  }

  /**
   * Starts an on-demand ladder under `id` (the run's record in state storage) and answers once its
   * open is queued; `status(id)` follows it and later ticks check its rungs. Only the lease holder
   * starts one: a process whose renewal lapsed claims the lease first, and rejects with NotHolder
   * when another process holds it.
   */
  async startRun(target: Target, options: ProbeOptions, rungs: readonly number[] = target.idle.rungs, id: string = randomUUID()): Promise<string> {
    await this.ensureHeld();
    const plan = { ...idlePlan(target, this.clock(), rungs), runId: id };
    const run: HeldRun = { target: target.name, expected: plan.cells.length, outcomes: [] };
    this.runs.add(id, run);
    this.serially(target.name, async () => {
      if (this.runs.get(id) !== run || run.cancelled) return;
      const opened = await this.openCohort(target, options, new AbortController().signal, plan);
      if (!opened.cohort) {
        this.runs.record(id, plan.cells.map((c) => ({ cohort: id, ...c, outcome: 'inconclusive' as const, reason: 'open-failed' as const, error: 'the cap on held connections is reached' })));
        return;
      }
      this.runs.record(id, opened.cohort.entries.flatMap((e) => (e.outcome ? [e.outcome] : [])));
    }).catch(() => {
      // Only a journal write can fail here: the cohort is held and checked, and the entry is written at its next change.
    });
    return id;
  }

  /**
   * Cancels a run this process holds: its connections close, its unsettled cells settle as
   * inconclusive `cancelled`. False when this process does not hold the run.
   */
  async cancelRun(id: string): Promise<boolean> {
    const run = this.runs.cancel(id);
    if (!run) return false;
    // After any open still under way for the run, so nothing it opens stays held.
    await this.serially(run.target, async () => {
      const cohort = run.cohort;
      if (cohort && !cohort.settled) await this.settled(run.target, cohort, cohort.abandon('cancelled'));
    });
    return true;
  }

  status(id: string): RunStatus | undefined {
    return this.runs.status(id);
  }

  /**
   * Closes the connections of a tenure that ended without a release: another process took the lease,
   * or will, and reports the cells from the journal. Nothing is written or reported from here.
   */
  private drop(): void {
    for (const s of this.states.values()) for (const c of s.cohorts) for (const e of c.entries) e.held?.close();
    this.states.clear();
    this.orphans.clear();
    this.runs.dropUnfinished();
    this.sweptTerm = undefined;
  }

  /**
   * Forgets every held connection as a recycled host would (they are closed, their outcomes never
   * settle) and gives the lease up, so the next tick takes it at once, as a new process, and reports
   * those cohorts as inconclusive from the journal.
   */
  reset(): void {
    this.drop();
    this.runs.clear();
    // A release that fails leaves the lease to expire: the next holder takes over then instead of now.
    this.holder.release().catch(() => undefined);
    this.generation = randomUUID();
  }

  /**
   * A clean shutdown: closes every held connection and releases the lease, so the next holder takes
   * over at its next tick. The journal keeps the open cohorts: their cells were never measured, and
   * the next holder reports them once as `host-recycled`, as for any holder that went away.
   */
  async close(): Promise<void> {
    this.drop();
    this.runs.clear();
    await this.holder.release();
  }

  private fits(target: Target, size: number): boolean {
    return this.held(target.name) + size <= target.idle.maxHeld && this.held() + size <= (this.options.maxHeld ?? Infinity);
  }

  private async openCohort(target: Target, options: ProbeOptions, signal: AbortSignal, plan: CohortPlan): Promise<{ cohort?: Cohort; capped?: boolean }> {
    const s = this.state(target.name);
    if (!this.fits(target, plan.cells.length)) return { capped: true };
    const cohort = new Cohort({ ...plan, openedAt: this.clock() }, this.clock);
    s.cohorts.push(cohort);
    const run = plan.runId === undefined ? undefined : this.runs.get(plan.runId);
    if (run) run.cohort = cohort;
    await cohort.open((sig) => this.open(target, options, sig), signal);
    // Only a scheduled cohort that holds something sets the schedule; a failed open is retried next tick.
    if (!plan.runId && cohort.held > 0) s.lastOpened[plan.kind] = cohort.plan.openedAt;
    await this.settled(target.name, cohort);
    return { cohort };
  }

  /** Checks the due rungs of every cohort of this kind the target holds. */
  private async checkDue(target: Target, kind: Kind, options: ProbeOptions, signal: AbortSignal): Promise<ConnectionOutcome[]> {
    const cohorts = this.state(target.name).cohorts.filter((c) => c.plan.kind === kind);
    const settled = await Promise.all(cohorts.map(async (c) => {
      const outcomes = await c.checkDue(this.clock(), this.slackMs, target.expect.query, target.idle.useTimeout, (sig) => this.open(target, options, sig), signal);
      // Nothing settled, nothing to write: the journal entry changes only when a cell does.
      return outcomes.length === 0 || (await this.settled(target.name, c, outcomes)) ? outcomes : [];
    }));
    return settled.flat();
  }

  /**
   * Books a cohort's progress: latest outcomes, its run, the journal, and drops it once settled.
   * False when the cohort is no longer this holder's (its tenure ended, or another holder took its
   * journal entry): its outcomes are then not reported, and what it still held is closed.
   */
  private async settled(target: string, cohort: Cohort, outcomes: ConnectionOutcome[] = []): Promise<boolean> {
    const s = this.states.get(target);
    if (!s?.cohorts.includes(cohort)) return false;
    if (cohort.settled) {
      s.cohorts = s.cohorts.filter((c) => c !== cohort);
      await this.journal.remove(cohort.id);
    } else {
      const heartbeat = this.holder.standing.lease?.heartbeatAt;
      const entry: JournalEntry = {
        cohort: cohort.id, target, kind: cohort.plan.kind, generation: this.generation, term: this.holder.standing.lease?.term,
        ...(heartbeat === undefined ? {} : { heartbeatAt: new Date(heartbeat).toISOString() }),
        pending: cohort.pending, ...(cohort.plan.runId ? { runId: cohort.plan.runId } : {}),
      };
      if (!(await this.journal.save(entry))) {
        for (const e of cohort.entries) e.held?.close();
        s.cohorts = s.cohorts.filter((c) => c !== cohort);
        return false;
      }
    }
    if (cohort.plan.kind === 'idle') for (const o of outcomes) if (o.outcome !== 'inconclusive') s.latest.set(cellKey(o), o);
    if (cohort.plan.runId) this.runs.record(cohort.plan.runId, outcomes);
    return true;
  }
}

export type { RunStatus } from './runs';
