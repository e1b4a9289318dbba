import type { Connection } from 'tedious';
import { timerMs, type Target } from '../config';
import type { Classification, CloseKind, ConnectionOutcome, KeepaliveVariant, Policy } from '../contract';
import { openSession, tedious, type ProbeOptions } from '../probers';

/**
 * Tells a peer's FIN, a peer's RST and a keepalive timeout apart from the error tedious emits on
 * an idle connection: FIN → "Connection lost - socket hang up", RST → "… read ECONNRESET",
 * keepalive → "… read ETIMEDOUT". tedious wraps the socket error, so its cause decides.
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

export interface HeldSession {
  connection: Connection;
  /** Whether the login was routed to a node (Redirect) or stayed on the gateway (Proxy). */
  policy?: Policy;
}

export type UseResult = { ok: true } | { ok: false; error: string; close?: CloseKind };

/** How the validated borrow of one pooled connection went (the measured count behind `validatedFailures`). */
export interface ValidatedBorrow {
  /** The socket check flagged the pooled connection, so a fresh one was opened and used instead. */
  replaced: boolean;
  /** Whether the validated borrow's use answered. */
  ok: boolean;
  /** What the app behind a validating pool would have seen (the use's error, or the fresh open's). */
  error?: string;
}

/** A pool borrow's outcome: the unvalidated use is the outcome itself; `validated` is the validated borrow's. */
export type BorrowOutcome = ConnectionOutcome & { validated: ValidatedBorrow };

/**
 * One logged-in connection left idle on purpose. Its `end` and `error` events time a death to the
 * millisecond after its last activity; its first use after idle says whether it survived.
 */
export class HeldConnection {
  death?: Death;
  /** performance.now() at the end of the last exchange (the login's initial SQL). */
  readonly lastActivity = performance.now();
  private using = false;

  constructor(
    readonly session: HeldSession,
    readonly keepalive: KeepaliveVariant,
    private readonly keepaliveIdleMs: number,
  ) {
    const { connection } = session;
    // tedious always turns keepalive on at 30 s; the variant overrides it on the raw socket.
    if (keepalive === 'off') connection.socket?.setKeepAlive(false);
    else connection.socket?.setKeepAlive(true, keepaliveIdleMs);
    connection.on('end', () => this.died());
    connection.on('error', (err: Error) => this.died(err));
  }

  private died(err?: Error): void {
    if (this.using) return; // a failure during use belongs to the use, not to the idle period
    if (!this.death) this.death = { at: performance.now(), close: 'fin' };
    // `end` comes a tick before `error`; the error says which kind of close it was.
    if (err && this.death.error === undefined) Object.assign(this.death, { close: closeKindOf(err), error: err.message });
  }

  /** SqlClient's check on borrow: no round trip, only the socket's state. */
  get looksAlive(): boolean {
    return !this.session.connection.closed && this.session.connection.socket?.destroyed !== true;
  }

  /** The first use after idle, as an app would make it, with its request timeout. */
  use(sql: string, timeoutMs: number): Promise<UseResult> {
    const { connection } = this.session;
    this.using = true;
    return new Promise((resolve) => {
      const request = new (tedious().Request)(sql, (err) => {
        // A socket error names its close kind; anything else (a request or cancel timeout) is a silent drop.
        resolve(err ? { ok: false, error: err.message, close: (err as { code?: string }).code === 'ESOCKET' ? closeKindOf(err) : 'timeout' } : { ok: true });
      });
      request.setTimeout(timerMs(timeoutMs, 'the use timeout'));
      try {
        connection.execSqlBatch(request);
      } catch (err) {
        resolve({ ok: false, error: (err as Error).message });
      }
    });
  }

  private base(cell: Pick<ConnectionOutcome, 'cohort' | 'rungMs'>, idleMs: number) {
    const keepalive = this.keepalive === 'on' ? { keepaliveIdleMs: this.keepaliveIdleMs } : {};
    return { ...cell, keepalive: this.keepalive, ...keepalive, idleMs, ...(this.session.policy ? { policy: this.session.policy } : {}) };
  }

  private deathFields(): Pick<ConnectionOutcome, 'deathAgeMs' | 'close' | 'error'> {
    const death = this.death ?? { at: performance.now(), close: 'fin' as const };
    return { deathAgeMs: Math.round(death.at - this.lastActivity), close: death.close, ...(death.error ? { error: death.error } : {}) };
  }

  /** The ladder's check at the rung: a death seen while idle, else what the first use showed. */
  async check(cell: Pick<ConnectionOutcome, 'cohort' | 'rungMs'>, idleMs: number, sql: string, timeoutMs: number): Promise<ConnectionOutcome> {
    const base = this.base(cell, idleMs);
    if (this.death || !this.looksAlive) {
      const fields = this.deathFields();
      return { ...base, outcome: fields.close === 'timeout' ? 'keepalive-detected' : 'closed-by-peer', ...fields };
    }
    const used = await this.use(sql, timeoutMs);
    if (used.ok) return { ...base, outcome: 'survived' };
    return { ...base, outcome: 'dead-on-use', error: used.error, ...(used.close ? { close: used.close } : {}) };
  }

  /**
   * A pool's borrow, both ways a pool can make it:
   * - unvalidated: the connection is used as it is, so the outcome's error is the one the app sees;
   * - validated, as SqlClient does: the socket check first; a connection it flags is discarded and
   *   a fresh one (`replace`) is opened and used instead; one that passes is the same connection
   *   and the same use.
   */
  async borrow(cell: Pick<ConnectionOutcome, 'cohort' | 'rungMs'>, idleMs: number, sql: string, timeoutMs: number, replace: () => Promise<HeldSession>): Promise<BorrowOutcome> {
    const base = this.base(cell, idleMs);
    const caught = !this.looksAlive;
    const used = await this.use(sql, timeoutMs);
    if (caught) return { ...base, outcome: 'closed-by-peer', ...this.deathFields(), ...(used.ok ? {} : { error: used.error }), validated: await this.replaced(replace, sql, timeoutMs) };
    const validated = used.ok ? { replaced: false, ok: true } : { replaced: false, ok: false, error: used.error };
    if (used.ok) return { ...base, outcome: 'survived', validated };
    return { ...base, outcome: 'dead-on-use', error: used.error, ...(used.close ? { close: used.close } : {}), validated };
  }

  /** The validated pool's replacement for a connection its socket check discarded: opened, used once, closed. */
  private async replaced(replace: () => Promise<HeldSession>, sql: string, timeoutMs: number): Promise<ValidatedBorrow> {
    let fresh: HeldConnection;
    try {
      fresh = new HeldConnection(await replace(), this.keepalive, this.keepaliveIdleMs);
    } catch (err) {
      return { replaced: true, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    try {
      const used = await fresh.use(sql, timeoutMs);
      return used.ok ? { replaced: true, ok: true } : { replaced: true, ok: false, error: used.error };
    } finally {
      fresh.close();
    }
  }

  close(): void {
    this.using = true;
    this.session.connection.close();
  }
}

/** An open that failed, with the login prober's classification of why. */
export class OpenFailed extends Error {
  constructor(readonly classification: Classification) {
    super(classification.message);
    this.name = 'OpenFailed';
  }
}

/** Opens a logged-in connection with the login prober's opener (same TLS, auth, connector and redirect handling). */
export async function openHeldSession(target: Target, options: ProbeOptions, signal: AbortSignal): Promise<HeldSession> {
  const opened = await openSession(target, options, signal);
  if (!opened.ok) throw new OpenFailed(opened.error);
  return { connection: opened.session.connection, policy: opened.session.policy };
}
