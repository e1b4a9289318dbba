import type { ProbeName } from '../../shared/config/target';
import { secretsOf } from '../../shared/probers/record';
import { roundOptionsFrom, runRound } from '../../shared/runner';
import { loadCliConfig } from '../config';
import { EXIT, UsageError, type ExitCode } from '../exit';
import { envWithPassword } from '../password';
import { renderJson } from '../report/json';
import { renderProbeReport } from '../report/probe-report';
import { terminalWidth, wrapText } from '../report/wrap';
import { stopOnSignals } from '../signals';
import { resolveTarget, type TargetFlags } from '../target-flags';
import { openTelemetry } from '../telemetry';

/** The probes that finish in seconds; idle and pool hold connections for minutes. */
const ONE_SHOT: ReadonlySet<ProbeName> = new Set<ProbeName>(['dns', 'tcp', 'tls', 'login']);

export interface ProbeCommandOptions {
  json?: boolean;
  resultsFile?: string;
}

/** `sqlprobe probe [target]`: one round over one target, a report or JSON, and the exit code. */
export async function probeCommand(name: string | undefined, flags: TargetFlags, options: ProbeCommandOptions): Promise<ExitCode> {
  const config = loadCliConfig();
  const target = resolveTarget(name, flags, config.targets);
  const waiting = target.probes.find((p) => !ONE_SHOT.has(p));
  if (waiting && flags.probes !== undefined) {
    throw new UsageError(`--probes: ${waiting} waits for minutes and is not a one-shot probe; run the idle ladder with sqlprobe idle ${name ?? '--server …'} --rungs 5m,31m, or schedule ${waiting} with sqlprobe start`);
  }
  // A configured target's idle and pool probes run on the schedule (sqlprobe start), not here.
  const probes = target.probes.filter((p) => ONE_SHOT.has(p));
  if (probes.length === 0) throw new UsageError(`target "${target.name}" lists no one-shot probe; pick some with --probes dns,tcp,tls,login`);
  const env = probes.includes('login') ? await envWithPassword(target, process.env) : process.env;
  const telemetry = openTelemetry(config.settings, options.resultsFile, secretsOf(target, env));
  const stop = stopOnSignals();
  try {
    const report = await runRound([target], roundOptionsFrom(config.settings, { env, probes, onResult: telemetry.record }), stop.signal);
    process.stdout.write(options.json ? renderJson(report.results) : wrapText(renderProbeReport(report.results), terminalWidth(process.stdout)));
    for (const s of report.skipped) process.stderr.write(`sqlprobe: ${s.probe} did not run (${s.reason === 'aborted' ? 'stopped' : 'no prober for it'})\n`);
    const ok = report.results.length > 0 && report.skipped.length === 0 && report.results.every((r) => r.success);
    return ok ? EXIT.ok : EXIT.probeFailed;
  } finally {
    stop.dispose();
    await telemetry.close();
  }
}
