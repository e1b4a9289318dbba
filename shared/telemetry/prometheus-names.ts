import { DIMENSIONS, EVENTS, METRICS } from './names';

/**
 * Every Prometheus metric sqlprobe exposes, in one place. Names follow the Prometheus conventions
 * (https://prometheus.io/docs/practices/naming/): a `sqlprobe_` prefix, base units (seconds) in
 * the name, `_total` on counters, `_info` on info-style gauges that are always 1 and carry their
 * facts as labels. deploy/prometheus/rules.yml, the Grafana dashboard and docs/telemetry.md are
 * checked against this table; `azure` names the Application Insights counterpart.
 */

/** Label names (Prometheus spells them in snake_case). */
export const PROM_LABELS = {
  target: 'target',
  region: 'region',
  probe: 'probe',
  phase: 'phase',
  class: 'class',
  server: 'server',
  version: 'version',
  policy: 'policy',
  rung: 'rung',
  keepalive: 'keepalive',
  outcome: 'outcome',
  verdict: 'verdict',
  previousVerdict: 'previous_verdict',
  recommendation: 'recommendation',
  borrowCheck: 'borrow_check',
  measurement: 'measurement',
} as const;
type Label = (typeof PROM_LABELS)[keyof typeof PROM_LABELS];

export interface PromMetric {
  name: string;
  type: 'gauge' | 'counter' | 'histogram';
  help: string;
  labels: readonly Label[];
  /** The Application Insights name (metric, event, or table column) that carries the same fact. */
  azure: string;
}

const L = PROM_LABELS;
const PROBE = [L.target, L.region, L.probe] as const;
const IDLE = [L.target, L.region, L.rung, L.keepalive, L.outcome] as const;

export const PROMETHEUS = {
  probeSuccess: { name: 'sqlprobe_probe_success', type: 'gauge', help: 'Whether the latest result of the probe succeeded (1) or failed (0)', labels: PROBE, azure: 'availabilityResults success' },
  probeDuration: { name: 'sqlprobe_probe_duration_seconds', type: 'gauge', help: 'Duration of the latest result of the probe', labels: PROBE, azure: 'availabilityResults duration' },
  probeTimestamp: { name: 'sqlprobe_probe_timestamp_seconds', type: 'gauge', help: 'When the latest result of the probe started, in Unix seconds', labels: PROBE, azure: 'availabilityResults timestamp' },
  probeClass: { name: 'sqlprobe_probe_class_info', type: 'gauge', help: 'The failure class of the latest result of the probe ("ok" for a success); always 1', labels: [...PROBE, L.class], azure: 'availabilityResults class' },
  probeResults: { name: 'sqlprobe_probe_results_total', type: 'counter', help: 'Probe results by class; class "ok" is a success; measurement "perturbed" when the prober\'s own load may have stretched the timings (their phases are left out of sqlprobe_phase_duration_seconds)', labels: [...PROBE, L.class, L.measurement], azure: METRICS.probeResult },
  phaseDuration: { name: 'sqlprobe_phase_duration_seconds', type: 'histogram', help: 'Duration of one phase of a probe, from results the prober\'s own load did not perturb (perturbed ones count only in sqlprobe_probe_results_total)', labels: [...PROBE, L.phase], azure: METRICS.phaseDuration },
  loopLag: { name: 'sqlprobe_probe_loop_lag_seconds', type: 'gauge', help: 'The largest delay of the prober\'s own event loop while the latest result of the probe ran', labels: PROBE, azure: `availabilityResults ${DIMENSIONS.loopLagMaxMs}` },
  certExpiry: { name: 'sqlprobe_tls_cert_expiry_timestamp_seconds', type: 'gauge', help: 'When the server certificate expires (notAfter), in Unix seconds', labels: [L.target, L.region, L.server], azure: METRICS.certDaysLeft },
  tlsInfo: { name: 'sqlprobe_tls_info', type: 'gauge', help: 'The TLS version negotiated by the latest probe that reached TLS; always 1', labels: [L.target, L.region, L.server, L.version], azure: 'availabilityResults tlsVersion' },
  policyInfo: { name: 'sqlprobe_connection_policy_info', type: 'gauge', help: 'The path the latest login took: proxy (through the gateway) or redirect (to the node); always 1', labels: [L.target, L.region, L.policy], azure: 'availabilityResults policy' },
  idleOutcomes: { name: 'sqlprobe_idle_outcomes_total', type: 'counter', help: 'Idle connections checked at their rung, by outcome', labels: IDLE, azure: METRICS.idleOutcome },
  idleDeathAge: { name: 'sqlprobe_idle_death_age_seconds', type: 'histogram', help: 'Idle age at which a held connection was closed or found dead', labels: IDLE, azure: METRICS.idleDeathAge },
  idleVerdict: { name: 'sqlprobe_idle_verdict_info', type: 'gauge', help: 'The latest conclusive idle verdict of the target and its first recommendation; always 1', labels: [L.target, L.region, L.verdict, L.recommendation], azure: `${EVENTS.verdictChanged} verdict` },
  verdictChanges: { name: 'sqlprobe_idle_verdict_changes_total', type: 'counter', help: 'Idle verdicts that appeared or changed; previous_verdict is "none" for a first verdict', labels: [L.target, L.region, L.verdict, L.previousVerdict], azure: EVENTS.verdictChanged },
  poolDeadOnBorrow: { name: 'sqlprobe_pool_dead_on_borrow_total', type: 'counter', help: 'Pooled connections whose first use after idle failed, without a borrow check (none) and with a socket check (socket-check)', labels: [L.target, L.region, L.borrowCheck], azure: METRICS.poolDeadOnBorrow },
} as const satisfies Record<string, PromMetric>;

export type PromMetricKey = keyof typeof PROMETHEUS;

/** The names as Prometheus stores them: a histogram is its _bucket, _sum and _count series. */
export function promSeriesNames(): string[] {
  return Object.values(PROMETHEUS).flatMap((m: PromMetric) => (m.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => m.name + s) : [m.name]));
}

/**
 * Bucket bounds in seconds. Phases: from a loopback DNS answer to the default 30 s probe timeout,
 * with the 2 s login p95 alert threshold between two bounds. Idle deaths: around the idle timers
 * that kill connections (a NAT's 4 minutes, the Azure SQL gateway's 30) and up to an hour.
 */
export const PHASE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
export const DEATH_AGE_BUCKETS = [10, 30, 60, 120, 240, 300, 600, 900, 1200, 1800, 2400, 3600];
