import { readFileSync } from 'node:fs';
import { TLSSocket } from 'node:tls';
import { Connection } from 'tedious';
import type { ServerError } from '../../classify/classify';
import type { Classification } from '../../classify/schema';
import type { Target } from '../../config/target';
import { tlsFacts, type TlsDetails } from '../cert';
import { ProbeRecorder } from '../record';
import type { ProbeOptions } from '../types';
import { authenticationFor, needsToken } from './auth';
import { timedConnector, type ConnectorState, type TcpConnect } from './connector';
import { SessionTimeline } from './timeline';

/** What the path looked like: known as far as the login got, whether it succeeded or not. */
export interface SessionInfo {
  /** Holds the phases; pass your own in `overrides.recorder` to add later phases (idle, query …). */
  recorder: ProbeRecorder;
  policy?: 'proxy' | 'redirect';
  routed?: { host: string; port: number };
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
  const recorder = overrides.recorder ?? new ProbeRecorder(target, 'login', options, 'dns');
  const info: SessionInfo = { recorder, encrypted: false, connects: [] };
  const state: ConnectorState = { connects: info.connects };
  const fail = (error: Classification): OpenResult => ({ ok: false, error, info });
  let connection: Connection;
  const timeline = new SessionTimeline(recorder);
  try {
    // With an identity, fetching the token (near zero when the credential has it cached) is a first login phase.
    const authentication = needsToken(target)
      ? await recorder.time('login', () => authenticationFor(target, options, signal))
      : await authenticationFor(target, options, signal);
    connection = new Connection({
      server: overrides.server ?? target.server,
      authentication,
      options: {
        port: overrides.port ?? target.port,
        database: target.database,
        encrypt: target.encrypt,
        trustServerCertificate: target.trustServerCertificate,
        ...(target.caFile ? { cryptoCredentialsDetails: { ca: readFileSync(target.caFile) } } : {}),
        readOnlyIntent: overrides.readOnlyIntent ?? false,
        appName: 'sqlprobe',
        // Our signal is the deadline; tedious's timers only back it up. The runner owns retries.
        connectTimeout: options.timeoutMs + 1000,
        requestTimeout: options.timeoutMs + 1000,
        maxRetriesOnTransientErrors: 0,
        connector: timedConnector(options, signal, timeline, state, target.encrypt === 'strict'),
      },
    });
  } catch (error) {
    return fail(recorder.classify({ error, phase: 'login', timedOut: signal.aborted }));
  }
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
    return fail(recorder.classify({ error: err, server: pickServerError(serverErrors), timedOut: signal.aborted, context }));
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
