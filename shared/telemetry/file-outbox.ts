import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeItems, encodeItems, OUTBOX_RETENTION_MS, type HeldBatch, type Outbox, type OutboxItem } from './outbox';

/** Past this many pending files a put fails (and says so) rather than fill the disk. */
const MAX_FILES = 5_000;

const PENDING = /^(\d+)-[0-9a-f-]{36}\.gz$/;
const LEASED = /^((\d+)-[0-9a-f-]{36}\.gz)\.(\d+)\.lease$/;

interface FileBatch extends HeldBatch {
  readonly path: string;
}

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * An outbox in a local directory, for a host without a storage account (the CLI): one gzipped file
 * per batch, named by when it was put. Taking renames a file to `<name>.<until>.lease`; rename is
 * atomic, so two processes sharing the directory never both take one file, and a lease whose
 * holder died is taken again once `until` passes. Files older than the retention are deleted.
 */
export class FileOutbox implements Outbox {
  readonly description: string;

  constructor(private readonly dir: string) {
    this.description = `directory ${dir}`;
  }

  async put(items: readonly OutboxItem[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    if ((await readdir(this.dir)).length >= MAX_FILES) throw new Error(`${this.description} already holds ${MAX_FILES} batches`);
    const name = `${Date.now()}-${randomUUID()}.gz`;
    // Written aside and renamed into place, so a taker never reads half a file.
    const temp = join(this.dir, `.${name}.tmp`);
    await writeFile(temp, encodeItems(items));
    await rename(temp, join(this.dir, name));
  }

  async take(max: number, leaseMs: number): Promise<HeldBatch[]> {
    const now = Date.now();
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (missing(err)) return [];
      throw err;
    }
    const candidates: { file: string; base: string; createdMs: number }[] = [];
    for (const file of names) {
      const pending = PENDING.exec(file);
      const leased = LEASED.exec(file);
      if (pending) candidates.push({ file, base: file, createdMs: Number(pending[1]) });
      else if (leased && Number(leased[3]) < now) candidates.push({ file, base: leased[1], createdMs: Number(leased[2]) });
    }
    candidates.sort((a, b) => a.createdMs - b.createdMs);
    const batches: FileBatch[] = [];
    for (const c of candidates) {
      if (batches.length >= max) break;
      if (c.createdMs < now - OUTBOX_RETENTION_MS) {
        await unlink(join(this.dir, c.file)).catch(() => undefined);
        continue;
      }
      const path = join(this.dir, `${c.base}.${now + leaseMs}.lease`);
      try {
        await rename(join(this.dir, c.file), path);
      } catch (err) {
        if (missing(err)) continue; // another taker won it
        throw err;
      }
      try {
        batches.push({ path, items: decodeItems(await readFile(path)) });
      } catch {
        // Unreadable (a disk fault): set aside under a name no take matches, for a human to look at.
        await rename(path, `${path}.unreadable`).catch(() => undefined);
      }
    }
    return batches;
  }

  async ack(batch: HeldBatch): Promise<void> {
    await unlink((batch as FileBatch).path).catch((err: unknown) => {
      if (!missing(err)) throw err;
    });
  }
}
