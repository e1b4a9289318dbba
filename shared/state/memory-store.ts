import type { IdleRun, ProbeResult } from '../contract';
import { MemoryCooldowns } from './cooldowns';
import { resultKey, type StateStore } from './store';

/** One process's state: the CLI's store, and the tests'. */
export class MemoryStateStore implements StateStore {
  private readonly latest = new Map<string, ProbeResult>();
  private readonly runs = new Map<string, IdleRun>();
  private readonly cooldowns = new MemoryCooldowns();

  async recordResult(result: ProbeResult): Promise<void> {
    this.latest.set(`${result.target}~${resultKey(result)}`, result);
  }

  async latestResults(): Promise<ProbeResult[]> {
    return [...this.latest.values()];
  }

  async saveIdleRun(run: IdleRun): Promise<void> {
    this.runs.set(run.id, structuredClone(run));
  }

  async getIdleRun(id: string): Promise<IdleRun | undefined> {
    const run = this.runs.get(id);
    return run && structuredClone(run);
  }

  async updateIdleRun(id: string, change: (run: IdleRun) => IdleRun | undefined): Promise<IdleRun | undefined> {
    const run = this.runs.get(id);
    if (!run) return undefined;
    const next = change(structuredClone(run));
    if (next) this.runs.set(id, structuredClone(next));
    return structuredClone(next ?? run);
  }

  async idleRunsToAttend(holder: string): Promise<IdleRun[]> {
    return [...this.runs.values()]
      .filter((r) => r.status === 'pending' || r.closing === true || (r.status === 'running' && (r.holder ?? '') !== holder))
      .map((r) => structuredClone(r));
  }

  claimCooldown(key: string, ms: number, now?: number): Promise<number> {
    return this.cooldowns.claim(key, ms, now);
  }
}
