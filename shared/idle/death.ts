import type { CloseKind } from './schema';

/**
 * Tells a peer's FIN, a peer's RST and a keepalive timeout apart from the error tedious emits on
 * an idle connection (FACTS: FIN → "Connection lost - socket hang up", RST → "… read ECONNRESET",
 * keepalive → "… read ETIMEDOUT"). tedious wraps the socket error, so the cause decides.
 */
export function closeKindOf(error: unknown): CloseKind {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause?.code === 'ETIMEDOUT') return 'timeout';
  if (cause?.message === 'socket hang up') return 'fin';
  return 'rst';
}

export interface Death {
  /** performance.now() when the first close event arrived. */
  at: number;
  close: CloseKind;
  /** tedious's error text: what an app listening for `error` sees. */
  error?: string;
}
