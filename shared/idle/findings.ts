import type { ConnectionOutcome, Finding, KeepaliveVariant } from '../contract';

/** When one keepalive variant died, in ms of idle: exact from a close event, else bracketed by rungs. */
export interface DeathEstimate {
  atMs: number;
  /** The longest idle that survived below the death, when one was measured. */
  minMs?: number;
  maxMs: number;
  /** How the death showed itself; `silent` means found dead on use. */
  how: 'fin' | 'rst' | 'timeout' | 'silent';
}

const ageOf = (o: ConnectionOutcome): number => o.idleMs ?? o.rungMs;

/** Deaths that keepalive neither prevented nor caused: a peer close, or a failed first use. */
const isIdleDeath = (o: ConnectionOutcome) => o.outcome === 'closed-by-peer' || o.outcome === 'dead-on-use';

/**
 * When one variant died: the earliest of `deaths` (exact for a peer close, bracketed for a silent
 * drop by the longest rung of `outcomes`, the variant's, that survived below it).
 */
function estimate(deaths: ConnectionOutcome[], outcomes: ConnectionOutcome[]): DeathEstimate | undefined {
  if (deaths.length === 0) return undefined;
  const closeAge = (o: ConnectionOutcome) => (o.outcome === 'closed-by-peer' ? (o.deathAgeMs ?? ageOf(o)) : ageOf(o));
  const first = deaths.reduce((a, b) => (closeAge(b) < closeAge(a) ? b : a));
  const maxMs = closeAge(first);
  const survivedBelow = outcomes.filter((o) => o.outcome === 'survived' && ageOf(o) < maxMs).map(ageOf);
  const minMs = survivedBelow.length > 0 ? Math.max(...survivedBelow) : undefined;
  if (first.outcome === 'closed-by-peer') return { atMs: maxMs, minMs, maxMs, how: first.close ?? 'fin' };
  // A silent drop is only known to lie between the last rung that survived and the first that died.
  return { atMs: minMs === undefined ? maxMs : (minMs + maxMs) / 2, minMs, maxMs, how: 'silent' };
}

/** Any death of a variant: its peer closes and silent drops together, whichever came first. */
const anyDeath = (outcomes: ConnectionOutcome[]) => estimate(outcomes.filter(isIdleDeath), outcomes);

/** Linux keepalive (as libuv sets it): after the first probe, 10 probes 1 s apart before giving up. */
export const KEEPALIVE_DETECT_MS = 10_000;

const toSeconds = (ms: number) => Math.round(ms / 100) / 10;

function finding(kind: Finding['kind'], e: DeathEstimate): Finding {
  return { kind, atSeconds: toSeconds(e.atMs), minSeconds: e.minMs === undefined ? undefined : toSeconds(e.minMs), maxSeconds: toSeconds(e.maxMs) };
}

export interface Findings {
  findings: Finding[];
  /** The estimates behind each finding, keyed like the finding, for the verdict's wording. */
  gateway?: DeathEstimate;
  nat?: DeathEstimate;
  /** Keepalive-on connections found dead on use with no close while idle (and which variants died so). */
  silent?: DeathEstimate & { offDied: boolean; keepaliveIdleMs?: number };
  /** A keepalive-on connection whose keepalive gave up: when, and the keepalive idle that was too slow. */
  keepaliveDetected?: { afterMs: number; keepaliveIdleMs?: number };
  longestSurvivedMs?: number;
  redirected: boolean;
  /** Whether any conclusive keepalive-on outcome exists: without one a NAT drop cannot be told from the gateway. */
  measuredOn: boolean;
  /** Whether any conclusive keepalive-off outcome exists. */
  measuredOff: boolean;
}

