import { z } from 'zod';

const HOUR_MS = 3_600_000;
/** A duration in milliseconds from `min` to `max`: every one of them ends up in a timer. */
const ms = (min: number, max: number) => z.number().int().min(min).max(max);

/** The most connections (or sessions) the simulator takes at once: each costs a file descriptor and memory. */
export const MAX_CONNECTIONS = 100_000;

/** Login errors the simulator can inject, each with Azure SQL's wording (see sim/errors.ts). */
export const INJECTABLE_ERRORS = [40613, 40615, 40501, 40532, 47073, 40914, 10928, 40197, 4060, 18456, 18452] as const;

export const ErrorInjectionSchema = z.object({
  number: z.literal(INJECTABLE_ERRORS),
  /** Only logins by this user / to this database; unset matches all. */
  user: z.string().optional(),
  database: z.string().optional(),
  /** Fail only the first N matching logins, then let them succeed (a transient sequence). */
  times: z.number().int().positive().optional(),
});

export const SqlLoginSchema = z.object({ user: z.string().min(1), password: z.string() });

/** The login every logical server accepts unless told otherwise (a public test credential, not a secret). */
export const DEFAULT_LOGIN = { user: 'sqlprobe', password: 'Sim-Passw0rd' } as const;

export const LogicalServerSchema = z.object({
  /** Matched against LOGIN7's server name, or its first DNS label ("myserver" for myserver.database.windows.net). */
  name: z.string().default('sqlprobe-sim'),
  logins: z.array(SqlLoginSchema).default([{ ...DEFAULT_LOGIN }]),
  databases: z.array(z.string().min(1)).min(1).default(['master', 'appdb']),
  /** Access tokens accepted through FEDAUTH (Entra / managed identity logins). */
  accessTokens: z.array(z.string().min(1)).default([]),
  /** Updateability READ_ONLY: a failover-group secondary. */
  readOnly: z.boolean().default(false),
  /** SERVERPROPERTY('EngineEdition'): 5 SQL Database, 8 Managed Instance. */
  engineEdition: z.number().int().default(5),
  errors: z.array(ErrorInjectionSchema).default([]),
  /** Windows logins (NTLM), each with the password its domain controller would check. */
  windowsLogins: z.array(z.object({ domain: z.string().min(1), user: z.string().min(1), password: z.string() })).default([]),
});

export const TlsFilesSchema = z.object({ certFile: z.string(), keyFile: z.string() });

export const SIM_TLS_VERSIONS = ['1.0', '1.1', '1.2', '1.3'] as const;

/** A named instance as the Browser lists it: on the gateway port unless told otherwise, or with TCP/IP off. */
export const InstanceSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$#]{0,15}$/, 'expected an instance name of up to 16 letters, digits, "_", "$" or "#"'),
  tcpPort: z.union([z.number().int().min(1).max(65535), z.literal('off')]).optional(),
});

export const WindowsDomainSchema = z.object({
  /** NetBIOS name, as the NTLM challenge names it. */
  domain: z.string().min(1).default('SQLPROBE'),
  dnsDomain: z.string().min(1).default('sqlprobe.test'),
  computer: z.string().min(1).default('SQLSIM'),
  /** Other domains whose logins the server accepts (a trust). */
  trustedDomains: z.array(z.string().min(1)).default([]),
});

