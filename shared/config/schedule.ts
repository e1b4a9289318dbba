import { ConfigError } from './errors';

/*
 * The timers' schedules, without zod: the Functions entry reads them to register its triggers on
 * every cold start, before (and without) loading the rest of the engine. settings.ts applies the
 * same rule and defaults when it parses the settings.
 */

export const NCRONTAB_HINT = 'expected a six-field NCRONTAB schedule such as "0 */5 * * * *" (seconds first)';

export const isNcrontab = (value: string): boolean => value.trim().split(/\s+/).length === 6;

export const DEFAULT_SCHEDULES = {
  SQLPROBE_CONNECTIVITY_SCHEDULE: '0 */5 * * * *',
  SQLPROBE_IDLE_SCHEDULE: '0 * * * * *',
} as const;

export type ScheduleSetting = keyof typeof DEFAULT_SCHEDULES;

/**
 * A timer's NCRONTAB schedule from its app setting (its default when unset). A malformed one throws
 * a ConfigError naming the setting, so the host reports it at start instead of never firing.
 */
export function scheduleSetting(name: ScheduleSetting, env: Record<string, string | undefined>): string {
  const value = env[name] || DEFAULT_SCHEDULES[name];
  if (isNcrontab(value)) return value;
  const text = JSON.stringify(value);
  throw new ConfigError([`${name}: ${NCRONTAB_HINT}, got ${text.length > 40 ? `${text.slice(0, 37)}…` : text}`]);
}
