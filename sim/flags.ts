import { INJECTABLE_ERRORS, SimConfigSchema, type Fault, type InjectableError, type SimConfigInput } from './config';
import { parseDuration } from './duration';
import type { SimEvent } from './runtime';

export interface CliOptions {
  host: string;
  port: string;
  policy: 'proxy' | 'redirect';
  nodePort: string;
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
  edition: string;
  idleTimeout: string;
  idleClose: 'fin' | 'rst';
  error: string[];
  latency: string;
  maxSessions?: string;
}

/** Maps CLI flags onto the config schema; the schema validates and fills defaults. */
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
  return SimConfigSchema.parse({
    host: o.host,
    port: Number(o.port),
    policy: o.policy,
    nodePort: Number(o.nodePort),
    routeHost: o.routeHost,
    encrypt: o.encrypt,
    strict: o.strict ?? false,
    tls: o.cert && o.key ? { certFile: o.cert, keyFile: o.key } : undefined,
    idleTimeoutMs: parseDuration(o.idleTimeout),
    idleClose: o.idleClose,
    latencyMs: parseDuration(o.latency),
    maxSessions: o.maxSessions ? Number(o.maxSessions) : undefined,
    servers: [
      {
        name: o.serverName,
        ...(logins.length ? { logins } : {}),
        ...(o.database.length ? { databases: o.database } : {}),
        accessTokens: o.accessToken,
        readOnly: o.readOnly ?? false,
        engineEdition: Number(o.edition),
        errors,
      },
    ],
  });
}

export function formatEvent(e: SimEvent): string {
  const who = e.session ? `#${e.session}` : '-';
  return `${e.at.toISOString()} ${e.listener} ${who} ${e.kind}${e.detail ? ` ${e.detail}` : ''}`;
}

/** Parses "rst:login", "slow-start:2s", "refuse", "none" into a fault. */
export function parseFault(text: string): Fault | null {
  const [kind, arg] = text.split(':');
  if (kind === 'none') return null;
  if (kind === 'rst') return { kind, phase: arg as 'prelogin' | 'tls' | 'login' | 'query' };
  if (kind === 'slow-start') return { kind, delayMs: parseDuration(arg ?? '5s') };
  return { kind } as Fault;
}

