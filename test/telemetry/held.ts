import { QueueServiceClient } from '@azure/storage-queue';
import type { ProbeResult } from '../../shared/contract';
import { outboxQueueName } from '../../shared/telemetry';
import type { FakeBreeze } from './breeze';

/** Messages in the telemetry outbox queue of an Application Insights resource, leased ones included. */
export async function heldInQueue(storageConnectionString: string, instrumentationKey: string): Promise<number> {
  const queue = QueueServiceClient.fromConnectionString(storageConnectionString).getQueueClient(outboxQueueName(`InstrumentationKey=${instrumentationKey}`));
  if (!(await queue.exists())) return 0;
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

/** How many availability results of each of `results` ingestion took. */
export function delivered(breeze: FakeBreeze, results: readonly ProbeResult[]): { id: string; count: number }[] {
  const counts = new Map<unknown, number>();
  for (const e of breeze.of('AvailabilityData')) counts.set(e.data.baseData.id, (counts.get(e.data.baseData.id) ?? 0) + 1);
  return results.map((r) => ({ id: r.id, count: counts.get(r.id) ?? 0 }));
}
