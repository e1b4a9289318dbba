// The duration syntax every setting and target field shares ("500ms", "30s", "31m", "1.5h"), and
// the bounds built on it: what a user may write, and the message when it does not fit.
import { boundedDuration, durationMs, formatDuration, parseDuration } from '../../shared/config/duration';

describe('parseDuration', () => {
  test.each([
    ['250ms', 250],
    ['5s', 5000],
    ['31m', 1_860_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['0.25s', 250],
    ['1.5ms', 2],
    ['  5s\t', 5000],
    ['0s', 0],
  ])('reads %j as %p ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['5', 's', '5 s', '5sec', '5S', '-5s', '+5s', '.5s', '5.s', '1x5h', 'x5s', '5sx', '5s5s', '1e3ms', ''])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  test.each([
    [3_600_000, '1h'],
    [7_200_000, '2h'],
    [60_000, '1m'],
    [5_400_000, '90m'],
    [90_000, '90s'],
    [1000, '1s'],
    [1500, '1500ms'],
    [1, '1ms'],
    [0, '0s'],
  ])('writes %p ms as %j, which reads back the same', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('durationMs', () => {
  it('parses a duration to milliseconds', () => {
    expect(durationMs.parse('31m')).toBe(1_860_000);
  });

  test.each([['0s'], ['0ms'], ['soon'], ['30']])('refuses %j: a duration must be positive and have a unit', (text) => {
    expect(durationMs.safeParse(text).error?.issues.map((i) => i.message)).toEqual(['expected a positive duration such as "500ms", "30s", "31m" or "1h"']);
  });

  it('refuses a number, naming the syntax', () => {
    expect(durationMs.safeParse(30).error?.issues.map((i) => i.message)).toEqual(['expected a duration such as "500ms", "30s", "31m" or "1h"']);
  });
});

describe('boundedDuration', () => {
  const bounded = boundedDuration(1000, 600_000, 'a probe deadline cannot outlast the function timeout', '30s');
  const HINT = 'expected a duration from 1s to 10m (a probe deadline cannot outlast the function timeout), such as "30s"';

  it('takes both bounds and what lies between', () => {
    expect([bounded.parse('1s'), bounded.parse('30s'), bounded.parse('10m')]).toEqual([1000, 30_000, 600_000]);
  });

  test.each(['999ms', '600001ms', '1h'])('refuses %j, naming the bounds, why they are there and a value that fits', (text) => {
    expect(bounded.safeParse(text).error?.issues.map((i) => i.message)).toEqual([HINT]);
  });
});
