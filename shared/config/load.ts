import { z } from 'zod';
import { ConfigError, describeIssues, formatPath } from './errors';
import { errorCode, MAX_TARGETS_BYTES, readRegularFile } from './files';
import { caFileProblem, capTargets, summariseProblems } from './target-problems';
import { settingsSchema } from './settings';
import { loginWithoutCredentials, type Target, targetSchema } from './target';

export type Settings = Omit<z.infer<typeof settingsSchema>, 'SQLPROBE_TARGETS' | 'SQLPROBE_TARGETS_FILE'> & {
  /** The run location: SQLPROBE_REGION, else REGION_NAME (set by App Service), else "local". */
  region: string;
  /** Whether the environment names the Azure compute it runs on (Functions, App Service, AKS). */
  onAzureCompute: boolean;
};

export interface LoadedConfig {
  settings: Settings;
  /** The targets that validated; a broken target never stops the probes of the others. */
  targets: Target[];
  /** One line per problem with a target, each naming the setting, the path and the fix. */
  problems: string[];
}

export type Env = Record<string, string | undefined>;

const quotedList = (items: readonly string[]): string => {
  const q = items.map((i) => `"${i}"`);
  return q.length < 2 ? q.join('') : `${q.slice(0, -1).join(', ')} and ${q.at(-1)}`;
};

/**
 * Auth "none" has no credentials, so it can never log in: by default such a target runs only the
 * probes that need none; listing a login probe for it is a problem, reported like any other.
 */
function withoutLogin(target: Target, explicitProbes: boolean, path: string): { target: Target } | { problem: string } {
  const login = loginWithoutCredentials(target, target.probes);
  if (login.length === 0) return { target };
  if (!explicitProbes) return { target: { ...target, probes: target.probes.filter((p) => !login.includes(p)) } };
  return {
    problem: `${path}: ${quotedList(login)} ${login.length > 1 ? 'need' : 'needs'} credentials, but auth is "none"; add auth (sql, ntlm, managed-identity, service-principal, workload-identity or access-token) or remove ${login.length > 1 ? 'those probes' : 'that probe'}`,
  };
}

/** Validates each target on its own, so one bad entry is reported while the rest still run. */
export function parseTargets(raw: unknown, root: string): { targets: Target[]; problems: string[] } {
  if (!Array.isArray(raw)) {
    return { targets: [], problems: [`${root}: expected a JSON array of targets, e.g. [{"name":"orders","server":"myserver.database.windows.net","database":"orders"}]`] };
  }
  const targets: Target[] = [];
  const { entries, problems } = capTargets(raw, root);
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const parsed = targetSchema.safeParse(entry);
    if (!parsed.success) {
      problems.push(...describeIssues(`${root}[${i}]`, parsed.error.issues, entry));
      return;
    }
    const explicitProbes = (entry as { probes?: unknown }).probes !== undefined;
    const checked = withoutLogin(parsed.data, explicitProbes, formatPath(root, [i, 'probes']));
    const caProblem = caFileProblem(parsed.data, formatPath(root, [i, 'caFile']));
    if ((entry as { port?: unknown }).port !== undefined && parsed.data.instanceName) {
      // Drivers skip the Browser when a port is given: a target with both would not probe what an app with the name does.
      problems.push(`${formatPath(root, [i, 'port'])}: give instanceName or port, not both; with instanceName the port comes from the SQL Server Browser, as drivers find it`);
    } else if ('problem' in checked) {
      problems.push(checked.problem);
    } else if (caProblem) {
      problems.push(caProblem);
    } else if (seen.has(checked.target.name)) {
      problems.push(`${formatPath(root, [i, 'name'])}: "${checked.target.name}" is already used by another target; names must be unique`);
    } else {
      seen.add(checked.target.name);
      targets.push(checked.target);
    }
  });
  return { targets, problems: summariseProblems(problems, root) };
}

const TARGETS_FILE_FIXES: Record<string, string> = {
  ENOTREG: 'give the path to a regular JSON file, not a device, a pipe or a directory',
  EFBIG: `keep it under ${MAX_TARGETS_BYTES / 1024} KiB: split the targets over several apps`,
};

