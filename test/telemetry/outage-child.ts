// A telemetry host in a process of its own, built the way the function app builds it (runtimeFromEnv
// from app settings, so the outbox in the storage account is wired as in production). The test drives
// it over IPC: record results, flush with the invocation's bound, and is free to kill -9 it.
import { FLUSH_TIMEOUT_MS, runtimeFromEnv } from '../../shared/app';
import type { ProbeResult, VerdictChange } from '../../shared/contract';

type Command = { op: 'record'; results: ProbeResult[]; changes: VerdictChange[] } | { op: 'flush' } | { op: 'shutdown' };

async function main(): Promise<void> {
  const warnings: string[] = [];
  console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
  const rt = await runtimeFromEnv(process.env);
  const answer = (m: object) => process.send?.(m);
  process.on('message', (c: Command) => {
    void (async () => {
      if (c.op === 'record') {
        for (const r of c.results) rt.telemetry.record(r);
        for (const change of c.changes) rt.telemetry.recordVerdictChange(change);
        answer({ op: c.op });
      } else if (c.op === 'flush') {
        const startedAt = performance.now();
        const ok = await rt.telemetry.flush(FLUSH_TIMEOUT_MS);
        answer({ op: c.op, ok, ms: performance.now() - startedAt, warnings: warnings.splice(0) });
      } else {
        answer({ op: c.op, ok: await rt.telemetry.shutdown(FLUSH_TIMEOUT_MS), warnings: warnings.splice(0) });
        process.exit(0);
      }
    })();
  });
  answer({ op: 'ready' });
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
