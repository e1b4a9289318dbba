import { z } from 'zod';
import { AZURE_SQL_SUFFIXES, azureSqlSuffix, authSchema, targetSchema, type Auth, type Target } from '../config';
import { CREDENTIAL_LESS_PROBES, type ProbeName } from '../contract';

/**
 * Whether an ad-hoc host may be probed: SQLPROBE_ADHOC_ALLOWLIST holds exact names and "*.suffix"
 * patterns (any depth below the suffix). Empty means off. Names only: an allowed name that
 * resolves to an internal address is the allowlist author's call.
 */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.startsWith('*.') ? name.endsWith(p.slice(1)) && name.length > p.length - 1 : name === p;
  });
}

/** What one source of ad-hoc targets may ask for beyond the server, port, database and encryption. */
export interface AdHocRules {
  /** The auth types it may use, with the message that refuses the others. */
  auth: { types: readonly Auth['type'][]; refused: string };
  /**
   * Whether it may name a CA file or skip certificate checks: a user at a terminal may; a caller
   * over HTTP may not (a path on the host is not the caller's to choose, and checks stay on).
   */
  localTrust: boolean;
}

/**
 * Over HTTP no secret travels in a request, so the only login is the app's own managed identity. The
 * app's token is a bearer credential: it goes only to an Azure SQL name, over a validated certificate,
 * so an allowlisted host that is not Azure SQL (or sits in the path) never receives it.
 */
export const HTTP_AD_HOC: AdHocRules = {
  auth: { types: ['none', 'managed-identity'], refused: 'expected auth.type "none" or "managed-identity": an ad-hoc server never gets a secret' },
  localTrust: false,
};

/** At a terminal: a SQL login whose password comes from the environment or a prompt, and the user's own trust choices. */
export const CLI_AD_HOC: AdHocRules = {
  auth: { types: ['none', 'sql'], refused: 'expected auth.type "none" or "sql"' },
  localTrust: true,
};

const SUFFIXES = AZURE_SQL_SUFFIXES.join(', ');

/** The fields an ad-hoc target may set under `rules`, with the defaults every source shares (database master, auth none). */
export function adHocServerSchema(rules: AdHocRules) {
  const trust = rules.localTrust
    ? { trustServerCertificate: targetSchema.shape.trustServerCertificate, caFile: targetSchema.shape.caFile }
    : {
      trustServerCertificate: z
        .literal(false, { error: 'an ad-hoc server\'s certificate is always validated: remove trustServerCertificate (only a configured target may set it, or caFile)' })
        .default(false),
    };
  return targetSchema
    .pick({ server: true, port: true, encrypt: true, instanceName: true })
    .extend({
      database: targetSchema.shape.database.default('master'),
      auth: authSchema.refine((a) => rules.auth.types.includes(a.type), rules.auth.refused).default({ type: 'none' }),
      ...trust,
    })
    .strict()
    .superRefine((s, ctx) => {
      if (s.auth.type === 'managed-identity' && !azureSqlSuffix(s.server)) {
        ctx.addIssue({
          code: 'custom',
          path: ['auth'],
          message: `managed-identity sends the app's token, so it is only for Azure SQL names (under ${SUFFIXES}); "${s.server}" is not one: use auth "none", or configure a target`,
        });
      }
    });
}
export type AdHocServer = z.infer<ReturnType<typeof adHocServerSchema>>;

/** The name every ad-hoc target goes by in results. */
export const AD_HOC_NAME = 'adhoc';

/** An ad-hoc target from validated fields. Without a login there is nothing to log in with, so the default probes stop at TLS. */
export function adHocTarget(server: AdHocServer, probes?: readonly ProbeName[]): Target {
  const chosen = probes ?? (server.auth.type === 'none' ? CREDENTIAL_LESS_PROBES : undefined);
  return targetSchema.parse({ ...server, name: AD_HOC_NAME, ...(chosen ? { probes: chosen } : {}) });
}
