import { QueueServiceClient } from '@azure/storage-queue';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config';
import { connectOutbox, QueueOutbox } from '../../shared/state/outbox';
import { OUTBOX_RETENTION_MS, outboxQueueName, type Outbox } from '../../shared/telemetry';
import { FileOutbox } from '../../shared/telemetry/file-outbox';
import { startAzurite, type Azurite } from './azurite';

jest.setTimeout(30_000);

const APP_INSIGHTS = (ikey: string) => `InstrumentationKey=${ikey};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/`;
const ikey = () => `00000000-0000-4000-8000-${randomBytes(6).toString('hex')}`;
const item = (n: number) => ({ name: 'Microsoft.ApplicationInsights.Message', time: new Date(0).toISOString(), n });

let azurite: Azurite;
const dirs: string[] = [];

beforeAll(async () => {
  azurite = await startAzurite({ queue: true });
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function queueOutbox(key = ikey()): Outbox {
  const outbox = connectOutbox(loadConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: APP_INSIGHTS(key), AzureWebJobsStorage: azurite.connectionString }).settings);
  expect(outbox).toBeInstanceOf(QueueOutbox);
  return outbox!;
}

function fileOutbox(): FileOutbox {
  const dir = mkdtempSync(join(tmpdir(), 'sqlprobe-outbox-'));
  dirs.push(dir);
  return new FileOutbox(join(dir, 'outbox'));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  ['storage queue (Azurite)', queueOutbox],
  ['local directory', fileOutbox],
])('%s outbox', (_kind, make) => {
  it('finds nothing pending before anything was put', async () => {
    expect(await make().take(32, 30_000)).toEqual([]);
  });

  it('hands back what was put, oldest first, until it is acknowledged', async () => {
    const outbox = make();
    await outbox.put([item(1), item(2)]);
    await outbox.put([item(3)]);
    const taken = await outbox.take(32, 30_000);
    expect(taken.map((b) => b.items)).toEqual([[item(1), item(2)], [item(3)]]);
    for (const batch of taken) await outbox.ack(batch);
    await outbox.ack(taken[0]);
    expect(await outbox.take(32, 30_000)).toEqual([]);
  });

  it('leases what it hands out: nobody else takes it until the lease runs out, then anyone does', async () => {
    const outbox = make();
    await outbox.put([item(1)]);
    const [held] = await outbox.take(32, 1_000);
    expect(held.items).toEqual([item(1)]);
    expect(await outbox.take(32, 1_000)).toEqual([]);
    await sleep(2_100);
    const again = await outbox.take(32, 30_000);
    expect(again.map((b) => b.items)).toEqual([[item(1)]]);
    await outbox.ack(again[0]);
  });

  it('keeps a batch far larger than one queue message, whole', async () => {
    const outbox = make();
    // Random text does not compress: about 600 KB, ten or more 64 KiB messages.
    const items = Array.from({ length: 2_000 }, (_, n) => ({ n, noise: randomBytes(300).toString('base64') }));
    await outbox.put(items);
    const taken = await outbox.take(32, 30_000);
    expect(taken.flatMap((b) => b.items)).toEqual(items);
    for (const batch of taken) await outbox.ack(batch);
  });
});

describe('storage queue outbox', () => {
  it('does not create its queue to find nothing pending: one request for an idle instance', async () => {
    const key = ikey();
    await queueOutbox(key).take(32, 30_000);
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(outboxQueueName(`InstrumentationKey=${key}`));
    expect(await queue.exists()).toBe(false);
  });

  it('keeps one queue per Application Insights resource', async () => {
    const [a, b] = [queueOutbox(), queueOutbox()];
    await a.put([item(1)]);
    expect(await b.take(32, 30_000)).toEqual([]);
    expect((await a.take(32, 30_000)).map((x) => x.items)).toEqual([[item(1)]]);
  });

  it('deletes a message that is not a batch of its own rather than stall on it', async () => {
    const key = ikey();
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(outboxQueueName(`InstrumentationKey=${key}`));
    await queue.create();
    await queue.sendMessage('not a batch');
    const outbox = queueOutbox(key);
    await outbox.put([item(1)]);
    expect((await outbox.take(32, 30_000)).map((x) => x.items)).toEqual([[item(1)]]);
    expect((await queue.getProperties()).approximateMessagesCount).toBe(1);
  });

  it('keeps messages for the retention', async () => {
    const key = ikey();
    await queueOutbox(key).put([item(1)]);
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(outboxQueueName(`InstrumentationKey=${key}`));
    const [peeked] = (await queue.receiveMessages({ visibilityTimeout: 1 })).receivedMessageItems;
    expect(peeked.expiresOn.getTime() - peeked.insertedOn.getTime()).toBe(OUTBOX_RETENTION_MS);
  });
});

describe('connectOutbox', () => {
  const settings = (env: Record<string, string>) => loadConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: APP_INSIGHTS(ikey()), ...env }).settings;

  it('has none without Application Insights, without a storage account, or with a connection string that has no queue service', () => {
    expect(connectOutbox(loadConfig({ AzureWebJobsStorage: azurite.connectionString }).settings)).toBeUndefined();
    expect(connectOutbox(settings({}))).toBeUndefined();
    expect(connectOutbox(settings({ AzureWebJobsStorage: azurite.connectionString.replace(/QueueEndpoint=[^;]*;/, '') }))).toBeUndefined();
  });

  it('uses the managed identity against the account\'s queue endpoint, or the one configured', () => {
    expect(connectOutbox(settings({ AzureWebJobsStorage__accountName: 'stprobe1' }))?.description).toMatch(/^storage queue "sqlprobe-outbox-[0-9a-f]{16}" in stprobe1\.queue\.core\.windows\.net$/);
    expect(connectOutbox(settings({ AzureWebJobsStorage__queueServiceUri: 'https://stprobe1.queue.core.chinacloudapi.cn' }))?.description).toMatch(/in stprobe1\.queue\.core\.chinacloudapi\.cn$/);
  });
});

describe('local directory outbox', () => {
  it('deletes batches past the retention instead of sending them', async () => {
    const outbox = fileOutbox();
    await outbox.put([item(1)]);
    const dir = (outbox as unknown as { dir: string }).dir;
    const [file] = readdirSync(dir);
    const old = `${Date.now() - OUTBOX_RETENTION_MS - 60_000}-${randomUUID()}.gz`;
    renameSync(join(dir, file), join(dir, old));
    expect(await outbox.take(32, 30_000)).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('sets an unreadable file aside and goes on with the others', async () => {
    const outbox = fileOutbox();
    await outbox.put([item(1)]);
    const dir = (outbox as unknown as { dir: string }).dir;
    writeFileSync(join(dir, `${Date.now() - 1000}-${randomUUID()}.gz`), 'not gzip');
    expect((await outbox.take(32, 30_000)).map((b) => b.items)).toEqual([[item(1)]]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.unreadable'))).toHaveLength(1);
  });
});
