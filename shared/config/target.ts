import { z } from 'zod';
import { DEFAULT_PROBES, guidSchema, keepaliveVariant, needsLogin, policySchema, PROBES, probeName, type ProbeName } from '../contract';
import { boundedDuration, formatDuration } from './duration';
import { browserSchema, dnsCheckSchema, instanceName, minTls, resultExpectation, windowsDomain, windowsUser } from './target-checks';

const NAME_HINT = 'expected a slug: lowercase letters, digits and "-", starting with a letter or digit, at most 63 characters, e.g. "orders-eastus"';
export const targetName = z.string({ error: NAME_HINT }).regex(/^[a-z0-9][a-z0-9-]{0,62}$/, NAME_HINT);

const SETTING_HINT = 'expected the NAME of an app setting (letters, digits, "_"), e.g. "ORDERS_DB_PASSWORD", not the secret itself';
/** Names an app setting that holds a secret; the secret itself never appears in config. */
export const settingName = z.string({ error: SETTING_HINT }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, SETTING_HINT);

const hostname = z
  .string({ error: 'expected a host name such as "myserver.database.windows.net"' })
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9a-fA-F:]+\]?$/, 'expected a host name such as "myserver.database.windows.net" (no scheme, no port, no "tcp:")');

const PORT_HINT = 'expected an integer 1–65535';
export const port = z.preprocess(
  (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
  z.int({ error: PORT_HINT }).min(1, PORT_HINT).max(65535, PORT_HINT),
);

const uuid = guidSchema();

export const AUTH_TYPES = ['sql', 'managed-identity', 'service-principal', 'access-token', 'none', 'ntlm', 'workload-identity'] as const;
export const authSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('sql'), user: z.string({ error: 'expected the SQL login name' }).min(1, 'expected the SQL login name'), passwordSetting: settingName }),
    z.strictObject({ type: z.literal('managed-identity'), clientId: uuid.optional() }),
    z
      .strictObject({ type: z.literal('service-principal'), tenantId: uuid, clientId: uuid, secretSetting: settingName.optional(), certificateSetting: settingName.optional() })
      .refine((a) => (a.secretSetting === undefined) !== (a.certificateSetting === undefined), {
        message: 'expected secretSetting (a client secret) or certificateSetting (a PEM certificate with its private key), one of them',
      }),
    z.strictObject({ type: z.literal('access-token'), tokenSetting: settingName }),
    z.strictObject({ type: z.literal('none') }),
    z.strictObject({ type: z.literal('ntlm'), domain: windowsDomain, user: windowsUser, passwordSetting: settingName }),
    // The AKS workload identity webhook sets AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE; these override the first two.
    z.strictObject({ type: z.literal('workload-identity'), clientId: uuid.optional(), tenantId: uuid.optional() }),
  ],
  { error: `expected auth.type one of ${AUTH_TYPES.join(', ')}` },
);
export type Auth = z.infer<typeof authSchema>;

const DEFAULT_RUNGS = ['3m', '5m', '15m', '29m', '31m', '40m'];

const HOUR_MS = 3_600_000;
/** The idle timers a ladder looks for are minutes (a NAT's 4) to an hour (a firewall's); 4 h covers them with room. */
const MAX_RUNG_MS = 4 * HOUR_MS;
/** A ladder holds a connection per rung and keepalive variant: a few dozen rungs at most. */
export const MAX_RUNGS = 24;
/** Each rung holds its connections for its whole age: their ages together stay under half a day. */
export const MAX_LADDER_MS = 12 * HOUR_MS;
const rung = boundedDuration(100, MAX_RUNG_MS, 'an idle rung: the timers it looks for are minutes to an hour', '31m');
const rungs = z
  .array(rung)
  .min(1, 'expected at least one rung, e.g. ["5m", "31m"]')
  .max(MAX_RUNGS, `expected at most ${MAX_RUNGS} rungs, e.g. ["5m", "31m"] (each holds connections for its whole age)`)
  .superRefine((ms, ctx) => {
    const total = ms.reduce((a, b) => a + b, 0);
    // A rung out of bounds is reported on its own; the total only matters once each rung fits.
    if (total > MAX_LADDER_MS && ms.every((r) => r <= MAX_RUNG_MS)) {
      ctx.addIssue({ code: 'custom', message: `expected rungs adding up to at most ${formatDuration(MAX_LADDER_MS)} (these add up to ${formatDuration(total)}; each holds its connections for its whole age): drop or shorten some` });
    }
  });

