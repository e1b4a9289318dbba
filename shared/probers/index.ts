import { dnsProber } from './dns';
import { loginProber } from './login';
import { tcpProber } from './tcp';
import { tlsProber } from './tls';
import type { Prober } from './types';

export type ConnectivityProbe = 'dns' | 'tcp' | 'tls' | 'login';

/**
 * The connectivity probers by probe name, as rounds run them. The `idle` and `pool` probes are not
 * here: they hold connections across ticks, so the `idle-tick` timer drives them through the
 * process's IdleRegistry (shared/idle), and `sqlprobe idle` runs a ladder with `runSingle`.
 */
export const PROBERS: Record<ConnectivityProbe, Prober> = {
  dns: dnsProber,
  tcp: tcpProber,
  tls: tlsProber,
  login: loginProber,
};

export * from './session';
export { ProbeRecorder, secretsOf } from './record';
export type { Prober, ProbeOptions } from './types';
