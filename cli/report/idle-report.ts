import pc from 'picocolors';
import { formatDuration } from '../../shared/config';
import { type ConnectionOutcome, keepaliveVariant, type ProbeResult, type Verdict } from '../../shared/contract';
import { formatSeconds } from '../../shared/idle';
import { renderProbeReport } from './probe-report';
import { newTable } from './terminal';

/** The verdict coloured by what it asks of the user: a found timer is a warning, none is good news. */
export function verdictCell(verdict: Verdict, settled: number, expected: number): string {
  const paint = verdict.kind === 'no-idle-kill' ? pc.green : verdict.kind === 'inconclusive' ? pc.dim : pc.yellow;
  const progress = settled < expected ? pc.dim(` (${settled}/${expected} idle connections settled)`) : '';
  return `${paint(verdict.text)}${progress}`;
}

/** The lines logged when a target's verdict changes: the verdict, then what to do about it. */
export function verdictLines(target: string, verdict: Verdict): string[] {
  return [`${pc.bold(target)} idle verdict: ${verdict.text}`, ...verdict.recommendations.map((r) => `  ${pc.yellow('→')} ${r}`)];
}

/** One outcome in a few words: what happened to the connection, and when. */
export function outcomeText(o: ConnectionOutcome): string {
  const age = o.deathAgeMs === undefined ? '' : ` at ${formatSeconds(o.deathAgeMs)}`;
  switch (o.outcome) {
    case 'survived':
      return pc.green('survived');
    case 'closed-by-peer':
      return pc.yellow(`closed by peer${age}${o.close ? ` (${o.close})` : ''}`);
    case 'keepalive-detected':
      return pc.yellow(`found dead by keepalive${age}`);
    case 'dead-on-use':
      return pc.red('dead on first use');
    case 'inconclusive':
      return pc.dim(`inconclusive${o.reason ? ` (${o.reason})` : ''}`);
  }
}

/** The ladder as a table: a row per rung, a column per keepalive variant. */
function ladderTable(outcomes: readonly ConnectionOutcome[]): string {
  const variants = keepaliveVariant.options.filter((v) => outcomes.some((o) => o.keepalive === v));
  const rungs = [...new Set(outcomes.map((o) => o.rungMs))].sort((a, b) => a - b);
  const table = newTable(['idle', ...variants.map((v) => `keepalive ${v}`)]);
  for (const rung of rungs) {
    table.push([formatDuration(rung), ...variants.map((v) => {
      const o = outcomes.find((x) => x.rungMs === rung && x.keepalive === v);
      return o ? outcomeText(o) : '';
    })]);
  }
  return table.toString();
}

/** The errors an app would have seen on its first use of a dead connection, once each. */
function appErrors(outcomes: readonly ConnectionOutcome[]): string[] {
  const errors = [...new Set(outcomes.filter((o) => o.outcome === 'dead-on-use' && o.error).map((o) => o.error as string))];
  return errors.length ? ['What the app saw on first use:', ...errors.map((e) => `  ${e}`)] : [];
}

/** `sqlprobe idle`'s report: the probe block, the ladder, and the verdict with what to change. */
export function renderIdleReport(result: ProbeResult): string {
  const details = result.idle;
  const lines = [renderProbeReport([result]).trimEnd()];
  if (details?.outcomes.length) lines.push('', ladderTable(details.outcomes), ...appErrors(details.outcomes));
  if (details) lines.push('', ...verdictLines(result.target, details.verdict));
  return `${lines.join('\n')}\n`;
}
