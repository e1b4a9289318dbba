import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { formatDuration, type Target } from '../config';
import { IDLE_OUTCOMES, type Measurement, type ProbeResult, type VerdictChange, VERDICT_KINDS } from '../contract';
import { resultClass } from './availability';
import { BORROW_CHECKS, SUCCESS_CLASS } from './names';
import { DEATH_AGE_BUCKETS, PHASE_BUCKETS, PROM_LABELS as L, PROMETHEUS as P, type PromMetric } from './prometheus-names';
import type { Telemetry } from './types';

type Labels = Record<string, string>;

function instruments(registry: Registry) {
  const opts = (m: PromMetric) => ({ name: m.name, help: m.help, labelNames: [...m.labels], registers: [registry] });
  return {
    probeSuccess: new Gauge(opts(P.probeSuccess)),
    probeDuration: new Gauge(opts(P.probeDuration)),
    probeTimestamp: new Gauge(opts(P.probeTimestamp)),
    probeClass: new Gauge(opts(P.probeClass)),
    probeResults: new Counter(opts(P.probeResults)),
    phaseDuration: new Histogram({ ...opts(P.phaseDuration), buckets: PHASE_BUCKETS }),
    loopLag: new Gauge(opts(P.loopLag)),
    certExpiry: new Gauge(opts(P.certExpiry)),
    tlsInfo: new Gauge(opts(P.tlsInfo)),
    policyInfo: new Gauge(opts(P.policyInfo)),
    idleOutcomes: new Counter(opts(P.idleOutcomes)),
    idleDeathAge: new Histogram({ ...opts(P.idleDeathAge), buckets: DEATH_AGE_BUCKETS }),
    idleVerdict: new Gauge(opts(P.idleVerdict)),
    verdictChanges: new Counter(opts(P.verdictChanges)),
    poolDeadOnBorrow: new Counter(opts(P.poolDeadOnBorrow)),
  };
}

/**
 * Probe results as Prometheus metrics, through prom-client, in a registry of its own: `sqlprobe
 * start` serves one for /metrics, and /probe fills a fresh one per request. Gauges hold the latest
 * result; an info-style series whose facts changed (another class, verdict, policy or TLS version)
 * is replaced, not left beside the new one.
 *
 * Results wait until the next flush (the end of a round or an idle tick), so a scrape sees whole
 * rounds, and the exposition (about half a second to build at 1,000 targets, docs/BENCHMARKS.md)
 * is rebuilt once per round however often Prometheus scrapes; its gzip form, which Prometheus asks
 * for, is kept beside it.
 */
export class PrometheusTelemetry implements Telemetry {
  private readonly registry = new Registry();
  private readonly m = instruments(this.registry);
  /** The labels each info series was last set with, by gauge and by what it describes. */
  private readonly infos = new Map<Gauge, Map<string, Labels>>();
  private readonly pending: (() => void)[] = [];
  private built?: { plain: Promise<Buffer>; gzip?: Promise<Buffer> };

  readonly contentType = this.registry.contentType;

  /**
   * Creates the counters the configured targets will increment, at 0: Prometheus's increase() and
   * rate() count nothing for a series whose first sample already holds the first increment.
   * Failure classes are too many to list; their latest one is in sqlprobe_probe_class_info.
   * Successes are created as clean measurements only: a perturbed series appears with the first
   * perturbed result, so a process that never has one exposes no more series than before.
   */
  seed(targets: readonly Target[], region: string): void {
    const m = this.m;
    const verdicts = VERDICT_KINDS.filter((v) => v !== 'inconclusive');
    for (const t of targets) {
      const where = { [L.target]: t.name, [L.region]: region };
      for (const probe of t.probes) m.probeResults.inc({ ...where, [L.probe]: probe, [L.class]: SUCCESS_CLASS, [L.measurement]: 'clean' satisfies Measurement }, 0);
      if (t.probes.includes('idle')) {
        for (const rungMs of t.idle.rungs) for (const keepalive of t.idle.keepalive) for (const outcome of IDLE_OUTCOMES) {
          m.idleOutcomes.inc({ ...where, [L.rung]: formatDuration(rungMs), [L.keepalive]: keepalive, [L.outcome]: outcome }, 0);
        }
        for (const verdict of verdicts) for (const previous of ['none', ...VERDICT_KINDS]) {
          if (previous !== verdict) m.verdictChanges.inc({ ...where, [L.verdict]: verdict, [L.previousVerdict]: previous }, 0);
        }
      }
      if (t.probes.includes('pool')) for (const check of Object.values(BORROW_CHECKS)) m.poolDeadOnBorrow.inc({ ...where, [L.borrowCheck]: check }, 0);
    }
    this.built = undefined;
  }

  record(r: ProbeResult): void {
    this.pending.push(() => this.apply(r));
  }

