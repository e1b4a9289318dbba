import type { TableClient } from '@azure/data-tables';

/** Claims on a key for a while: at most one holder per key until its claim runs out. */
export interface Cooldowns {
  /** Claims `key` for `ms` from `now`: 0 when this caller got it, else the ms left on the claim that holds it. */
  claim(key: string, ms: number, now?: number): Promise<number>;
}

/** Keys kept before expired claims are swept: ad-hoc keys come from requests, so the map must not grow without end. */
const SWEEP_AT = 1000;

/** One process's claims (the CLI's store, and any app without a storage account). */
export class MemoryCooldowns implements Cooldowns {
  private readonly until = new Map<string, number>();

  async claim(key: string, ms: number, now = Date.now()): Promise<number> {
    const held = this.until.get(key);
    if (held !== undefined && held > now) return held - now;
    if (this.until.size >= SWEEP_AT) for (const [k, t] of this.until) if (t <= now) this.until.delete(k);
    this.until.set(key, now + ms);
    return 0;
  }
}

const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number }).statusCode;

/**
 * Claims every instance of the app sees, in Table storage: one entity per key with the time its
 * claim runs out. Creating it is the claim; an expired one is replaced only if nobody replaced it
 * first (its ETag), so two instances never both win. One round trip while nothing holds the key.
 */
export class TableCooldowns implements Cooldowns {
  constructor(private readonly table: TableClient, private readonly partition: string, private readonly ready: () => Promise<void>) {}

  async claim(key: string, ms: number, now = Date.now()): Promise<number> {
    await this.ready();
    // Row keys may not hold / \ # ? or control characters; an ad-hoc host name is the caller's text.
    const entity = { partitionKey: this.partition, rowKey: encodeURIComponent(key), until: now + ms };
    try {
      await this.table.createEntity(entity);
      return 0;
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
    const held = await this.table.getEntity<{ until: number }>(entity.partitionKey, entity.rowKey);
    if (held.until > now) return held.until - now;
    try {
      await this.table.updateEntity(entity, 'Replace', { etag: held.etag });
      return 0;
    } catch (err) {
      // Another instance replaced the expired claim first: it holds the key for about `ms`.
      if (statusOf(err) === 412) return ms;
      throw err;
    }
  }
}
