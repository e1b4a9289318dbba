// One attempt of one prober (its deadline, the grace for a prober that ignores it, the round's abort)
// and the one retry of a transient failure. On jest's clock, so what happens when is the runner's
// doing alone, never a loaded machine's.
import type { ProbeResult } from '../../shared/contract';
import type { Prober } from '../../shared/probers';
import { runAttempt, withRetry } from '../../shared/runner/attempt';
import { result } from '../helpers/results';
import { probeOptions, target } from '../helpers/targets';

const GRACE_MS = 50;
const options = probeOptions({ timeoutMs: 200 });
const t = target({ name: 'stuck' });
const never: Prober = () => new Promise(() => {});

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** Settles `promise` by advancing jest's clock `ms`, and says whether it had settled one ms before. */
async function settlesAt<T>(promise: Promise<T>, ms: number): Promise<{ value: T; early: boolean }> {
  let settled = false;
  void promise.then(() => (settled = true));
  await jest.advanceTimersByTimeAsync(ms - 1);
  const early = settled;
  await jest.advanceTimersByTimeAsync(1);
  expect(settled).toBe(true);
  return { value: await promise, early };
}

describe('runAttempt', () => {
  it('aborts the prober\'s signal at the deadline, as a timeout', async () => {
    let seen: AbortSignal | undefined;
    const prober: Prober = (_t, _o, signal) => new Promise((resolve) => {
      seen = signal;
      signal.addEventListener('abort', () => resolve(result({ success: false, probe: 'tcp', error: { class: 'timeout-tcp', phase: 'tcp', transient: true, message: 'aborted', recommendation: '' } })));
    });
    const { value, early } = await settlesAt(runAttempt(prober, t, 'tcp', options, GRACE_MS, new AbortController().signal), options.timeoutMs);
    expect(early).toBe(false);
    // A prober that fails with its signal's reason shows this text: it names the deadline.
    expect(seen?.reason).toMatchObject({ name: 'TimeoutError', message: 'probe deadline' });
    expect(value.error?.class).toBe('timeout-tcp');
    // The grace timer armed at the abort goes with the answer: nothing is left to hold the process.
    expect(jest.getTimerCount()).toBe(0);
  });

  it('answers for a prober that ignores its signal at deadline + grace, blaming the phase the probe measures', async () => {
    const { value, early } = await settlesAt(runAttempt(never, t, 'login', options, GRACE_MS, new AbortController().signal), options.timeoutMs + GRACE_MS);
    expect(early).toBe(false);
    expect(value).toMatchObject({ target: 'stuck', probe: 'login', success: false, durationMs: options.timeoutMs + GRACE_MS });
    expect(value.error).toMatchObject({ class: 'timeout-login', phase: 'login', message: 'the login probe did not finish within its 200 ms deadline' });
  });

  it('passes the round\'s abort on with its reason, and answers for a prober that ignores it at abort + grace', async () => {
    const round = new AbortController();
    let seen: AbortSignal | undefined;
    const ignoring: Prober = (_t, _o, signal) => {
      seen = signal;
      return new Promise(() => {});
    };
    const attempt = runAttempt(ignoring, t, 'tls', options, GRACE_MS, round.signal);
    await jest.advanceTimersByTimeAsync(10);
    round.abort(new Error('round over'));
    expect(seen?.reason).toEqual(new Error('round over'));
    const { value, early } = await settlesAt(attempt, GRACE_MS);
    expect(early).toBe(false);
    expect(value.error).toMatchObject({ class: 'timeout-tls', phase: 'tls' });
  });

  it('starts a prober whose round already ended with an aborted signal, and still answers for it after the grace', async () => {
    const round = new AbortController();
    round.abort(new Error('already over'));
    let seen: AbortSignal | undefined;
    const ignoring: Prober = (_t, _o, signal) => {
      seen = { aborted: signal.aborted, reason: signal.reason } as AbortSignal;
      return new Promise(() => {});
    };
    const { value, early } = await settlesAt(runAttempt(ignoring, t, 'dns', options, GRACE_MS, round.signal), GRACE_MS);
    expect(early).toBe(false);
    expect(seen).toEqual({ aborted: true, reason: new Error('already over') });
    expect(value.error).toMatchObject({ class: 'timeout-dns', phase: 'dns' });
  });

  it('turns a prober that throws into a classified failure', async () => {
    const throwing: Prober = async () => { throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1433'), { code: 'ECONNREFUSED' }); };
    const r = await runAttempt(throwing, t, 'tcp', options, GRACE_MS, new AbortController().signal);
    expect(r).toMatchObject({ success: false, target: 'stuck', probe: 'tcp', error: { class: 'tcp-refused', phase: 'tcp' } });
  });

  it('turns a prober that throws something unreadable into a failure that says so, and leaves no timer behind', async () => {
    const unreadable = new Proxy({}, { get() { throw new Error('unreadable'); } });
    const throwing: Prober = async () => { throw unreadable; };
    const r = await runAttempt(throwing, t, 'tcp', options, GRACE_MS, new AbortController().signal);
    expect(r).toMatchObject({ success: false, probe: 'tcp', error: { message: 'the tcp probe threw a value that cannot be read' } });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('leaves no timer behind, and a later abort of the round does not reach a finished probe', async () => {
    const round = new AbortController();
    let seen: AbortSignal | undefined;
    const quick: Prober = async (_t, _o, signal) => {
      seen = signal;
      return result({ probe: 'tcp' });
    };
    expect((await runAttempt(quick, t, 'tcp', options, GRACE_MS, round.signal)).success).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    round.abort();
    expect(seen?.aborted).toBe(false);
    // And after an answer for an ignoring prober, the grace timer is gone too.
    await settlesAt(runAttempt(never, t, 'tcp', options, GRACE_MS, new AbortController().signal), options.timeoutMs + GRACE_MS);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('refuses a deadline or a grace no timer can wait for, naming which', async () => {
    const huge = 2 ** 31;
    await expect(runAttempt(never, t, 'tcp', probeOptions({ timeoutMs: huge }), GRACE_MS, new AbortController().signal)).rejects.toThrow(/^the probe deadline: 2147483648 ms cannot be waited for/);
    const aborted = new AbortController();
    aborted.abort();
    await expect(runAttempt(never, t, 'tcp', options, huge, aborted.signal)).rejects.toThrow(/^the grace after a deadline: 2147483648 ms cannot be waited for/);
  });
});

describe('withRetry', () => {
  const failure = (transient: boolean): ProbeResult => result({
    success: false, probe: 'tcp',
    error: { class: transient ? 'tcp-timeout' : 'tcp-refused', phase: 'tcp', transient, message: 'x', recommendation: '' },
  });
  /** An attempt function that answers with `results` in turn, counting its calls. */
  const attempts = (...results: ProbeResult[]) => {
    const fn = Object.assign(async () => results[fn.calls++], { calls: 0 });
    return fn;
  };

  it('tries a transient failure again after the delay, listing both attempts', async () => {
    const attempt = attempts(failure(true), result({ probe: 'tcp' }));
    const { value, early } = await settlesAt(withRetry(attempt, 1000, new AbortController().signal), 1000);
    expect(early).toBe(false);
    expect(attempt.calls).toBe(2);
    expect(value?.success).toBe(true);
    expect(value?.attempts.map((a) => [a.success, a.class])).toEqual([[false, 'tcp-timeout'], [true, undefined]]);
  });

  it('does not try again after a success, a failure that is not transient, or without a delay', async () => {
    for (const [first, delay] of [[result({ probe: 'tcp' }), 1000], [failure(false), 1000], [failure(true), undefined]] as const) {
      const attempt = attempts(first, result({ probe: 'tcp' }));
      const r = await withRetry(attempt, delay, new AbortController().signal);
      expect(attempt.calls).toBe(1);
      expect(r?.attempts).toEqual([{ startedAt: first.startedAt, durationMs: first.durationMs, success: first.success, ...(first.error ? { class: first.error.class } : {}) }]);
    }
  });

  it('does not try again once the round is aborted during the delay', async () => {
    const round = new AbortController();
    const attempt = attempts(failure(true), result({ probe: 'tcp' }));
    const retried = withRetry(attempt, 1000, round.signal);
    await jest.advanceTimersByTimeAsync(500);
    round.abort();
    const r = await retried;
    expect(attempt.calls).toBe(1);
    expect(r).toMatchObject({ success: false, attempts: [{ success: false, class: 'tcp-timeout' }] });
  });

  it('does not try again when the round was aborted before the first attempt ended', async () => {
    const round = new AbortController();
    round.abort();
    const attempt = attempts(failure(true), result({ probe: 'tcp' }));
    await withRetry(attempt, 1000, round.signal);
    expect(attempt.calls).toBe(1);
  });
});
