import pc from 'picocolors';
import type { ProbeResult } from '../../shared/contract';
import { formatMs, phaseBars } from './bars';
import { errorHeadline, resultFacts } from './details';

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
