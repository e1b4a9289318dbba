import { constants } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { type ErrorInjection, type Fault, type ListenerName, type LogicalServer, SIM_TLS_VERSIONS, type SimConfig } from './config';

export interface TlsContexts {
  /** TLS inside PRELOGIN: capped at 1.2 and without session tickets, so every handshake is a full one. */
  classic: tls.SecureContext;
  /** TDS 8.0: TLS first, 1.2 or 1.3. */
  strict: tls.SecureContext;
}

type SimTlsVersion = (typeof SIM_TLS_VERSIONS)[number];
const NODE_VERSIONS: Record<SimTlsVersion, tls.SecureVersion> = { '1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' };
const NO_VERSION: Record<SimTlsVersion, number> = {
  '1.0': constants.SSL_OP_NO_TLSv1, '1.1': constants.SSL_OP_NO_TLSv1_1, '1.2': constants.SSL_OP_NO_TLSv1_2, '1.3': constants.SSL_OP_NO_TLSv1_3,
};

/**
 * Context options accepting exactly `accepted`: OpenSSL takes a min and a max, so versions in
 * between that are left out are switched off one by one. TLS 1.0 and 1.1 need OpenSSL 3's security
 * level 0, as on the client side. Versions outside `within` (classic TLS stops at 1.2) are never offered;
 * with none left, the context accepts only a version the client will not offer, and every handshake fails.
 */
function versionOptions(accepted: readonly SimTlsVersion[], within: readonly SimTlsVersion[]): tls.SecureContextOptions {
  const usable = SIM_TLS_VERSIONS.filter((v) => accepted.includes(v) && within.includes(v));
  if (usable.length === 0) return { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' };
  const [low, high] = [usable[0], usable[usable.length - 1]];
  const gaps = SIM_TLS_VERSIONS.filter((v) => v > low && v < high && !usable.includes(v)).reduce((o, v) => o | NO_VERSION[v], 0);
  const legacy = usable.some((v) => v === '1.0' || v === '1.1');
  return { minVersion: NODE_VERSIONS[low], maxVersion: NODE_VERSIONS[high], secureOptions: gaps, ...(legacy ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}) };
}

export function loadTlsContexts(files: { certFile: string; keyFile: string }, accepted: readonly SimTlsVersion[] = ['1.2', '1.3']): TlsContexts {
  const cert = readFileSync(files.certFile);
  const key = readFileSync(files.keyFile);
  const classic = versionOptions(accepted, ['1.0', '1.1', '1.2']);
  return {
    classic: tls.createSecureContext({ cert, key, ...classic, secureOptions: (classic.secureOptions ?? 0) | constants.SSL_OP_NO_TICKET }),
    strict: tls.createSecureContext({ cert, key, ...versionOptions(accepted, SIM_TLS_VERSIONS) }),
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
  | 'close'
  | 'browser'
  | 'sspi';

export interface SimEvent {
  at: Date;
  /** `browser`: the SQL Server Browser's UDP port. */
  listener: ListenerName | 'browser';
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
