import type { ConnectionOutcome, Finding, KeepaliveVariant, Verdict } from '../contract';

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

/** When a close event came, in ms of idle; by the rung's check at the latest when its age was not kept. */
const eventAge = (o: ConnectionOutcome): number => o.deathAgeMs ?? ageOf(o);

/** The outcome with the smallest `age`; at equal ages the first listed. */
const earliest = (list: ConnectionOutcome[], age: (o: ConnectionOutcome) => number) => list.reduce((a, b) => (age(b) < age(a) ? b : a));

/** Deaths that keepalive neither prevented nor caused: a peer close, or a failed first use. */
const isIdleDeath = (o: ConnectionOutcome) => o.outcome === 'closed-by-peer' || o.outcome === 'dead-on-use';

/**
 * When one variant died: the earliest of `deaths` (exact for a peer close, bracketed for a silent
 * drop by the longest rung of `outcomes`, the variant's, that survived below it).
 */
function estimate(deaths: ConnectionOutcome[], outcomes: ConnectionOutcome[]): DeathEstimate | undefined {
  if (deaths.length === 0) return undefined;
  const closeAge = (o: ConnectionOutcome) => (o.outcome === 'closed-by-peer' ? eventAge(o) : ageOf(o));
  const first = earliest(deaths, closeAge);
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
  const redirected = on.some((o) => o.outcome === 'closed-by-peer' && o.policy === 'redirect');
  const result: Findings = { findings: [], redirected, measuredOn: on.length > 0, measuredOff: off.length > 0 };
  const survived = conclusive.filter((o) => o.outcome === 'survived').map(ageOf);
  if (survived.length > 0) result.longestSurvivedMs = Math.max(...survived);

  const gateway = estimate(on.filter((o) => o.outcome === 'closed-by-peer'), on);
  if (gateway) {
    result.gateway = gateway;
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
    result.silent = { ...silent, offDied: !!nat && nat.maxMs <= silent.maxMs, keepaliveIdleMs };
    result.findings.push(finding('silent-drop', silent));
  }
  const detected = on.filter((o) => o.outcome === 'keepalive-detected');
  if (detected.length > 0) {
    const first = earliest(detected, eventAge);
    result.keepaliveDetected = { afterMs: eventAge(first), keepaliveIdleMs: first.keepaliveIdleMs };
  }

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

/** "8 s", "1800 s (30 min)": seconds always, minutes added where they read better. */
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${Math.round(ms / 100) / 10} s`;
  const min = Math.round((ms / 60_000) * 10) / 10;
  return `${s} s (${min} min)`;
}

/** tedious's fixed keepalive idle: it calls socket.setKeepAlive(true, 30000) after every connect. */
const TEDIOUS_KEEPALIVE_MS = 30_000;

const RETRY = 'Retry transport errors ("Connection lost - …", ECONNRESET, 10053/10054) on a fresh connection: wait 5 s before the first retry and back off up to 60 s.';

/**
 * Whether a silent drop was found before keepalive could have noticed it: keepalive gives up its
 * first probe's idle plus 10 probes 1 s apart (libuv's settings) after the flow is gone, so a rung
 * checked sooner cannot show `keepalive-detected` even on a path that drops the probes.
 */
export function tooSoonForKeepalive(e: NonNullable<Findings['silent']>): boolean {
  return e.keepaliveIdleMs !== undefined && e.maxMs < e.keepaliveIdleMs + KEEPALIVE_DETECT_MS;
}

/** What to change, with the measured numbers; the safe number is the longest idle that survived. */
export function recommend(f: Findings): string[] {
  const recs: string[] = [];
  if (f.silent) {
    const safe = f.silent.minMs ?? f.silent.atMs;
    recs.push('Find the device that drops idle flows silently (a firewall, NVA or load balancer on the path): raise its idle timeout above the pool\'s idle lifetime, or have it send a TCP reset when it drops a flow, so the app fails fast instead of waiting out a request timeout.');
    recs.push(`Keep the pool's idle lifetime under ${formatSeconds(safe)}: with or without keepalive, a connection idle longer was found dead.`);
    if (tooSoonForKeepalive(f.silent)) recs.push(`Measure again with rungs past keepalive's detection time (${formatSeconds((f.silent.keepaliveIdleMs ?? 0) + KEEPALIVE_DETECT_MS)}): a flow the path dropped then shows as keepalive-detected, and one that keepalive keeps alive survives.`);
    recs.push('A socket check on borrow does not see a silent drop: validate idle connections with a query (or discard them) before use.');
  }
  if (f.nat?.how === 'timeout') {
    recs.push(`Keep TCP keepalive on, well below ${formatSeconds(f.nat.maxMs)} of idle: at ${formatSeconds(f.nat.maxMs)} it came too late. Measure with keepalive off to find the NAT's timeout.`);
  } else if (f.nat) {
    const safe = f.nat.minMs ?? f.nat.atMs;
    const tedious = TEDIOUS_KEEPALIVE_MS <= safe
      ? `tedious's 30 s default qualifies`
      : `tedious's 30 s default is too long here: lower it with socket.setKeepAlive(true, ms) after connect`;
    recs.push(`Keep TCP keepalive on, at or below ${formatSeconds(safe)} of idle (${tedious}); keepalive traffic keeps the NAT's flow alive.`);
    recs.push(`Keep the pool's idle lifetime under ${formatSeconds(safe)} for any connection without keepalive.`);
  }
  if (f.gateway) {
    const safe = f.gateway.minMs ?? f.gateway.atMs;
    if (!f.redirected) recs.push('Use the Redirect connection policy (allow outbound TCP 11000–11999 to the region\'s SQL addresses): redirected connections bypass the gateway and its idle kill.');
    recs.push(`Keep the pool's idle lifetime under ${formatSeconds(safe)}: keepalive does not reset this timer, only a query does.`);
  }
  if (f.nat || f.gateway || f.silent) recs.push(RETRY);
  else if (f.longestSurvivedMs !== undefined) recs.push(`No idle kill was seen up to ${formatSeconds(f.longestSurvivedMs)}; keep retry logic for transport errors all the same (wait 5 s, back off up to 60 s).`);
  return recs;
}

