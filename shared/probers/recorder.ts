import { randomUUID } from 'node:crypto';
import { version as SQLPROBE_VERSION } from '../../package.json';
import { classify, type FailureInput } from '../classify';
import { secretsOf, type Target } from '../config';
import { PROBE_CATALOGUE, type Classification, type Phase, type PhaseTiming, type ProbeName, type ProbeResult, type ResultDetails } from '../contract';
import type { ProbeOptions } from './prober';

/**
 * Times one probe: phases on the performance.now() clock relative to the probe's start, the phase
 * the probe is in (so a timeout names it), and the final result in the contract's shape.
 */
export class ProbeRecorder {
  readonly t0 = performance.now();
  readonly startedAt = new Date().toISOString();
  readonly phases: PhaseTiming[] = [];
  /** The phase in progress; a failure or a timeout is attributed to it. */
  phase: Phase;
  /** Set once the SQL Server Browser named a named instance's port: the port probed from then on. */
  instance?: { name: string; port: number };

  constructor(
    readonly target: Target,
    readonly probe: ProbeName,
    readonly options: ProbeOptions,
    /** Where the probe starts; the catalogue's first phase for the probe unless the caller knows better. */
    phase: Phase = PROBE_CATALOGUE[probe].firstPhase,
  ) {
    this.phase = phase;
  }

  /** Records a phase that ran from `start` to `end` (absolute performance.now() values). */
  mark(name: Phase, start: number, end = performance.now()): void {
    this.phases.push({ name, startMs: Math.max(0, start - this.t0), durationMs: Math.max(0, end - start) });
  }

  /** Runs `fn` as phase `name`: it becomes the current phase and is recorded when it settles. */
  async time<T>(name: Phase, fn: () => Promise<T>): Promise<T> {
    this.phase = name;
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.mark(name, start);
    }
  }

  classify(input: Omit<FailureInput, 'phase' | 'secrets'> & { phase?: Phase }): Classification {
    const { target } = this;
    return classify({
      phase: this.phase,
      ...input,
      context: { server: target.server, port: this.instance?.port ?? target.port, database: target.database, instance: this.instance?.name, ...input.context },
      secrets: secretsOf([target], this.options.env),
    });
  }

  result(error: Classification | undefined, details: ResultDetails = {}): ProbeResult {
    const durationMs = performance.now() - this.t0;
    const success = !error;
    return {
      schemaVersion: 1,
      id: randomUUID(),
      target: this.target.name,
      probe: this.probe,
      region: this.options.region,
      server: this.target.server,
      port: this.instance?.port ?? this.target.port,
      startedAt: this.startedAt,
      durationMs,
      success,
      attempts: [{ startedAt: this.startedAt, durationMs, success, ...(error ? { class: error.class } : {}) }],
      phases: [...this.phases].sort((a, b) => a.startMs - b.startMs),
      ...(error ? { error } : {}),
      ...details,
      sqlprobeVersion: SQLPROBE_VERSION,
    };
  }
}
