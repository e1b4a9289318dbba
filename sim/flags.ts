import { InvalidArgumentError } from 'commander';
import type { z } from 'zod';
import { parseDuration as parseUnits } from '../shared/config';
import { type Fault, INJECTABLE_ERRORS, type InjectableError, MAX_CONNECTIONS, type SimConfigInput, SimConfigSchema } from './config';
import type { SimEvent } from './runtime';

/** Parses "20ms", "5s", "30m", "1h" (the settings' syntax) or a bare number of milliseconds. */
export function parseDuration(text: string): number {
  const ms = /^\d+$/.test(text.trim()) ? Number(text) : parseUnits(text);
  if (ms === undefined) throw new Error(`not a duration: ${text} (use e.g. 20ms, 5s, 30m)`);
  return ms;
}

/** What commander hands the action: numbers and durations (ms) already parsed by the parsers below. */
export interface CliOptions {
  host: string;
  port: number;
  policy: 'proxy' | 'redirect';
  nodePort: number;
  routeHost?: string;
  encrypt: 'off' | 'on' | 'notsup';
  strict?: boolean;
  cert?: string;
  key?: string;
  login: string[];
  database: string[];
  serverName: string;
  accessToken: string[];
  readOnly?: boolean;
  edition: number;
  /** ms */
  idleTimeout: number;
  idleClose: 'fin' | 'rst';
  error: string[];
  /** ms */
  latency: number;
  maxSessions?: number;
  /** ms; the schema's default when absent */
  preloginTimeout?: number;
  maxConnections?: number;
  tlsVersions: string;
  instance: string[];
  browserPort: number;
  domain: string;
  trustedDomain: string[];
  windowsLogin: string[];
}

/** The fix for each numeric flag, as its parser and configFromFlags word it. */
const EXPECTED = {
  port: 'expected an integer 0–65535 (0 picks a free port)',
  edition: "expected an integer EngineEdition, e.g. 5 (SQL Database) or 8 (Managed Instance)",
  maxSessions: `expected a whole number of sessions, 1 or more (at most ${MAX_CONNECTIONS})`,
  duration: 'expected a duration such as 20ms, 5s, 30m or 1h',
  idleTimeout: 'expected a duration from 1ms to 24h such as 30m',
  latency: 'expected a duration from 0ms to 60s such as 20ms',
  preloginTimeout: 'expected a duration from 1ms to 1h such as 30s',
  maxConnections: `expected a whole number of connections from 1 to ${MAX_CONNECTIONS}`,
} as const;

