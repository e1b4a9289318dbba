import type { ConnectionOutcome, Finding, KeepaliveVariant } from './schema';

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

export function estimateDeath(outcomes: ConnectionOutcome[]): DeathEstimate | undefined {
  const closes = outcomes.filter((o) => o.outcome === 'closed-by-peer' && o.deathAgeMs !== undefined);
  const silent = outcomes.filter((o) => o.outcome === 'dead-on-use');
  if (closes.length === 0 && silent.length === 0) return undefined;
  const first = closes.length > 0
    ? closes.reduce((a, b) => ((b.deathAgeMs ?? 0) < (a.deathAgeMs ?? 0) ? b : a))
    : silent.reduce((a, b) => (ageOf(b) < ageOf(a) ? b : a));
  const maxMs = first.outcome === 'closed-by-peer' ? (first.deathAgeMs ?? 0) : ageOf(first);
  const survivedBelow = outcomes.filter((o) => o.outcome === 'survived' && ageOf(o) < maxMs).map(ageOf);
  const minMs = survivedBelow.length > 0 ? Math.max(...survivedBelow) : undefined;
  if (first.outcome === 'closed-by-peer') return { atMs: maxMs, minMs, maxMs, how: first.close ?? 'fin' };
  // A silent drop is only known to lie between the last rung that survived and the first that died.
  return { atMs: minMs === undefined ? maxMs : (minMs + maxMs) / 2, minMs, maxMs, how: 'silent' };
}

const toSeconds = (ms: number) => Math.round(ms / 100) / 10;

function finding(kind: Finding['kind'], e: DeathEstimate): Finding {
  return { kind, atSeconds: toSeconds(e.atMs), minSeconds: e.minMs === undefined ? undefined : toSeconds(e.minMs), maxSeconds: toSeconds(e.maxMs) };
}

export interface Findings {
  findings: Finding[];
  /** The estimates behind each finding, keyed like the finding, for the verdict's wording. */
  gateway?: DeathEstimate;
  nat?: DeathEstimate;
  /** A keepalive-on connection whose keepalive gave up: when, and the keepalive idle that was too slow. */
  keepaliveDetected?: { afterMs: number; keepaliveIdleMs?: number };
  longestSurvivedMs?: number;
  redirected: boolean;
  /** Whether any conclusive keepalive-on outcome exists: without one a NAT drop cannot be told from the gateway. */
  measuredOn: boolean;
}

/**
 * Keepalive is the discriminator. Keepalive traffic resets NAT and load-balancer idle timers but not
 * the gateway's, so a death that also takes keepalive-on connections is the gateway's (or another
 * application-level) idle kill; a death of keepalive-off connections that keepalive-on ones outlive
 * is a NAT or load-balancer drop.
 */
export function findTimers(outcomes: ConnectionOutcome[]): Findings {
  const conclusive = outcomes.filter((o) => o.outcome !== 'inconclusive');
  const of = (v: KeepaliveVariant) => conclusive.filter((o) => o.keepalive === v);
  const on = of('on');
  const off = of('off');
  const result: Findings = { findings: [], redirected: false, measuredOn: on.length > 0 };
  const survived = conclusive.filter((o) => o.outcome === 'survived').map(ageOf);
  if (survived.length > 0) result.longestSurvivedMs = Math.max(...survived);

  const gateway = estimateDeath(on);
  if (gateway) {
    result.gateway = gateway;
    result.redirected = on.some((o) => isIdleDeath(o) && o.policy === 'redirect');
    result.findings.push(finding('gateway-idle-kill', gateway));
  }
  const detected = on.filter((o) => o.outcome === 'keepalive-detected' && o.deathAgeMs !== undefined);
  const firstDetected = detected.reduce<ConnectionOutcome | undefined>((a, b) => (!a || (b.deathAgeMs ?? 0) < (a.deathAgeMs ?? 0) ? b : a), undefined);
  if (firstDetected) result.keepaliveDetected = { afterMs: firstDetected.deathAgeMs ?? 0, keepaliveIdleMs: firstDetected.keepaliveIdleMs };

  const nat = estimateDeath(off);
  // Keepalive-off deaths at the gateway's age are the same timer, not a second one.
  if (nat && (!gateway || nat.maxMs < (gateway.minMs ?? gateway.atMs))) {
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
