/**
 * The longest delay Node's timers take: setTimeout and setInterval turn any delay of 2^31 ms or
 * more (about 24.8 days) into 1 ms, with only a TimeoutOverflowWarning, so a deadline of "600h"
 * would fire at once. https://nodejs.org/api/timers.html#settimeoutcallback-delay-args
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `ms` checked for a timer: every setTimeout or setInterval whose delay comes from a setting, a
 * target or a request goes through here, so a bound a schema forgot throws instead of firing early.
 */
export function timerMs(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIMER_MS) {
    throw new RangeError(`${what}: ${ms} ms cannot be waited for by a timer (0 to ${MAX_TIMER_MS} ms, about 24.8 days)`);
  }
  return ms;
}