export const SimConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  /** Gateway port; 0 picks a free one. */
  port: z.number().int().min(0).max(65535).default(0),
  policy: z.enum(['proxy', 'redirect']).default('proxy'),
  /** Node listener port under redirect; 0 picks a free one. */
  nodePort: z.number().int().min(0).max(65535).default(0),
  /** Host name put in the routing ENVCHANGE; defaults to `host`. */
  routeHost: z.string().optional(),
  /** Server encryption setting: off = supported but not required, on = required, notsup = none. */
  encrypt: z.enum(['off', 'on', 'notsup']).default('off'),
  /** Accept TDS 8.0 (TLS first, ALPN tds/8.0) besides classic PRELOGIN. */
  strict: z.boolean().default(false),
  /** Certificate and key (PEM files). Without them no TLS is possible and encryption counts as notsup. */
  tls: TlsFilesSchema.optional(),
  /** Proxy only: the gateway kills a session that has sent no request for this long. */
  idleTimeoutMs: ms(1, 24 * HOUR_MS).default(30 * 60_000),
  idleClose: z.enum(['fin', 'rst']).default('fin'),
  /** Delay before every response message. */
  latencyMs: ms(0, 60_000).default(0),
  /** Logged-in sessions allowed at once; further logins get 10928. */
  maxSessions: z.number().int().min(1).max(MAX_CONNECTIONS).optional(),
  servers: z.array(LogicalServerSchema).min(1).default([LogicalServerSchema.parse({})]),
  /** A connection that has not logged in this long after it connected is closed (FIN): a client that never sends PRELOGIN holds nothing for long. */
  preloginTimeoutMs: ms(1, HOUR_MS).default(30_000),
  /** Connections open at once, both ports together, sessions or not; the next one is closed as it is accepted. */
  maxConnections: z.number().int().min(1).max(MAX_CONNECTIONS).default(10_000),
  /** TLS versions the server accepts; classic TLS (inside PRELOGIN) uses those up to 1.2. */
  tlsVersions: z.array(z.enum(SIM_TLS_VERSIONS)).min(1).default(['1.2', '1.3']),
  /** Named instances the SQL Server Browser (UDP) lists; none means no Browser runs. */
  instances: z.array(InstanceSchema).default([]),
  /** The Browser's UDP port: 1434 as drivers expect; 0 picks a free one (tests). */
  browserPort: z.number().int().min(0).max(65535).default(1434),
  /** The Windows domain the server belongs to, for NTLM logins; logins from other domains need a trust. */
  windows: WindowsDomainSchema.default(WindowsDomainSchema.parse({})),
});

export type SimConfigInput = z.input<typeof SimConfigSchema>;
export type SimConfig = z.infer<typeof SimConfigSchema>;
export type LogicalServer = z.infer<typeof LogicalServerSchema>;
export type ErrorInjection = z.infer<typeof ErrorInjectionSchema>;
export type WindowsDomain = z.infer<typeof WindowsDomainSchema>;
export type WindowsLogin = LogicalServer['windowsLogins'][number];
export type InjectableError = (typeof INJECTABLE_ERRORS)[number];

export const ListenerNameSchema = z.enum(['gateway', 'node']);
export type ListenerName = z.infer<typeof ListenerNameSchema>;

/** Faults switchable at run time per listener. */
export const FaultSchema = z.discriminatedUnion('kind', [
  /** Connections are refused (the port stops listening). */
  z.object({ kind: z.literal('refuse') }),
  /** Connections are accepted, read and never answered. */
  z.object({ kind: z.literal('blackhole') }),
  /** The server resets the connection when it reaches this phase. */
  z.object({ kind: z.literal('rst'), phase: z.enum(['prelogin', 'tls', 'login', 'query']) }),
  /** The login completes (with tedious's SET batch, if that comes next), then the server closes with FIN. */
  z.object({ kind: z.literal('close-after-login') }),
  /** Every session stops reading and writing without closing, as behind a dead NAT. New ones too. */
  z.object({ kind: z.literal('silent-drop') }),
  /** The PRELOGIN response is delayed. */
  z.object({ kind: z.literal('slow-start'), delayMs: ms(0, HOUR_MS) }),
  /** The server closes the connection cleanly (FIN, no error) right after accepting it, or when it reaches this phase. */
  z.object({ kind: z.literal('fin'), phase: z.enum(['accept', 'prelogin', 'tls', 'login']) }),
  /** The PRELOGIN answer names an option whose offset points past the end of the message. */
  z.object({ kind: z.literal('bad-prelogin') }),
]);
export type Fault = z.infer<typeof FaultSchema>;
