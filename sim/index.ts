import { EventEmitter } from 'node:events';
import { type ErrorInjection, type Fault, FaultSchema, type ListenerName, type SimConfig, type SimConfigInput, SimConfigSchema } from './config';
import { Browser } from './browser';
import { Listener } from './listener';
import { loadTlsContexts, type SimEvent, type SimRuntime } from './runtime';
import type { SessionState } from './session';

export * from './config';
export type { SimEvent, SimEventKind } from './runtime';
export { parseDuration } from './flags';

export interface SessionInfo {
  id: number;
  spid: number;
  listener: ListenerName;
  state: SessionState;
  client: string;
  encryption: string;
  server?: string;
  user?: string;
  database?: string;
  connectedAt: Date;
  lastRequestAt: Date;
}

export interface FailoverOptions {
  /** Logins get 40613 for this long afterwards (default 0). */
  unavailableMs?: number;
  /** How sessions are killed (default rst, as when a node goes away). */
  close?: 'fin' | 'rst';
}

export interface Simulator {
  host: string;
  gatewayPort: number;
  /** Set under the redirect policy. */
  nodePort?: number;
  /** The SQL Server Browser's UDP port, set when the config names instances. */
  browserPort?: number;
  config: SimConfig;
  /** Emits 'event' with a SimEvent for every connection event. */
  events: EventEmitter<{ event: [SimEvent] }>;
  sessions(): SessionInfo[];
  setFault(listener: ListenerName, fault: Fault | null): Promise<void>;
  failover(opts?: FailoverOptions): void;
  stop(): Promise<void>;
}

/** Starts a simulator in this process. Ports given as 0 are picked by the OS; read them from the result. */
export async function start(input: SimConfigInput = {}): Promise<Simulator> {
  const config = SimConfigSchema.parse(input);
  const events = new EventEmitter<{ event: [SimEvent] }>();
  let spid = 50;
  let sessionId = 0;
  const listeners: Listener[] = [];
  const rt: SimRuntime = {
    config,
    contexts: config.tls ? loadTlsContexts(config.tls, config.tlsVersions) : undefined,
    unavailableUntil: 0,
    injected: new Map<ErrorInjection, number>(),
    loggedInCount: () => listeners.reduce((n, l) => n + [...l.sessions].filter((s) => s.state === 'ready').length, 0),
    connectionCount: () => listeners.reduce((n, l) => n + l.connections, 0),
    nextSpid: () => (spid = spid >= 32767 ? 51 : spid + 1),
    serverByName: (name) => {
      const wanted = name.toLowerCase();
      const label = wanted.split('.')[0];
      return config.servers.find((s) => s.name.toLowerCase() === wanted || s.name.toLowerCase() === label) ?? config.servers[0];
    },
    emit: (e) => events.emit('event', { at: new Date(), ...e }),
  };
  const nextId = (): number => ++sessionId;
  const redirect = config.policy === 'redirect';
  const node = redirect ? new Listener('node', config.host, config.nodePort, rt, { idleKill: false }, nextId) : undefined;
  const gateway = new Listener(
    'gateway',
    config.host,
    config.port,
    rt,
    { idleKill: !redirect, route: node ? () => ({ host: config.routeHost ?? config.host, port: node.port }) : undefined },
    nextId,
  );
  listeners.push(gateway, ...(node ? [node] : []));
  const browser = config.instances.length ? new Browser(config, rt, () => gateway.port) : undefined;
  try {
    for (const l of listeners) await l.listen();
    await browser?.listen();
  } catch (e) {
    await Promise.all(listeners.map((l) => l.close()));
    await browser?.close();
    throw e;
  }
  const byName = (name: ListenerName): Listener => {
    const l = listeners.find((x) => x.state.name === name);
    if (!l) throw new Error(`no ${name} listener (policy ${config.policy})`);
    return l;
  };

  return {
    host: config.host,
    gatewayPort: gateway.port,
    nodePort: node?.port,
    browserPort: browser?.port,
    config,
    events,
    sessions: () =>
      listeners.flatMap((l) =>
        [...l.sessions].map((s) => ({
          id: s.id,
          spid: s.spid,
          listener: l.state.name,
          state: s.state,
          client: `${s.clientAddress}:${s.clientPort}`,
          encryption: s.encryption,
          server: s.server?.name,
          user: s.user,
          database: s.database,
          connectedAt: s.connectedAt,
          lastRequestAt: s.lastRequestAt,
        })),
      ),
    setFault: (name, fault) => byName(name).setFault(fault === null ? undefined : FaultSchema.parse(fault)),
    failover: (opts = {}) => {
      rt.unavailableUntil = Date.now() + (opts.unavailableMs ?? 0);
      for (const l of listeners) for (const s of [...l.sessions]) s.kill(opts.close ?? 'rst', 'failover');
    },
    stop: async () => {
      await Promise.all([...listeners.map((l) => l.close()), browser?.close()]);
      events.removeAllListeners();
    },
  };
}
