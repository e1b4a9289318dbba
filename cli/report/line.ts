import pc from 'picocolors';
import type { IdleDetails, ProbeResult } from '../../shared/contract';
import { formatMs, phaseSummary } from './bars';
import { errorHeadline } from './details';

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
