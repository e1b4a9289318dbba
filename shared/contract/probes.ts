import { z } from 'zod';
import type { Phase } from './classification';

export interface ProbeTraits {
  /** It logs in, so it needs credentials: a target with auth "none" cannot run it. */
  needsLogin: boolean;
  /** It finishes in seconds; the others hold connections for minutes. */
  oneShot: boolean;
  /** The phase its prober starts in: everything that connects resolves the name first. */
  firstPhase: Phase;
  /** The phase it measures: a prober that ignores its deadline is reported timed out in it. */
  phase: Phase;
  /** What runs it: a connectivity round, or the idle registry that holds connections across ticks. */
  driver: 'round' | 'idle';
  /** A target runs it when it lists no probes of its own. */
  byDefault: boolean;
}

/** Every probe sqlprobe has, with its traits; every list of probes derives from this table. */
export const PROBE_CATALOGUE = {
  dns: { needsLogin: false, oneShot: true, firstPhase: 'dns', phase: 'dns', driver: 'round', byDefault: true },
  tcp: { needsLogin: false, oneShot: true, firstPhase: 'dns', phase: 'tcp', driver: 'round', byDefault: true },
  tls: { needsLogin: false, oneShot: true, firstPhase: 'dns', phase: 'tls', driver: 'round', byDefault: true },
  login: { needsLogin: true, oneShot: true, firstPhase: 'dns', phase: 'login', driver: 'round', byDefault: true },
  idle: { needsLogin: true, oneShot: false, firstPhase: 'idle', phase: 'idle', driver: 'idle', byDefault: false },
  pool: { needsLogin: true, oneShot: false, firstPhase: 'idle', phase: 'idle', driver: 'idle', byDefault: false },
} as const satisfies Record<string, ProbeTraits>;

export type ProbeName = keyof typeof PROBE_CATALOGUE;
export const PROBES = Object.keys(PROBE_CATALOGUE) as ProbeName[];
export const probeName = z.enum(PROBES as [ProbeName, ...ProbeName[]], { error: `expected one of ${PROBES.join(', ')}` });

const where = (test: (traits: ProbeTraits) => boolean): ProbeName[] => PROBES.filter((p) => test(PROBE_CATALOGUE[p]));

/** The probes a connectivity round runs (a timer, an on-demand HTTP probe, `sqlprobe probe`). */
export type RoundProbe = { [P in ProbeName]: (typeof PROBE_CATALOGUE)[P]['driver'] extends 'round' ? P : never }[ProbeName];
export const ROUND_PROBES = where((t) => t.driver === 'round') as RoundProbe[];
export const isRoundProbe = (probe: ProbeName): probe is RoundProbe => PROBE_CATALOGUE[probe].driver === 'round';

export const needsLogin = (probe: ProbeName): boolean => PROBE_CATALOGUE[probe].needsLogin;
export const isOneShot = (probe: ProbeName): boolean => PROBE_CATALOGUE[probe].oneShot;
/** The probes a target runs when it lists none. */
export const DEFAULT_PROBES = where((t) => t.byDefault);
/** The default probes of a target without credentials (auth "none"). */
export const CREDENTIAL_LESS_PROBES = DEFAULT_PROBES.filter((p) => !needsLogin(p));
