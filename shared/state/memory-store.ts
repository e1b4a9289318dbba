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

  claimCooldown(key: string, ms: number, now?: number): Promise<number> {
    return this.cooldowns.claim(key, ms, now);
  }
}
