import fc from 'fast-check';
import { verdictFor } from '../../shared/idle';
import { IDLE_OUTCOMES } from '../../shared/contract';
import { LADDER, MIN, o } from './outcome-rows';

describe('verdictFor', () => {
  test('proxy gateway kill by FIN at 30 min: both variants die, Redirect recommended', () => {
    const outcomes = LADDER.flatMap((r) => (['on', 'off'] as const).map((k) => (r < 30 * MIN
      ? o(r, k, 'survived')
      : o(r, k, 'closed-by-peer', { deathAgeMs: 30 * MIN + 250, close: 'fin', error: 'Connection lost - socket hang up', idleMs: undefined }))));
    const v = verdictFor(outcomes);
    expect(v.kind).toBe('gateway-idle-kill');
    expect(v.atSeconds).toBe(1800.3);
    expect(v.minSeconds).toBe(1740);
    expect(v.text).toBe('Gateway idle kill ≈ 1800 s (30 min): closed by the peer with FIN, keepalive on dies too, consistent with the Proxy policy.');
    expect(v.recommendations[0]).toMatch(/Redirect connection policy/);
    expect(v.recommendations[1]).toBe('Keep the pool\'s idle lifetime under 1740 s (29 min): keepalive does not reset this timer, only a query does.');
    expect(v.recommendations.at(-1)).toMatch(/^Retry transport errors/);
    expect(v.findings).toHaveLength(1);
  });

  test('NAT silent drop at 4 min: off dies on use between 3 and 5 min, on survives everything', () => {
    const outcomes = LADDER.flatMap((r) => [
      o(r, 'on', 'survived'),
      r < 4 * MIN ? o(r, 'off', 'survived') : o(r, 'off', 'dead-on-use', { error: 'Timeout: Request failed to complete in 15000ms', close: 'timeout' }),
    ]);
    const v = verdictFor(outcomes);
    expect(v).toMatchObject({ kind: 'nat-idle-drop', atSeconds: 240, minSeconds: 180, maxSeconds: 300 });
    expect(v.text).toBe('NAT idle drop ≈ 240 s (4 min) (between 180 s (3 min) and 300 s (5 min) idle): keepalive off dropped silently (found dead on first use), keepalive on survives; a NAT or load balancer drops idle flows.');
    expect(v.recommendations).toEqual([
      'Keep TCP keepalive on, at or below 180 s (3 min) of idle (tedious\'s 30 s default qualifies); keepalive traffic keeps the NAT\'s flow alive.',
      'Keep the pool\'s idle lifetime under 180 s (3 min) for any connection without keepalive.',
      expect.stringMatching(/^Retry transport errors/),
    ]);
  });

  test('load balancer with TCP reset: off gets RST at an exact age, and keepalive is too slow for an 8 s NAT', () => {
    const v = verdictFor([
      o(4000, 'off', 'survived'), o(4000, 'on', 'survived'),
      o(12_000, 'off', 'closed-by-peer', { deathAgeMs: 8_012, close: 'rst', error: 'Connection lost - read ECONNRESET' }),
      o(12_000, 'on', 'survived'),
    ]);
    expect(v).toMatchObject({ kind: 'nat-idle-drop', atSeconds: 8, minSeconds: 4, maxSeconds: 8 });
    expect(v.text).toMatch(/^NAT idle drop ≈ 8 s: keepalive off reset by the peer \(RST\), keepalive on survives/);
    expect(v.recommendations[0]).toMatch(/at or below 4 s of idle \(tedious's 30 s default is too long here/);
  });

  test('NAT at 4 min and the gateway at 30 min: both findings, shortest first', () => {
    const outcomes = LADDER.flatMap((r) => [
      r < 30 * MIN ? o(r, 'on', 'survived') : o(r, 'on', 'closed-by-peer', { deathAgeMs: 1_801_000, close: 'fin' }),
      r < 4 * MIN ? o(r, 'off', 'survived') : o(r, 'off', 'dead-on-use', { error: 'Connection lost - read ECONNRESET', close: 'rst' }),
    ]);
    const v = verdictFor(outcomes);
    expect(v.findings.map((f) => f.kind)).toEqual(['nat-idle-drop', 'gateway-idle-kill']);
    expect(v.kind).toBe('nat-idle-drop');
    expect(v.text).toMatch(/^NAT idle drop ≈ 240 s .* Also: Gateway idle kill ≈ 1801 s \(30 min\)/);
    expect(v.recommendations.filter((r) => r.startsWith('Retry'))).toHaveLength(1);
    expect(v.text.split(' Also: ')).toHaveLength(2);
  });

  test('keepalive on gives up before the rung: the NAT dropped the flow before keepalive\'s first probe', () => {
    const v = verdictFor([o(60_000, 'on', 'keepalive-detected', { deathAgeMs: 41_020, keepaliveIdleMs: 30_000, close: 'timeout', error: 'Connection lost - read ETIMEDOUT' })]);
    expect(v).toMatchObject({ kind: 'nat-idle-drop', atSeconds: 30, maxSeconds: 30 });
    expect(v.text).toBe('NAT idle drop by 30 s: keepalive on found the flow gone after 41 s, so the path forgot it before keepalive\'s first probe at 30 s; a NAT or load balancer drops idle flows.');
    expect(v.recommendations[0]).toMatch(/^Keep TCP keepalive on, well below 30 s of idle/);
  });

  test('redirected connections that die are not blamed on the Proxy gateway', () => {
    const v = verdictFor([o(5000, 'on', 'closed-by-peer', { deathAgeMs: 3000, close: 'fin', policy: 'redirect' })]);
    expect(v.kind).toBe('gateway-idle-kill');
    expect(v.text).toMatch(/not the gateway's Proxy timer/);
    expect(v.recommendations.some((r) => r.includes('Redirect'))).toBe(false);
  });

  test('silent drop with keepalive on and off: no close while idle, so not the gateway; keepalive did not help', () => {
    const dead = { error: 'Failed to cancel request in 5000ms', close: 'timeout' as const, keepaliveIdleMs: 30_000 };
    const outcomes = LADDER.flatMap((r) => (['on', 'off'] as const).map((k) => {
      const ka = k === 'on' ? { keepaliveIdleMs: 30_000 } : {};
      return r < 10 * MIN ? o(r, k, 'survived', ka) : o(r, k, 'dead-on-use', k === 'on' ? dead : { ...dead, keepaliveIdleMs: undefined });
    }));
    const v = verdictFor(outcomes);
    expect(v).toMatchObject({ kind: 'silent-drop', atSeconds: 600, minSeconds: 300, maxSeconds: 900 });
    expect(v.findings.map((f) => f.kind)).toEqual(['silent-drop']);
    expect(v.text).toBe('Silent drop ≈ 600 s (10 min) (between 300 s (5 min) and 900 s (15 min) idle) with keepalive on and off: no FIN or RST while idle, found dead on first use, so not the gateway\'s idle kill (which closes the connection); keepalive did not keep the flow alive: something answers keepalive probes while the session behind them is gone (a proxy or load balancer that terminates TCP, or a server that stopped answering).');
    expect(v.recommendations).toEqual([
      expect.stringMatching(/^Find the device that drops idle flows silently/),
      'Keep the pool\'s idle lifetime under 300 s (5 min): with or without keepalive, a connection idle longer was found dead.',
      'A socket check on borrow does not see a silent drop: validate idle connections with a query (or discard them) before use.',
      expect.stringMatching(/^Retry transport errors/),
    ]);
    expect(v.recommendations.some((r) => r.includes('Redirect'))).toBe(false);
  });

  test('silent drop found before keepalive could notice it: the wording and a recommendation say so', () => {
    const dead = { error: 'Failed to cancel request in 5000ms', close: 'timeout' as const };
    const v = verdictFor([o(1000, 'on', 'dead-on-use', { ...dead, keepaliveIdleMs: 200 }), o(1000, 'off', 'dead-on-use', dead)]);
    expect(v).toMatchObject({ kind: 'silent-drop', atSeconds: 1, maxSeconds: 1 });
    expect(v.text).toBe('Silent drop ≈ 1 s (died by 1 s, the shortest rung) with keepalive on and off: no FIN or RST while idle, found dead on first use, so not the gateway\'s idle kill (which closes the connection); keepalive did not keep the flow alive: something answers keepalive probes while the session behind them is gone (a proxy or load balancer that terminates TCP, or a server that stopped answering), or the rung came within keepalive\'s detection time (first probe at 0.2 s, then 10 probes 1 s apart) and a dropped flow had not been noticed yet.');
    expect(v.recommendations).toContain('Measure again with rungs past keepalive\'s detection time (10.2 s): a flow the path dropped then shows as keepalive-detected, and one that keepalive keeps alive survives.');
  });

  test('silent drop of keepalive on while keepalive off outlives it; an earlier keepalive-off death is a NAT finding of its own', () => {
    const on = (r: number) => (r < 15 * MIN ? o(r, 'on', 'survived') : o(r, 'on', 'dead-on-use', { close: 'timeout', keepaliveIdleMs: 30_000 }));
    const outlived = verdictFor(LADDER.flatMap((r) => [on(r), o(r, 'off', 'survived')]));
    expect(outlived.kind).toBe('silent-drop');
    expect(outlived.text).toMatch(/ with keepalive on \(keepalive off outlived it\): /);
    const both = verdictFor(LADDER.flatMap((r) => [on(r), r < 4 * MIN ? o(r, 'off', 'survived') : o(r, 'off', 'dead-on-use', { close: 'timeout' })]));
    expect(both.findings.map((f) => f.kind)).toEqual(['nat-idle-drop', 'silent-drop']);
    expect(both.text).toMatch(/^NAT idle drop ≈ 240 s .* Also: Silent drop ≈ 600 s \(10 min\) .* with keepalive on and off: /);
    expect(both.text.split(' Also: ')).toHaveLength(2);
  });

  test('no idle kill up to the longest rung', () => {
    const v = verdictFor(LADDER.flatMap((r) => [o(r, 'on', 'survived'), o(r, 'off', 'survived', { idleMs: r + 1500 })]));
    expect(v).toMatchObject({ kind: 'no-idle-kill', atSeconds: 2401.5 });
    expect(v.text).toBe('No idle kill up to 2402 s (40 min) idle, the longest rung measured.');
    expect(v.recommendations).toEqual(['No idle kill was seen up to 2402 s (40 min); keep retry logic for transport errors all the same (wait 5 s, back off up to 60 s).']);
  });

  test('inconclusive outcomes never count as deaths', () => {
    const v = verdictFor(LADDER.map((r) => o(r, 'off', 'inconclusive', { reason: 'host-recycled' })));
    expect(v.kind).toBe('inconclusive');
    expect(v.recommendations).toEqual([]);
  });

  test('property: a verdict is always well formed and never built from inconclusive outcomes alone', () => {
    const arb = fc.array(fc.record({
      rung: fc.integer({ min: 1, max: 60 }),
      keepalive: fc.constantFrom('on' as const, 'off' as const),
      outcome: fc.constantFrom(...IDLE_OUTCOMES),
      death: fc.integer({ min: 0, max: 60_000 }),
      close: fc.constantFrom('fin' as const, 'rst' as const, 'timeout' as const),
    }));
    fc.assert(fc.property(arb, (rows) => {
      const outcomes = rows.map((r) => o(r.rung * 1000, r.keepalive, r.outcome, r.outcome === 'survived' || r.outcome === 'inconclusive' ? {} : { deathAgeMs: r.death, close: r.close }));
      const v = verdictFor(outcomes);
      expect(v.text.length).toBeGreaterThan(0);
      expect(v.findings[0].kind).toBe(v.kind);
      // Nothing measured can only be inconclusive.
      expect(outcomes.some((x) => x.outcome !== 'inconclusive') || v.kind === 'inconclusive').toBe(true);
      for (let i = 1; i < v.findings.length; i++) expect(v.findings[i].atSeconds ?? 0).toBeGreaterThanOrEqual(v.findings[i - 1].atSeconds ?? 0);
    }));
  });
});