  recordVerdictChange(c: VerdictChange): void {
    this.pending.push(() => this.m.verdictChanges.inc({ [L.target]: c.target, [L.region]: c.region, [L.verdict]: c.verdict, [L.previousVerdict]: c.previous ?? 'none' }));
  }

  /** Applies what was recorded since the last flush: from now on scrapes see it. */
  async flush(): Promise<boolean> {
    if (this.pending.length > 0) {
      for (const apply of this.pending.splice(0)) apply();
      this.built = undefined;
    }
    return true;
  }

  shutdown(): Promise<boolean> {
    return this.flush();
  }

  /** The exposition (Prometheus text format 0.0.4), gzipped when asked; built once per flush that changed it. */
  body(gzipped: boolean): Promise<Buffer> {
    const built = (this.built ??= { plain: this.registry.metrics().then((text) => Buffer.from(text)) });
    if (!gzipped) return built.plain;
    // Level 1: a tenth of the size at a fraction of the cost of the default level.
    built.gzip ??= built.plain.then((plain) => promisify(gzip)(plain, { level: 1 }));
    return built.gzip;
  }

  /** The exposition as text. */
  async exposition(): Promise<string> {
    return (await this.body(false)).toString('utf8');
  }

  private apply(r: ProbeResult): void {
    const m = this.m;
    const where = { [L.target]: r.target, [L.region]: r.region };
    const probe = { ...where, [L.probe]: r.probe };
    const cls = resultClass(r);
    m.probeSuccess.set(probe, r.success ? 1 : 0);
    m.probeDuration.set(probe, r.durationMs / 1000);
    m.probeTimestamp.set(probe, Date.parse(r.startedAt) / 1000);
    this.info(m.probeClass, probe, { [L.class]: cls });
    // As for the Azure metric: a result from before loop lag was measured has no measurement label,
    // so `measurement!=""` leaves it out of the perturbed share.
    const measured = r.measurement ? { [L.measurement]: r.measurement } : {};
    m.probeResults.inc({ ...probe, [L.class]: cls, ...measured });
    // A perturbed result's phases are the prober's delays, not the network's: the histogram holds
    // clean (and older, unmeasured) samples only. A measurement label on it would write every bucket
    // line twice for a target with both kinds (at 1,000 targets, /metrics nearly doubled, docs/BENCHMARKS.md).
    if (r.measurement !== 'perturbed') {
      for (const phase of r.phases) m.phaseDuration.observe({ ...probe, [L.phase]: phase.name }, phase.durationMs / 1000);
    }
    if (r.loopLag) m.loopLag.set(probe, r.loopLag.maxMs / 1000);
    else m.loopLag.remove(probe);

    const server = { ...where, [L.server]: r.server };
    if (r.tls?.cert) m.certExpiry.set(server, Date.parse(r.tls.cert.notAfter) / 1000);
    if (r.tls?.version) this.info(m.tlsInfo, server, { [L.version]: r.tls.version });
    if (r.policy) this.info(m.policyInfo, where, { [L.policy]: r.policy });

    for (const o of r.idle?.outcomes ?? []) {
      const labels = { ...where, [L.rung]: formatDuration(o.rungMs), [L.keepalive]: o.keepalive, [L.outcome]: o.outcome };
      m.idleOutcomes.inc(labels);
      if (o.deathAgeMs !== undefined) m.idleDeathAge.observe(labels, o.deathAgeMs / 1000);
    }
    const verdict = r.idle?.verdict;
    // "Inconclusive" is the absence of a verdict, as for the verdict-change event: the last real one stands.
    if (verdict && verdict.kind !== 'inconclusive') {
      this.info(m.idleVerdict, where, { [L.verdict]: verdict.kind, [L.recommendation]: verdict.recommendations[0] ?? verdict.text });
    }
    if (r.pool && !r.pool.inconclusive) {
      m.poolDeadOnBorrow.inc({ ...where, [L.borrowCheck]: BORROW_CHECKS.none }, r.pool.failedOnFirstUse);
      // Results stored before the validated borrow was measured carry the socket check's estimate.
      m.poolDeadOnBorrow.inc({ ...where, [L.borrowCheck]: BORROW_CHECKS.socketCheck }, r.pool.validatedFailures ?? r.pool.missedBySocketCheck);
    }
  }

  /** Sets the info series of `subject` to `facts`, removing the one it had when the facts changed. */
  private info(gauge: Gauge, subject: Labels, facts: Labels): void {
    const set = this.infos.get(gauge) ?? new Map<string, Labels>();
    this.infos.set(gauge, set);
    const key = Object.values(subject).join('\0');
    const labels = { ...subject, ...facts };
    const was = set.get(key);
    if (was && Object.keys(facts).some((k) => was[k] !== facts[k])) gauge.remove(was);
    set.set(key, labels);
    gauge.set(labels, 1);
  }
}
