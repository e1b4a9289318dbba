import type { Target } from '../config';
import { needsLogin, type ProbeName } from '../contract';
import type { AppRuntime } from './runtime';

/**
 * The key of a target's on-demand login cool-down: a configured target by its name, an ad-hoc
 * server by its host and port (every ad-hoc target goes by the same name in results).
 */
export function loginCooldownKey(target: Pick<Target, 'name' | 'server' | 'port'>, adHoc: boolean): string {
  return adHoc ? `adhoc:${target.server.toLowerCase().replace(/\.$/, '')}:${target.port}` : `target:${target.name}`;
}

/**
 * Claims an on-demand probe that logs in, so a loop of requests cannot lock the probe's login out:
 * 0 when it may run now, else the milliseconds until it may. Probes that do not log in, and a
 * cool-down turned off, never wait. The claim lives in the state store, so with Table storage it
 * holds across every instance of the app.
 */
export async function claimOnDemandLogin(rt: AppRuntime, target: Target, adHoc: boolean, probes: readonly ProbeName[]): Promise<number> {
  const ms = rt.settings.SQLPROBE_LOGIN_COOLDOWN;
  if (ms === 0 || !probes.some(needsLogin)) return 0;
  return rt.store.claimCooldown(loginCooldownKey(target, adHoc), ms);
}
