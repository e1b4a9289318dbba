import { Cron } from 'croner';
import fc from 'fast-check';
import { FUNCTION_TIMEOUT_MS, roundBudgetMs } from '../../shared/app';
import { ConfigError, loadConfig, MAX_LADDER_MS, MAX_RUNGS, MAX_TIMER_MS, type LoadedConfig } from '../../shared/config';

/** Durations as a user types them, from "0ms" to far past what a timer can wait, and some that are not durations at all. */
const wild = fc.oneof(
  fc.tuple(fc.oneof(fc.nat({ max: 120 }), fc.nat({ max: 100_000_000 })), fc.constantFrom('ms', 's', 'm', 'h')).map(([n, unit]) => `${n}${unit}`),
  fc.tuple(fc.nat({ max: 10_000 }), fc.nat({ max: 99 }), fc.constantFrom('s', 'm', 'h')).map(([n, f, unit]) => `${n}.${f}${unit}`),
  fc.constantFrom('off', '30', '-5m', '1e9h', ''),
);
/** The durations people mostly write, so that whole configurations are often accepted too. */
const usual = fc.oneof(fc.integer({ min: 1, max: 59 }).map((n) => `${n}s`), fc.integer({ min: 1, max: 9 }).map((n) => `${n}m`));
const duration = fc.oneof({ arbitrary: usual, weight: 4 }, { arbitrary: wild, weight: 1 });

/** A cron field: anything croner might read, many of them out of range. */
const cronField = fc.oneof(
  fc.constant('*'),
  fc.nat({ max: 70 }).map(String),
  fc.nat({ max: 70 }).map((n) => `*/${n}`),
  fc.tuple(fc.nat({ max: 70 }), fc.nat({ max: 70 })).map(([a, b]) => `${a}-${b}`),
  fc.tuple(fc.nat({ max: 70 }), fc.nat({ max: 70 })).map(([a, b]) => `${a},${b}`),
  fc.constantFrom('L', 'MON', 'JAN', '?', 'x'),
);
const wildSchedule = fc.array(cronField, { minLength: 5, maxLength: 7 }).map((fields) => fields.join(' '));
/** Schedules as people write them: a fixed second, a step of minutes or seconds. */
const usualSchedule = fc.tuple(fc.oneof(fc.nat({ max: 59 }).map(String), fc.integer({ min: 10, max: 59 }).map((n) => `*/${n}`)), fc.oneof(fc.constant('*'), fc.integer({ min: 1, max: 59 }).map((n) => `*/${n}`)))
  .map(([second, minute]) => `${second} ${minute} * * * *`);
const schedule = fc.oneof({ arbitrary: usualSchedule, weight: 3 }, { arbitrary: wildSchedule, weight: 1 });

const settingsEnv = fc.record(
  {
    SQLPROBE_PROBE_TIMEOUT: duration,
    SQLPROBE_RETRY_DELAY: duration,
    SQLPROBE_LOGIN_COOLDOWN: duration,
    SQLPROBE_CONCURRENCY: fc.oneof(fc.integer({ min: 1, max: 500 }).map(String), fc.nat({ max: 1000 }).map(String), fc.constant('many')),
    SQLPROBE_CONNECTIVITY_SCHEDULE: schedule,
    SQLPROBE_IDLE_SCHEDULE: schedule,
  },
  { requiredKeys: [] },
);

/** The config, or undefined when the settings were refused (with a ConfigError, never anything else). */
function tryLoad(env: Record<string, string | undefined>): LoadedConfig | undefined {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

const inTimerRange = (ms: number) => Number.isInteger(ms) && ms >= 0 && ms <= MAX_TIMER_MS;

describe('any settings the schema accepts', () => {
  it('yield timers in range, rounds that fit the function timeout, and schedules that fire', () => {
    let accepted = 0;
    fc.assert(fc.property(settingsEnv, (env) => {
      const config = tryLoad(env);
      if (!config) return;
      accepted++;
      const s = config.settings;
      // The probe deadline, and tedious's own timers one second behind it.
      expect(inTimerRange(s.SQLPROBE_PROBE_TIMEOUT + 1000)).toBe(true);
      expect(s.SQLPROBE_PROBE_TIMEOUT).toBeLessThanOrEqual(FUNCTION_TIMEOUT_MS);
      expect(inTimerRange(s.SQLPROBE_RETRY_DELAY)).toBe(true);
      expect(inTimerRange(s.SQLPROBE_LOGIN_COOLDOWN)).toBe(true);
      expect(s.SQLPROBE_CONCURRENCY).toBeGreaterThanOrEqual(1);
      expect(s.SQLPROBE_CONCURRENCY).toBeLessThanOrEqual(500);
      const budget = roundBudgetMs(s.SQLPROBE_CONNECTIVITY_SCHEDULE);
      expect(budget).toBeGreaterThanOrEqual(1000);
      expect(budget).toBeLessThanOrEqual(FUNCTION_TIMEOUT_MS);
      for (const pattern of [s.SQLPROBE_CONNECTIVITY_SCHEDULE, s.SQLPROBE_IDLE_SCHEDULE]) {
        // What `sqlprobe start` does with it: a croner job that has a next tick.
        const job = new Cron(pattern, { paused: true });
        expect(job.nextRun()).not.toBeNull();
        job.stop();
      }
    }), { numRuns: 300 });
    // The generators reach both sides of the bounds.
    expect(accepted).toBeGreaterThan(20);
  });
});

const target = fc.record({
  name: fc.constant('orders'),
  server: fc.constant('orders.database.windows.net'),
  database: fc.constant('orders'),
  idle: fc.record({
    rungs: fc.oneof({ arbitrary: fc.array(duration, { minLength: 1, maxLength: 8 }), weight: 4 }, { arbitrary: fc.array(wild, { maxLength: 40 }), weight: 1 }),
    cohortEvery: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 59 }).map((n) => `${n}m`), weight: 4 }, { arbitrary: wild, weight: 1 }),
    keepaliveIdle: duration,
    useTimeout: duration,
    maxHeld: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 50 }), weight: 4 }, { arbitrary: fc.integer({ min: -5, max: 5000 }), weight: 1 }),
  }, { requiredKeys: [] }),
  pool: fc.record({ size: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 10 }), weight: 4 }, { arbitrary: fc.integer({ min: -5, max: 500 }), weight: 1 }), idleFor: duration }, { requiredKeys: [] }),
});

describe('any target the schema accepts', () => {
  it('holds a bounded ladder whose every delay a timer can wait for', () => {
    let accepted = 0;
    fc.assert(fc.property(target, (input) => {
      const { targets, problems } = loadConfig({ SQLPROBE_TARGETS: JSON.stringify([input]) });
      // A refused target is always reported as a problem.
      expect(targets.length + problems.length).toBeGreaterThan(0);
      if (targets.length === 0) return;
      accepted++;
      const { idle, pool } = targets[0];
      expect(idle.rungs.length).toBeGreaterThanOrEqual(1);
      expect(idle.rungs.length).toBeLessThanOrEqual(MAX_RUNGS);
      expect(idle.rungs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_LADDER_MS);
      for (const ms of [...idle.rungs, idle.cohortEvery, idle.keepaliveIdle, idle.useTimeout, pool.idleFor]) expect(inTimerRange(ms)).toBe(true);
      expect(idle.maxHeld).toBeLessThanOrEqual(1000);
      expect(pool.size).toBeLessThanOrEqual(100);
    }), { numRuns: 300 });
    expect(accepted).toBeGreaterThan(20);
  });
});
