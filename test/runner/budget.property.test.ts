import fc from 'fast-check';
import { roundBudgetMs } from '../../shared/app';
import { ConfigError, loadConfig, MAX_TIMER_MS, type LoadedConfig } from '../../shared/config';
import type { Prober } from '../../shared/probers';
import { DEFAULT_GRACE_MS, roundOptionsFrom, runRound } from '../../shared/runner';
import { target } from '../helpers/targets';
import { fakeProber } from './fakes';

/** How one target's prober behaves: answers (after a while, maybe failing), or hangs, honouring its signal or not. */
type Behaviour = { kind: 'answers'; delayMs: number; success: boolean } | { kind: 'hangs' } | { kind: 'ignores-its-signal' };

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.record({ kind: fc.constant('answers' as const), delayMs: fc.nat({ max: 700_000 }), success: fc.boolean() }),
  fc.constant({ kind: 'hangs' as const }),
  fc.constant({ kind: 'ignores-its-signal' as const }),
);

const settings = fc.record({
  SQLPROBE_PROBE_TIMEOUT: fc.oneof(fc.integer({ min: 1, max: 600 }).map((n) => `${n}s`), fc.integer({ min: 1, max: 20 }).map((n) => `${n}m`)),
  SQLPROBE_RETRY_DELAY: fc.oneof(fc.constant('off'), fc.integer({ min: 1, max: 90 }).map((n) => `${n}s`)),
  SQLPROBE_CONCURRENCY: fc.integer({ min: 1, max: 600 }).map(String),
  SQLPROBE_CONNECTIVITY_SCHEDULE: fc.oneof(
    fc.integer({ min: 1, max: 59 }).map((n) => `0 */${n} * * * *`),
    fc.integer({ min: 1, max: 59 }).map((n) => `*/${n} * * * * *`),
    fc.constant('0 0 * * * *'),
  ),
});

function tryLoad(env: Record<string, string>): LoadedConfig | undefined {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

/** Each target's prober by its name: the fake answers as planned; the others hang. */
function probersFor(plan: readonly Behaviour[]): Prober {
  const answering = fakeProber((name) => {
    const b = plan[Number(name.slice(1))];
    return b.kind === 'answers' ? { success: b.success, delayMs: b.delayMs } : { success: true, delayMs: MAX_TIMER_MS };
  });
  return (t, options, signal) => (plan[Number(t.name.slice(1))].kind === 'ignores-its-signal' ? new Promise(() => {}) : answering(t, options, signal));
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => {
  jest.restoreAllMocks();
  jest.useRealTimers();
});

describe('a connectivity round under any settings the schema accepts', () => {
  it('ends within its budget (plus the grace for probers that ignore their signal), with every timer in range', async () => {
    let accepted = 0;
    await fc.assert(fc.asyncProperty(settings, fc.array(behaviour, { minLength: 1, maxLength: 40 }), async (env, plan) => {
      const config = tryLoad(env);
      if (!config) return;
      accepted++;
      const delays: number[] = [];
      const real = setTimeout;
      const spy = jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
        delays.push(ms ?? 0);
        return real(fn, ms);
      }) as typeof setTimeout);
      const budgetMs = roundBudgetMs(config.settings.SQLPROBE_CONNECTIVITY_SCHEDULE);
      const targets = plan.map((_, i) => target({ name: `t${i}` }));
      const options = roundOptionsFrom(config.settings, {}, { probers: { tcp: probersFor(plan) }, probes: ['tcp'], budgetMs });
      const start = Date.now();
      let endedAt: number | undefined;
      // Restored however the run ends: a run that threw and kept its spy would be wrapped by the
      // next one (fast-check shrinks by running again), a chain that ends in a stack overflow.
      const report = await (async () => {
        try {
          const round = runRound(targets, options).then((r) => {
            endedAt = Date.now();
            return r;
          });
          for (let steps = 0; endedAt === undefined && steps < 100_000; steps++) await jest.advanceTimersToNextTimerAsync();
          return await round;
        } finally {
          spy.mockRestore();
        }
      })();
      expect(endedAt! - start).toBeLessThanOrEqual(budgetMs + DEFAULT_GRACE_MS);
      expect(delays.every((ms) => ms >= 0 && ms <= MAX_TIMER_MS)).toBe(true);
      // Every probe is answered for: a result, or skipped when the budget ran out first.
      expect(report.results + report.skipped.aborted + report.skipped['no-prober']).toBe(plan.length);
    }), { numRuns: 60 });
    expect(accepted).toBeGreaterThan(10);
    // Fake time, but many real steps: every 10 ms loop-lag sample of a probe is a timer to advance.
  }, 180_000);
});
