import type { Delivery } from './delivery';
import { exporterFile } from './exporter-workarounds';
import type { TrackClient } from './ingestion';
import type { OutboxItem } from './outbox';

/**
 * The pinned exporter (1.0.0-beta.45) loses items in several outage shapes, all inside its
 * HttpSender: a 503, 500 or 429 with an empty body fails while parsing the body, outside its
 * retriable path, and the batch is dropped; so is a connection reset mid-answer (a PARSE_ERROR it
 * does not count as retriable); a post that never gets an answer has no timeout, so its items sit in
 * memory until the instance goes; a 429's Retry-After is slept inside the request; and what it does
 * keep goes to the instance's temp disk. So every export of a telemetry sender goes through
 * ./delivery.ts instead, which reads the raw answer, bounds the post and keeps items in the outbox.
 * Statsbeat's senders are left alone. test/telemetry/exporter-canaries.test.ts fails once upstream
 * handles these shapes itself.
 */
interface Sender {
  isStatsbeatSender?: boolean;
  appInsightsClient: TrackClient;
}

type ExportResult = { code: number; error?: Error };
type SenderProto = {
  exportEnvelopes(this: Sender, envelopes: OutboxItem[], ...rest: unknown[]): Promise<ExportResult>;
  persist(this: Sender, envelopes: OutboxItem[]): Promise<ExportResult>;
  [PATCHED]?: true;
};

/** @opentelemetry/core's ExportResultCode. */
const SUCCESS = 0;
const FAILED = 1;
const PATCHED = Symbol.for('sqlprobe.senderDelivery');

/** The process's one delivery: the distro is process-wide, and so are its senders. */
let active: Delivery | undefined;

const result = (ok: boolean): ExportResult => (ok ? { code: SUCCESS } : { code: FAILED, error: new Error('telemetry items lost; see the warning') });

/** Hands `delivery` back: exports go to upstream's code again, unless another delivery took over. */
export function releaseSenders(delivery: Delivery | undefined): void {
  if (active === delivery) active = undefined;
}

/** Routes every telemetry sender's exports through `delivery`. */
export async function routeSenders(delivery: Delivery): Promise<void> {
  active = delivery;
  const { HttpSender } = (await import(exporterFile('platform/nodejs/httpSender.js'))) as { HttpSender: { prototype: SenderProto } };
  const proto = HttpSender.prototype;
  if (proto[PATCHED]) return;
  const { exportEnvelopes, persist } = proto;
  proto.exportEnvelopes = async function (envelopes, ...rest) {
    const delivery = active;
    if (this.isStatsbeatSender || !delivery) return exportEnvelopes.call(this, envelopes, ...rest);
    const upstream = async () => (await exportEnvelopes.call(this, envelopes, ...rest)).code === SUCCESS;
    return result(await delivery.export(this.appInsightsClient, envelopes, upstream));
  };
  // Upstream's own decisions to keep (after following a redirect) go to the outbox too, not to disk.
  proto.persist = async function (envelopes) {
    const delivery = active;
    if (this.isStatsbeatSender || !delivery) return persist.call(this, envelopes);
    return result(await delivery.keep(envelopes));
  };
  proto[PATCHED] = true;
}
