import { z } from 'zod';
import { durationMs } from './duration';

const intIn = (min: number, max: number) => {
  const hint = `expected an integer ${min}–${max}`;
  return z.string().regex(/^\d+$/, hint).transform(Number).pipe(z.int().min(min, hint).max(max, hint));
};
const bool = z.enum(['true', 'false'], { error: 'expected "true" or "false"' }).transform((v) => v === 'true');
const list = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
const NCRONTAB_HINT = 'expected a six-field NCRONTAB schedule such as "0 */5 * * * *" (seconds first)';
const ncrontab = z.string().refine((v) => v.trim().split(/\s+/).length === 6, NCRONTAB_HINT);
const HOST_PATTERN_HINT = 'expected host patterns such as "*.database.windows.net,sql1.contoso.com"';

/**
 * Every app setting sqlprobe reads, keyed by its exact name. The README's configuration table is
 * checked against these keys, so a new setting must be documented there.
 */
export const settingsSchema = z.object({
  SQLPROBE_TARGETS: z.string().optional(),
  SQLPROBE_TARGETS_FILE: z.string().min(1, 'expected a path to a JSON file').optional(),
  REGION_NAME: z.string().min(1).optional(),
  SQLPROBE_REGION: z.string().min(1).optional(),
  SQLPROBE_CONNECTIVITY_SCHEDULE: ncrontab.default('0 */5 * * * *'),
  SQLPROBE_IDLE_SCHEDULE: ncrontab.default('0 * * * * *'),
  // Above the number of targets that may hang at once: a hanging target holds its slot for a whole deadline.
  SQLPROBE_CONCURRENCY: intIn(1, 500).default(50),
  SQLPROBE_PROBE_TIMEOUT: durationMs.prefault('30s'),
  SQLPROBE_RETRY_DELAY: durationMs.optional(),
  SQLPROBE_DNS_SERVERS: list.optional(),
  SQLPROBE_MAX_HELD_CONNECTIONS: intIn(1, 10000).default(200),
  SQLPROBE_ADHOC_ALLOWLIST: list
    .pipe(z.array(z.string().regex(/^(\*\.)?[A-Za-z0-9.-]+$/, HOST_PATTERN_HINT)))
    .default([]),
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: z.string().optional(),
  SQLPROBE_LIVE_METRICS: bool.default(false),
  SQLPROBE_OFFLINE_STORAGE_DIR: z.string().min(1).optional(),
  SQLPROBE_RESULTS_FILE: z.string().min(1).optional(),
  // The Functions host's own storage, reused for state that every instance must see (shared/state):
  // a connection string (Azurite: "UseDevelopmentStorage=true"), or identity-based via the __ settings.
  AzureWebJobsStorage: z.string().min(1).optional(),
  AzureWebJobsStorage__accountName: z.string().regex(/^[a-z0-9]{3,24}$/, 'expected a storage account name (3–24 lowercase letters and digits)').optional(),
  AzureWebJobsStorage__tableServiceUri: z.url({ error: 'expected a URL such as "https://myaccount.table.core.windows.net"' }).optional(),
  AzureWebJobsStorage__clientId: z.string().min(1).optional(),
});

export type SettingsInput = z.input<typeof settingsSchema>;
export type RawSettings = z.infer<typeof settingsSchema>;
export const SETTING_NAMES = Object.keys(settingsSchema.shape) as (keyof RawSettings)[];