function readTargetsSource(env: Env): { raw: unknown; root: string } | undefined {
  if (env.SQLPROBE_TARGETS && env.SQLPROBE_TARGETS_FILE) {
    throw new ConfigError(['SQLPROBE_TARGETS and SQLPROBE_TARGETS_FILE are both set; keep one of them']);
  }
  if (env.SQLPROBE_TARGETS_FILE) {
    let text: string;
    try {
      text = readRegularFile(env.SQLPROBE_TARGETS_FILE, MAX_TARGETS_BYTES).toString('utf8');
    } catch (err) {
      throw new ConfigError([`SQLPROBE_TARGETS_FILE: cannot read "${env.SQLPROBE_TARGETS_FILE}" (${errorCode(err)}); ${TARGETS_FILE_FIXES[errorCode(err)] ?? 'check the path'}`]);
    }
    return { raw: parseJson(text, 'SQLPROBE_TARGETS_FILE'), root: 'SQLPROBE_TARGETS_FILE' };
  }
  if (env.SQLPROBE_TARGETS?.trim()) return { raw: parseJson(env.SQLPROBE_TARGETS, 'SQLPROBE_TARGETS'), root: 'SQLPROBE_TARGETS' };
  return undefined;
}

function parseJson(text: string, root: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // The parser's message can quote the input, which may hold a pasted secret: keep only the position.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new ConfigError([`${root}: not valid JSON${at ? ` (at character ${at})` : ''}; expected a JSON array of targets`]);
  }
}

/** Reads every setting from the environment (app settings in Azure). Throws ConfigError on bad settings. */
export function loadConfig(env: Env): LoadedConfig {
  const known = Object.fromEntries(Object.keys(settingsSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = settingsSchema.safeParse(known);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => describeIssues(String(i.path[0]), [{ ...i, path: [] }], known[String(i.path[0])])[0]));
  const source = readTargetsSource(env);
  const { targets, problems } = source ? parseTargets(source.raw, source.root) : { targets: [], problems: [] };
  const { SQLPROBE_TARGETS, SQLPROBE_TARGETS_FILE, ...rest } = parsed.data;
  const onAzureCompute = Boolean(env.FUNCTIONS_WORKER_RUNTIME || env.WEBSITE_SITE_NAME || env.AKS_ARM_NAMESPACE_ID || env.KUBERNETES_SERVICE_HOST);
  return { settings: { ...rest, region: rest.SQLPROBE_REGION ?? rest.REGION_NAME ?? 'local', onAzureCompute }, targets, problems };
}

/**
 * App Service replaces a Key Vault reference with the secret when it can read it; until then (the
 * secret is missing, or the app's identity cannot read it yet) the setting holds the reference itself.
 * https://learn.microsoft.com/azure/app-service/app-service-key-vault-references
 */
const UNRESOLVED_KEY_VAULT_REFERENCE = /^\s*@Microsoft\.KeyVault\(/i;

/** Reads a secret from the app setting a target names; the value never leaves the process. */
export function readSecret(settingName: string, env: Env): string {
  const value = env[settingName];
  if (!value) throw new ConfigError([`app setting ${settingName} is not set; add it (a Key Vault reference works) or fix the target's setting name`]);
  // Never sent as a password: it would fail the login and blame the server for a missing secret.
  if (UNRESOLVED_KEY_VAULT_REFERENCE.test(value)) {
    throw new ConfigError([
      `app setting ${settingName} holds a Key Vault reference that App Service has not resolved: add the secret to the vault (its name is the setting name with "_" as "-"), make sure the app's identity has the Key Vault Secrets User role on it, and check the reference's status under the app's Environment variables; references are re-read periodically, restart the app to apply at once`,
    ]);
  }
  return value;
}

/** The app setting that holds a target's secret, when its auth has one. */
export function secretSettingOf(target: Target): string | undefined {
  const auth = target.auth;
  switch (auth.type) {
    case 'sql':
    case 'ntlm':
      return auth.passwordSetting;
    case 'service-principal':
      return auth.secretSetting ?? auth.certificateSetting;
    case 'access-token':
      return auth.tokenSetting;
    default:
      return undefined;
  }
}

/** The secret values the targets' auth names, so every message and every sink can be scrubbed of them. */
export function secretsOf(targets: readonly Target[], env: Env): string[] {
  return [...new Set(targets.flatMap((t) => {
    const setting = secretSettingOf(t);
    const value = setting ? env[setting] : undefined;
    return value ? [value] : [];
  }))];
}
