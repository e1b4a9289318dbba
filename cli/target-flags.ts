import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import { AD_HOC_NAME } from '../shared/app/adhoc';
import { CREDENTIAL_LESS_PROBES, idleSchema, loginProblem, targetSchema, type ProbeName, type Target } from '../shared/config/target';
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
});
export type TargetFlags = z.infer<typeof targetFlagsSchema>;

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
};
/** The flag behind each target field, so a validation problem names the flag to fix. */
const FLAG_OF_FIELD: Record<string, keyof TargetFlags> = {
  server: 'server', port: 'port', database: 'database', auth: 'user', encrypt: 'encrypt', caFile: 'caFile', probes: 'probes',
};
const CONNECTION_FLAGS = ['server', 'port', 'database', 'user', 'encrypt', 'caFile', 'trustServerCertificate'] as const;

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

function checkReadable(path: string | undefined): void {
  if (path === undefined) return;
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    throw new UsageError(`--ca-file: cannot read "${path}" (${(err as NodeJS.ErrnoException).code ?? 'error'}); give the path to a PEM file`);
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

function adHocTarget(flags: TargetFlags): Target {
  const encrypt = parseEncrypt(flags.encrypt);
  checkReadable(flags.caFile);
  const input = {
    name: AD_HOC_NAME,
    server: flags.server,
    port: flags.port,
    database: flags.database ?? 'master',
    auth: flags.user === undefined ? { type: 'none' } : { type: 'sql', user: flags.user, passwordSetting: PASSWORD_ENV },
    encrypt,
    trustServerCertificate: flags.trustServerCertificate,
    caFile: flags.caFile,
    // Without a login there are no credentials, so the default stops before the login probe.
    probes: flags.probes === undefined ? (flags.user === undefined ? CREDENTIAL_LESS_PROBES : undefined) : splitList(flags.probes),
  };
  const parsed = targetSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = FLAG_OF_FIELD[String(issue.path[0])];
      return key ? flagProblem(FLAG_NAMES[key], issue.message, flags[key]) : issue.message;
    });
    throw new UsageError([...new Set(problems)].join('\n'));
  }
  if (parsed.data.probes.includes('login') && parsed.data.auth.type === 'none') {
    throw new UsageError(`--probes: the login probe needs --user (the password comes from ${PASSWORD_ENV} or a prompt)`);
  }
  return parsed.data;
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
    return adHocTarget(flags);
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
