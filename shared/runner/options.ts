import type { Settings } from '../config/load';
import type { RoundOptions } from './types';

/** The round options that come from app settings; callers add budget, probes, probers and onResult. */
export function roundOptionsFrom(settings: Settings, extra: Partial<RoundOptions> = {}): RoundOptions {
  return {
    region: settings.region,
    timeoutMs: settings.SQLPROBE_PROBE_TIMEOUT,
    concurrency: settings.SQLPROBE_CONCURRENCY,
    ...(settings.SQLPROBE_RETRY_DELAY > 0 ? { retryDelayMs: settings.SQLPROBE_RETRY_DELAY } : {}),
    ...(settings.SQLPROBE_DNS_SERVERS ? { dnsServers: settings.SQLPROBE_DNS_SERVERS } : {}),
    ...extra,
  };
}
