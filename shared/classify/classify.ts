import { PEER_CLOSED } from '../tds';
import { redact } from './redact';
import type { Classification, FailureClass, Phase } from '../contract';
import { CLASSES, ERROR_CODES, LOGIN_STATES, SERVER_ERRORS } from './taxonomy';

/** The ERROR token a server sent (tedious's `errorMessage` event, or our own TDS codec). */
export interface ServerError {
  number: number;
  state?: number;
  message: string;
}

export interface FailureInput {
  /** The phase the probe was in when it failed. */
  phase: Phase;
  /** What was thrown or emitted: a tedious ConnectionError/RequestError, a Node system error, an AbortError … */
  error?: unknown;
  /** The server's error, when one came; its number decides the class. */
  server?: ServerError;
  /** The probe's deadline (its AbortSignal) expired. */
  timedOut?: boolean;
  /** A class the prober decided itself (policy-mismatch, dns-privatelink-public …), with its message. */
  class?: FailureClass;
  message?: string;
  /** Fills the recommendation's placeholders. */
  context?: {
    server?: string;
    port?: number;
    database?: string;
    /** Where a redirect sent the login; with `routedConnect: false` the TCP connect to it never completed. */
    routed?: { host: string; port: number };
    routedConnected?: boolean;
    /** A named instance whose port the SQL Server Browser named: `port` is that port. */
    instance?: string;
  };
  /** Values that must never appear in the message: the password, the token. */
  secrets?: readonly string[];
}

const TCP_CONNECT_FAILURES: ReadonlySet<FailureClass> = new Set(['tcp-refused', 'tcp-timeout', 'tcp-unreachable']);
const AFTER_LOGIN: ReadonlySet<Phase> = new Set(['initialSql', 'query', 'idle']);

/** Every `code` (and error name) on the error, its causes and an AggregateError's members, outermost first. */
function errorCodes(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== 'object' || depth > 5) return [];
  const e = error as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
  const own = [e.code, e.name].filter((c): c is string => typeof c === 'string');
  const nested = [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])].flatMap((c) => errorCodes(c, depth + 1));
  return [...own, ...nested];
}

function errorMessage(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(errorMessage).join('; ') || error.message;
  if (error instanceof Error) return error.message;
  if (error === undefined) return '';
  try {
    return String(error);
  } catch {
    // Anything can be thrown, even a value with no text ([{ toString: false }], a null prototype).
    return `a thrown ${typeof error} with no message`;
  }
}

/**
 * A peer that closed the connection cleanly (FIN): our codec says so with PEER_CLOSED, while
 * tedious ("socket hang up") and Node's TLS ("Client network socket disconnected …") report it as
 * an ECONNRESET of their own making. A reset from the kernel names its syscall and its code
 * ("read ECONNRESET").
 */
function closedCleanly(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { code?: unknown; syscall?: unknown; message?: unknown; cause?: unknown };
  const madeUpReset = e.code === 'ECONNRESET' && e.syscall === undefined && typeof e.message === 'string' && !e.message.includes('ECONNRESET');
  return e.code === PEER_CLOSED || madeUpReset || closedCleanly(e.cause, depth + 1);
}

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['AbortError', 'TimeoutError', 'ABORT_ERR', 'ETIMEOUT']);

/**
 * Our deadline, tedious's connectTimeout and the resolver's timeout are timeouts of the phase. The
 * kernel's ETIMEDOUT is one too while connecting; after login it means keepalive found the peer dead.
 */
function isTimeout(input: FailureInput, codes: readonly string[]): boolean {
  if (input.timedOut || codes.some((c) => TIMEOUT_CODES.has(c))) return true;
  return codes.includes('ETIMEDOUT') && !AFTER_LOGIN.has(input.phase);
}

function byCode(codes: readonly string[]): FailureClass | undefined {
  // Most specific entry first (table order), not outermost code first: ESOCKET wraps the cert code.
  return ERROR_CODES.find((entry) => entry.codes.some((c) => codes.includes(c)))?.class;
}

function byServerError(server: ServerError, phase: Phase): FailureClass {
  const known = SERVER_ERRORS.find((e) => e.numbers.includes(server.number))?.class;
  if (known) return known;
  return phase === 'query' ? 'query-failed' : phase === 'login' || phase === 'reroute' ? 'login-failed' : 'unknown';
}

