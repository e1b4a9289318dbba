import { formatSeconds, verdictFor } from '../../shared/idle';
import { MIN, o } from './outcome-rows';

/** The finding of `kind` in a verdict, as the workbook and alerts read it. */
const findingOf = (v: ReturnType<typeof verdictFor>, kind: string) => v.findings.find((f) => f.kind === kind);

describe('verdictFor: which outcomes date a death', () => {
  test('only a peer close carries its own age: a failed use stays bracketed by the rungs, whatever it took to fail', () => {
    const v = verdictFor([o(180_000, 'off', 'survived'), o(300_000, 'off', 'dead-on-use', { deathAgeMs: 5000, close: 'timeout' }), o(300_000, 'on', 'survived')]);
    expect(v).toMatchObject({ kind: 'nat-idle-drop', atSeconds: 240, minSeconds: 180, maxSeconds: 300 });
  });

  test('the earliest death counts, in whatever order the outcomes come', () => {
    const v = verdictFor([
      o(40 * MIN, 'off', 'closed-by-peer', { deathAgeMs: 40 * MIN, close: 'rst' }),
      o(5 * MIN, 'off', 'dead-on-use', { close: 'timeout' }),
      o(3 * MIN, 'off', 'survived'),
      o(40 * MIN, 'on', 'survived'),
    ]);
    expect(v).toMatchObject({ kind: 'nat-idle-drop', atSeconds: 240, minSeconds: 180, maxSeconds: 300 });
    expect(v.text).toMatch(/keepalive off dropped silently/);
  });

  test('the earliest keepalive detection counts, in whatever order; one with no recorded age died by its rung', () => {
    const later = o(120_000, 'on', 'keepalive-detected', { deathAgeMs: 90_000, keepaliveIdleMs: 60_000, close: 'timeout' });
    const sooner = o(60_000, 'on', 'keepalive-detected', { deathAgeMs: 41_000, keepaliveIdleMs: 30_000, close: 'timeout' });
    for (const rows of [[later, sooner], [sooner, later]]) {
      expect(verdictFor(rows).text).toBe('NAT idle drop by 30 s: keepalive on found the flow gone after 41 s, so the path forgot it before keepalive\'s first probe at 30 s; a NAT or load balancer drops idle flows.');
    }
    const ageless = verdictFor([o(60_000, 'on', 'keepalive-detected', { keepaliveIdleMs: 30_000, close: 'timeout' })]);
    expect(ageless).toMatchObject({ kind: 'nat-idle-drop', maxSeconds: 30 });
    expect(ageless.text).toMatch(/found the flow gone after 60 s,/);
  });

  test('a survival of another cohort at or past the death is not its floor; the longest below is', () => {
    const v = verdictFor([
      o(29 * MIN, 'on', 'survived'),
      o(31 * MIN, 'on', 'closed-by-peer', { deathAgeMs: 30 * MIN, close: 'fin', idleMs: undefined }),
      o(30 * MIN, 'on', 'survived', { cohort: 'c2' }),
      o(40 * MIN, 'on', 'survived', { cohort: 'c2' }),
    ]);
    expect(v).toMatchObject({ kind: 'gateway-idle-kill', atSeconds: 1800, minSeconds: 1740, maxSeconds: 1800 });
  });

  test('a keepalive detection below a peer close is a death, not a survival that brackets it', () => {
    const v = verdictFor([
      o(60_000, 'on', 'keepalive-detected', { deathAgeMs: 41_000, keepaliveIdleMs: 30_000, close: 'timeout' }),
      o(120_000, 'on', 'closed-by-peer', { deathAgeMs: 110_000, close: 'fin' }),
    ]);
    expect(findingOf(v, 'gateway-idle-kill')).toEqual({ kind: 'gateway-idle-kill', atSeconds: 110, maxSeconds: 110 });
  });
});