export const idleSchema = z.strictObject({
  /** Planned idle ages; the default brackets both the 4-minute NAT timer and the 30-minute gateway kill. */
  rungs: rungs.prefault(DEFAULT_RUNGS),
  keepalive: z.array(keepaliveVariant).min(1).default(['on', 'off']),
  /** How often a new cohort opens, so the verdict keeps up with changes on the path. */
  cohortEvery: boundedDuration(60_000, 24 * HOUR_MS, 'a new cohort every minute to every day', '1h').prefault('1h'),
  maxHeld: z.int().min(1, 'expected at least 1').max(1000, 'expected at most 1000').default(24),
  /** TCP keepalive idle of the keepalive-on variant (and of the pool); tedious's own is 30 s. Below a NAT's timeout keeps its flow alive. */
  keepaliveIdle: boundedDuration(100, 2 * HOUR_MS, "up to Linux's own 2-hour default", '30s').prefault('30s'),
  /** How long the first use after idle may take before the connection counts as dead on use: an app's request timeout (tedious's default is 15 s). */
  useTimeout: boundedDuration(100, 5 * 60_000, "an app's request timeout", '15s').prefault('15s'),
});

export const poolSchema = z.strictObject({
  size: z.int({ error: 'expected an integer 1–100' }).min(1, 'expected an integer 1–100').max(100, 'expected an integer 1–100').default(5),
  idleFor: boundedDuration(100, MAX_RUNG_MS, 'as long as an idle rung at most', '5m').prefault('5m'),
  /** Keepalive on the pooled connections: on as tedious leaves it, off as a driver without keepalive. */
  keepalive: keepaliveVariant.default('on'),
});

export const targetSchema = z.strictObject({
  name: targetName,
  server: hostname,
  port: port.default(1433),
  database: z.string({ error: 'expected a database name' }).min(1, 'expected a database name').max(128, 'expected at most 128 characters'),
  auth: authSchema.default({ type: 'none' }),
  encrypt: z.union([z.literal(true), z.literal('strict')], { error: 'expected true or "strict" (unencrypted connections are not probed)' }).default(true),
  trustServerCertificate: z.boolean({ error: 'expected true or false' }).default(false),
  caFile: z.string({ error: 'expected a path to a PEM file' }).min(1).optional(),
  probes: z.array(probeName).min(1, `expected at least one of ${PROBES.join(', ')}`).default([...DEFAULT_PROBES]),
  expect: z
    .strictObject({
      policy: policySchema.optional(),
      query: z.string().min(1, 'expected a SQL query such as "SELECT 1"').default('SELECT 1'),
      readOnly: z.boolean({ error: 'expected true or false' }).default(false),
      /** The lowest TLS version the server may accept; the tls probe audits every version against it. */
      minTls: minTls.optional(),
      /** What the first column of the query's first row must be. */
      result: resultExpectation.optional(),
    })
    .default({ query: 'SELECT 1', readOnly: false }),
  failoverGroup: z
    .strictObject({ secondaryServer: hostname.optional(), secondaryPort: port.optional() })
    .optional(),
  idle: idleSchema.default(idleSchema.parse({})),
  pool: poolSchema.default(poolSchema.parse({})),
  tags: z.record(z.string(), z.string({ error: 'expected a string value' })).default({}),
  /** A named instance: its port comes from the SQL Server Browser (UDP 1434), as drivers find it. */
  instanceName: instanceName.optional(),
  browser: browserSchema.default(browserSchema.parse({})),
  dns: dnsCheckSchema.optional(),
});

export type Target = z.infer<typeof targetSchema>;

/** The probes of `probes` that `target` cannot run: auth "none" has no credentials to log in with. */
export function loginWithoutCredentials(target: Pick<Target, 'auth'>, probes: readonly ProbeName[]): ProbeName[] {
  return target.auth.type === 'none' ? probes.filter(needsLogin) : [];
}

/**
 * Why `probes` cannot run against `target`, or undefined. Auth "none" has no credentials, so a login
 * would go out with an empty user and only ever report login-failed: it is refused up front.
 */
export function loginProblem(target: Target, probes: readonly ProbeName[], fix: string): string | undefined {
  const login = loginWithoutCredentials(target, probes);
  if (login.length === 0) return undefined;
  return `target "${target.name}" has auth type none: only ${PROBES.filter((p) => !needsLogin(p)).join(', ')} can run, not ${login.join(', ')}; ${fix}`;
}
export type TargetInput = z.input<typeof targetSchema>;

/** The DNS suffixes of Azure SQL (Database, Managed Instance, private link) in each cloud; each is also its Entra resource. */
export const AZURE_SQL_SUFFIXES = ['database.windows.net', 'database.usgovcloudapi.net', 'database.chinacloudapi.cn'] as const;

/** The Azure SQL suffix `server` is a name under, or undefined (an IP, or any other host). */
export function azureSqlSuffix(server: string): (typeof AZURE_SQL_SUFFIXES)[number] | undefined {
  const name = server.toLowerCase().replace(/\.$/, '');
  return AZURE_SQL_SUFFIXES.find((suffix) => name.endsWith(`.${suffix}`));
}

/**
 * The Entra resource of Azure SQL in the target's cloud, from its DNS suffix. A configured target
 * under another name (a DNS alias of its own) gets the public cloud's; an ad-hoc server must be
 * under a known suffix before a token is fetched for it.
 */
export function tokenScope(server: string): string {
  return `https://${azureSqlSuffix(server) ?? 'database.windows.net'}/.default`;
}
