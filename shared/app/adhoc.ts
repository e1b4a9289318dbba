import { z } from 'zod';
import { authSchema, CREDENTIAL_LESS_PROBES, targetSchema, type Target } from '../config/target';
import { AZURE_SQL_SUFFIXES, azureSqlSuffix } from '../probers/session/scope';

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

const SUFFIXES = AZURE_SQL_SUFFIXES.join(', ');

/**
 * An ad-hoc server over HTTP: no secrets travel in a request, so the only login is the app's own
 * managed identity; no caFile either (a path on the host is not the caller's to choose). The app's
 * token is a bearer credential: it goes only to an Azure SQL name, over a validated certificate, so
 * an allowlisted host that is not Azure SQL (or sits in the path) never receives it.
 */
export const adHocServerSchema = targetSchema
  .pick({ server: true, port: true, database: true, encrypt: true })
  .extend({
    database: targetSchema.shape.database.default('master'),
    trustServerCertificate: z
      .literal(false, { error: 'an ad-hoc server\'s certificate is always validated: remove trustServerCertificate (only a configured target may set it, or caFile)' })
      .default(false),
    auth: authSchema
      .refine((a) => a.type === 'none' || a.type === 'managed-identity', 'expected auth.type "none" or "managed-identity": an ad-hoc server never gets a secret')
      .default({ type: 'none' }),
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
export type AdHocServer = z.infer<typeof adHocServerSchema>;

export const AD_HOC_NAME = 'adhoc';

/** Without a login there is nothing to log in with, so the default probes stop at TLS. */
export function adHocTarget(server: AdHocServer): Target {
  return targetSchema.parse({ ...server, name: AD_HOC_NAME, ...(server.auth.type === 'none' ? { probes: CREDENTIAL_LESS_PROBES } : {}) });
}
