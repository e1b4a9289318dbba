import type { ProbeResult } from '../../shared/contract';

/** One short clause per DBA check a result carries: the instance's port, the TLS floor, the resolvers, the query's answer. */
export function checkFacts(r: ProbeResult): string[] {
  const facts: string[] = [];
  const b = r.browser;
  if (b) facts.push(b.outcome === 'found' ? `instance ${b.instance} on tcp ${b.tcpPort} (Browser ${b.address}:${b.port}/udp)` : `instance ${b.instance}: Browser ${b.outcome}`);
  const audit = r.tls?.audit;
  if (audit) facts.push(`accepts TLS ${audit.accepted.join(', ') || 'none'}${audit.minimum ? ` (minimum ${audit.minimum})` : ''}`);
  const compare = r.dns?.compare;
  if (compare) {
    const differ = compare.filter((c) => c.differences.length > 0).length;
    facts.push(`${compare.length + 1} resolvers, ${differ ? `${differ} disagree${differ === 1 ? 's' : ''}` : 'agree'}`);
  }
  const a = r.assertion;
  if (a) facts.push(`answer ${a.value === undefined ? 'none' : JSON.stringify(a.value)}${a.matches ? '' : ' NOT as expected'}`);
  return facts;
}
