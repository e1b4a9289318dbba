import { readSecret } from '../../shared/config';
import { probeResultSchema, type ProbeResult } from '../../shared/contract';
import type { Prober } from '../../shared/probers/prober';
import { type RoundOptions, type RoundReport, runRound, UNGATED } from '../../shared/runner';
import { target } from '../helpers/targets';
import { collectRound, fakeProber } from './fakes';

// Ungated: these tests are about the round's bookkeeping; test/runner/gate.test.ts covers when probes start.
const base = (extra: Partial<RoundOptions>): RoundOptions => ({ env: {}, region: 'test', timeoutMs: 1000, concurrency: 4, gate: UNGATED, ...extra });

describe('runRound', () => {
  it('retries a transient failure once after the delay and records both attempts', async () => {
    const tcp = fakeProber((_name, call) => ({ success: call > 1 }));
    const { results } = await collectRound([target({ name: 'flaky' })], base({ probes: ['tcp'], probers: { tcp }, retryDelayMs: 20 }));
    expect(results).toHaveLength(1);
    expect(results[0].success).toBe(true);
    expect(results[0].attempts.map((a) => [a.success, a.class])).toEqual([[false, 'tcp-timeout'], [true, undefined]]);
    expect(Date.parse(results[0].attempts[1].startedAt) - Date.parse(results[0].attempts[0].startedAt)).toBeGreaterThanOrEqual(20);
  });

  it('retries only once: a second transient failure is the result', async () => {
    const tcp = fakeProber(() => ({ success: false }));
    const { results } = await collectRound([target({ name: 'down' })], base({ probes: ['tcp'], probers: { tcp }, retryDelayMs: 10 }));
    expect(results[0]).toMatchObject({ success: false, error: { class: 'tcp-timeout' } });
    expect(results[0].attempts.map((a) => a.class)).toEqual(['tcp-timeout', 'tcp-timeout']);
  });

  it('does not retry a failure that is not transient: a refusal will not heal in seconds', async () => {
    const tcp = fakeProber((_name, call) => ({ success: call > 1, transient: false }));
    const { results } = await collectRound([target({ name: 'refused' })], base({ probes: ['tcp'], probers: { tcp }, retryDelayMs: 10 }));
    expect(results[0]).toMatchObject({ success: false, error: { class: 'tcp-refused', transient: false } });
    expect(results[0].attempts).toHaveLength(1);
  });

  it('does not retry a success, nor anything when no delay is configured', async () => {
    const ok = fakeProber(() => ({ success: true }));
    const bad = fakeProber(() => ({ success: false }));
    const [a, b] = await Promise.all([
      collectRound([target({ name: 'ok' })], base({ probes: ['tcp'], probers: { tcp: ok }, retryDelayMs: 10 })),
      collectRound([target({ name: 'bad' })], base({ probes: ['tcp'], probers: { tcp: bad } })),
    ]);
    expect(a.results[0].attempts).toHaveLength(1);
    expect(b.results[0].attempts).toHaveLength(1);
    expect(b.results[0].success).toBe(false);
  });

  it('turns a thrown prober into a failed, classified result and keeps probing the others', async () => {
    const tcp: Prober = async (t, options, signal) => {
      if (t.name === 'broken') throw new Error('boom: Password=hunter2;');
      return fakeProber(() => ({ success: true }))(t, options, signal);
    };
    const { results } = await collectRound([target({ name: 'broken' }), target({ name: 'fine' })], base({ probes: ['tcp'], probers: { tcp } }));
    const byTarget = Object.fromEntries(results.map((r) => [r.target, r]));
    expect(results.map((r) => [r.target, r.success]).sort()).toEqual([['broken', false], ['fine', true]]);
    expect(byTarget.broken.error).toMatchObject({ class: 'unknown', phase: 'tcp' });
    expect(JSON.stringify(byTarget.broken)).not.toContain('hunter2');
    for (const r of results) probeResultSchema.parse(r);
  });

  it('classifies a broken target (its password setting is missing) and still probes the rest', async () => {
    const login: Prober = async (t, options, signal) => {
      if (t.auth.type === 'sql') readSecret(t.auth.passwordSetting, options.env);
      return fakeProber(() => ({ success: true }))(t, options, signal);
    };
    const broken = target({ name: 'broken', auth: { type: 'sql', user: 'probe', passwordSetting: 'MISSING_PASSWORD' } });
    const { results } = await collectRound([broken, target({ name: 'fine' })], base({ probes: ['login'], probers: { login }, env: {} }));
    expect(results.map((r) => [r.target, r.success, r.error?.class]).sort()).toEqual([['broken', false, 'secret-missing'], ['fine', true, undefined]]);
    expect(results.find((r) => r.target === 'broken')?.error?.message).toContain('MISSING_PASSWORD');
  });

  it('answers for a prober that ignores its signal at deadline + grace', async () => {
    // On jest's clock, so when the answer comes is the runner's doing alone, never a loaded machine's.
    jest.useFakeTimers();
    try {
      const hang: Prober = () => new Promise(() => {});
      const options = base({ timeoutMs: 200, graceMs: 50, probes: ['login'], probers: { login: hang } });
      const answerAt = options.timeoutMs + options.graceMs!;
      let report: RoundReport | undefined;
      const results: ProbeResult[] = [];
      const round = runRound([target({ name: 'stuck' })], { ...options, onResult: (r) => results.push(r) }).then((r) => (report = r));
      // Not answered for before deadline + grace, and answered for then, not never.
      await jest.advanceTimersByTimeAsync(answerAt - 1);
      expect(report).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      expect(report).toBeDefined();
      await round;
      expect(report).toMatchObject({ results: 1, failed: 1 });
      const [result] = results;
      expect(result).toMatchObject({ success: false, error: { class: 'timeout-login', phase: 'login' } });
      probeResultSchema.parse(result);
      expect(result.durationMs).toBe(answerAt);
      expect(report!.durationMs).toBe(answerAt);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps at most `concurrency` targets in flight and runs a target\'s probes in sequence', async () => {
    let inFlight = 0;
    let peak = 0;
    const perTarget = new Map<string, number>();
    const counting = (prober: Prober): Prober => async (t, options, signal) => {
      inFlight++;
      perTarget.set(t.name, (perTarget.get(t.name) ?? 0) + 1);
      peak = Math.max(peak, inFlight);
      expect(perTarget.get(t.name)).toBe(1);
      try {
        return await prober(t, options, signal);
      } finally {
        inFlight--;
        perTarget.set(t.name, (perTarget.get(t.name) ?? 0) - 1);
      }
    };
    const dns = counting(fakeProber(() => ({ success: true, delayMs: 5 }), 'dns'));
    const tcp = counting(fakeProber(() => ({ success: true, delayMs: 5 })));
    const targets = Array.from({ length: 30 }, (_, i) => target({ name: `t${i}` }));
    const { results } = await collectRound(targets, base({ concurrency: 5, probes: ['dns', 'tcp'], probers: { dns, tcp } }));
    expect(peak).toBe(5);
    const order = (r: ProbeResult) => Number(r.target.slice(1)) * 2 + (r.probe === 'tcp' ? 1 : 0);
    expect([...results].sort((a, b) => order(a) - order(b)).map((r) => `${r.target}/${r.probe}`)).toEqual(targets.flatMap((t) => [`${t.name}/dns`, `${t.name}/tcp`]));
  });

  it('streams every final result to onResult, and survives a callback that throws', async () => {
    const seen: string[] = [];
    const report = await runRound([target({ name: 'a' }), target({ name: 'b' })], base({
      probes: ['tcp'],
      probers: { tcp: fakeProber(() => ({ success: true })) },
      onResult: (r) => {
        seen.push(r.target);
        if (r.target === 'a') throw new Error('sink down');
      },
    }));
    expect(seen.sort()).toEqual(['a', 'b']);
    expect(report).toMatchObject({ results: 2, failed: 0 });
    expect(report.callbackErrors).toHaveLength(1);
  });

  it('hands each result on as it settles and keeps only counts: a long round holds no results', async () => {
    const events: string[] = [];
    const tcp: Prober = async (t, options, signal) => {
      events.push(`start ${t.name}`);
      return fakeProber(() => ({ success: t.name !== 't1' }))(t, options, signal);
    };
    const report = await runRound(['t0', 't1', 't2'].map((name) => target({ name })), base({ concurrency: 1, probes: ['tcp'], probers: { tcp }, onResult: (r) => events.push(`result ${r.target}`) }));
    expect(events).toEqual(['start t0', 'result t0', 'start t1', 'result t1', 'start t2', 'result t2']);
    expect(report).toEqual({ results: 3, failed: 1, perturbed: 0, skipped: { 'no-prober': 0, aborted: 0 }, durationMs: expect.any(Number), callbackErrors: [] });
  });

  it('skips probes without a registered prober and uses each target\'s own list by default', async () => {
    const tcp = fakeProber(() => ({ success: true }));
    const { report, results, skipped } = await collectRound([target({ name: 'a', probes: ['tcp', 'idle'] })], base({ probers: { tcp } }));
    expect(results.map((r) => r.target)).toEqual(['a']);
    expect(skipped).toEqual([{ target: 'a', probe: 'idle', reason: 'no-prober' }]);
    expect(report.skipped).toEqual({ 'no-prober': 1, aborted: 0 });
  });

  it('stops at the round budget: running probes end as timeouts, queued ones are skipped', async () => {
    // Each probe would answer after 20 min and its deadline is 10 min: only the budget can end them now.
    const slow = fakeProber(() => ({ success: true, delayMs: 20 * 60_000 }));
    const targets = Array.from({ length: 6 }, (_, i) => target({ name: `t${i}` }));
    const options = base({ timeoutMs: 10 * 60_000, budgetMs: 150, concurrency: 2, probes: ['tcp'], probers: { tcp: slow } });
    const { report, results, skipped } = await collectRound(targets, options);
    expect(report.durationMs).toBeLessThan(options.timeoutMs / 10);
    expect(results).toHaveLength(2);
    expect(results.every((r) => !r.success && r.error?.class === 'timeout-tcp')).toBe(true);
    expect(skipped.map((s) => s.target)).toEqual(['t2', 't3', 't4', 't5']);
    expect(skipped.every((s) => s.reason === 'aborted')).toBe(true);
    expect(report).toMatchObject({ results: 2, failed: 2, skipped: { aborted: 4, 'no-prober': 0 } });
  });

  it('stopped by the caller: a probe cut short is skipped, never a failed result, and onResult does not hear of it', async () => {
    const stop = new AbortController();
    const seen: string[] = [];
    // `fast` succeeds; `hangs` would answer after the 10 min deadline. The caller stops once `fast` is in.
    const tcp = fakeProber((name) => ({ success: true, delayMs: name === 'fast' ? 0 : 10 * 60_000 }));
    const { report, results, skipped } = await collectRound([target({ name: 'fast' }), target({ name: 'hangs' })], base({
      timeoutMs: 10 * 60_000, concurrency: 2, probes: ['dns', 'tcp'], probers: { dns: fakeProber(() => ({ success: true }), 'dns'), tcp },
      onResult: (r) => {
        seen.push(`${r.target}/${r.probe}`);
        if (r.target === 'fast' && r.probe === 'tcp') stop.abort(new Error('stopped by SIGINT'));
      },
    }), stop.signal);
    expect(seen).toEqual(['fast/dns', 'hangs/dns', 'fast/tcp']);
    expect(results.map((r) => `${r.target}/${r.probe}`)).toEqual(seen);
    expect(results.every((r) => r.success)).toBe(true);
    expect(skipped).toEqual([{ target: 'hangs', probe: 'tcp', reason: 'aborted' }]);
    expect(report).toMatchObject({ results: 3, failed: 0, skipped: { aborted: 1 } });
  });

  it('settles at once for an already aborted signal', async () => {
    const { report, results, skipped } = await collectRound([target({ name: 'a' })], base({ probes: ['tcp'], probers: { tcp: fakeProber(() => ({ success: true })) } }), AbortSignal.abort());
    expect(results).toEqual([]);
    expect(skipped).toEqual([{ target: 'a', probe: 'tcp', reason: 'aborted' }]);
    expect(report).toMatchObject({ results: 0, skipped: { aborted: 1 } });
  });
});
