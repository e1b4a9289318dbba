import { z } from 'zod';
import { resultExpectationSchema, tlsVersionName } from '../contract';
import { boundedDuration } from './duration';
import { DNS_SERVERS_HINT, isDnsServer } from './settings';

const INSTANCE_HINT = 'expected a SQL Server instance name such as "SQLEXPRESS": up to 16 letters, digits, "_", "$" or "#", starting with a letter or "_", without the host name';
/** A named instance (MSSQLSERVER is the default instance, which listens on a fixed port and needs no Browser). */
export const instanceName = z
  .string({ error: INSTANCE_HINT })
  .regex(/^[A-Za-z_][A-Za-z0-9_$#]{0,15}$/, INSTANCE_HINT)
  .refine((name) => name.toUpperCase() !== 'MSSQLSERVER', 'MSSQLSERVER is the default instance: remove instanceName and set port (1433 unless changed)');

const BROWSER_PORT_HINT = 'expected an integer 1–65535; drivers always ask UDP 1434, so change it only to reach a Browser that answers elsewhere (a test server, a port forward)';
/**
 * How the SQL Server Browser is asked for a named instance's port. Drivers always ask UDP 1434 and
 * wait up to their login timeout; the probe's own timeout stays well inside its deadline.
 */
export const browserSchema = z.strictObject({
  port: z.int({ error: BROWSER_PORT_HINT }).min(1, BROWSER_PORT_HINT).max(65535, BROWSER_PORT_HINT).default(1434),
  timeout: boundedDuration(100, 15_000, 'a driver waits up to its login timeout; the probe answers well inside its deadline', '2s').prefault('2s'),
});
export type BrowserSettings = z.infer<typeof browserSchema>;

/** Other resolvers the dns probe asks too, to find where their answers differ (a private zone only some know). */
export const dnsCheckSchema = z.strictObject({
  compare: z
    .array(z.string({ error: DNS_SERVERS_HINT }).refine(isDnsServer, DNS_SERVERS_HINT), { error: 'expected a list of DNS server addresses, e.g. ["10.0.0.4", "1.1.1.1"]' })
    .min(1, 'expected at least one DNS server to compare with, e.g. ["1.1.1.1"]')
    .max(8, 'expected at most 8 resolvers: each one is asked on every dns probe'),
});

export const minTls = tlsVersionName;

/** `expect.result`: exactly one kind of check (equals, pattern, or a range with min and/or max). */
export const resultExpectation = resultExpectationSchema.strict().superRefine((r, ctx) => {
  const kinds = [r.equals !== undefined, r.pattern !== undefined, r.min !== undefined || r.max !== undefined].filter(Boolean).length;
  if (kinds !== 1) {
    ctx.addIssue({ code: 'custom', message: 'expected exactly one of equals, pattern, or a range (min and/or max), e.g. {"max": 300}' });
  }
  if (r.min !== undefined && r.max !== undefined && r.min > r.max) {
    ctx.addIssue({ code: 'custom', path: ['min'], message: `expected min at most max (${r.max})` });
  }
  if (r.pattern !== undefined) {
    try {
      new RegExp(r.pattern);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: `not a valid regular expression (${(err as Error).message.replace(/^Invalid regular expression: /, '')})` });
    }
  }
});

const DOMAIN_HINT = 'expected the Windows domain, its NetBIOS name ("CONTOSO") or DNS name ("contoso.com")';
const NTLM_USER_HINT = 'expected the Windows user name without the domain (the domain goes in auth.domain), e.g. "svc-probe"';

/** The parts of a Windows (NTLM) login; the password is named by a setting, like every secret. */
export const windowsDomain = z.string({ error: DOMAIN_HINT }).regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/, DOMAIN_HINT);
export const windowsUser = z.string({ error: NTLM_USER_HINT }).regex(/^[^\\/@\s]{1,104}$/, NTLM_USER_HINT);
