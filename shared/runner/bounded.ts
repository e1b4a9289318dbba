import { timerMs } from '../config';

/**
 * Calls `work` on every item with at most `limit` calls in flight. Stops taking new items once
 * `signal` aborts; items already started finish on their own (they watch the same signal). Returns
 * how many items were started: the first that many.
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, signal: AbortSignal, work: (item: T, index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal.aborted) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return next;
}

/** Resolves after `ms`, or early (to false) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (slept: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(slept);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), timerMs(ms, 'a wait'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A signal that aborts after `ms`, on the global setTimeout (unlike AbortSignal.timeout, whose
 * internal timer overflows silently past 2^31 ms and which fake timers cannot drive). `clear`
 * stops the timer once the work it bounds is over.
 */
export function deadlineSignal(ms: number, what: string): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`${what} ran out`, 'TimeoutError')), timerMs(ms, what));
  timer.unref?.();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