const HOW: Record<DeathEstimate['how'], string> = {
  fin: 'closed by the peer with FIN',
  rst: 'reset by the peer (RST)',
  timeout: 'found dead by keepalive',
  silent: 'dropped silently (found dead on first use)',
};

function bracket(e: DeathEstimate): string {
  if (e.how !== 'silent') return '';
  return e.minMs === undefined ? ` (died by ${formatSeconds(e.maxMs)}, the shortest rung)` : ` (between ${formatSeconds(e.minMs)} and ${formatSeconds(e.maxMs)} idle)`;
}

function gatewayText(e: DeathEstimate, f: Findings): string {
  const policy = f.redirected
    ? 'on a redirected connection, so not the gateway\'s Proxy timer but another application-level idle kill'
    : 'consistent with the Proxy policy';
  return `Gateway idle kill ≈ ${formatSeconds(e.atMs)}${bracket(e)}: ${HOW[e.how]}, keepalive on dies too, ${policy}.`;
}

function natText(e: DeathEstimate, f: Findings): string {
  if (e.how === 'timeout') {
    const after = formatSeconds(f.keepaliveDetected?.afterMs ?? e.maxMs);
    return `NAT idle drop by ${formatSeconds(e.maxMs)}: keepalive on found the flow gone after ${after}, so the path forgot it before keepalive's first probe at ${formatSeconds(e.maxMs)}; a NAT or load balancer drops idle flows.`;
  }
  const on = f.measuredOn ? 'survives' : 'not measured, so the gateway is not ruled out';
  return `NAT idle drop ≈ ${formatSeconds(e.atMs)}${bracket(e)}: keepalive off ${HOW[e.how]}, keepalive on ${on}; a NAT or load balancer drops idle flows.`;
}

/** Keepalive-on connections found dead on use: not a kill (that closes), and keepalive did not help. */
function silentText(e: NonNullable<Findings['silent']>, f: Findings): string {
  const variants = e.offDied ? 'keepalive on and off' : `keepalive on (keepalive off ${f.measuredOff ? 'outlived it' : 'not measured'})`;
  let causes = 'something answers keepalive probes while the session behind them is gone (a proxy or load balancer that terminates TCP, or a server that stopped answering)';
  if (tooSoonForKeepalive(e)) causes += `, or the rung came within keepalive's detection time (first probe at ${formatSeconds(e.keepaliveIdleMs ?? 0)}, then 10 probes 1 s apart) and a dropped flow had not been noticed yet`;
  return `Silent drop ≈ ${formatSeconds(e.atMs)}${bracket(e)} with ${variants}: no FIN or RST while idle, found dead on first use, so not the gateway's idle kill (which closes the connection); keepalive did not keep the flow alive: ${causes}.`;
}

/** The verdict for one target and region from the latest conclusive outcome of each rung and variant. */
export function verdictFor(outcomes: ConnectionOutcome[]): Verdict {
  const f = findTimers(outcomes);
  const [first] = f.findings;
  const texts: string[] = [];
  for (const finding of f.findings) {
    if (finding.kind === 'gateway-idle-kill' && f.gateway) texts.push(gatewayText(f.gateway, f));
    if (finding.kind === 'nat-idle-drop' && f.nat) texts.push(natText(f.nat, f));
    if (finding.kind === 'silent-drop' && f.silent) texts.push(silentText(f.silent, f));
    if (finding.kind === 'no-idle-kill' && f.longestSurvivedMs !== undefined) texts.push(`No idle kill up to ${formatSeconds(f.longestSurvivedMs)} idle, the longest rung measured.`);
    if (finding.kind === 'inconclusive') texts.push('Inconclusive: no rung has a conclusive outcome yet (connections still idle, or held by a host that recycled).');
  }
  return { ...first, text: texts.join(' Also: '), recommendations: recommend(f), findings: f.findings };
}
