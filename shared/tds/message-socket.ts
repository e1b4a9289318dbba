import type { Duplex } from 'node:stream';
import { encodeMessage, PacketReader, type EncodeOptions, type TdsMessage } from './packet';

/** The code of an error that says the peer closed the connection (FIN, not a reset) part-way. */
export const PEER_CLOSED = 'EPEERCLOSED';

/** An error for a peer that closed the connection cleanly in the middle of `what`. */
export const peerClosed = (what: string): Error => Object.assign(new Error(`the server closed the connection ${what}`), { code: PEER_CLOSED });

/**
 * Promise-style message I/O over a client socket: `send` frames a message, `next` resolves with the
 * next complete one. Used by probes that speak TDS without a driver (PRELOGIN and TLS probing).
 */
export class MessageSocket {
  private readonly reader = new PacketReader();
  private readonly queue: TdsMessage[] = [];
  private waiter?: { resolve: (m: TdsMessage) => void; reject: (e: Error) => void };
  private failure?: Error;

  constructor(readonly socket: Duplex) {
    socket.on('data', this.onData);
    socket.once('error', (e: Error) => this.fail(e));
    // After an 'error' (a reset) the failure is set already; a close on its own is the peer's FIN.
    socket.once('close', () => this.fail(peerClosed('before a complete message')));
  }

  private readonly onData = (chunk: Buffer): void => {
    try {
      this.queue.push(...this.reader.push(chunk));
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    const w = this.waiter;
    const m = this.queue.shift();
    if (w && m) {
      this.waiter = undefined;
      w.resolve(m);
    } else if (m) {
      this.queue.unshift(m);
    }
  };

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.failure);
  }

  send(type: number, payload: Buffer, opts?: EncodeOptions): void {
    this.socket.write(encodeMessage(type, payload, opts));
  }

  /** Stops consuming the socket, e.g. before handing it to tls.connect. */
  detach(): void {
    this.socket.off('data', this.onData);
  }

  next(signal?: AbortSignal): Promise<TdsMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiter) return Promise.reject(new Error('next() already pending'));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.waiter = undefined;
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = {
        resolve: (m) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(m);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
    });
  }
}
