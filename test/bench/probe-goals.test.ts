// The probe benchmark's section states each goal as met or not met from the run's own numbers.
import { probeGoals, type ClientRuns, type ProbeTimes } from '../../bench/probe-goals';

/** Seven runs around a median, spread ±4 ms, each waiting for `flights` server flights counted at the proxy. */
const runs = (median: number, flights: number): ClientRuns => ({ ms: [-4, -2, -1, 0, 1, 2, 4].map((d) => median + d), flights: Array(7).fill(flights) });
const times = (login: number, tedious = 134, mssql = 267, tls = 68, flights: Partial<Record<keyof ProbeTimes, number>> = {}): ProbeTimes => ({
  login: runs(login, flights.login ?? 7), tedious: runs(tedious, 7), mssql: runs(mssql, 13), tls: runs(tls, flights.tls ?? 3),
});

test('a login probe within 1.02× of raw tedious meets its goal, and says so with the numbers', () => {
  const text = probeGoals(times(135));
  expect(text).toContain('- the login probe within 1.02× of raw tedious: met (1.007×, +1.0 ms);');
  expect(text).toContain('- the login probe no slower than mssql: met (135.0 ms against 267.0 ms);');
  expect(text).toContain('- the login probe waits for no more server flights than raw tedious: met (7 against 7);');
  expect(text).toContain('- the tls probe about 4 round trips (TCP, then PRELOGIN and two TLS 1.2 flights): met (3 server flights counted at the proxy, plus the TCP handshake).');
  expect(text).not.toMatch(/not met|miss/);
});

test('1.024× is not met, and overlapping ranges with the same flights are called noise', () => {
  const text = probeGoals(times(137.3));
  expect(text).toContain('- the login probe within 1.02× of raw tedious: **not met** (1.025×, +3.3 ms);');
  expect(text).toContain("This run's miss is within that noise: the two ranges overlap (login probe from 133.3 ms, raw tedious up to 138.0 ms), and both clients waited for 7 flights, so no round trip was added.");
});

test('flights are counted, not inferred from time: a slow probe with the same flights is not an extra round trip', () => {
  // 20 ms slower, as local CPU on a loaded machine would make it, but the same 7 flights.
  expect(probeGoals(times(154))).toContain("This run's ranges do not overlap (login probe from 150.0 ms, raw tedious up to 138.0 ms) though both waited for 7 flights: more than noise, so look for local work added to the login path.");
  expect(probeGoals(times(154, 134, 267, 68, { login: 8 }))).toContain('In this run the login probe waited for 8 flights against raw tedious\'s 7: a round trip was added to the login path.');
  expect(probeGoals(times(154, 134, 267, 68, { login: 8 }))).toContain('- the login probe waits for no more server flights than raw tedious: **not met** (8 against 7);');
});

test('slower than mssql, or a tls probe with an extra flight, is not met; a slow tls probe with 3 flights is', () => {
  const text = probeGoals(times(137, 134, 130, 88, { tls: 4 }));
  expect(text).toContain('- the login probe no slower than mssql: **not met** (137.0 ms against 130.0 ms);');
  expect(text).toMatch(/two TLS 1\.2 flights\): \*\*not met\*\* \(4 server flights/);
  expect(probeGoals(times(135, 134, 267, 95))).toMatch(/two TLS 1\.2 flights\): met \(3 server flights/);
});
