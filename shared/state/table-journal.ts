import { odata, type TableClient } from '@azure/data-tables';
import type { CohortJournal, JournalEntry } from '../idle';
import { fromChunks, once, toChunks } from './table-store';

/**
 * The idle registry's notes on its open cohorts, in the app's storage account: when a host
 * recycles, the instance that runs the next tick finds what its predecessor held and reports those
 * cells as inconclusive. PartitionKey = region, RowKey = cohort id.
 */
export class TableJournal implements CohortJournal {
  private readonly ensureTable = once(() => this.table.createTable());

  constructor(private readonly table: TableClient, private readonly region: string) {}

  async save(entry: JournalEntry): Promise<void> {
    await this.ensureTable();
    await this.table.upsertEntity({ partitionKey: this.region, rowKey: entry.cohort, target: entry.target, ...toChunks(entry) }, 'Replace');
  }

  async remove(cohort: string): Promise<void> {
    await this.ensureTable();
    try {
      await this.table.deleteEntity(this.region, cohort);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  }

  async list(target: string): Promise<JournalEntry[]> {
    await this.ensureTable();
    const entries: JournalEntry[] = [];
    const filter = odata`PartitionKey eq ${this.region} and target eq ${target}`;
    for await (const entity of this.table.listEntities({ queryOptions: { filter } })) entries.push(fromChunks(entity) as JournalEntry);
    return entries;
  }
}
