import { ConfigError } from './errors';
import type { Env } from './load';
import type { Target } from './target';

/** Reads a secret from the app setting a target names; the value never leaves the process. */
export function readSecret(settingName: string, env: Env): string {
  const value = env[settingName];
  if (!value) throw new ConfigError([`app setting ${settingName} is not set; add it (a Key Vault reference works) or fix the target's setting name`]);
  return value;
}

/** The app setting that holds a target's secret, when its auth has one. */
export function secretSettingOf(target: Target): string | undefined {
  const auth = target.auth;
  return auth.type === 'sql' ? auth.passwordSetting : auth.type === 'service-principal' ? auth.secretSetting : auth.type === 'access-token' ? auth.tokenSetting : undefined;
}

/** The secret values the targets' auth names, so every message and every sink can be scrubbed of them. */
export function secretsOf(targets: readonly Target[], env: Env): string[] {
  return [...new Set(targets.flatMap((t) => {
    const setting = secretSettingOf(t);
    const value = setting ? env[setting] : undefined;
    return value ? [value] : [];
  }))];
}
