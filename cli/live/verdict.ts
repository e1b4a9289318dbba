import pc from 'picocolors';
import type { Verdict } from '../../shared/contract';

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
