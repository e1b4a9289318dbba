import { targetSchema, type Target, type TargetInput } from '../../shared/config';
import type { ProbeOptions } from '../../shared/probers';

/** The one target builder: a schema-valid target on loopback; tests set what they look at. */
export function target(input: Partial<TargetInput> = {}): Target {
  return targetSchema.parse({ name: 'sim', server: '127.0.0.1', database: 'orders', ...input });
}

/** What a prober gets besides its target, as the runner passes it. */
export function probeOptions(extra: Partial<ProbeOptions> = {}): ProbeOptions {
  return { env: {}, region: 'test', timeoutMs: 5000, ...extra };
}
