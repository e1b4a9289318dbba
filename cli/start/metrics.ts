import type { AppRuntime, Log } from '../../shared/app';
import { settingsSchema, type Settings } from '../../shared/config';
import { PrometheusTelemetry } from '../../shared/telemetry/prometheus';
import { UsageError } from '../exit';
import { metricsRoute, probeRoute } from '../serve/metrics-routes';
import { isLoopback, startLocalServer, type LocalServer } from '../serve/server';

export interface MetricsFlags {
  metricsPort?: string;
  metricsHost?: string;
}

export interface MetricsEndpoint {
  /** The Prometheus registry, to add to the telemetry sinks so every scheduled result reaches /metrics. */
  sink: PrometheusTelemetry;
  /** Opens the port; `log` gets the address, and a warning when it is not loopback. */
  serve(rt: AppRuntime, log: (line: string) => void): Promise<LocalServer>;
}

/** A flag checked by its setting's own schema, so both take the same values and say the same fix. */
function flagValue<K extends 'SQLPROBE_METRICS_PORT' | 'SQLPROBE_METRICS_HOST'>(flag: string, setting: K, raw: string): NonNullable<Settings[K]> {
  const parsed = settingsSchema.shape[setting].safeParse(raw);
  if (!parsed.success) throw new UsageError(`${flag}: ${parsed.error.issues[0].message}, got ${JSON.stringify(raw)}`);
  return parsed.data as NonNullable<Settings[K]>;
}

/**
 * The Prometheus endpoints of `sqlprobe start`, when a port is asked for (`--metrics-port`, else
 * SQLPROBE_METRICS_PORT): /metrics and /probe, on loopback unless `--metrics-host` or
 * SQLPROBE_METRICS_HOST names another address. Undefined when no port is set. Bad values throw
 * UsageError (exit 2) before anything starts.
 */
export function metricsEndpoint(settings: Settings, flags: MetricsFlags): MetricsEndpoint | undefined {
  const port = flags.metricsPort === undefined ? settings.SQLPROBE_METRICS_PORT : flagValue('--metrics-port', 'SQLPROBE_METRICS_PORT', flags.metricsPort);
  const host = flags.metricsHost === undefined ? settings.SQLPROBE_METRICS_HOST : flagValue('--metrics-host', 'SQLPROBE_METRICS_HOST', flags.metricsHost);
  if (port === undefined) {
    if (flags.metricsHost !== undefined) throw new UsageError('--metrics-host: nothing is served without a port; add --metrics-port (or set SQLPROBE_METRICS_PORT)');
    return undefined;
  }
  const sink = new PrometheusTelemetry();
  return {
    sink,
    serve: async (rt, log) => {
      sink.seed(rt.targets, rt.settings.region);
      const probeLog: Log = { log: () => undefined, warn: (...a) => log(a.join(' ')), error: (...a) => log(a.join(' ')) };
      let server: LocalServer;
      try {
        server = await startLocalServer({ host, port, routes: [metricsRoute(sink), probeRoute(rt, probeLog)] });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new UsageError(`--metrics-port / SQLPROBE_METRICS_PORT: cannot listen on ${host} port ${port} (${code}); pick another port, or stop what holds it`);
      }
      log(`Prometheus metrics on ${server.url}/metrics, on-demand probes on ${server.url}/probe?target=NAME`);
      if (!isLoopback(host)) {
        log(`warning: ${host} is not loopback: anyone who reaches ${server.url} can read every target's results and make sqlprobe probe them; restrict it with a firewall or a reverse proxy`);
      }
      return server;
    },
  };
}