describe('verdictFor: what was measured', () => {
  test('inconclusive keepalive-on outcomes are not a measurement: a keepalive-off death does not rule out the gateway', () => {
    const v = verdictFor([
      o(180_000, 'off', 'survived'), o(300_000, 'off', 'dead-on-use', { close: 'timeout' }),
      o(180_000, 'on', 'inconclusive', { reason: 'host-recycled' }), o(300_000, 'on', 'inconclusive', { reason: 'host-recycled' }),
    ]);
    expect(v.text).toBe('NAT idle drop ≈ 240 s (4 min) (between 180 s (3 min) and 300 s (5 min) idle): keepalive off dropped silently (found dead on first use), keepalive on not measured, so the gateway is not ruled out; a NAT or load balancer drops idle flows.');
  });

  test('a silent drop measured with keepalive on alone says keepalive off was not measured', () => {
    const v = verdictFor([o(180_000, 'on', 'survived'), o(300_000, 'on', 'dead-on-use', { close: 'timeout', keepaliveIdleMs: 30_000 })]);
    expect(v.kind).toBe('silent-drop');
    expect(v.text).toMatch(/ with keepalive on \(keepalive off not measured\): /);
  });

  test('keepalive off dying later than keepalive on still outlived it, and is no NAT finding', () => {
    const v = verdictFor([
      o(5 * MIN, 'on', 'survived'), o(10 * MIN, 'on', 'dead-on-use', { close: 'timeout', keepaliveIdleMs: 30_000 }),
      o(10 * MIN, 'off', 'survived'), o(15 * MIN, 'off', 'dead-on-use', { close: 'timeout' }),
    ]);
    expect(v.findings.map((f) => f.kind)).toEqual(['silent-drop']);
    expect(v.text).toMatch(/ with keepalive on \(keepalive off outlived it\): /);
  });

  test('a peer close of keepalive-on connections alone is the gateway, not a keepalive detection', () => {
    const v = verdictFor([o(29 * MIN, 'on', 'survived'), o(31 * MIN, 'on', 'closed-by-peer', { deathAgeMs: 30 * MIN, close: 'fin' })]);
    expect(v.findings.map((f) => f.kind)).toEqual(['gateway-idle-kill']);
  });

  test('deaths of other kinds at the gateway\'s exact age are the same timer, not findings of their own', () => {
    const v = verdictFor([
      o(300_000, 'on', 'closed-by-peer', { deathAgeMs: 240_000, close: 'fin' }),
      o(240_000, 'on', 'dead-on-use', { close: 'timeout', cohort: 'c2' }),
      o(240_000, 'off', 'dead-on-use', { close: 'timeout' }),
    ]);
    expect(v.findings.map((f) => f.kind)).toEqual(['gateway-idle-kill']);
  });

  test('the keepalive idle comes from whichever silent death recorded it', () => {
    const v = verdictFor([o(1000, 'on', 'dead-on-use', { close: 'timeout' }), o(1000, 'on', 'dead-on-use', { close: 'timeout', cohort: 'c2', keepaliveIdleMs: 200 })]);
    expect(v.text).toMatch(/first probe at 0\.2 s, then 10 probes 1 s apart/);
  });
});

describe('verdictFor: the connection policy', () => {
  const close = (policy: 'proxy' | 'redirect', cohort = 'c1') => o(31 * MIN, 'on', 'closed-by-peer', { deathAgeMs: 30 * MIN, close: 'fin', policy, cohort });

  test('only the connections that died decide it: a redirected survivor does not clear the Proxy gateway', () => {
    const v = verdictFor([o(29 * MIN, 'on', 'survived', { policy: 'redirect' }), close('proxy')]);
    expect(v.text).toMatch(/consistent with the Proxy policy\.$/);
    expect(v.recommendations[0]).toMatch(/^Use the Redirect connection policy/);
  });

  test('any redirected connection that died the same way clears it', () => {
    const v = verdictFor([close('proxy'), close('redirect', 'c2')]);
    expect(v.text).toMatch(/on a redirected connection, so not the gateway's Proxy timer/);
    expect(v.recommendations.some((r) => r.includes('Redirect'))).toBe(false);
  });
});

describe('verdictFor: wording at the boundaries', () => {
  test.each([
    ['fin', 'closed by the peer with FIN'],
    ['rst', 'reset by the peer (RST)'],
    ['timeout', 'found dead by keepalive'],
    [undefined, 'closed by the peer with FIN'],
  ] as const)('a gateway close by %s reads "%s"', (how, words) => {
    const v = verdictFor([o(120_000, 'on', 'closed-by-peer', { deathAgeMs: 100_000, close: how })]);
    expect(v.text).toBe(`Gateway idle kill ≈ 100 s: ${words}, keepalive on dies too, consistent with the Proxy policy.`);
  });

  test('durations gain minutes from 120 s, rounded to the second', () => {
    expect(formatSeconds(119_400)).toBe('119.4 s');
    expect(formatSeconds(119_600)).toBe('120 s (2 min)');
    expect(formatSeconds(120_000)).toBe('120 s (2 min)');
    expect(formatSeconds(1_800_000)).toBe('1800 s (30 min)');
  });

  test('a rung at keepalive\'s detection time is no longer too soon for keepalive', () => {
    const measureAgain = (rungMs: number) => verdictFor([o(rungMs, 'on', 'dead-on-use', { close: 'timeout', keepaliveIdleMs: 200 })])
      .recommendations.some((r) => r.startsWith('Measure again'));
    expect(measureAgain(10_199)).toBe(true);
    expect(measureAgain(10_200)).toBe(false);
  });

  test('tedious\'s 30 s keepalive qualifies for a NAT that let 30 s of idle survive', () => {
    const v = verdictFor([o(30_000, 'off', 'survived'), o(60_000, 'off', 'dead-on-use', { close: 'timeout' }), o(60_000, 'on', 'survived')]);
    expect(v.recommendations[0]).toBe('Keep TCP keepalive on, at or below 30 s of idle (tedious\'s 30 s default qualifies); keepalive traffic keeps the NAT\'s flow alive.');
  });
});
