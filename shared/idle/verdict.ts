import { findTimers, type DeathEstimate, type Findings } from './findings';
import { recommend, tooSoonForKeepalive } from './recommendations';
import { formatSeconds } from './format';
import type { ConnectionOutcome, Verdict } from './schema';

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
