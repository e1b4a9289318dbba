import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeResult } from '../../shared/contract';
import { initTelemetry } from '../../shared/telemetry';
import type { FakeBreeze } from './breeze';
import { telemetrySettings } from './settings';

export interface Sent {
  /** Whether the flush delivered everything within its bound. */
  flushed: boolean;
  /** Shuts telemetry down, stops the endpoint and removes the offline storage. */
  close: () => Promise<void>;
}

/** Starts `breeze` and sends `results` to it through the real exporter (offline storage in a temp directory), then flushes. */
export async function sendThroughExporter(breeze: FakeBreeze, results: readonly ProbeResult[], flushMs: number): Promise<Sent> {
  const storage = mkdtempSync(join(tmpdir(), 'sqlprobe-sent-'));
  await breeze.start();
  const telemetry = initTelemetry(telemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: breeze.connectionString, SQLPROBE_OFFLINE_STORAGE_DIR: storage }), {});
  for (const r of results) telemetry.record(r);
  const flushed = await telemetry.flush(flushMs);
  return {
    flushed,
    close: async () => {
      await telemetry.shutdown(5000);
      await breeze.stop();
      rmSync(storage, { recursive: true, force: true });
    },
  };
}
