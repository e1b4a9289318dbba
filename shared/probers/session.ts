import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Connection } from 'tedious';
import type { ServerError } from '../classify';
import { timerMs, type Target } from '../config';
import type { BrowserDetails, Classification, Phase, Policy, TcpConnect, TlsDetails } from '../contract';
import { readCaFile } from './ca-file';
import { tlsFacts } from './tls';
import { connectOutcome, connectTcp } from './connect';
import { ProbeRecorder } from './recorder';
import { type ResolvedAddress, resolveHost } from './resolve';
import { authenticationFor } from './auth';
import { needsToken, tedious } from './drivers';
import { routeToInstance } from './browser';
import { captureChallenge, windowsLoginFailure } from './ntlm';
import type { ProbeOptions } from './prober';

/** tedious states that open a phase; `LoggedIn` and `Final` close whatever is open. */
const STATE_PHASES: Record<string, Phase> = {
  SentPrelogin: 'prelogin',
  SentTLSSSLNegotiation: 'tls',
  SentLogin7WithStandardLogin: 'login',
  SentLogin7WithFedauth: 'login',
  SentLogin7WithNTLMLogin: 'login',
  ReRouting: 'reroute',
  LoggedInSendingInitialSql: 'initialSql',
};

const STATE_CHANGE = /^State change: \S+ -> (\S+)$/;

/**
 * Turns tedious's state changes (its `debug` events, no debug flags needed), the `secure` event and
 * the connector's DNS/TCP steps into back-to-back phases. After a redirect everything up to the
 * node's login is one `reroute` phase: the second hop.
 */
export class SessionTimeline {
  private open?: { name: Phase; start: number };
  rerouting = false;

  constructor(private readonly rec: ProbeRecorder) {}

  enter(name: Phase, at = performance.now()): void {
    const phase = this.rerouting && name !== 'initialSql' ? 'reroute' : name;
    if (this.open?.name === phase) return;
    this.close(at);
    this.open = { name: phase, start: at };
    this.rec.phase = phase;
  }

  /** Ends the open phase; the recorder keeps it as the current phase, so a failure is attributed to it. */
  close(at = performance.now()): void {
    if (!this.open) return;
    this.rec.mark(this.open.name, this.open.start, at);
    this.open = undefined;
  }

  readonly onDebug = (message: string): void => {
    const state = STATE_CHANGE.exec(message)?.[1];
    if (!state) return;
    if (state === 'LoggedIn' || state === 'Final') return this.close();
    if (state === 'ReRouting') this.rerouting = true;
    const phase = STATE_PHASES[state];
    if (phase) this.enter(phase);
  };
}

export interface ConnectorState {
  /** Every TCP connect tedious asked for: the gateway, and the node after a redirect. */
  connects: TcpConnect[];
  /** During a redirect: whether the TCP connect to the routed node completed. */
  routedConnected?: boolean;
  /** The first hop's addresses when they were resolved before tedious started (a named instance's Browser needed them). */
  resolved?: { host: string; addresses: ResolvedAddress[] };
}

type TediousConnector = (opts?: { host: string; port: number; localAddress?: string }, lookup?: unknown, signal?: AbortSignal) => Promise<Socket>;

/**
 * tedious's `options.connector`: called for the first hop and again for a redirect with the routed
 * host and port. It times DNS and TCP itself, tries the addresses in turn like tedious does, and
 * honours both tedious's signal and the probe's (tedious does not race a connector against its timeout).
 */
