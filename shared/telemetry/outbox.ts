import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseConnectionString } from '../config';

/**
 * Where telemetry that ingestion did not take waits to be sent again. The Azure sink puts items it
 * could not deliver, and each flush takes what is pending, sends it, and acknowledges what went.
 * Implementations: a local directory (./file-outbox.ts) and the app's storage account (shared/state).
 */

/** One telemetry item, JSON-serialisable (the exporter's envelope); the outbox never looks inside. */
export type OutboxItem = Record<string, unknown>;

/** Items taken together; invisible to other takers until acknowledged or until the lease runs out. */
export interface HeldBatch {
  readonly items: OutboxItem[];
}

export interface Outbox {
  /** For messages: where the items are kept, e.g. `storage queue "sqlprobe-outbox-…"`. */
  readonly description: string;
  /** Keeps the items durably; resolves once they are written, rejects when they are not. */
  put(items: readonly OutboxItem[]): Promise<void>;
  /**
   * Up to `max` pending batches, leased for `leaseMs`: a batch not acknowledged by then becomes
   * pending again (its taker died or failed), so another instance's next flush sends it.
   */
  take(max: number, leaseMs: number): Promise<HeldBatch[]>;
  /** Removes a taken batch for good: its items were delivered (or moved back in with `put`). */
  ack(batch: HeldBatch): Promise<void>;
}

/** How long undelivered items are kept before they expire unsent: the exporter's own offline retention. */
export const OUTBOX_RETENTION_MS = 48 * 3_600_000;

/** The stored form of a batch: gzipped JSON (telemetry compresses about tenfold). */
export const encodeItems = (items: readonly OutboxItem[]): Buffer => gzipSync(JSON.stringify(items));

export const decodeItems = (stored: Buffer): OutboxItem[] => JSON.parse(gunzipSync(stored).toString('utf8')) as OutboxItem[];

/**
 * The name of the outbox queue for an Application Insights connection string: one queue per
 * resource (by its instrumentation key), so held items go back to the resource they were meant for.
 */
export const outboxQueueName = (connectionString: string): string =>
  `sqlprobe-outbox-${createHash('sha256').update(parseConnectionString(connectionString).instrumentationKey).digest('hex').slice(0, 16)}`;
