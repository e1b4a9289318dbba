import { z } from 'zod';
import type { Target } from '../config';
import { ROUND_PROBES, type ProbeName, type RoundProbe } from '../contract';
import { claimOnDemandLogin } from './cooldown';
import type { AppRuntime, Log } from './runtime';

/**
 * The probes an on-demand request asks for (POST /api/probe, Prometheus /probe): connectivity probes
 * only, at most one of each, and a duplicate runs once, since it would only multiply connections
 * (and logins). `elsewhere` says where idle and pool run instead.
 */
export function onDemandProbesSchema(elsewhere: string) {
  return z
    .array(z.enum(ROUND_PROBES as [RoundProbe, ...RoundProbe[]], { error: `expected dns, tcp, tls or login (${elsewhere})` }))
    .min(1, `expected at least one of ${ROUND_PROBES.join(', ')}`)
    .max(ROUND_PROBES.length, `expected at most ${ROUND_PROBES.length} probes, each once: ${ROUND_PROBES.join(', ')}`)
    .transform((list) => [...new Set(list)]);
}

/** Why an on-demand probe may not run now: the status to answer with, its reason, and Retry-After. */
export interface OnDemandRefusal {
  status: 429 | 503;
  reason: string;
  retryAfterS: number;
}

/**
 * Claims the on-demand login cool-down for `probes` of `target` (see claimOnDemandLogin): nothing
 * when they may run now; 429 while another on-demand login of the target is too recent; 503 when
 * state storage cannot say, so an outage of storage never lets a loop of requests through.
 */
export async function refuseOnDemandLogin(rt: AppRuntime, target: Target, adHoc: boolean, probes: readonly ProbeName[], log: Log): Promise<OnDemandRefusal | undefined> {
  const waitMs = await claimOnDemandLogin(rt, target, adHoc, probes).catch((err: unknown) => {
    log.error(`sqlprobe: the on-demand login cool-down could not be checked in state storage: ${String(err)}`);
    return undefined;
  });
  if (waitMs === undefined) {
    return { status: 503, retryAfterS: 5, reason: 'the on-demand login cool-down could not be checked in state storage; try again shortly, or leave login out of probes' };
  }
  if (waitMs === 0) return undefined;
  const seconds = Math.ceil(waitMs / 1000);
  const subject = adHoc ? `server "${target.server}"` : `target "${target.name}"`;
  return {
    status: 429,
    retryAfterS: seconds,
    reason: `${subject} was probed with a login on demand moments ago; try again in ${seconds} s (SQLPROBE_LOGIN_COOLDOWN), so a loop of requests cannot lock its login out`,
  };
}
