import type { QueueClient, StoragePipelineOptions } from '@azure/storage-queue';
import type { Settings } from '../config';
import { decodeItems, encodeItems, outboxQueueName, OUTBOX_RETENTION_MS, type HeldBatch, type Outbox, type OutboxItem } from '../telemetry';

/** A queue message holds 64 KiB of text; a batch whose base64 is longer is split. */
const MAX_MESSAGE_CHARS = 60_000;
/** receiveMessages takes at most 32 messages a call. */
const MAX_RECEIVE = 32;
/** Storage that fails must fail fast, inside the flush's bound, so the local outbox can take over. */
const PIPELINE: StoragePipelineOptions = { retryOptions: { maxTries: 2, tryTimeoutInMs: 3_000, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 } };

interface QueueBatch extends HeldBatch {
  readonly messageId: string;
  readonly popReceipt: string;
}

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

/** Base64 of the gzipped items, halved until each message fits. */
function messages(items: readonly OutboxItem[]): string[] {
  const text = encodeItems(items).toString('base64');
  if (text.length <= MAX_MESSAGE_CHARS || items.length === 1) return [text];
  const half = Math.ceil(items.length / 2);
  return [...messages(items.slice(0, half)), ...messages(items.slice(half))];
}

/**
 * The telemetry outbox in the app's storage account, as a queue: a message per batch, taken with a
 * visibility timeout (the lease: an instance that dies holding it gives it back when it runs out),
 * deleted once delivered, expiring after the retention. The queue is created by the first put; a
 * take finds no queue as nothing pending, so an instance with nothing held pays one request.
 */
export class QueueOutbox implements Outbox {
  private client?: Promise<QueueClient>;

  constructor(
    private readonly connect: () => Promise<QueueClient>,
    readonly description: string,
  ) {}

  async put(items: readonly OutboxItem[]): Promise<void> {
    const queue = await this.queue();
    const ttl = OUTBOX_RETENTION_MS / 1000;
    for (const text of messages(items)) {
      try {
        await queue.sendMessage(text, { messageTimeToLive: ttl });
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
        await queue.createIfNotExists();
        await queue.sendMessage(text, { messageTimeToLive: ttl });
      }
    }
  }

  async take(max: number, leaseMs: number): Promise<HeldBatch[]> {
    const queue = await this.queue();
    let received;
    try {
      received = await queue.receiveMessages({ numberOfMessages: Math.min(MAX_RECEIVE, Math.max(1, max)), visibilityTimeout: Math.ceil(leaseMs / 1000) });
    } catch (err) {
      if (statusOf(err) === 404) return [];
      throw err;
    }
    const batches: QueueBatch[] = [];
    for (const m of received.receivedMessageItems) {
      try {
        batches.push({ items: decodeItems(Buffer.from(m.messageText, 'base64')), messageId: m.messageId, popReceipt: m.popReceipt });
      } catch {
        // Not one of ours (or damaged): it can never be sent, and it must not block the queue.
        await queue.deleteMessage(m.messageId, m.popReceipt).catch(() => undefined);
      }
    }
    return batches;
  }

  async ack(batch: HeldBatch): Promise<void> {
    const { messageId, popReceipt } = batch as QueueBatch;
    try {
      await (await this.queue()).deleteMessage(messageId, popReceipt);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  /** The SDK loads on first use (at a flush, after the probes): it costs cold-start time. */
  private queue(): Promise<QueueClient> {
    this.client ??= this.connect().catch((err: unknown) => {
      this.client = undefined;
      throw err;
    });
    return this.client;
  }
}

/** A connection string that lists endpoints but no queue endpoint (Azurite's table service alone, say) has no queue. */
const hasQueueService = (cs: string) => /QueueEndpoint=|UseDevelopmentStorage=true/i.test(cs) || !/\w+Endpoint=/i.test(cs);

/**
 * The outbox in the host's storage account, like the state tables: a connection string wins,
 * otherwise the managed identity against the account's queue endpoint. None without Application
 * Insights, or without an account (the CLI): telemetry then keeps items in a local directory.
 */
export function connectOutbox(settings: Settings): Outbox | undefined {
  const appInsights = settings.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!appInsights) return undefined;
  const name = outboxQueueName(appInsights);
  const connectionString = settings.AzureWebJobsStorage;
  const account = settings.AzureWebJobsStorage__accountName;
  const endpoint = settings.AzureWebJobsStorage__queueServiceUri ?? (account && `https://${account}.queue.core.windows.net`);
  if (connectionString) {
    if (!hasQueueService(connectionString)) return undefined;
    return new QueueOutbox(async () => {
      const { QueueServiceClient } = await import('@azure/storage-queue');
      return QueueServiceClient.fromConnectionString(connectionString, PIPELINE).getQueueClient(name);
    }, `storage queue "${name}"`);
  }
  if (!endpoint) return undefined;
  return new QueueOutbox(async () => {
    const [{ QueueServiceClient }, { DefaultAzureCredential }] = await Promise.all([import('@azure/storage-queue'), import('@azure/identity')]);
    const clientId = settings.AzureWebJobsStorage__clientId;
    const credential = new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
    return new QueueServiceClient(endpoint, credential, PIPELINE).getQueueClient(name);
  }, `storage queue "${name}" in ${new URL(endpoint).hostname}`);
}
