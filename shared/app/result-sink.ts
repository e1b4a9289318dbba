import type { ProbeResult } from '../contract';
import type { AppRuntime, Log } from './runtime';

/** Bound on sending telemetry at the end of an invocation or a command: it must return even when ingestion hangs. */
export const FLUSH_TIMEOUT_MS = 10_000;

/**
 * Sends results to telemetry and to the shared state as they arrive; `settle` waits for the state
 * writes and flushes telemetry, so nothing is lost when the invocation returns. It holds only the
 * writes still in flight and a count of those that failed, never the results of a whole round.
 */
export function resultSink(rt: AppRuntime, log: Log): { record: (result: ProbeResult) => void; settle: () => Promise<void> } {
  const writing = new Set<Promise<void>>();
  let failed = 0;
  let firstFailure: unknown;
  return {
    record: (result) => {
      rt.telemetry.record(result);
      const write: Promise<void> = rt.store.recordResult(result).catch((err: unknown) => {
        failed++;
        firstFailure ??= err;
      }).finally(() => writing.delete(write));
      writing.add(write);
    },
    settle: async () => {
      while (writing.size > 0) await Promise.allSettled([...writing]);
      if (failed > 0) log.warn(`sqlprobe: ${failed} result(s) not saved to state storage: ${String(firstFailure)}`);
      // Within the bound, what ingestion did not take is kept in the outbox and a later flush sends it.
      if (!(await rt.telemetry.flush(FLUSH_TIMEOUT_MS))) log.warn(`sqlprobe: telemetry not fully flushed: not done within ${FLUSH_TIMEOUT_MS} ms, or items could be neither delivered nor kept (see the telemetry warning)`);
    },
  };
}
