import { dirname, join } from 'node:path';

/**
 * Fixes for @azure/monitor-opentelemetry-exporter 1.0.0-beta.45 (pinned) that reach into its
 * files, since neither has an option. Each warns and carries on if a later version moved the file;
 * test/telemetry/units.test.ts has a canary that fails once the replay bug is fixed upstream.
 */
export const exporterFile = (path: string): string => join(dirname(require.resolve('@azure/monitor-opentelemetry-exporter')), path);

interface Persister {
  shift(): Promise<{ time?: unknown }[] | null>;
}

const PATCHED = Symbol.for('sqlprobe.replayFix');

/**
 * The persister stores envelopes with JSON.stringify, so a replayed envelope's `time` comes back
 * as a string, the serializer calls `time.toISOString()` on it, and the TypeError makes the exporter
 * drop the whole file as "not retriable": every result persisted during an outage was lost. This
 * turns `time` back into a Date as files are read.
 */
export async function fixOfflineReplay(warn: (text: string) => void): Promise<void> {
  try {
    const { FileSystemPersist } = (await import(exporterFile('platform/nodejs/persist/fileSystemPersist.js'))) as {
      FileSystemPersist: { prototype: Persister & { [PATCHED]?: true } };
    };
    const proto = FileSystemPersist.prototype;
    if (proto[PATCHED]) return;
    const shift = proto.shift;
    proto.shift = async function (this: Persister) {
      const envelopes = await shift.call(this);
      for (const e of envelopes ?? []) if (typeof e.time === 'string') e.time = new Date(e.time);
      return envelopes;
    };
    proto[PATCHED] = true;
  } catch (err) {
    warn(`telemetry: offline-storage replay fix not applied (${(err as Error).message}); results persisted during an outage may be dropped on replay`);
  }
}

/**
 * Every exporter starts a process-wide poller of https://settings.sdk.monitor.azure.com (5–15 s
 * after start, then periodically) that no exporter shutdown stops; an in-flight poll holds the
 * process for up to 10 s at exit. Stopped on shutdown, and at start for a local collector, which
 * should not call out to the internet.
 */
export async function stopRemoteConfiguration(warn: (text: string) => void): Promise<void> {
  try {
    const { ConfigurationManager } = (await import(exporterFile('_configuration/configurationManager.js'))) as {
      ConfigurationManager: { getInstance(): { shutdown(): void } };
    };
    ConfigurationManager.getInstance().shutdown();
  } catch (err) {
    warn(`telemetry: could not stop the exporter's settings poller (${(err as Error).message})`);
  }
}
