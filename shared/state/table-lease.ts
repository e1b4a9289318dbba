import type { TableClient } from '@azure/data-tables';
import type { Claim, HolderLease, LeaseRecord } from '../idle';
import { once, statusOf } from './table-store';

const ROW = 'idle-holder';

interface Stored {
  record: LeaseRecord;
  etag: string;
}

/**
 * The idle lease as one Table row per region (PartitionKey = region, RowKey = "idle-holder"):
 * the holder, its term, its last heartbeat and the expiry, readable in any storage browser. Every
 * write is conditional: a create fails with 409 when the row exists, a replace with 412 when the
 * row changed since it was read, so two processes never both take it. A renewal is one round trip
 * (a replace with the ETag of the holder's last write). Expiry is judged on each process's clock,
 * so the holder treats its lease as lost one renewal interval before it expires.
 */
export class TableLease implements HolderLease {
  private readonly ensureTable = once(() => this.table.createTable());
  /** The row as this process last wrote it, while it holds the lease. */
  private mine?: Stored;

  constructor(private readonly table: TableClient, private readonly region: string, private readonly now: () => number = Date.now) {}

  async claim(holder: string, ttlMs: number): Promise<Claim> {
    await this.ensureTable();
    const now = this.now();
    if (this.mine?.record.holder === holder) {
      const renewed = await this.write({ ...this.mine.record, heartbeatAt: now, expiresAt: now + ttlMs }, this.mine.etag);
      if (renewed) return { held: true, lease: renewed.record };
    }
    this.mine = undefined;
    const current = await this.fetch();
    if (current && current.record.holder !== holder && current.record.expiresAt > now) return { held: false, lease: current.record };
    const took = current?.record.holder !== holder;
    const next = { holder, term: (current?.record.term ?? 0) + (took ? 1 : 0), heartbeatAt: now, expiresAt: now + ttlMs };
    const written = await this.write(next, current?.etag);
    if (!written) {
      // Another process took it between our read and our write.
      const winner = await this.fetch();
      return { held: false, lease: winner?.record ?? next };
    }
    return { held: true, lease: written.record, ...(took && current ? { from: current.record } : {}) };
  }

  async release(holder: string): Promise<void> {
    if (this.mine?.record.holder !== holder) return;
    const mine = this.mine;
    this.mine = undefined;
    await this.write({ ...mine.record, expiresAt: this.now() }, mine.etag, false);
  }

  async read(): Promise<LeaseRecord | undefined> {
    await this.ensureTable();
    return (await this.fetch())?.record;
  }

  private async fetch(): Promise<Stored | undefined> {
    try {
      const e = await this.table.getEntity<{ holder: string; term: number; heartbeatAt: string; expiresAt: string }>(this.region, ROW);
      return { record: { holder: e.holder, term: e.term, heartbeatAt: Date.parse(e.heartbeatAt), expiresAt: Date.parse(e.expiresAt) }, etag: e.etag };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Creates the row (no ETag) or replaces it if unchanged; undefined when another process got there first. */
  private async write(record: LeaseRecord, etag: string | undefined, keep = true): Promise<Stored | undefined> {
    const entity = {
      partitionKey: this.region, rowKey: ROW, holder: record.holder, term: record.term,
      heartbeatAt: new Date(record.heartbeatAt).toISOString(), expiresAt: new Date(record.expiresAt).toISOString(),
    };
    try {
      const response = etag ? await this.table.updateEntity(entity, 'Replace', { etag }) : await this.table.createEntity(entity);
      const stored = { record, etag: response.etag ?? '' };
      if (keep) this.mine = stored;
      return stored;
    } catch (err) {
      if ([404, 409, 412].includes(statusOf(err) ?? 0)) return undefined;
      throw err;
    }
  }
}
