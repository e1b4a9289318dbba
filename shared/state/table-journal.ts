import { odata, type TableClient } from '@azure/data-tables';
import type { CohortJournal, JournalEntry } from '../idle';
import { fromChunks, once, statusOf, toChunks } from './table-store';

/**
 * The idle holder's notes on its open cohorts, in the app's storage account: when a holder dies,
 * the next one finds what it held and reports those cells as inconclusive. PartitionKey = region,
 * RowKey = cohort id. Every write after the first is conditional on the entry's ETag, so an entry
 * the next holder took is never written back by the one that lost the lease, and `take` succeeds
 * for exactly one caller.
 */
export class TableJournal implements CohortJournal {
  private readonly ensureTable = once(() => this.table.createTable());
  /** The ETag of each entry as this process last wrote or listed it. */
  private readonly etags = new Map<string, string>();

  constructor(private readonly table: TableClient, private readonly region: string) {}

  private entity(entry: JournalEntry) {
    return { partitionKey: this.region, rowKey: entry.cohort, target: entry.target, ...toChunks(entry) };
  }

  async save(entry: JournalEntry): Promise<boolean> {
    await this.ensureTable();
    const etag = this.etags.get(entry.cohort);
    try {
      const written = etag
        ? await this.table.updateEntity(this.entity(entry), 'Replace', { etag })
        : await this.table.createEntity(this.entity(entry));
      if (written.etag) this.etags.set(entry.cohort, written.etag);
      return true;
    } catch (err) {
      // 404 or 412: another holder took it. 409 on a first write: it exists already, ours only if a retried create landed twice.
      if (statusOf(err) === 409 && !etag) return this.adopt(entry);
      if (statusOf(err) !== 404 && statusOf(err) !== 412) throw err;
      this.etags.delete(entry.cohort);
      return false;
    }
  }

  /** A create that the SDK retried after it had landed: the entry is ours when its generation is. */
  private async adopt(entry: JournalEntry): Promise<boolean> {
    const stored = await this.table.getEntity(this.region, entry.cohort);
    if ((fromChunks(stored) as JournalEntry).generation !== entry.generation || !stored.etag) return false;
    this.etags.set(entry.cohort, stored.etag);
    return this.save(entry);
  }

  async remove(cohort: string): Promise<void> {
    await this.ensureTable();
    this.etags.delete(cohort);
    try {
      await this.table.deleteEntity(this.region, cohort);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  async list(): Promise<JournalEntry[]> {
    await this.ensureTable();
    const entries: JournalEntry[] = [];
    for await (const entity of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${this.region}` } })) {
      const entry = fromChunks(entity) as JournalEntry;
      if (entity.etag) this.etags.set(entry.cohort, entity.etag);
      entries.push(entry);
    }
    return entries;
  }

  async take(entry: JournalEntry): Promise<boolean> {
    await this.ensureTable();
    const etag = this.etags.get(entry.cohort);
    if (!etag) return false;
    this.etags.delete(entry.cohort);
    try {
      await this.table.deleteEntity(this.region, entry.cohort, { etag });
      return true;
    } catch (err) {
      if (statusOf(err) === 404 || statusOf(err) === 412) return false;
      throw err;
    }
  }
}
