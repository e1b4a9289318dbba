import { KEEPALIVE_DETECT_MS, type Findings } from './findings';
import { formatSeconds } from './format';

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
