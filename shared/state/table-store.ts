import { odata, type TableClient } from '@azure/data-tables';
import { idleRunSchema, probeResultSchema, type IdleRun, type ProbeResult } from '../contract';
import { TableCooldowns } from './cooldowns';
import { resultKey, type StateStore } from './store';

/**
 * Table storage caps a string property at 64 KiB (32K UTF-16 characters), so JSON is stored in
 * numbered properties json0, json1 … An entity holds 1 MiB, which bounds a value at about 1M characters.
 */
const CHUNK = 30_000;

export function toChunks(value: unknown): Record<string, string> {
  const text = JSON.stringify(value);
  const props: Record<string, string> = {};
  for (let i = 0; i * CHUNK < text.length; i++) props[`json${i}`] = text.slice(i * CHUNK, (i + 1) * CHUNK);
  return props;
}

export function fromChunks(entity: Record<string, unknown>): unknown {
  let text = '';
  for (let i = 0; typeof entity[`json${i}`] === 'string'; i++) text += entity[`json${i}`] as string;
  return JSON.parse(text);
}

/** Runs `create` once (creating tables, say); after a failure the next call tries again. */
export function once(create: () => Promise<unknown>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= create().then(
      () => undefined,
      (err: unknown) => {
        done = undefined;
        throw err;
      },
    );
    return done;
  };
}

/** The HTTP status of a storage SDK error (RestError), if it has one. */
export const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number } | undefined)?.statusCode;

export interface StateTables {
  /** Latest results: PartitionKey = region (apps in several regions may share an account), RowKey = "<target>~<probe>". */
  latest: TableClient;
  /**
   * Idle runs: PartitionKey = region, RowKey = run id; `status`, `holder` and `closing` are also
   * columns of their own, so the holder finds the runs that need it with one query.
   */
  idleRuns: TableClient;
  /** On-demand login cool-downs: PartitionKey = region, RowKey = the target's key. */
  cooldowns: TableClient;
}

/** A run changed by someone else between our read and our write is read again and changed again; this many times at most. */
const RUN_WRITE_TRIES = 10;

/** Shared state in the app's storage account, so every instance sees the same runs and results. */
export class TableStateStore implements StateStore {
  /** createTable ignores "already exists", so once per process is enough. */
  private readonly ensureTables = once(() => Promise.all([this.tables.latest.createTable(), this.tables.idleRuns.createTable(), this.tables.cooldowns.createTable()]));
  private readonly cooldowns: TableCooldowns;

  constructor(private readonly tables: StateTables, private readonly region: string) {
    this.cooldowns = new TableCooldowns(tables.cooldowns, region, this.ensureTables);
  }

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

  private runEntity(run: IdleRun) {
    return { partitionKey: this.region, rowKey: run.id, status: run.status, holder: run.holder ?? '', closing: run.closing ?? false, ...toChunks(run) };
  }

  async saveIdleRun(run: IdleRun): Promise<void> {
    await this.ensureTables();
    await this.tables.idleRuns.upsertEntity(this.runEntity(run), 'Replace');
  }

  async getIdleRun(id: string): Promise<IdleRun | undefined> {
    return (await this.readRun(id))?.run;
  }

  private async readRun(id: string): Promise<{ run: IdleRun; etag: string } | undefined> {
    await this.ensureTables();
    try {
      const entity = await this.tables.idleRuns.getEntity(this.region, id);
      return { run: idleRunSchema.parse(fromChunks(entity)), etag: entity.etag };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async updateIdleRun(id: string, change: (run: IdleRun) => IdleRun | undefined): Promise<IdleRun | undefined> {
    for (let i = 0; i < RUN_WRITE_TRIES; i++) {
      const stored = await this.readRun(id);
      if (!stored) return undefined;
      const next = change(stored.run);
      if (!next) return stored.run;
      try {
        await this.tables.idleRuns.updateEntity(this.runEntity(next), 'Replace', { etag: stored.etag });
        return next;
      } catch (err) {
        if (statusOf(err) !== 412) throw err;
      }
    }
    throw new Error(`idle run ${id}: changed by others on each of ${RUN_WRITE_TRIES} tries`);
  }

  async idleRunsToAttend(holder: string): Promise<IdleRun[]> {
    await this.ensureTables();
    const filter = odata`PartitionKey eq ${this.region} and (status eq 'pending' or closing eq true or (status eq 'running' and holder ne ${holder}))`;
    const runs: IdleRun[] = [];
    for await (const entity of this.tables.idleRuns.listEntities({ queryOptions: { filter } })) runs.push(idleRunSchema.parse(fromChunks(entity)));
    return runs;
  }

  claimCooldown(key: string, ms: number, now?: number): Promise<number> {
    return this.cooldowns.claim(key, ms, now);
  }
}
