import type { ProbeResult } from '../../shared/contract';
import { checkFacts } from './checks';

/** The facts a probe found, one short clause each, for the line next to its name. */
export function resultFacts(r: ProbeResult): string[] {
  const facts: string[] = [];
  if (r.dns) {
    const addresses = r.dns.addresses.map((a) => `${a.address}${a.private ? ' (private)' : ''}`).join(', ');
    facts.push(addresses || 'no addresses');
    if (r.dns.cnames.length) facts.push(`via ${r.dns.cnames.join(' → ')}`);
  }
  if (r.tcp) facts.push(r.tcp.connects.map((c) => `${c.address}:${c.port} ${c.outcome}`).join(', '));
  if (r.tls) {
    const t = r.tls;
    facts.push([t.mode === 'strict' ? 'TDS 8.0 strict' : 'classic TLS', t.version, t.cipher].filter(Boolean).join(' '));
    if (t.cert) {
      const days = Math.floor(t.cert.daysLeft);
      facts.push(`cert ${t.cert.subject}, ${days} day${days === 1 ? '' : 's'} left`);
    }
    if (t.trusted === false) facts.push('chain NOT trusted');
    if (t.hostnameMatches === false) facts.push('hostname does NOT match');
  }
  if (r.policy) facts.push(r.routed ? `${r.policy} → ${r.routed.host}:${r.routed.port}` : r.policy);
  if (r.encrypted !== undefined) facts.push(r.encrypted ? 'encrypted' : 'NOT encrypted');
  if (r.facts?.database) facts.push(`db ${r.facts.database}${r.facts.updateability ? ` ${r.facts.updateability}` : ''}`);
  if (r.idle) facts.push(`${r.idle.outcomes.length} idle connections checked (${r.idle.mode} mode)`);
  if (r.listener) facts.push(`${r.listener} listener`);
  if (r.attempts.length > 1) facts.push(`${r.attempts.length} attempts`);
  facts.push(...checkFacts(r));
  return facts;
}

/** "login-failed in login (18456 state 8)". */
export function errorHeadline(error: NonNullable<ProbeResult['error']>): string {
  const number = error.number === undefined ? '' : ` (${error.number}${error.state === undefined ? '' : ` state ${error.state}`})`;
  return `${error.class} in ${error.phase}${number}${error.transient ? ', transient' : ''}`;
}