/**
 * Keepalive is the discriminator. Keepalive traffic resets NAT and load-balancer idle timers but not
 * the gateway's, so a peer close that also takes keepalive-on connections is the gateway's (or
 * another application-level) idle kill; a death of keepalive-off connections that keepalive-on ones
 * outlive is a NAT or load-balancer drop. Keepalive-on connections found dead on use with no FIN or
 * RST while idle are neither: the gateway closes, and keepalive did not keep the flow alive.
 */
export function findTimers(outcomes: ConnectionOutcome[]): Findings {
  const conclusive = outcomes.filter((o) => o.outcome !== 'inconclusive');
  const of = (v: KeepaliveVariant) => conclusive.filter((o) => o.keepalive === v);
  const on = of('on');
  const off = of('off');
  const result: Findings = { findings: [], redirected: false, measuredOn: on.length > 0, measuredOff: off.length > 0 };
  const survived = conclusive.filter((o) => o.outcome === 'survived').map(ageOf);
  if (survived.length > 0) result.longestSurvivedMs = Math.max(...survived);

  const gateway = estimate(on.filter((o) => o.outcome === 'closed-by-peer'), on);
  if (gateway) {
    result.gateway = gateway;
    result.redirected = on.some((o) => o.outcome === 'closed-by-peer' && o.policy === 'redirect');
    result.findings.push(finding('gateway-idle-kill', gateway));
  }
  // The earliest idle a keepalive-on connection is known to have died by (its bracket's floor).
  const floor = (e: DeathEstimate | undefined) => (e ? (e.minMs ?? e.atMs) : Infinity);
  const silentOn = on.filter((o) => o.outcome === 'dead-on-use');
  const silent = estimate(silentOn, on);
  const nat = anyDeath(off);
  // Silent deaths at or past the gateway's age are the same timer, not a second one.
  if (silent && silent.maxMs < floor(gateway)) {
    const keepaliveIdleMs = silentOn.find((o) => o.keepaliveIdleMs !== undefined)?.keepaliveIdleMs;
    result.silent = { ...silent, offDied: !!nat && nat.maxMs <= silent.maxMs, ...(keepaliveIdleMs === undefined ? {} : { keepaliveIdleMs }) };
    result.findings.push(finding('silent-drop', silent));
  }
  const detected = on.filter((o) => o.outcome === 'keepalive-detected' && o.deathAgeMs !== undefined);
  const firstDetected = detected.reduce<ConnectionOutcome | undefined>((a, b) => (!a || (b.deathAgeMs ?? 0) < (a.deathAgeMs ?? 0) ? b : a), undefined);
  if (firstDetected) result.keepaliveDetected = { afterMs: firstDetected.deathAgeMs ?? 0, keepaliveIdleMs: firstDetected.keepaliveIdleMs };

  // Keepalive-off deaths at a keepalive-on death's age are the same timer, not a second one: only
  // off dying before on's exact close, or by an idle that on was seen to survive, is a NAT's.
  const natFirst = !!nat && (!gateway || nat.maxMs < floor(gateway)) && (!result.silent || (result.silent.minMs !== undefined && nat.maxMs <= result.silent.minMs));
  if (nat && natFirst) {
    result.nat = nat;
    result.findings.push(finding('nat-idle-drop', nat));
  } else if (!nat && result.keepaliveDetected) {
    // Only keepalive saw it: the flow was already gone when its first probe went out.
    const byMs = result.keepaliveDetected.keepaliveIdleMs ?? result.keepaliveDetected.afterMs;
    result.nat = { atMs: byMs, maxMs: byMs, how: 'timeout' };
    result.findings.push(finding('nat-idle-drop', result.nat));
  }
  result.findings.sort((a, b) => (a.atSeconds ?? 0) - (b.atSeconds ?? 0));
  if (result.findings.length === 0) {
    result.findings.push(result.longestSurvivedMs === undefined
      ? { kind: 'inconclusive' }
      : { kind: 'no-idle-kill', atSeconds: toSeconds(result.longestSurvivedMs), minSeconds: toSeconds(result.longestSurvivedMs) });
  }
  return result;
}
