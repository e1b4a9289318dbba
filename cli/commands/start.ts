import type { InvocationContext, Timer } from '@azure/functions';
import pc from 'picocolors';
import { connectivityRound, idleTick } from '../../shared/app';
import { idleRegistry } from '../../shared/idle/default-registry';
import { loadCliConfig } from '../config';
import { DEMO_IDLE_KILL_MS, DEMO_SCHEDULES, startDemo, type Demo } from '../demo/demo';
import { EXIT, UsageError, type ExitCode } from '../exit';
import { screenFor } from '../live/screen';
import { LiveView } from '../live/view';
import { stopOnSignals } from '../signals';
import { metricsEndpoint, type MetricsFlags } from '../start/metrics';
import { schedule } from '../start/schedule';
import { cliRuntime, invocationContext, timerInfo } from '../start/runtime';
import { openTelemetry } from '../telemetry';

type TimerHandler = (timer: Timer, context: InvocationContext) => Promise<void>;

const DEMO_BANNER = [
  pc.bold('No targets configured: running the demo against the built-in simulator.'),
  `  demo-proxy     Proxy policy, the gateway's 30-minute idle kill scaled to ${DEMO_IDLE_KILL_MS / 1000} s`,
  '  demo-redirect  Redirect policy: the login is routed to a node port',
  'Both idle verdicts are complete within about 2 minutes. Set SQLPROBE_TARGETS to probe your own servers.',
];

/**
 * `sqlprobe start` (`npm start`): the Functions app's timer handlers on their schedules, in this
 * process and without Core Tools, with a live table. Runs until Ctrl-C or SIGTERM.
 */
export async function startCommand(options: { resultsFile?: string } & MetricsFlags): Promise<ExitCode> {
  const config = loadCliConfig();
  const metrics = metricsEndpoint(config.settings, options);
  if (config.targets.length === 0 && config.problems.length > 0) {
    throw new UsageError('no configured target is valid; fix the problems above, or unset SQLPROBE_TARGETS / SQLPROBE_TARGETS_FILE to run the demo');
  }
  const stop = stopOnSignals();
  const demo: Demo | undefined = config.targets.length === 0 ? await startDemo() : undefined;
  const settings = demo ? { ...config.settings, ...DEMO_SCHEDULES } : config.settings;
  const targets = demo?.targets ?? config.targets;
  const telemetry = openTelemetry(settings, options.resultsFile, [], metrics ? [metrics.sink] : []);
  const registry = idleRegistry();
  const jobs: ReturnType<typeof schedule>[] = [];
  const footer = () => {
    const next = jobs[0]?.msToNext();
    return pc.dim(`${next === undefined ? '' : `next round in ${Math.ceil(next / 1000)} s · `}${registry.held()} idle connections held · Ctrl-C stops`);
  };
  const view = new LiveView(targets, settings.region, screenFor(process.stdout), footer);
  const rt = cliRuntime({ settings, targets }, telemetry.telemetry, registry, demo?.env ?? process.env, (r) => view.onResult(r));
  const source = async () => rt;
  const log = (line: string) => view.log(line);
  const onError = (err: unknown) => log(pc.red(`sqlprobe: ${err instanceof Error ? err.message : String(err)}`));
  /** Invokes a timer handler the way the host would: a Timer and a fresh InvocationContext per tick. */
  const timer = (name: string, handler: TimerHandler) => (pastDue: boolean) => handler(timerInfo(pastDue), invocationContext(name, log));
  /**
   * The `connectivity` handler's round, plus the stop signal the host does not have: Ctrl-C ends a
   * running round at once instead of waiting out its probes' deadlines. Probes it cuts short are
   * skipped, not reported as failures.
   */
  const connectivity: TimerHandler = async (info, context) => {
    await connectivityRound(await source(), context, info.isPastDue, stop.signal);
  };
  /**
   * The `idle-tick` handler's work, with the same stop signal: Ctrl-C cuts a cohort's open short
   * (its connections are inconclusive, not failures) instead of waiting out the probe timeout.
   */
  const idle: TimerHandler = async (info, context) => {
    const settled = await idleTick(await source(), context, stop.signal);
    if (settled > 0 || info.isPastDue) context.log(`sqlprobe: idle tick reported ${settled} result(s)${info.isPastDue ? ' (past due)' : ''}`);
  };

  for (const line of demo ? DEMO_BANNER : [`Probing ${targets.length} target(s) from region ${settings.region}. Ctrl-C stops.`]) log(line);
  const server = await metrics?.serve(rt, log);
  jobs.push(
    schedule(settings.SQLPROBE_CONNECTIVITY_SCHEDULE, timer('connectivity', connectivity), onError),
    schedule(settings.SQLPROBE_IDLE_SCHEDULE, timer('idle-tick', idle), onError),
  );
  view.refresh();
  // The footer counts down; the timer must not keep the process alive on its own.
  const ticker = setInterval(() => view.refresh(), 1000).unref();

  if (!stop.signal.aborted) await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
  clearInterval(ticker);
  log('stopping: ending running probes, closing held connections (Ctrl-C again quits at once)…');
  await Promise.all(jobs.map((j) => j.stop()));
  await server?.close();
  await registry.close();
  await demo?.stop();
  await telemetry.close();
  stop.dispose();
  log('stopped');
  return EXIT.ok;
}
