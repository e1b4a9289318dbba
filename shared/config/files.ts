import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** The targets, as JSON in SQLPROBE_TARGETS or in SQLPROBE_TARGETS_FILE: about 2,000 targets' worth. */
export const MAX_TARGETS_BYTES = 1024 * 1024;
/** A CA file: a PEM bundle of every public root CA is about 220 KiB. */
export const MAX_CA_FILE_BYTES = 1024 * 1024;

/** The code of a failed read ("ENOENT", and "ENOTREG" or "EFBIG" from readRegularFile), for messages. */
export const errorCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'error';

/**
 * Reads a regular file of at most `maxBytes`. Anything else (a device such as /dev/zero, a FIFO
 * that would block, a directory, a file over the cap) throws an error with a code, before a byte
 * is read: opening with O_NONBLOCK never waits for a FIFO's writer.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error(`"${path}" is not a regular file`), { code: 'ENOTREG' });
    if (stat.size > maxBytes) throw Object.assign(new Error(`"${path}" is ${stat.size} bytes, over the ${maxBytes}-byte cap`), { code: 'EFBIG' });
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
