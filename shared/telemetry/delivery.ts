import { post, triage, type Answer, type TrackClient } from './ingestion';
import type { HeldBatch, Outbox, OutboxItem } from './outbox';

/** Bound on a post made outside any flush (the SDK's own timed export, in a long-running host). */
const BACKGROUND_POST_MS = 10_000;
/** Kept back from a flush's bound after its posts are cut, to write their items to the outbox. */
const KEEP_MARGIN_MS = 2_000;
/** A lease outlives the flush that took it, so no other instance sends a batch while it is in flight. */
const LEASE_SLACK_MS = 30_000;
const DRAIN_PAGE = 32;
/** Retry-After is honoured up to this long: a larger value must not hold results back for hours. */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

interface Post {
  controller: AbortController;
  timer?: NodeJS.Timeout;
  endsAt: number;
}

/** Items read back from storage: the exporter's serialiser needs `time` as a Date again. */
const revive = (item: OutboxItem): OutboxItem => (typeof item.time === 'string' ? { ...item, time: new Date(item.time) } : item);

/**
 * Every export of the exporter goes through here: posted with a bound, and whatever ingestion did
 * not take is written to the first outbox that accepts it (the storage account's, else a local
 * directory). A flush cuts the posts still running at its bound, waits until their items are kept,
 * then, when ingestion took this flush's items, sends what the outboxes hold.
 */
export class Delivery {
  private readonly posts = new Set<Post>();
  private readonly exports = new Set<Promise<unknown>>();
  private deadline?: number;
  private margin = KEEP_MARGIN_MS;
  /** A post of this flush left something to send again: ingestion is not taking items now. */
  private failing = false;
  /** A post of this flush got nothing in: the flush's other batches go straight to the outbox. */
  private down = false;
  /** Items neither delivered nor kept (or refused as invalid) since the flush began. */
  private lost = 0;
  private kept = 0;
  private keptWhy = '';
  private notBefore = 0;
  /** The client of the sender that posted last: it has followed any redirect ingestion gave. */
  private lastClient?: TrackClient;

  constructor(
    private readonly outboxes: readonly Outbox[],
    private readonly warn: (text: string) => void,
  ) {}

  /**
   * One export of the exporter. `upstream` is the exporter's own export, used for a redirect, which
   * it knows how to follow (what it then keeps comes back through `keep`). True unless items were lost.
   */
  export(client: TrackClient, items: OutboxItem[], upstream: () => Promise<boolean>): Promise<boolean> {
    this.lastClient = client;
    const work = (async () => {
      if (items.length === 0) return true;
      // Waiting out the retries of every batch would spend the flush's bound on an outage already seen.
      if (this.down && this.deadline !== undefined) return this.keep(items);
      const answer = await this.post(client, items);
      if (answer.status === 307 || answer.status === 308) return upstream();
      return this.settle(items, answer);
    })();
    this.exports.add(work);
    void work.finally(() => this.exports.delete(work));
    return work;
  }

  /** Writes items to the first outbox that takes them; false (and a warning) when none does: they are lost. */
  async keep(items: readonly OutboxItem[]): Promise<boolean> {
    if (await this.put(items)) return true;
    this.lost += items.length;
    this.warn(`telemetry: ${items.length} item(s) lost: ingestion did not take them (${this.keptWhy}) and no outbox could keep them`);
    return false;
  }

  private async put(items: readonly OutboxItem[]): Promise<boolean> {
    for (const outbox of this.outboxes) {
      try {
        await outbox.put(items);
        this.kept += items.length;
        return true;
      } catch (err) {
        this.warn(`telemetry: could not keep ${items.length} item(s) in ${outbox.description} (${(err as Error).message})`);
      }
    }
    return false;
  }

  /** From now until `deadline`, posts end early enough to leave time for keeping their items. */
  boundBy(deadline: number): void {
    this.deadline = deadline;
    this.margin = Math.min(KEEP_MARGIN_MS, Math.max(0, deadline - Date.now()) / 4);
    this.failing = false;
    this.down = false;
    this.lost = 0;
    for (const p of this.posts) this.cut(p);
  }

