import type { ConnectionOutcome, Verdict } from '../contract';
import { type DeathEstimate, type Findings, findTimers, KEEPALIVE_DETECT_MS } from './findings';

/** "8 s", "1800 s (30 min)": seconds always, minutes added where they read better. */
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${Math.round(ms / 100) / 10} s`;
  const min = Math.round((ms / 60_000) * 10) / 10;
  return `${s} s (${min} min)`;
}

/** tedious's fixed keepalive idle (FACTS: setKeepAlive(true, 30000) after connect). */
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