export function timedConnector(options: ProbeOptions, probeSignal: AbortSignal, timeline: SessionTimeline, state: ConnectorState, strict: boolean): TediousConnector {
  return async (opts, _lookup, tediousSignal) => {
    if (!opts) throw new Error('tedious called the connector without a host');
    const signal = tediousSignal ? AbortSignal.any([tediousSignal, probeSignal]) : probeSignal;
    const routed = timeline.rerouting;
    if (routed) state.routedConnected = false;
    const known = !routed && state.resolved?.host === opts.host ? state.resolved.addresses : undefined;
    if (!known) timeline.enter('dns');
    const { addresses } = known ? { addresses: known } : await resolveHost(opts.host, { servers: options.dnsServers, timeoutMs: options.timeoutMs, signal });
    timeline.enter('tcp');
    let lastError: unknown;
    for (const { address } of addresses) {
      const start = performance.now();
      try {
        const socket = await connectTcp(address, opts.port, signal, opts.localAddress);
        state.connects.push({ address, port: opts.port, durationMs: performance.now() - start, outcome: 'connected' });
        if (routed) state.routedConnected = true;
        // Strict (TDS 8.0) mode: tedious wraps the socket in TLS before it sends PRELOGIN.
        timeline.enter(strict ? 'tls' : 'prelogin');
        return socket;
      } catch (error) {
        state.connects.push({ address, port: opts.port, durationMs: performance.now() - start, outcome: connectOutcome(error, signal) });
        lastError = error;
        if (signal.aborted) break;
      }
    }
    throw lastError;
  };
}

/** What the path looked like: known as far as the login got, whether it succeeded or not. */
export interface SessionInfo {
  /** Holds the phases; pass your own in `overrides.recorder` to add later phases (idle, query …). */
  recorder: ProbeRecorder;
  policy?: Policy;
  routed?: { host: string; port: number };
  /** For a named instance: how the SQL Server Browser answered. */
  browser?: BrowserDetails;
  encrypted: boolean;
  tls?: TlsDetails;
  connects: TcpConnect[];
}

export interface Session extends SessionInfo {
  /** A logged-in tedious connection with an `error` listener attached. The owner must `close()` it. */
  connection: Connection;
  /** Closes the connection and resolves once tedious has released the socket. */
  close(): Promise<void>;
}

export type OpenResult = { ok: true; session: Session } | { ok: false; error: Classification; info: SessionInfo };

export interface SessionOverrides {
  recorder?: ProbeRecorder;
  /** Another listener of the same target (a failover group's secondary). */
  server?: string;
  port?: number;
  /** ApplicationIntent=ReadOnly, for a read-only listener or replica. */
  readOnlyIntent?: boolean;
}

/**
 * A named instance: resolves the name and asks the SQL Server Browser at the first address for the
 * instance's port, as drivers do, before tedious connects; the connector then reuses the addresses.
 */
async function findInstance(target: Target, options: ProbeOptions, signal: AbortSignal, info: SessionInfo, state: ConnectorState): Promise<Classification | undefined> {
  const { recorder } = info;
  try {
    const found = await recorder.time('dns', () => resolveHost(target.server, { servers: options.dnsServers, timeoutMs: options.timeoutMs, signal }));
    const routed = await routeToInstance(recorder, target, found.addresses[0].address, options.timeoutMs, signal);
    info.browser = routed.browser;
    state.resolved = { host: target.server, addresses: found.addresses };
    return routed.error;
  } catch (error) {
    return recorder.classify({ error, timedOut: signal.aborted });
  }
}

/** Closes a connection and waits for tedious's `end`, so no socket outlives the caller. */
export function closeConnection(connection: Connection): Promise<void> {
  if (connection.closed) return Promise.resolve();
  return new Promise((resolve) => {
    connection.once('end', () => resolve());
    connection.close();
  });
}

/** Of the error tokens a failed login sent, the specific one: 40615 and friends come with a generic 18456. */
function pickServerError(errors: ServerError[]): ServerError | undefined {
  return errors.find((e) => e.number !== 18456) ?? errors[0];
}

function routingData(connection: Connection): { host: string; port: number } | undefined {
  const data = connection.routingData;
  return data ? { host: data.server, port: data.port } : undefined;
}

/**
 * Opens a logged-in tedious connection to the target, timing every phase (DNS and TCP in our
 * connector, the rest from tedious's state changes), capturing a redirect and checking that
 * encryption was really negotiated. Never throws; settles promptly when `signal` aborts. The login,
 * idle and pool probers share it.
 */
