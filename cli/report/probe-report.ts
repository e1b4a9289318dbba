import pc from 'picocolors';
import type { IdleDetails, PhaseTiming, ProbeResult } from '../../shared/contract';
import { checkFacts } from './checks';

const BAR_WIDTH = 32;

/** Formats milliseconds for people: "0.4 ms", "12 ms", "1.25 s". */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

/**
 * One waterfall row per phase, on a shared time axis, so where the time went (and what overlapped)
 * reads at a glance. The failed phase, if any, is drawn in red.
 */
export function phaseBars(phases: readonly PhaseTiming[], failedPhase?: string, width = BAR_WIDTH): string[] {
  const end = Math.max(...phases.map((p) => p.startMs + p.durationMs), 0);
  const scale = end > 0 ? width / end : 0;
  const nameWidth = Math.max(...phases.map((p) => p.name.length), 0);
  return phases.map((p) => {
    const offset = Math.min(width - 1, Math.floor(p.startMs * scale));
    const length = Math.max(1, Math.min(width - offset, Math.round(p.durationMs * scale)));
    const bar = '█'.repeat(length);
    const paint = p.name === failedPhase ? pc.red : pc.cyan;
    return `${p.name.padEnd(nameWidth)}  ${' '.repeat(offset)}${paint(bar)}${' '.repeat(width - offset - length)}  ${formatMs(p.durationMs).padStart(8)}`;
  });
}

/** A one-line phase summary for narrow places such as the live table: "dns 3 · tcp 1 · tls 14 ms". */
export function phaseSummary(phases: readonly PhaseTiming[]): string {
  return phases.map((p) => `${p.name} ${Math.round(p.durationMs)}`).join(' · ') + (phases.length ? ' ms' : '');
}

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

/** "4 settled: survived 2, closed-by-peer 2", or what is still idling when nothing was due. */
function idleSummary({ outcomes, held }: IdleDetails): string {
  if (!outcomes.length) return `holding ${held} idle connections`;
  const counts = Map.groupBy(outcomes, (o) => o.outcome);
  return `${outcomes.length} settled: ${[...counts].map(([outcome, list]) => `${outcome} ${list.length}`).join(', ')}`;
}

/** One log line per result, for append-only output: "12:03:05 orders/login ✔ 45 ms proxy · dns 1 · …". */
export function resultLine(r: ProbeResult): string {
  const time = pc.dim(r.startedAt.slice(11, 19));
  const what = `${r.target}/${r.probe}`;
  if (!r.success) return `${time} ${what} ${pc.red('✘')} ${formatMs(r.durationMs)} ${r.error ? errorHeadline(r.error) : 'failed'}`;
  const details = [r.policy, r.idle ? idleSummary(r.idle) : phaseSummary(r.phases)].filter(Boolean).join(' · ');
  return `${time} ${what} ${pc.green('✔')} ${formatMs(r.durationMs)}${details ? ` ${details}` : ''}`;
}

const INDENT = '    ';

function probeBlock(r: ProbeResult, probeWidth: number): string[] {
  const mark = r.success ? pc.green('✔') : pc.red('✘');
  const headline = r.error ? pc.red(errorHeadline(r.error)) : resultFacts(r).join(' · ');
  const lines = [`  ${mark} ${pc.bold(r.probe.padEnd(probeWidth))}  ${formatMs(r.durationMs).padStart(8)}  ${headline}`];
  if (r.error) {
    const facts = resultFacts(r);
    if (facts.length) lines.push(`${INDENT}${pc.dim(facts.join(' · '))}`);
  }
  if (r.phases.length > 1 || (r.phases.length === 1 && r.phases[0].name !== r.probe)) {
    lines.push(...phaseBars(r.phases, r.success ? undefined : r.error?.phase).map((l) => `${INDENT}${l}`));
  }
  if (r.error) {
    lines.push(`${INDENT}${r.error.message}`);
    lines.push(`${INDENT}${pc.yellow('→')} ${r.error.recommendation}`);
    if (r.error.docsUrl) lines.push(`${INDENT}${pc.dim(`docs: ${r.error.docsUrl}`)}`);
  }
  return lines;
}

/** The human report for one target's results: a header, a block per probe, and a one-line tally. */
export function renderProbeReport(results: readonly ProbeResult[]): string {
  if (!results.length) return 'no probes ran\n';
  const first = results[0];
  const probeWidth = Math.max(...results.map((r) => r.probe.length));
  const failed = results.filter((r) => !r.success).length;
  const tally = failed
    ? pc.red(`${failed} of ${results.length} probes failed`)
    : pc.green(`all ${results.length} probes succeeded`);
  return [
    `${pc.bold(first.target)}  ${first.server}:${first.port}  ${pc.dim(`region ${first.region} · ${first.startedAt}`)}`,
    '',
    ...results.flatMap((r) => probeBlock(r, probeWidth)),
    '',
    tally,
    '',
  ].join('\n');
}
