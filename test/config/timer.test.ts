import { MAX_TIMER_MS, timerMs } from '../../shared/config';
import { deadlineSignal, sleep } from '../../shared/runner/bounded';

describe('timerMs: the one gate between a duration and a timer', () => {
  it('passes every delay Node can wait for', () => {
    for (const ms of [0, 1, 30_000, MAX_TIMER_MS]) expect(timerMs(ms, 'a delay')).toBe(ms);
  });

  it.each([2 ** 31, 600 * 3_600_000, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p, naming what it was for', (ms) => {
    expect(() => timerMs(ms, 'the probe deadline')).toThrow(new RangeError(`the probe deadline: ${ms} ms cannot be waited for by a timer (0 to ${MAX_TIMER_MS} ms, about 24.8 days)`));
  });

  it('guards the waits built on it, so no path overflows into a 1 ms timer', async () => {
    const never = new AbortController().signal;
    await expect(sleep(2 ** 31, never)).rejects.toThrow(/^a wait: 2147483648 ms cannot be waited for/);
    expect(() => deadlineSignal(2 ** 31, 'the round budget')).toThrow(/^the round budget: 2147483648 ms/);
  });
});
