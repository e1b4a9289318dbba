import pc from 'picocolors';
import { connectivityRound, idleTick, type Log } from '../../shared/app';
import { prometheusSink } from '../../shared/telemetry';
import { type Demo, DEMO_IDLE_KILL_MS, DEMO_SCHEDULES, startDemo } from '../demo/demo';
import { EXIT, type ExitCode, UsageError } from '../exit';
import { cliRuntime, loadCliConfig, stopOnSignals } from '../host';
import { LiveView, screenFor } from '../live/view';
import { schedule } from '../schedule';
import { type EndpointFlags, localEndpoint, serveLocal } from '../serve/endpoint';
import { metricsRoute, probeRoute } from '../serve/metrics-routes';
import { StatusModel } from '../status/model';
import { statusRoutes } from '../status/routes';

const DEMO_BANNER = [
  pc.bold('No targets configured: running the demo against the built-in simulator.'),
  `  demo-proxy     Proxy policy, the gateway's 30-minute idle kill scaled to ${DEMO_IDLE_KILL_MS / 1000} s`,
  '  demo-redirect  Redirect policy: the login is routed to a node port',
  'Both idle verdicts are complete within about 2 minutes. Set SQLPROBE_TARGETS to probe your own servers.',
];

/**
 * `sqlprobe start` (`npm start`): the Functions app's timer handlers on their schedules, in this
 * process and without Core Tools, with a live table. Runs until Ctrl-C or SIGTERM. With a port
 * (`--metrics-port`), it also serves the live status page, Prometheus /metrics and /probe.
 */
export async function startCommand(options: { resultsFile?: string } & EndpointFlags): Promise<ExitCode> {
  const config = loadCliConfig();
  if (config.targets.length === 0 && config.problems.length > 0) {
    throw new UsageError('no configured target is valid; fix the problems above, or unset SQLPROBE_TARGETS / SQLPROBE_TARGETS_FILE to run the demo');
  }
  const endpoint = localEndpoint(config.settings, options);
  const stop = stopOnSignals();
  const demo: Demo | undefined = config.targets.length === 0 ? await startDemo() : undefined;
  const settings = demo ? { ...config.settings, ...DEMO_SCHEDULES } : config.settings;
  const targets = demo?.targets ?? config.targets;
  const status = endpoint && new StatusModel(targets, { region: settings.region, demo: demo !== undefined });
  const prometheus = endpoint ? await prometheusSink() : undefined;
  const jobs: ReturnType<typeof schedule>[] = [];
  let held = () => 0;
  const footer = () => {
    const next = jobs[0]?.msToNext();
    return pc.dim(`${next === undefined ? '' : `next round in ${Math.ceil(next / 1000)} s · `}${held()} idle connections held · Ctrl-C stops`);
  };
  const view = new LiveView(targets, settings.region, screenFor(process.stdout), footer);
  const host = await cliRuntime({ ...config, settings, targets }, demo?.env ?? process.env, { resultsFile: options.resultsFile, onResult: (r) => view.onResult(r), sinks: status && prometheus ? [status, prometheus] : [] });
  const { rt } = host;
  held = () => rt.idle.held();
  const line = (...args: unknown[]) => view.log(args.map(String).join(' '));
  // The timers' warnings and errors show above the table; their routine lines would only repeat it.
  const log: Log = { log: () => {}, warn: line, error: line };
  const onError = (err: unknown) => line(pc.red(`sqlprobe: ${err instanceof Error ? err.message : String(err)}`));
  // The same timer work as the Functions app, plus the stop signal the host does not have: Ctrl-C
  // ends a running round, or a cohort still opening, at once. Probes it cuts short are skipped,
  // and connections it cuts short are inconclusive, not failures.
  const connectivity = async (isPastDue: boolean) => void (await connectivityRound(rt, log, { isPastDue, signal: stop.signal }));
  const idle = async (isPastDue: boolean) => void (await idleTick(rt, log, { isPastDue, signal: stop.signal }));

  for (const text of demo ? DEMO_BANNER : [`Probing ${targets.length} target(s) from region ${settings.region}. Ctrl-C stops.`]) line(text);
  prometheus?.seed(rt.targets, settings.region);
  const routes = status && prometheus ? [...statusRoutes(status), metricsRoute(prometheus), probeRoute(rt, log)] : [];
  const server = endpoint && (await serveLocal(endpoint, routes, line));
  if (server) {
    line(`Status page: ${server.url}/ (JSON at ${server.url}/api/status)`);
    line(`Prometheus metrics on ${server.url}/metrics, on-demand probes on ${server.url}/probe?target=NAME`);
  }
  jobs.push(
    schedule(settings.SQLPROBE_CONNECTIVITY_SCHEDULE, connectivity, onError),
    schedule(settings.SQLPROBE_IDLE_SCHEDULE, idle, onError),
  );
  view.refresh();
  // The footer counts down; the timer must not keep the process alive on its own.
  const ticker = setInterval(() => view.refresh(), 1000).unref();

  if (!stop.signal.aborted) await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
  clearInterval(ticker);
  line('stopping: ending running probes, closing held connections (Ctrl-C again quits at once)…');
  await Promise.all(jobs.map((j) => j.stop()));
  await server?.close();
  await host.close();
  await demo?.stop();
  stop.dispose();
  line('stopped');
  return EXIT.ok;
}
