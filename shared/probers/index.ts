import type { RoundProbe } from '../contract';
import { dnsProber } from './dns';
import { loginProber } from './login';
import type { Prober } from './prober';
import { tcpProber } from './tcp';
import { tlsProber } from './tls';

/**
 * The probers a connectivity round runs, one per probe the catalogue gives to rounds. The idle and
 * pool probes hold connections across ticks: the idle registry (shared/idle) runs those.
 */
export const PROBERS: Record<RoundProbe, Prober> = {
  dns: dnsProber,
  tcp: tcpProber,
  tls: tlsProber,
  login: loginProber,
};

export { credentialFor, managedIdentityClientId } from './auth';
export { loadDriversFor, needsToken, tedious } from './drivers';
export type { Prober, ProbeOptions } from './prober';
export { ProbeRecorder } from './recorder';
export { closeConnection, openSession, type OpenResult, type Session, type SessionInfo } from './session';
