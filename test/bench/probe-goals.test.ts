// The probe benchmark's section states each goal as met or not met from the run's own numbers.
import { probeGoals, type ProbeTimes } from '../../bench/probe-goals';

/** Seven runs around a median, spread ±4 ms. */
const runs = (median: number): number[] => [-4, -2, -1, 0, 1, 2, 4].map((d) => median + d);
const times = (login: number, tedious = 134, mssql = 267, tls = 68): ProbeTimes => ({ login: runs(login), tedious: runs(tedious), mssql: runs(mssql), tls: runs(tls) });

test('a login probe within 1.02× of raw tedious meets its goal, and says so with the numbers', () => {
  const text = probeGoals(times(135), 20);
  expect(text).toContain('- the login probe within 1.02× of raw tedious: met (1.007×, +1.0 ms);');
  expect(text).toContain('- the login probe no slower than mssql: met (135.0 ms against 267.0 ms);');
  expect(text).toContain('- the tls probe about 4 round trips (TCP, then PRELOGIN and two TLS 1.2 flights): met (3 delayed flights plus the TCP handshake).');
  expect(text).not.toMatch(/not met|miss/);
});

test('1.024× is not met, and overlapping ranges with the same flights are called noise', () => {
  const text = probeGoals(times(137.3), 20);
  expect(text).toContain('- the login probe within 1.02× of raw tedious: **not met** (1.025×, +3.3 ms);');
  expect(text).toContain("This run's miss is within that noise: the two ranges overlap (login probe from 133.3 ms, raw tedious up to 138.0 ms), and both clients waited for 7 flights, so no round trip was added.");
});

test('a miss with an extra flight, or without overlap, is not excused as noise', () => {
  expect(probeGoals(times(154), 20)).toContain('In this run the login probe waited for 8 flights against raw tedious\'s 7: a round trip was added to the login path.');
  expect(probeGoals(times(145), 20)).toContain("This run's ranges do not overlap (login probe from 141.0 ms, raw tedious up to 138.0 ms): more than noise, so look for work added to the login path.");
});

test('slower than mssql, or a tls probe with an extra flight, is not met', () => {
  const text = probeGoals(times(137, 134, 130, 88), 20);
  expect(text).toContain('- the login probe no slower than mssql: **not met** (137.0 ms against 130.0 ms);');
  expect(text).toMatch(/two TLS 1\.2 flights\): \*\*not met\*\* \(4 delayed flights/);
});
