/**
 * Every telemetry name sqlprobe emits, in one place. The alert queries and the workbook in infra/
 * are checked against this module, and docs/telemetry.md must mention every value here (a test
 * checks it), so renaming here without updating them fails a test.
 */
export const METRICS = {
  phaseDuration: 'sqlprobe.phase.duration',
  probeResult: 'sqlprobe.probe.result',
  idleOutcome: 'sqlprobe.idle.outcome',
  idleDeathAge: 'sqlprobe.idle.death_age',
  certDaysLeft: 'sqlprobe.tls.cert_days_left',
  poolDeadOnBorrow: 'sqlprobe.pool.dead_on_borrow',
} as const;

/** Custom-event names (log records with microsoft.custom_event.name). */
export const EVENTS = {
  verdictChanged: 'sqlprobe.idle.verdict_changed',
} as const;

/** Dimension (attribute) names shared by availability results, metrics, spans and events. */
export const DIMENSIONS = {
  target: 'target',
  server: 'server',
  probe: 'probe',
  class: 'class',
  phase: 'phase',
  errorNumber: 'errorNumber',
  policy: 'policy',
  routedPort: 'routedPort',
  tlsVersion: 'tlsVersion',
  hostnameMatches: 'hostnameMatches',
  certDaysLeft: 'certDaysLeft',
  attempts: 'attempts',
  region: 'region',
  version: 'sqlprobeVersion',
  rung: 'rung',
  keepalive: 'keepalive',
  outcome: 'outcome',
  verdict: 'verdict',
  previousVerdict: 'previousVerdict',
  recommendation: 'recommendation',
  durationMs: 'durationMs',
  borrowCheck: 'borrowCheck',
  loopLagMaxMs: 'loopLagMaxMs',
  loopLagMeanMs: 'loopLagMeanMs',
  measurement: 'measurement',
} as const;

/** Values of the `borrowCheck` dimension of sqlprobe.pool.dead_on_borrow. */
export const BORROW_CHECKS = {
  /** Borrowed without validation: every first use that failed. */
  none: 'none',
  /** Borrowed after a socket check: the dead connections the check let through. */
  socketCheck: 'socket-check',
} as const;

/** The `class` dimension of a successful result, so every result has one (failures carry their class). */
export const SUCCESS_CLASS = 'ok';

/** Availability-result attributes that the Azure Monitor exporter maps onto availabilityResults. */
export const AVAILABILITY = {
  id: 'microsoft.availability.id',
  name: 'microsoft.availability.name',
  duration: 'microsoft.availability.duration',
  success: 'microsoft.availability.success',
  runLocation: 'microsoft.availability.runLocation',
  message: 'microsoft.availability.message',
} as const;

/**
 * Span attributes read by the exporter. It builds the dependency's target from net.peer.name, not
 * from server.address, so the probe span carries both.
 */
export const SPAN_ATTRIBUTES = {
  dbSystem: 'db.system',
  dbSystemValue: 'mssql',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  peerName: 'net.peer.name',
} as const;

/** Name of the span event for each phase; the phase itself is in the `phase` attribute. */
export const PHASE_EVENT = 'sqlprobe.phase';

export const CUSTOM_EVENT_NAME = 'microsoft.custom_event.name';
export const TRACER_NAME = 'sqlprobe';
