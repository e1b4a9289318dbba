import { z } from 'zod';
import { adHocServerSchema, adHocTarget, CLI_AD_HOC } from '../shared/app';
import { errorCode, idleSchema, loginProblem, loginWithoutCredentials, MAX_CA_FILE_BYTES, readRegularFile, targetSchema, type Target } from '../shared/config';
import { tlsVersionName, type ProbeName } from '../shared/contract';
import { UsageError } from './exit';

/** The ad-hoc connection flags shared by `probe` and `idle`, as commander hands them over. */
export const targetFlagsSchema = z.object({
  server: z.string().optional(),
  port: z.string().optional(),
  database: z.string().optional(),
  user: z.string().optional(),
  encrypt: z.string().optional(),
  caFile: z.string().optional(),
  trustServerCertificate: z.boolean().optional(),
  probes: z.string().optional(),
  instance: z.string().optional(),
});
export type TargetFlags = z.infer<typeof targetFlagsSchema>;

/** `probe` and `idle` also print JSON and append to a results file. */
export const outputFlagsSchema = targetFlagsSchema.extend({ json: z.boolean().optional(), resultsFile: z.string().optional() });

/** Ad-hoc SQL logins read their password from this variable (or a prompt that fills it in). */
export const PASSWORD_ENV = 'SQLPROBE_PASSWORD';

const FLAG_NAMES: Record<keyof TargetFlags, string> = {
  server: '--server',
  port: '--port',
  database: '--database',
  user: '--user',
  encrypt: '--encrypt',
  caFile: '--ca-file',
  trustServerCertificate: '--trust-server-certificate',
  probes: '--probes',
  instance: '--instance',
};
/** The flag behind each target field, so a validation problem names the flag to fix. */
const FLAG_OF_FIELD: Record<string, keyof TargetFlags> = {
  server: 'server', port: 'port', database: 'database', auth: 'user', encrypt: 'encrypt', caFile: 'caFile', probes: 'probes', instanceName: 'instance',
};
const CONNECTION_FLAGS = ['server', 'port', 'database', 'user', 'encrypt', 'caFile', 'trustServerCertificate', 'instance'] as const;

function flagProblem(flag: string, message: string, value: unknown): string {
  return `${flag}: ${message}${typeof value === 'string' ? `, got "${value}"` : ''}`;
}

function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

function parseEncrypt(text: string | undefined): true | 'strict' | undefined {
  if (text === undefined) return undefined;
  if (text === 'true') return true;
  if (text === 'strict') return 'strict';
  throw new UsageError(flagProblem('--encrypt', 'expected true or strict (unencrypted connections are not probed)', text));
}

/** Read as a configured target's caFile is: a regular file under the cap, so /dev/zero or a FIFO is refused, not read forever. */
function checkReadable(path: string | undefined): void {
  if (path === undefined) return;
  try {
    readRegularFile(path, MAX_CA_FILE_BYTES);
  } catch (err) {
    throw new UsageError(`--ca-file: cannot read "${path}" (${errorCode(err)}); give the path to a PEM file`);
  }
}

/** `--probes tls,login` → probe names, validated like a target's `probes`. */
export function parseProbesFlag(text: string): ProbeName[] {
  const parsed = targetSchema.shape.probes.safeParse(splitList(text));
  if (!parsed.success) throw new UsageError(flagProblem('--probes', parsed.error.issues[0].message, text));
  return parsed.data;
}

/** `--rungs 5m,31m` → milliseconds, validated like a target's idle rungs. */
export function parseRungsFlag(text: string): number[] {
  const parsed = idleSchema.shape.rungs.safeParse(splitList(text));
  if (!parsed.success) throw new UsageError(flagProblem('--rungs', parsed.error.issues[0].message, text));
  return parsed.data;
}

/** A target from the ad-hoc flags, built by the same rules as any ad-hoc target; each problem names the flag to fix. */
function flagsTarget(flags: TargetFlags): Target {
  const encrypt = parseEncrypt(flags.encrypt);
  checkReadable(flags.caFile);
  if (flags.instance !== undefined && flags.port !== undefined) {
    throw new UsageError('--instance: give --instance or --port, not both; with --instance the port comes from the SQL Server Browser (UDP 1434), as drivers find it');
  }
  const input = {
    server: flags.server,
    port: flags.port,
    database: flags.database,
    auth: flags.user === undefined ? { type: 'none' } : { type: 'sql', user: flags.user, passwordSetting: PASSWORD_ENV },
    encrypt,
    trustServerCertificate: flags.trustServerCertificate,
    caFile: flags.caFile,
    instanceName: flags.instance,
  };
  const parsed = adHocServerSchema(CLI_AD_HOC).safeParse(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = FLAG_OF_FIELD[String(issue.path[0])];
      return key ? flagProblem(FLAG_NAMES[key], issue.message, flags[key]) : issue.message;
    });
    throw new UsageError([...new Set(problems)].join('\n'));
  }
  const target = adHocTarget(parsed.data, flags.probes === undefined ? undefined : parseProbesFlag(flags.probes));
  if (loginWithoutCredentials(target, target.probes).includes('login')) {
    throw new UsageError(`--probes: the login probe needs --user (the password comes from ${PASSWORD_ENV} or a prompt)`);
  }
  return target;
}

/**
 * The target a command runs against: a configured one by name, or one built from the ad-hoc flags.
 * `--probes` overrides a configured target's list; the connection flags only describe an ad-hoc one.
 */
export function resolveTarget(name: string | undefined, flags: TargetFlags, configured: readonly Target[]): Target {
  if (name === undefined) {
    if (flags.server === undefined) {
      throw new UsageError('name a configured target (sqlprobe probe <target>) or probe ad hoc with --server <host>');
    }
    return flagsTarget(flags);
  }
  const extra = CONNECTION_FLAGS.find((k) => flags[k] !== undefined);
  if (extra) {
    throw new UsageError(`${FLAG_NAMES[extra]}: applies only to an ad-hoc target with --server; the configured target "${name}" sets its own connection`);
  }
  const target = configured.find((t) => t.name === name);
  if (!target) {
    const known = configured.length
      ? `configured targets: ${configured.map((t) => t.name).join(', ')}`
      : 'no targets are configured (set SQLPROBE_TARGETS or SQLPROBE_TARGETS_FILE)';
    throw new UsageError(`unknown target "${name}"; ${known}; or probe ad hoc with --server <host>`);
  }
  if (flags.probes === undefined) return target;
  const probes = parseProbesFlag(flags.probes);
  const problem = loginProblem(target, probes, 'give the target an auth in its configuration, or leave those probes out of --probes');
  if (problem) throw new UsageError(`--probes: ${problem}`);
  return { ...target, probes };
}

/** `--tls-audit [minimum]`: the audit is part of the tls probe; a minimum given here overrides the target's expect.minTls. */
export function withTlsAudit(target: Target, audit: boolean | string | undefined): Target {
  if (audit === undefined) return target;
  if (!target.probes.includes('tls')) throw new UsageError(`--tls-audit: the audit is part of the tls probe; add tls to --probes (target "${target.name}" runs ${target.probes.join(', ')})`);
  if (audit === true) return target;
  const minimum = tlsVersionName.safeParse(audit);
  if (!minimum.success) throw new UsageError(flagProblem('--tls-audit', minimum.error.issues[0].message, audit));
  return { ...target, expect: { ...target.expect, minTls: minimum.data } };
}
