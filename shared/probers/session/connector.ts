import type { Socket } from 'node:net';
import type { z } from 'zod';
import { connectOutcome, connectTcp } from '../connect';
import { resolveHost } from '../resolve';
import type { tcpDetailsSchema } from '../result';
import type { ProbeOptions } from '../types';
import type { SessionTimeline } from './timeline';

export type TcpConnect = z.infer<typeof tcpDetailsSchema>['connects'][number];

export interface ConnectorState {
  /** Every TCP connect tedious asked for: the gateway, and the node after a redirect. */
  connects: TcpConnect[];
  /** During a redirect: whether the TCP connect to the routed node completed. */
  routedConnected?: boolean;
}

type TediousConnector = (opts?: { host: string; port: number; localAddress?: string }, lookup?: unknown, signal?: AbortSignal) => Promise<Socket>;

/**
 * tedious's `options.connector`: called for the first hop and again for a redirect with the routed
 * host and port. It times DNS and TCP itself, tries the addresses in turn like tedious does, and
 * honours both tedious's signal and the probe's (tedious does not race a connector against its timeout).
 */
export function timedConnector(options: ProbeOptions, probeSignal: AbortSignal, timeline: SessionTimeline, state: ConnectorState, strict: boolean): TediousConnector {
  return async (opts, _lookup, tediousSignal) => {
    if (!opts) throw new Error('tedious called the connector without a host');
    const signal = tediousSignal ? AbortSignal.any([tediousSignal, probeSignal]) : probeSignal;
    const routed = timeline.rerouting;
    if (routed) state.routedConnected = false;
    timeline.enter('dns');
    const { addresses } = await resolveHost(opts.host, { servers: options.dnsServers, timeoutMs: options.timeoutMs, signal });
    timeline.enter('tcp');
    let lastError: unknown;
    for (const { address } of addresses) {
      const start = performance.now();
      try {
        const socket = await connectTcp(address, opts.port, signal, opts.localAddress);
        state.connects.push({ address, port: opts.port, durationMs: performance.now() - start, outcome: 'connected' });
        if (routed) state.routedConnected = true;
        // Strict (TDS 8.0) mode: tedious wraps the socket in TLS before it sends PRELOGIN.
        timeline.enter(strict ? 'tls' : 'prelogin');
        return socket;
      } catch (error) {
        state.connects.push({ address, port: opts.port, durationMs: performance.now() - start, outcome: connectOutcome(error, signal) });
        lastError = error;
        if (signal.aborted) break;
      }
    }
    throw lastError;
  };
}
