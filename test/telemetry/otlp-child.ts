// Sends results through initTelemetry in a process of its own and prints whether the flush and the
// shutdown succeeded. The OTLP exporters load node:http with a dynamic import(), which Jest's module
// sandbox refuses; a plain Node process is also where they run for real.
import { loadConfig, secretsOf } from '../../shared/config';
import type { ProbeResult, VerdictChange } from '../../shared/contract';
import { initTelemetry, type TelemetrySettings } from '../../shared/telemetry';
import { telemetrySettings } from './settings';

export interface OtlpChildInput {
  settings: Partial<TelemetrySettings>;
  env: Record<string, string>;
  results: ProbeResult[];
  changes: VerdictChange[];
  flushMs: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2]) as OtlpChildInput;
  const telemetry = initTelemetry(telemetrySettings(input.settings), { secrets: secretsOf(loadConfig(input.env).targets, input.env) });
  for (const r of input.results) telemetry.record(r);
  for (const c of input.changes) telemetry.recordVerdictChange(c);
  const flushed = await telemetry.flush(input.flushMs);
  const shutdown = await telemetry.shutdown(input.flushMs);
  process.stdout.write(JSON.stringify({ flushed, shutdown }), () => process.exit(0));
}

main();
