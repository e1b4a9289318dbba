import { dnsProber } from './dns';
import { idleProber } from './idle';
import { loginProber } from './login';
import { poolProber } from './pool';
import { tcpProber } from './tcp';
import { tlsProber } from './tls';
import type { Prober } from './types';

export type ConnectivityProbe = 'dns' | 'tcp' | 'tls' | 'login';

/** Every prober by probe name; idle and pool keep their held connections in shared/idle. */
export const PROBERS: Record<ConnectivityProbe | 'idle' | 'pool', Prober> = {
  dns: dnsProber,
  tcp: tcpProber,
  tls: tlsProber,
  login: loginProber,
  idle: idleProber,
  pool: poolProber,
};

export * from './session';
export { ProbeRecorder, secretsOf } from './record';
export type { Prober, ProbeOptions } from './types';
