import type { ProbeResult } from '../contract';
import type { AppRuntime, Log } from './runtime';

/** Bound on sending telemetry at the end of an invocation or a command: it must return even when ingestion hangs. */
export const FLUSH_TIMEOUT_MS = 10_000;

/**
 * Sends results to telemetry and to the shared state as they arrive; `settle` waits for the state
 * writes and flushes telemetry, so nothing is lost when the invocation returns.
 */
export function resultSink(rt: AppRuntime, log: Log): { record: (result: ProbeResult) => void; settle: () => Promise<void> } {
  const writes: Promise<void>[] = [];
  return {
    record: (result) => {
      rt.telemetry.record(result);
      writes.push(rt.store.recordResult(result));
    },
    settle: async () => {
      const failed = (await Promise.allSettled(writes)).filter((w) => w.status === 'rejected');
      if (failed.length > 0) log.warn(`sqlprobe: ${failed.length} result(s) not saved to state storage: ${String((failed[0] as PromiseRejectedResult).reason)}`);
      // Within the bound, what ingestion did not take is kept in the outbox and a later flush sends it.
      if (!(await rt.telemetry.flush(FLUSH_TIMEOUT_MS))) log.warn(`sqlprobe: telemetry not fully flushed: not done within ${FLUSH_TIMEOUT_MS} ms, or items could be neither delivered nor kept (see the telemetry warning)`);
    },
  };
}