export async function openSession(target: Target, options: ProbeOptions, signal: AbortSignal, overrides: SessionOverrides = {}): Promise<OpenResult> {
  const recorder = overrides.recorder ?? new ProbeRecorder(target, 'login', options);
  const info: SessionInfo = { recorder, encrypted: false, connects: [] };
  const state: ConnectorState = { connects: info.connects };
  const fail = (error: Classification): OpenResult => ({ ok: false, error, info });
  let connection: Connection;
  const timeline = new SessionTimeline(recorder);
  let ca: Buffer | undefined;
  try {
    ca = target.caFile ? readCaFile(target.caFile) : undefined;
  } catch (error) {
    return fail(recorder.classify({ error, phase: 'tls' }));
  }
  try {
    // With an identity, fetching the token (near zero when the credential has it cached) is a first login phase.
    const authentication = needsToken(target)
      ? await recorder.time('login', () => authenticationFor(target, options, signal))
      : await authenticationFor(target, options, signal);
    if (target.instanceName && overrides.server === undefined) {
      const error = await findInstance(target, options, signal, info, state);
      if (error) return fail(error);
    }
    connection = new (tedious().Connection)({
      server: overrides.server ?? target.server,
      authentication,
      options: {
        port: overrides.port ?? recorder.instance?.port ?? target.port,
        database: target.database,
        encrypt: target.encrypt,
        trustServerCertificate: target.trustServerCertificate,
        ...(ca ? { cryptoCredentialsDetails: { ca } } : {}),
        readOnlyIntent: overrides.readOnlyIntent ?? false,
        appName: 'sqlprobe',
        // Our signal is the deadline; tedious's timers only back it up. The runner owns retries.
        connectTimeout: timerMs(options.timeoutMs + 1000, "tedious's connect timeout"),
        requestTimeout: timerMs(options.timeoutMs + 1000, "tedious's request timeout"),
        maxRetriesOnTransientErrors: 0,
        connector: timedConnector(options, signal, timeline, state, target.encrypt === 'strict'),
      },
    });
  } catch (error) {
    return fail(recorder.classify({ error, phase: 'login', timedOut: signal.aborted }));
  }
  const challenge = target.auth.type === 'ntlm' ? captureChallenge(connection) : () => undefined;
  const serverErrors: ServerError[] = [];
  connection.on('error', () => undefined);
  connection.on('debug', timeline.onDebug);
  connection.on('errorMessage', (t) => serverErrors.push({ number: t.number, state: t.state, message: t.message }));
  connection.on('secure', (cleartext) => {
    info.encrypted = true;
    info.tls = tlsFacts(cleartext, 'classic');
    timeline.enter('login');
  });
  // 'rerouting' is emitted but missing from tedious's typings; routingData is only readable inside it.
  (connection as NodeJS.EventEmitter).on('rerouting', () => {
    info.policy = 'redirect';
    info.routed = routingData(connection);
  });

  const onAbort = () => connection.close();
  signal.addEventListener('abort', onAbort, { once: true });
  const err = await new Promise<Error | undefined>((resolve) => {
    if (signal.aborted) connection.close();
    else connection.connect((e) => resolve(e));
    connection.once('end', () => resolve(new Error('connection closed')));
  });
  signal.removeEventListener('abort', onAbort);
  timeline.close();
  connection.removeListener('debug', timeline.onDebug);
  if (err) {
    await closeConnection(connection);
    const context = { routed: info.routed, routedConnected: state.routedConnected };
    const server = pickServerError(serverErrors);
    return fail(recorder.classify({ error: err, server, timedOut: signal.aborted, context, ...windowsLoginFailure(target, challenge(), server) }));
  }
  info.policy ??= 'proxy';
  if (target.encrypt === 'strict' && connection.socket instanceof TLSSocket) {
    info.encrypted = true;
    info.tls = tlsFacts(connection.socket, 'strict');
  }
  if (!info.encrypted) {
    await closeConnection(connection);
    return fail(recorder.classify({ class: 'encryption-not-supported', phase: 'login', message: 'the login completed without TLS although encryption was required' }));
  }
  return { ok: true, session: { ...info, connection, close: () => closeConnection(connection) } };
}
