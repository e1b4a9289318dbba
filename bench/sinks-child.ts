/**
 * Child process of the sinks benchmark: connectivity rounds through the app layer (probeTargets,
 * as the connectivity timer runs them) with the Prometheus endpoint and/or OTLP export on or off,
 * in a fresh process so its CPU time and peak RSS are its own. Config as JSON in argv[2]; it tells
 * the parent over IPC when to scrape, and reports its numbers at the end.
 */
import { probeTargets, type AppRuntime } from '../shared/app';
import { loadConfig, targetSchema } from '../shared/config';
import { IdleRegistry } from '../shared/idle';
import { MemoryStateStore } from '../shared/state';
import { initTelemetry, type Telemetry } from '../shared/telemetry';
import { PrometheusTelemetry } from '../shared/telemetry/prometheus';
import { metricsRoute } from '../cli/serve/metrics-routes';
import { startLocalServer } from '../cli/serve/server';

export interface SinksConfig {
  ports: number[];
  caFile: string;
  user: string;
  passwordSetting: string;
  count: number;
  /** Rounds measured, after one unmeasured warm-up round (the OTLP SDK loads on its first flush). */
  rounds: number;
  metrics: boolean;
  otlpEndpoint?: string;
}

export interface SinksResult {
  cpuMsPerProbe: number;
  peakRssMiB: number;
  probes: number;
  failed: number;
  flushFailed: number;
}

/** Messages to the parent: scrape /metrics now (`mid` a round, or the `idle` time after it), then answer. */
export type ChildMessage = { kind: 'listening'; url: string } | { kind: 'scrape'; when: 'mid' | 'idle' } | { kind: 'done'; result: SinksResult };

const ask = (message: ChildMessage): Promise<void> => new Promise((resolve) => {
  process.once('message', () => resolve());
  process.send?.(message);
});

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]) as SinksConfig;
  const env: Record<string, string | undefined> = { ...process.env, SQLPROBE_CONCURRENCY: '50', ...(config.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: config.otlpEndpoint } : {}) };
  const { settings } = loadConfig(env);
  const targets = Array.from({ length: config.count }, (_, i) => targetSchema.parse({
    name: `t${i}`, server: '127.0.0.1', port: config.ports[i % config.ports.length], database: 'orders', caFile: config.caFile,
    auth: { type: 'sql', user: config.user, passwordSetting: config.passwordSetting }, probes: ['login'],
  }));
  const prometheus = config.metrics ? new PrometheusTelemetry() : undefined;
  let flushFailed = 0;
  const quiet = { log: () => undefined, warn: () => void flushFailed++, error: () => undefined };
  // The targets' password is scrubbed from every result, as in a deployment whose targets name it.
  const secrets = [env[config.passwordSetting] ?? ''];
  const telemetry: Telemetry = initTelemetry(settings, { secrets, print: () => undefined, sinks: prometheus ? [prometheus] : [] });
  const rt: AppRuntime = { settings, targets, problems: [], store: new MemoryStateStore(), telemetry, idle: new IdleRegistry({ maxHeld: settings.SQLPROBE_MAX_HELD_CONNECTIONS }), env };
  if (prometheus) {
    prometheus.seed(targets, settings.region);
    const server = await startLocalServer({ host: '127.0.0.1', port: 0, routes: [metricsRoute(prometheus)] });
    await ask({ kind: 'listening', url: server.url });
  }

  const round = async () => {
    let recorded = 0;
    let mid: Promise<void> | undefined;
    const counting: Telemetry = {
      recordVerdictChange: (c) => telemetry.recordVerdictChange(c),
      flush: (ms) => telemetry.flush(ms),
      shutdown: (ms) => telemetry.shutdown(ms),
      record: (r) => {
        telemetry.record(r);
        // Prometheus scrapes on its own interval: one scrape lands in the middle of a round.
        if (++recorded === config.count >> 1 && prometheus) mid = ask({ kind: 'scrape', when: 'mid' });
      },
    };
    const report = await probeTargets({ ...rt, telemetry: counting }, targets, { budgetMs: 300_000 }, quiet);
    await mid;
    // The scrapes until the next round: only the first one finds anything new.
    if (prometheus) await ask({ kind: 'scrape', when: 'idle' });
    return report;
  };

  await round();
  flushFailed = 0;
  const cpu0 = process.cpuUsage();
  let probes = 0;
  let failed = 0;
  for (let i = 0; i < config.rounds; i++) {
    const report = await round();
    probes += report.results;
    failed += report.failed;
  }
  const cpu = process.cpuUsage(cpu0);
  await telemetry.shutdown(10_000);
  const result: SinksResult = { cpuMsPerProbe: (cpu.user + cpu.system) / 1000 / probes, peakRssMiB: process.resourceUsage().maxRSS / 1024, probes, failed, flushFailed };
  process.send?.({ kind: 'done', result } satisfies ChildMessage, () => process.exit(0));
}

main();