function pickClass(input: FailureInput, codes: readonly string[]): FailureClass {
  if (input.class) return input.class;
  const { phase } = input;
  if (input.server) return byServerError(input.server, phase);
  if (isTimeout(input, codes)) {
    if (phase === 'tcp') return 'tcp-timeout';
    return `timeout-${phase}`;
  }
  const coded = byCode(codes);
  if (phase === 'dns') return coded === 'dns-not-found' ? coded : 'dns-failed';
  // A clean close is no reset: mid-handshake it is the server refusing this TLS offer.
  if (!AFTER_LOGIN.has(phase) && closedCleanly(input.error)) return phase === 'tls' ? 'tls-handshake-failed' : 'server-closed';
  if ((coded === 'tcp-reset' || codes.includes('ETIMEDOUT')) && AFTER_LOGIN.has(phase)) return 'connection-lost';
  if (coded) return coded;
  if (/Connection lost/i.test(errorMessage(input.error))) return AFTER_LOGIN.has(phase) ? 'connection-lost' : 'tcp-reset';
  return 'unknown';
}

/** A redirect whose TCP connect to the node fails is a firewall missing the redirect port range. */
function redirectAware(cls: FailureClass, input: FailureInput): FailureClass {
  const ctx = input.context;
  const towardNode = input.phase === 'reroute' && ctx?.routed && ctx.routedConnected === false;
  return towardNode && (TCP_CONNECT_FAILURES.has(cls) || cls === 'timeout-reroute') ? 'redirect-ports-blocked' : cls;
}

/** Once the Browser named the instance's port, a failed connect to it is that port's fault, not the server's. */
function instanceAware(cls: FailureClass, input: FailureInput): FailureClass {
  return input.context?.instance && input.phase === 'tcp' && TCP_CONNECT_FAILURES.has(cls) ? 'instance-port-closed' : cls;
}

function loginStateMeaning(state: number | undefined): string | undefined {
  return state === undefined ? undefined : LOGIN_STATES.find((s) => s.states.includes(state))?.meaning;
}

/** The client IP that error 40615 names: "Client with IP address '203.0.113.5' is not allowed …". */
export function parseClientIp(message: string): string | undefined {
  return /IP address '([0-9a-fA-F.:]+)'/.exec(message)?.[1];
}

/** Words used where the context lacks a value, so a recommendation never shows a raw placeholder. */
const FALLBACK: Record<string, string> = {
  server: 'the server', port: 'the SQL port', database: 'the database', routedHost: 'the node', routedPort: 'its port',
  clientIp: 'this client', number: 'see message', state: 'unknown',
};

function fill(template: string, values: Record<string, string | number | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => String(values[key] ?? FALLBACK[key] ?? whole));
}

/**
 * Maps any probe failure to its class, phase, number/state, transience, a redacted message and an
 * actionable recommendation. Never throws.
 */
export function classify(input: FailureInput): Classification {
  const codes = errorCodes(input.error);
  const cls = instanceAware(redirectAware(pickClass(input, codes), input), input);
  const info = CLASSES[cls];
  const server = input.server;
  const rawMessage = input.message ?? server?.message ?? (errorMessage(input.error) || cls);
  const meaning = server?.number === 18456 ? loginStateMeaning(server.state) : undefined;
  const clientIp = server?.number === 40615 ? parseClientIp(server.message) : undefined;
  const ctx = input.context ?? {};
  let recommendation = fill(info.recommendation, {
    server: ctx.server, port: ctx.port, database: ctx.database, routedHost: ctx.routed?.host, routedPort: ctx.routed?.port,
    clientIp, number: server?.number, state: server?.state,
  });
  if (meaning) recommendation = `State ${server?.state}: ${meaning}. ${recommendation}`;
  const message = redact(meaning ? `${rawMessage} (state ${server?.state}: ${meaning})` : rawMessage, input.secrets);
  return {
    class: cls,
    phase: input.phase,
    ...(server ? { number: server.number } : {}),
    ...(server?.state !== undefined ? { state: server.state } : {}),
    transient: info.transient,
    message,
    recommendation: redact(recommendation, input.secrets),
    ...(info.docsUrl ? { docsUrl: info.docsUrl } : {}),
    ...(clientIp ? { clientIp } : {}),
  };
}
