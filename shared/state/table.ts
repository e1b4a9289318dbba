import type { TableClient } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { probeResultSchema, type ProbeResult } from '../probers/result';
import { fromChunks, toChunks } from './chunks';
import { once } from './once';
import { idleRunSchema, resultKey, type IdleRun, type StateStore } from './types';

export interface StateTables {
  /** Latest results: PartitionKey = region (apps in several regions may share an account), RowKey = "<target>~<probe>". */
  latest: TableClient;
  /** Idle runs: PartitionKey = run id, RowKey = "run". */
  idleRuns: TableClient;
}

const RUN = 'run';

/** Shared state in the app's storage account, so every instance sees the same runs and results. */
export class TableStateStore implements StateStore {
  /** createTable ignores "already exists", so once per process is enough. */
  private readonly ensureTables = once(() => Promise.all([this.tables.latest.createTable(), this.tables.idleRuns.createTable()]));

  constructor(private readonly tables: StateTables, private readonly region: string) {}

  async recordResult(result: ProbeResult): Promise<void> {
    await this.ensureTables();
    await this.tables.latest.upsertEntity({ partitionKey: this.region, rowKey: `${result.target}~${resultKey(result)}`, ...toChunks(result) }, 'Replace');
  }

  async latestResults(): Promise<ProbeResult[]> {
    await this.ensureTables();
    const results: ProbeResult[] = [];
    for await (const entity of this.tables.latest.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${this.region}` } })) {
      results.push(probeResultSchema.parse(fromChunks(entity)));
    }
    return results;
  }

  async saveIdleRun(run: IdleRun): Promise<void> {
    await this.ensureTables();
    await this.tables.idleRuns.upsertEntity({ partitionKey: run.id, rowKey: RUN, ...toChunks(run) }, 'Replace');
  }

  async getIdleRun(id: string): Promise<IdleRun | undefined> {
    await this.ensureTables();
    try {
      return idleRunSchema.parse(fromChunks(await this.tables.idleRuns.getEntity(id, RUN)));
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }
}
