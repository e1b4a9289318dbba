import { z } from 'zod';
import { idleLadder } from '../../shared/app';
import { formatDuration, loginProblem, loginWithoutCredentials } from '../../shared/config';
import { EXIT, UsageError, type ExitCode } from '../exit';
import { cliRuntime, loadCliConfig, stopOnSignals } from '../host';
import { idleProgress } from '../live/idle-progress';
import { screenFor } from '../live/view';
import { envWithPassword } from '../password';
import { renderIdleReport } from '../report/idle-report';
import { renderJson } from '../report/json';
import { terminalWidth, wrapText } from '../report/terminal';
import { outputFlagsSchema, PASSWORD_ENV, parseRungsFlag, resolveTarget, type TargetFlags } from '../target-flags';

export interface IdleCommandOptions {
  rungs?: string;
  json?: boolean;
  resultsFile?: string;
}

const idleFlagsSchema = outputFlagsSchema.extend({ rungs: z.string().optional() });

/** commander's flags for `idle`, checked, then the command. */
export async function idleAction(name: string | undefined, raw: unknown): Promise<ExitCode> {
  const { json, resultsFile, rungs, ...flags } = idleFlagsSchema.parse(raw);
  return idleCommand(name, flags, { json, resultsFile, rungs });
}

/**
 * `sqlprobe idle [target] --rungs 5m,31m`: the whole ladder in this one invocation (single mode),
 * with progress while it waits (each rung as it falls due, each connection's outcome as it
 * settles), then the ladder, the verdict and the recommendations. Ctrl-C ends the wait: the rungs
 * not reached are reported as inconclusive.
 */
export async function idleCommand(name: string | undefined, flags: TargetFlags, options: IdleCommandOptions): Promise<ExitCode> {
  const config = loadCliConfig();
  const target = resolveTarget(name, flags, config.targets);
  // Without credentials a login goes out with an empty user and only ever fails.
  if (name === undefined && loginWithoutCredentials(target, ['idle']).length > 0) {
    throw new UsageError(`--user: the idle probe holds logged-in connections; give --user (the password comes from ${PASSWORD_ENV} or a prompt)`);
  }
  const problem = loginProblem(target, ['idle'], 'give the target an auth (sql, ntlm, managed-identity, service-principal, workload-identity or access-token) in SQLPROBE_TARGETS');
  if (problem) throw new UsageError(problem);
  const rungs = options.rungs === undefined ? target.idle.rungs : parseRungsFlag(options.rungs);
  const env = await envWithPassword(target, process.env);
  const host = await cliRuntime({ ...config, targets: [target] }, env, options);
  // Progress goes to stderr under --json, so stdout stays one JSON document.
  const screen = screenFor(options.json ? process.stderr : process.stdout);
  const perRung = target.idle.keepalive.length;
  screen.log(`Idle ladder for ${target.name} (${target.server}:${target.port}): ${rungs.map(formatDuration).join(', ')} × keepalive ${target.idle.keepalive.join('/')}, ${rungs.length * perRung} connections`);
  const stop = stopOnSignals();
  const progress = idleProgress(rungs, perRung, screen);
  const log = { log: () => {}, warn: (line: string) => screen.log(line), error: (line: string) => screen.log(line) };
  try {
    const result = await idleLadder(host.rt, target, rungs, log, { signal: stop.signal, onOutcome: (o) => progress.outcome(o) }).finally(() => {
      progress.stop();
      stop.dispose();
    });
    process.stdout.write(options.json ? renderJson([result]) : wrapText(renderIdleReport(result), terminalWidth(process.stdout)));
    return result.success ? EXIT.ok : EXIT.probeFailed;
  } finally {
    await host.close();
  }
}
