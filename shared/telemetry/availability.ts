import type { ProbeResult } from '../contract';
import { AVAILABILITY, DIMENSIONS as D, SUCCESS_CLASS } from './names';

export type Attributes = Record<string, string | number | boolean>;

const MESSAGE_TEXT_MAX = 200;

export const resultClass = (r: ProbeResult): string => r.error?.class ?? SUCCESS_CLASS;

/** `<target>/<probe>`: the availability test name, and the span name, so both join on it. */
export const testName = (r: ProbeResult): string => `${r.target}/${r.probe}`;

/** The class plus a short text: the error's first line, or the duration of a success. */
export function availabilityMessage(r: ProbeResult): string {
  const text = r.error ? r.error.message.split('\n', 1)[0].slice(0, MESSAGE_TEXT_MAX) : `${Math.round(r.durationMs)} ms`;
  return `${resultClass(r)}: ${text}`;
}

/** .NET TimeSpan text ("[d.]hh:mm:ss.fff"), the duration format of availabilityResults. */
export function toTimeSpan(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const days = Math.floor(total / 86_400_000);
  const time = `${pad(Math.floor(total / 3_600_000) % 24)}:${pad(Math.floor(total / 60_000) % 60)}:${pad(Math.floor(total / 1000) % 60)}.${pad(total % 1000, 3)}`;
  return days > 0 ? `${days}.${time}` : time;
}

/** The customDimensions of a result. Facts a result lacks are left out rather than sent as "undefined". */
export function resultDimensions(r: ProbeResult): Attributes {
  const dims: Record<string, string | number | boolean | undefined> = {
    [D.target]: r.target,
    [D.server]: r.server,
    [D.probe]: r.probe,
    [D.class]: resultClass(r),
    [D.phase]: r.error?.phase,
    [D.errorNumber]: r.error?.number,
    [D.policy]: r.policy,
    [D.routedPort]: r.routed?.port,
    [D.tlsVersion]: r.tls?.version,
    [D.hostnameMatches]: r.tls?.hostnameMatches,
    [D.certDaysLeft]: r.tls?.cert?.daysLeft,
    [D.attempts]: r.attempts.length,
    [D.version]: r.sqlprobeVersion,
    [D.loopLagMaxMs]: r.loopLag?.maxMs,
    [D.loopLagMeanMs]: r.loopLag?.meanMs,
    [D.measurement]: r.measurement,
  };
  return Object.fromEntries(Object.entries(dims).filter((e): e is [string, string | number | boolean] => e[1] !== undefined));
}

/** The log-record attributes the exporter turns into one availabilityResults row. */
export function availabilityAttributes(r: ProbeResult): Attributes {
  return {
    [AVAILABILITY.id]: r.id,
    [AVAILABILITY.name]: testName(r),
    [AVAILABILITY.duration]: toTimeSpan(r.durationMs),
    [AVAILABILITY.success]: r.success,
    [AVAILABILITY.runLocation]: r.region,
    [AVAILABILITY.message]: availabilityMessage(r),
    ...resultDimensions(r),
  };
}