/** An integer in [min, max] written as plain digits; anything else (abc, 1.5, 1e3, "") is rejected. */
function integerArg(expected: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${expected}, got "${value}".`);
    return n;
  };
}

/**
 * Argument parsers for commander: a bad value stops the command with the flag named, e.g.
 * error: option '--port <port>' argument 'abc' is invalid. expected an integer 0–65535 (0 picks a free port), got "abc".
 */
export const parseArg = {
  port: integerArg(EXPECTED.port, 0, 65535),
  edition: integerArg(EXPECTED.edition, 1),
  maxSessions: integerArg(EXPECTED.maxSessions, 1, MAX_CONNECTIONS),
  maxConnections: integerArg(EXPECTED.maxConnections, 1, MAX_CONNECTIONS),
  duration: (value: string): number => {
    try {
      return parseDuration(value);
    } catch {
      throw new InvalidArgumentError(`${EXPECTED.duration}, got "${value}".`);
    }
  },
};

/** Each config path the flags fill, with its flag and the option holding the raw value. */
const FLAG_OF: Record<string, { flag: string; option: keyof CliOptions; expected?: string }> = {
  host: { flag: '--host', option: 'host' },
  port: { flag: '--port', option: 'port', expected: EXPECTED.port },
  nodePort: { flag: '--node-port', option: 'nodePort', expected: EXPECTED.port },
  routeHost: { flag: '--route-host', option: 'routeHost' },
  idleTimeoutMs: { flag: '--idle-timeout', option: 'idleTimeout', expected: EXPECTED.idleTimeout },
  latencyMs: { flag: '--latency', option: 'latency', expected: EXPECTED.latency },
  maxSessions: { flag: '--max-sessions', option: 'maxSessions', expected: EXPECTED.maxSessions },
  'servers.0.name': { flag: '--server-name', option: 'serverName' },
  'servers.0.logins': { flag: '--login', option: 'login' },
  'servers.0.databases': { flag: '--database', option: 'database' },
  'servers.0.accessTokens': { flag: '--access-token', option: 'accessToken' },
  'servers.0.engineEdition': { flag: '--edition', option: 'edition', expected: EXPECTED.edition },
  preloginTimeoutMs: { flag: '--prelogin-timeout', option: 'preloginTimeout', expected: EXPECTED.preloginTimeout },
  maxConnections: { flag: '--max-connections', option: 'maxConnections', expected: EXPECTED.maxConnections },
  tlsVersions: { flag: '--tls-versions', option: 'tlsVersions', expected: 'expected a comma-separated list of 1.0, 1.1, 1.2 and 1.3' },
  instances: { flag: '--instance', option: 'instance', expected: 'expected NAME, NAME:PORT or NAME:off, the name up to 16 letters, digits, "_", "$" or "#"' },
  browserPort: { flag: '--browser-port', option: 'browserPort', expected: EXPECTED.port },
  'windows.domain': { flag: '--domain', option: 'domain' },
  'windows.trustedDomains': { flag: '--trusted-domain', option: 'trustedDomain' },
  'servers.0.windowsLogins': { flag: '--windows-login', option: 'windowsLogin' },
};

/** "SQLEXPRESS", "SQLEXPRESS:50123" or "SQLEXPRESS:off" (TCP/IP off for it). */
function parseInstance(text: string): { name: string; tcpPort?: number | 'off' } {
  const [name, port] = text.split(':');
  if (port === undefined) return { name };
  return { name, tcpPort: port === 'off' ? 'off' : /^\d+$/.test(port) ? Number(port) : NaN };
}

/** "DOMAIN\user:password". */
function parseWindowsLogin(text: string): { domain: string; user: string; password: string } {
  const slash = text.indexOf('\\');
  const colon = text.indexOf(':', slash);
  if (slash < 1 || colon < slash + 2) throw new Error(`--windows-login ${text}: use DOMAIN\\user:password`);
  return { domain: text.slice(0, slash), user: text.slice(slash + 1, colon), password: text.slice(colon + 1) };
}

/** One line per issue, naming the flag and what it takes: `--port: expected an integer 0–65535 …, got "abc"`. */
function describeFlagIssues(issues: readonly z.core.$ZodIssue[], o: CliOptions): string {
  return issues.map((issue) => {
    const path = issue.path.map(String);
    const key = Object.keys(FLAG_OF).filter((k) => path.join('.').startsWith(k)).sort((a, b) => b.length - a.length)[0];
    if (!key) return `${path.join('.') || 'config'}: ${issue.message}`;
    const { flag, option, expected } = FLAG_OF[key];
    const raw = o[option];
    return `${flag}: ${expected ?? issue.message}, got ${typeof raw === 'number' ? String(raw) : JSON.stringify(raw)}`;
  }).join('\n');
}

/**
 * Maps CLI flags onto the config schema; the schema validates and fills defaults. Throws an Error
 * whose message names each bad flag and what it takes.
 */
export function configFromFlags(o: CliOptions): SimConfigInput {
  if ((o.cert === undefined) !== (o.key === undefined)) throw new Error('--cert and --key go together');
  const errors = o.error.map((n) => {
    const number = Number(n);
    if (!(INJECTABLE_ERRORS as readonly number[]).includes(number)) throw new Error(`--error ${n}: use one of ${INJECTABLE_ERRORS.join(', ')}`);
    return { number: number as InjectableError };
  });
  const logins = o.login.map((l) => {
    const at = l.indexOf(':');
    if (at < 1) throw new Error(`--login ${l}: use user:password`);
    return { user: l.slice(0, at), password: l.slice(at + 1) };
  });
  const parsed = SimConfigSchema.safeParse({
    host: o.host,
    port: o.port,
    policy: o.policy,
    nodePort: o.nodePort,
    routeHost: o.routeHost,
    encrypt: o.encrypt,
    strict: o.strict ?? false,
    tls: o.cert && o.key ? { certFile: o.cert, keyFile: o.key } : undefined,
    idleTimeoutMs: o.idleTimeout,
    idleClose: o.idleClose,
    latencyMs: o.latency,
    maxSessions: o.maxSessions,
    tlsVersions: o.tlsVersions.split(',').map((v) => v.trim()).filter(Boolean),
    instances: o.instance.map(parseInstance),
    browserPort: o.browserPort,
    windows: { domain: o.domain, trustedDomains: o.trustedDomain },
    servers: [
      {
        name: o.serverName,
        ...(logins.length ? { logins } : {}),
        ...(o.database.length ? { databases: o.database } : {}),
        accessTokens: o.accessToken,
        readOnly: o.readOnly ?? false,
        engineEdition: o.edition,
        errors,
        windowsLogins: o.windowsLogin.map(parseWindowsLogin),
      },
    ],
    preloginTimeoutMs: o.preloginTimeout,
    maxConnections: o.maxConnections,
  });
  if (!parsed.success) throw new Error(describeFlagIssues(parsed.error.issues, o));
  return parsed.data;
}

const ESCAPED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const isControl = (code: number): boolean => code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;

/**
 * Text a client chose (a user or database name in LOGIN7) made safe for a line-per-event log:
 * control characters, line separators and the backslash are escaped, so a name with a newline
 * cannot forge a log line.
 */
export function printable(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += ESCAPED[c] ?? (isControl(code) ? `\\u${code.toString(16).padStart(4, '0')}` : c);
  }
  return out;
}

export function formatEvent(e: SimEvent): string {
  const who = e.session ? `#${e.session}` : '-';
  return `${e.at.toISOString()} ${e.listener} ${who} ${e.kind}${e.detail ? ` ${printable(e.detail)}` : ''}`;
}

/** Parses "rst:login", "slow-start:2s", "refuse", "none" into a fault. */
export function parseFault(text: string): Fault | null {
  const [kind, arg] = text.split(':');
  if (kind === 'none') return null;
  if (kind === 'rst') return { kind, phase: arg as 'prelogin' | 'tls' | 'login' | 'query' };
  if (kind === 'fin') return { kind, phase: arg as 'accept' | 'prelogin' | 'tls' | 'login' };
  if (kind === 'slow-start') return { kind, delayMs: parseDuration(arg ?? '5s') };
  return { kind } as Fault;
}
