import type { ErrorInjection, Fault, ListenerName, LogicalServer, SimConfig } from './config';
import type { TlsContexts } from './tls-context';

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
  nextSpid(): number;
  serverByName(name: string): LogicalServer;
  emit(e: Omit<SimEvent, 'at'>): void;
}
