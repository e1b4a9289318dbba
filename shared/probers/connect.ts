import { Socket } from 'node:net';

export type ConnectOutcome = 'connected' | 'refused' | 'timeout' | 'unreachable' | 'reset' | 'error';

const OUTCOMES: Record<string, ConnectOutcome> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENETDOWN: 'unreachable',
  ECONNRESET: 'reset',
};

/** How a failed connect ended; an aborted one (the probe's deadline) is a timeout. */
export function connectOutcome(error: unknown, signal: AbortSignal): ConnectOutcome {
  if (signal.aborted) return 'timeout';
  return OUTCOMES[(error as NodeJS.ErrnoException)?.code ?? ''] ?? 'error';
}

/**
 * Opens a TCP connection, destroying it if the signal aborts first (rejecting with the signal's
 * reason). Nagle is off: TDS writes whole packets and waits for the answer.
 */
export function connectTcp(host: string, port: number, signal: AbortSignal, localAddress?: string): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const socket = new Socket();
    const cleanup = () => {
      signal.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      socket.off('connect', onConnect);
    };
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(signal.reason);
    };
    const onError = (err: Error) => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onConnect = () => {
      cleanup();
      socket.setNoDelay(true);
      resolve(socket);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', onConnect);
    socket.connect({ host, port, ...(localAddress ? { localAddress } : {}) });
  });
}