  /**
   * Waits for every export still running (their posts are cut at the bound), then re-sends what the
   * outboxes hold if ingestion took this flush's items. False when an item was lost.
   */
  async finish(options: { drain: boolean; client?: () => TrackClient }): Promise<boolean> {
    while (this.exports.size > 0) await Promise.allSettled([...this.exports]);
    if (options.drain && !this.failing && Date.now() >= this.notBefore) {
      const client = this.lastClient ?? options.client?.();
      if (client) await this.drain(client);
    }
    if (this.kept > 0) {
      this.warn(`telemetry: ingestion did not take ${this.kept} item(s) (${this.keptWhy}); they are kept in ${this.outboxes[0].description} and sent by a later flush`);
      this.kept = 0;
    }
    this.deadline = undefined;
    return this.lost === 0;
  }

  private async post(client: TrackClient, items: OutboxItem[]): Promise<Answer> {
    const p: Post = { controller: new AbortController(), endsAt: Infinity };
    this.posts.add(p);
    this.cut(p);
    try {
      return await post(client, items, p.controller.signal);
    } finally {
      clearTimeout(p.timer);
      this.posts.delete(p);
    }
  }

  /** Moves a post's end to the current bound, if that is sooner. */
  private cut(p: Post): void {
    const end = this.deadline === undefined ? Date.now() + BACKGROUND_POST_MS : this.deadline - this.margin;
    if (end >= p.endsAt) return;
    clearTimeout(p.timer);
    p.endsAt = end;
    p.timer = setTimeout(() => p.controller.abort(), Math.max(0, end - Date.now()));
  }

  /** Keeps what ingestion did not take; true unless items were lost. */
  private async settle(items: OutboxItem[], answer: Answer): Promise<boolean> {
    const t = this.judge(items, answer);
    return t.keep.length === 0 ? t.rejected.length === 0 : (await this.keep(t.keep)) && t.rejected.length === 0;
  }

  private judge(items: OutboxItem[], answer: Answer) {
    const t = triage(items, answer);
    if (answer.retryAfterMs) this.notBefore = Date.now() + Math.min(answer.retryAfterMs, MAX_RETRY_AFTER_MS);
    if (t.keep.length > 0) {
      this.failing = true;
      this.down ||= t.delivered === 0;
      this.keptWhy = t.reason;
    }
    if (t.rejected.length > 0) {
      this.lost += t.rejected.length;
      this.warn(`telemetry: ingestion refused ${t.rejected.length} item(s) as invalid (${t.reason}); they are dropped`);
    }
    return t;
  }

  /**
   * Sends the held batches, oldest first, until the bound or a failure. A batch ingestion took is
   * acknowledged (its refused items put back first); one it did not take stays leased and comes
   * back when the lease ends, to this instance or another.
   */
  private async drain(client: TrackClient): Promise<void> {
    let resent = 0;
    for (const outbox of this.outboxes) {
      while (!this.failing && this.left() > 0) {
        let page: HeldBatch[];
        try {
          page = await outbox.take(DRAIN_PAGE, Math.min(this.left(), BACKGROUND_POST_MS) + LEASE_SLACK_MS);
        } catch (err) {
          this.warn(`telemetry: could not read ${outbox.description} (${(err as Error).message}); held items wait for a later flush`);
          break;
        }
        resent += await this.resend(outbox, page, client);
        if (page.length < DRAIN_PAGE) break;
      }
    }
    if (resent > 0) this.warn(`telemetry: re-sent ${resent} item(s) held from an earlier failed delivery`);
  }

  /** Sends taken batches one by one until one fails or time runs out; returns the items delivered. */
  private async resend(outbox: Outbox, page: HeldBatch[], client: TrackClient): Promise<number> {
    let delivered = 0;
    for (const batch of page) {
      if (this.failing || this.left() <= 0) break;
      const items = batch.items.map(revive);
      const t = this.judge(items, await this.post(client, items));
      if (t.keep.length === items.length) break;
      // If the refused part cannot be put back, the batch stays: sent again whole rather than lost.
      if (t.keep.length > 0 && !(await this.put(t.keep))) continue;
      await outbox.ack(batch).catch((err: unknown) => this.warn(`telemetry: a re-sent batch stays in ${outbox.description} (${(err as Error).message}); it may arrive twice`));
      delivered += t.delivered;
    }
    return delivered;
  }

  /** Time left in this flush for sending, after the margin kept for writing to the outbox. */
  private left(): number {
    return (this.deadline ?? Infinity) - this.margin - Date.now();
  }
}
