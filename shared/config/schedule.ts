import { Cron, CronPattern } from 'croner';
import { ConfigError } from './errors';

export const NCRONTAB_HINT = 'expected a six-field NCRONTAB schedule such as "0 */5 * * * *" (seconds first)';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * The parts of a field the Functions host's NCRONTAB reads: numbers, "*", ranges, lists, steps
 * and month or day names (https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#ncrontab-expressions).
 * croner also reads L, W, # and ?, which the host would refuse when it registers the timer.
 */
function foreignToken(field: string, index: number): string | undefined {
  const names = index === 4 ? MONTHS : index === 5 ? DAYS : [];
  return field.split(/[,/-]/).find((token) => !(token === '*' || /^\d+$/.test(token) || names.includes(token.toLowerCase())));
}

/** The positions a field fires at, from croner's own parse (one flag per second, minute or hour). */
const firing = (flags: ArrayLike<number | boolean>): number[] => Array.from(flags).flatMap((on, i) => (on ? [i] : []));

/** The least difference between consecutive values, or Infinity for fewer than two. */
const leastStep = (values: number[]): number => values.slice(1).reduce((least, v, i) => Math.min(least, v - values[i]), Infinity);

/**
 * The shortest gap between two ticks, in seconds. The time fields fire at every combination of
 * their values, so the closest ticks are consecutive seconds of one minute, the last second of a
 * minute and the first of the next firing minute, the same across hours, or across midnight. Day
 * fields only pick which days fire; the gap across midnight counts as if the next day fired too.
 * (Walking every second of the day instead costs a cold start about 10 ms per schedule.)
 */
function shortestGapS(pattern: CronPattern): number {
  const [seconds, minutes, hours] = [firing(pattern.second), firing(pattern.minute), firing(pattern.hour)];
  const minuteSpan = seconds[seconds.length - 1] - seconds[0];
  const hourSpan = (minutes[minutes.length - 1] - minutes[0]) * 60 + minuteSpan;
  return Math.min(
    leastStep(seconds),
    leastStep(minutes) * 60 - minuteSpan,
    leastStep(hours) * 3600 - hourSpan,
    (hours[0] + 24 - hours[hours.length - 1]) * 3600 - hourSpan,
  );
}

/**
 * Why `text` cannot be a timer's schedule, or undefined. croner (which `sqlprobe start` runs it
 * with) parses it; a schedule that never fires, or fires more often than every `minGapS` seconds,
 * is refused with the reason.
 */
export function scheduleProblem(text: string, minGapS: number, why: string): string | undefined {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 6) return NCRONTAB_HINT;
  let pattern: CronPattern;
  try {
    pattern = new CronPattern(text.trim(), 'Etc/UTC', { mode: '6-part' });
  } catch (err) {
    return `${NCRONTAB_HINT}: ${(err as Error).message.replace(/^CronPattern: /, '').replace(/\.$/, '')}`;
  }
  const foreign = fields.map(foreignToken).findIndex((t) => t !== undefined);
  if (foreign >= 0) return `${NCRONTAB_HINT}: "${foreignToken(fields[foreign], foreign)}" is croner's, not NCRONTAB's (numbers, *, ranges a-b, lists a,b, steps */n and month or day names only)`;
  // Local time: whether any date matches does not depend on the zone, and a zone costs the first
  // Intl set-up (about 50 ms), which every cold start would pay to register its timers.
  if (new Cron(text.trim(), { paused: true, mode: '6-part' }).nextRun() === null) {
    return 'never fires: no date matches it (such as the 31st of February); expected a schedule such as "0 */5 * * * *"';
  }
  const gap = shortestGapS(pattern);
  if (gap < minGapS) return `fires ${gap} s apart at its closest; expected at most one tick every ${minGapS} s (${why}), such as "*/${minGapS} * * * * *" or "0 */5 * * * *"`;
  return undefined;
}

/**
 * The timers' schedules: their defaults and the closest their ticks may be. The Functions entry
 * reads them to register its triggers on every cold start, before (and without) loading zod and the
 * rest of the engine; settings.ts applies the same rule when it parses the settings.
 */
export const SCHEDULES = {
  SQLPROBE_CONNECTIVITY_SCHEDULE: { fallback: '0 */5 * * * *', minGapS: 10, why: 'a round needs time to finish before the next one' },
  SQLPROBE_IDLE_SCHEDULE: { fallback: '0 * * * * *', minGapS: 5, why: 'rungs are minutes long; a faster tick only adds load' },
} as const;

export type ScheduleSetting = keyof typeof SCHEDULES;

/**
 * A timer's schedule from its app setting (its default when unset). One that would not run throws a
 * ConfigError naming the setting, so the host reports it at start instead of never firing.
 */
export function scheduleSetting(name: ScheduleSetting, env: Record<string, string | undefined>): string {
  const { fallback, minGapS, why } = SCHEDULES[name];
  const value = env[name] || fallback;
  const problem = scheduleProblem(value, minGapS, why);
  if (problem === undefined) return value;
  const text = JSON.stringify(value);
  throw new ConfigError([`${name}: ${problem}, got ${text.length > 40 ? `${text.slice(0, 37)}…` : text}`]);
}
