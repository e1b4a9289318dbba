import pc from 'picocolors';
import type { ProbeResult } from '../../shared/contract';
import { phaseSummary } from '../report/probe-report';
import { newTable } from '../report/terminal';

const LAST_RESULT_WIDTH = 30;
const PHASES_WIDTH = 36;

interface Row {
  region: string;
  /** The latest result of each probe, in the order the probes first reported. */
  latest: Map<string, ProbeResult>;
  verdict?: string;
}

function lastResultCell(latest: readonly ProbeResult[]): string {
  const failed = latest.filter((r) => !r.success);
  const at = latest.map((r) => r.startedAt).sort().at(-1)?.slice(11, 19) ?? '';
  if (failed.length) return `${pc.red('✘')} ${failed.map((r) => `${r.probe}: ${r.error?.class ?? 'failed'}`).join(', ')} ${pc.dim(at)}`;
  const policy = latest.find((r) => r.policy)?.policy;
  return `${pc.green('✔')} ${latest.length}/${latest.length} ok${policy ? ` ${policy}` : ''} ${pc.dim(at)}`;
}

/** The result with the fullest phase breakdown (the login probe's, when it ran) speaks for the target. */
function phasesCell(latest: readonly ProbeResult[]): string {
  const richest = latest.reduce<ProbeResult | undefined>((best, r) => (r.phases.length > (best?.phases.length ?? 0) ? r : best), undefined);
  return richest ? phaseSummary(richest.phases) : '';
}

/** The state behind `sqlprobe start`'s live table: one row per target, updated as results arrive. */
export class Board {
  private readonly rows = new Map<string, Row>();

  /** Rows appear in the order given here, before any result, so the table does not jump around. */
  constructor(targets: readonly { name: string; region: string }[] = []) {
    for (const t of targets) this.rows.set(t.name, { region: t.region, latest: new Map() });
  }

  private row(target: string, region: string): Row {
    let row = this.rows.get(target);
    if (!row) this.rows.set(target, (row = { region, latest: new Map() }));
    return row;
  }

  addResult(result: ProbeResult): void {
    const row = this.row(result.target, result.region);
    row.region = result.region;
    row.latest.set(result.probe, result);
  }

  setVerdict(target: string, region: string, verdict: string): void {
    this.row(target, region).verdict = verdict;
  }

  /** Fits `width` columns: the phases and the verdict wrap, the verdict takes what is left. */
  render(width = process.stdout.columns ?? 120): string {
    const nameWidth = Math.max(8, ...[...this.rows.keys()].map((n) => n.length)) + 2;
    const regionWidth = Math.max(8, ...[...this.rows.values()].map((r) => r.region.length)) + 2;
    const fixed = [nameWidth, regionWidth, LAST_RESULT_WIDTH, PHASES_WIDTH];
    const table = newTable(['target', 'region', 'last result', 'phases', 'verdict'], {
      colWidths: [...fixed, Math.max(30, width - fixed.reduce((a, b) => a + b) - fixed.length - 2)],
      wordWrap: true,
    });
    for (const [name, row] of this.rows) {
      const latest = [...row.latest.values()];
      table.push([
        pc.bold(name),
        row.region,
        latest.length ? lastResultCell(latest) : pc.dim('waiting…'),
        phasesCell(latest),
        row.verdict ?? pc.dim('measuring…'),
      ]);
    }
    return table.toString();
  }
}
