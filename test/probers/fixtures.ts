import { probeResultSchema, type ProbeResult } from '../../shared/contract';
import type { ProbeOptions } from '../../shared/probers';
import { probeOptions } from '../helpers/targets';

export const PASSWORD = 'Pr0be-S3cret!xyz';
export const TOKEN = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJzcWxwcm9iZS10ZXN0In0.c2lnbmF0dXJlLXRlc3Q';
export const ENV = { PROBE_PASSWORD: PASSWORD, PROBE_TOKEN: TOKEN };

/** Probe options whose settings hold the secrets the targets here name. */
export const options = (extra: Partial<ProbeOptions> = {}): ProbeOptions => probeOptions({ env: ENV, ...extra });

/** A signal that aborts after `ms`, the way the runner's deadline does. */
export const deadline = (ms = 5000): AbortSignal => AbortSignal.timeout(ms);

/** Every result must validate against the contract and carry no secret. */
export function checked(result: ProbeResult): ProbeResult {
  const parsed = probeResultSchema.safeParse(result);
  if (!parsed.success) throw new Error(`result does not match the schema: ${JSON.stringify(parsed.error.issues)}`);
  const text = JSON.stringify(result);
  if (text.includes(PASSWORD) || text.includes(TOKEN)) throw new Error(`a secret leaked into the result: ${text}`);
  return result;
}
