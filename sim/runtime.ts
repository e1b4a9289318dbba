import { constants } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import type { ErrorInjection, Fault, ListenerName, LogicalServer, SimConfig } from './config';

export interface TlsContexts {
  /** TLS inside PRELOGIN: capped at 1.2 and without session tickets, so every handshake is a full one. */
  classic: tls.SecureContext;
  /** TDS 8.0: TLS first, 1.2 or 1.3. */
  strict: tls.SecureContext;
}

export function loadTlsContexts(files: { certFile: string; keyFile: string }): TlsContexts {
  const cert = readFileSync(files.certFile);
  const key = readFileSync(files.keyFile);
  return {
    classic: tls.createSecureContext({ cert, key, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', secureOptions: constants.SSL_OP_NO_TICKET }),
    strict: tls.createSecureContext({ cert, key, minVersion: 'TLSv1.2' }),
  };
}

export type SimEventKind =
  | 'connect'
  | 'prelogin'
  | 'tls'
  | 'login'
  | 'login-failed'
  | 'redirect'
  | 'query'
  | 'query-error'
  | 'attention'
  | 'idle-kill'
  | 'fault'
  | 'close';

export interface SimEvent {
  at: Date;
  listener: ListenerName;
  session: number;
  kind: SimEventKind;
  detail?: string;
}

export interface ListenerState {
  name: ListenerName;
  fault?: Fault;
  /** Proxy gateway sessions die after idleTimeoutMs without a request; redirected node sessions do not. */
  idleKill: boolean;
  /** Redirect gateway: where logins are routed. */
  route?: () => { host: string; port: number };
}

/** State shared by every session of one simulator. */
export interface SimRuntime {
  config: SimConfig;
  contexts?: TlsContexts;
  /** Logins get 40613 until this time (ms since epoch), after a failover. */
  unavailableUntil: number;
  /** Failures served per injection rule, for transient sequences. */
  injected: Map<ErrorInjection, number>;
  loggedInCount(): number;
  /** Connections open on every listener, sessions or not (the connection cap counts them). */
  connectionCount(): number;
  nextSpid(): number;
  serverByName(name: string): LogicalServer;
  emit(e: Omit<SimEvent, 'at'>): void;
}
