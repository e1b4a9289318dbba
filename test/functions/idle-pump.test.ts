import { randomUUID } from 'node:crypto';
import { startIdleRun, type IdleDriver } from '../../shared/app';
import type { RunStatus } from '../../shared/idle/registry';
import { verdictFor } from '../../shared/idle/verdict';
import type { IdleRun } from '../../shared/contract';
import { MemoryStateStore } from '../../shared/state';
import { context, testRuntime } from './helpers';

// The process holding an HTTP-started idle run checks it on a timer; fake timers step that timer,
// with a driver and a store that stand in for the registry and Table storage.
const PUMP_MS = 100;

/** A driver whose one run is whatever the test sets; `forget` is what closing the registry does to it. */
function fakeDriver() {
  let run: RunStatus | undefined;
  const driver: IdleDriver & { complete(): void; forget(): void } = {
    tick: async () => [],
    startRun: (target, _options, _rungs, id: string = randomUUID()) => {
      run = { id, target: target.name, status: 'running', expected: 1, outcomes: [], verdict: verdictFor([]) };
      return run.id;
    },
    status: (id) => (run?.id === id ? run : undefined),
    held: () => 0,
    close: async () => undefined,
    complete: () => {
      if (!run) return;
      const outcomes = [{ cohort: run.id, rungMs: 1000, keepalive: 'on' as const, outcome: 'survived' as const }];
      run = { ...run, status: 'completed', outcomes, verdict: verdictFor(outcomes) };
    },
    forget: () => {
      run = undefined;
    },
  };
  return driver;
}

/** Memory state whose writes fail once `down` is set, as Table storage does when it is unreachable. */
class FlakyStore extends MemoryStateStore {
  saves: IdleRun[] = [];
  down = false;
  override async saveIdleRun(run: IdleRun): Promise<void> {
    this.saves.push(run);
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:10002');
    await super.saveIdleRun(run);
  }
}

const env = {
  SQLPROBE_REGION: 'test',
  SQLPROBE_TARGETS: JSON.stringify([{ name: 'orders', server: '127.0.0.1', port: 1433, database: 'appdb', probes: ['tcp'] }]),
};

async function started() {
  const idle = fakeDriver();
  const store = new FlakyStore();
  const rt = testRuntime(env, { idle, store, idlePumpMs: PUMP_MS });
  const log = context('idle-runs');
  const run = await startIdleRun(rt, rt.targets[0]!, undefined, log);
  return { idle, store, log, run };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('the idle run pump', () => {
  it('saves the final status once and stops, even when that save fails', async () => {
    const { idle, store, log } = await started();
    await jest.advanceTimersByTimeAsync(3 * PUMP_MS);
    expect(store.saves.map((r) => r.status)).toEqual(['running']);

    store.down = true;
    idle.complete();
    await jest.advanceTimersByTimeAsync(20 * PUMP_MS);
    expect(store.saves.map((r) => r.status)).toEqual(['running', 'completed']);
    expect(log.lines.filter((l) => l.includes('ECONNREFUSED'))).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops without writing again once the driver no longer knows the run (its registry closed)', async () => {
    const { idle, store, log, run } = await started();
    await jest.advanceTimersByTimeAsync(3 * PUMP_MS);
    idle.forget();
    await jest.advanceTimersByTimeAsync(20 * PUMP_MS);
    // The record goes stale, and readers answer inconclusive for it, as for any holder that went silent.
    expect(store.saves).toEqual([run]);
    expect(await store.getIdleRun(run.id)).toMatchObject({ status: 'running' });
    expect(log.lines).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });
});
