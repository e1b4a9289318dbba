import { z } from 'zod';
import { probeTarget } from '../../shared/app';
import { isOneShot } from '../../shared/contract';
import { EXIT, UsageError, type ExitCode } from '../exit';
import { cliRuntime, loadCliConfig, stopOnSignals } from '../host';
import { envWithPassword } from '../password';
import { renderJson } from '../report/json';
import { renderProbeReport } from '../report/probe-report';
import { terminalWidth, wrapText } from '../report/terminal';
import { outputFlagsSchema, resolveTarget, type TargetFlags, withTlsAudit } from '../target-flags';

export interface ProbeCommandOptions {
  json?: boolean;
  resultsFile?: string;
  /** `--tls-audit` (true) or `--tls-audit 1.2` (the minimum, which overrides the target's expect.minTls). */
  tlsAudit?: boolean | string;
}

/** Where the app layer writes while a one-shot command runs: warnings to stderr, the chatter dropped. */
const stderrLog = {
  log: () => {},
  warn: (...args: unknown[]) => process.stderr.write(`${args.join(' ')}\n`),
  error: (...args: unknown[]) => process.stderr.write(`${args.join(' ')}\n`),
};

/** commander's flags for `probe`, checked, then the command. */
const probeFlagsSchema = outputFlagsSchema.extend({ tlsAudit: z.union([z.boolean(), z.string()]).optional() });

export async function probeAction(name: string | undefined, raw: unknown): Promise<ExitCode> {
  const { json, resultsFile, tlsAudit, ...flags } = probeFlagsSchema.parse(raw);
  return probeCommand(name, flags, { json, resultsFile, tlsAudit });
}

/** `sqlprobe probe [target]`: one round over one target, a report or JSON, and the exit code. */
export async function probeCommand(name: string | undefined, flags: TargetFlags, options: ProbeCommandOptions): Promise<ExitCode> {
  const config = loadCliConfig();
  const target = withTlsAudit(resolveTarget(name, flags, config.targets), options.tlsAudit);
  const waiting = target.probes.find((p) => !isOneShot(p));
  if (waiting && flags.probes !== undefined) {
    throw new UsageError(`--probes: ${waiting} waits for minutes and is not a one-shot probe; run the idle ladder with sqlprobe idle ${name ?? '--server …'} --rungs 5m,31m, or schedule ${waiting} with sqlprobe start`);
  }
  // A configured target's idle and pool probes run on the schedule (sqlprobe start), not here.
  const probes = target.probes.filter(isOneShot);
  if (probes.length === 0) throw new UsageError(`target "${target.name}" lists no one-shot probe; pick some with --probes dns,tcp,tls,login`);
  const env = probes.includes('login') ? await envWithPassword(target, process.env) : process.env;
  const host = await cliRuntime({ ...config, targets: [target] }, env, options);
  const stop = stopOnSignals();
  try {
    const { results, skipped } = await probeTarget(host.rt, target, { probes, signal: stop.signal, tlsAudit: options.tlsAudit !== undefined }, stderrLog);
    process.stdout.write(options.json ? renderJson(results) : wrapText(renderProbeReport(results), terminalWidth(process.stdout)));
    for (const s of skipped) process.stderr.write(`sqlprobe: ${s.probe} did not run (${s.reason === 'aborted' ? 'stopped' : 'no prober for it'})\n`);
    const ok = results.length > 0 && skipped.length === 0 && results.every((r) => r.success);
    return ok ? EXIT.ok : EXIT.probeFailed;
  } finally {
    stop.dispose();
    await host.close();
  }
}
