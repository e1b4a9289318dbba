import { version } from '../../package.json';
import type { Target } from '../../shared/config';
import type { ProbeResult, VerdictChange } from '../../shared/contract';
import type { Telemetry } from '../../shared/telemetry';
import type { Status } from './schema';
import { TargetState } from './target-state';

/**
 * What the status page shows, kept in memory from every result and verdict change as they happen.
 * It is one more telemetry sink, so `sqlprobe start` feeds it exactly what Application Insights or
 * the results file gets (scrubbed of secrets alike). Readers take a snapshot, or subscribe to hear
 * of each change.
 */
export class StatusModel implements Telemetry {
  private readonly targets = new Map<string, TargetState>();
  private readonly listeners = new Set<(revision: number) => void>();
  private readonly startedAt: string;
  private revision = 0;
  /** The JSON of the latest snapshot: every page open at once reads the same one until something changes. */
  private cached?: { revision: number; json: string };

  constructor(
    targets: readonly Target[],
    private readonly meta: { region: string; demo: boolean },
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = new Date(now()).toISOString();
    for (const t of targets) this.targets.set(t.name, new TargetState(t, meta.region));
  }

  /** A result from a target the model was not told of still shows, after the configured ones. */
  private target(name: string, from?: Pick<ProbeResult, 'server' | 'port'>): TargetState {
    let state = this.targets.get(name);
    if (!state) this.targets.set(name, (state = new TargetState({ name, server: from?.server ?? '', port: from?.port ?? 0 }, this.meta.region)));
    return state;
  }

  private changed(): void {
    this.revision += 1;
    for (const listener of this.listeners) listener(this.revision);
  }

  record(result: ProbeResult): void {
    this.target(result.target, result).record(result, this.now());
    this.changed();
  }

  recordVerdictChange(change: VerdictChange): void {
    this.target(change.target).recordVerdictChange(change, new Date(this.now()).toISOString());
    this.changed();
  }

  /** Nothing to send: the page reads the model as it is. */
  async flush(): Promise<boolean> {
    return true;
  }

  async shutdown(): Promise<boolean> {
    this.listeners.clear();
    return true;
  }

  /** Calls `listener` with the new revision after every change; returns the unsubscribe. */
  subscribe(listener: (revision: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get currentRevision(): number {
    return this.revision;
  }

  /** The snapshot as JSON, made at most once per revision. */
  json(): string {
    if (this.cached?.revision !== this.revision) this.cached = { revision: this.revision, json: JSON.stringify(this.snapshot()) };
    return this.cached.json;
  }

  snapshot(): Status {
    const now = this.now();
    return {
      schemaVersion: 1,
      sqlprobeVersion: version,
      region: this.meta.region,
      demo: this.meta.demo,
      startedAt: this.startedAt,
      generatedAt: new Date(now).toISOString(),
      revision: this.revision,
      targets: [...this.targets.values()].map((t) => t.snapshot(now)),
    };
  }
}
