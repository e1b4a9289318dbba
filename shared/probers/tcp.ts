import type { BrowserDetails } from '../contract';
import { routeToInstance } from './browser';
import { connectOutcome, connectTcp } from './connect';
import { ProbeRecorder } from './recorder';
import { resolveHost } from './resolve';
import type { Prober } from './prober';

/**
 * Resolves the target, then times a TCP connect to each address (in parallel) and closes it at once.
 * Refused, timeout and unreachable are told apart per address. It succeeds when any address
 * accepts, since a driver tries the addresses in turn; every address's outcome is reported.
 */
export const tcpProber: Prober = async (target, options, signal) => {
  const rec = new ProbeRecorder(target, 'tcp', options);
  let addresses: string[];
  let browser: BrowserDetails | undefined;
  try {
    const found = await rec.time('dns', () => resolveHost(target.server, { servers: options.dnsServers, timeoutMs: options.timeoutMs, signal }));
    addresses = found.addresses.map((a) => a.address);
    const routed = await routeToInstance(rec, target, addresses[0], options.timeoutMs, signal);
    if (routed.error) return rec.result(routed.error, { browser: routed.browser });
    browser = routed.browser;
  } catch (error) {
    return rec.result(rec.classify({ error, timedOut: signal.aborted }));
  }
  const port = rec.instance?.port ?? target.port;
  const failures: unknown[] = [];
  const connects = await rec.time('tcp', () => Promise.all(addresses.map(async (address) => {
    const start = performance.now();
    try {
      (await connectTcp(address, port, signal)).destroy();
      return { address, port, durationMs: performance.now() - start, outcome: 'connected' as const };
    } catch (error) {
      failures.push(error);
      return { address, port, durationMs: performance.now() - start, outcome: connectOutcome(error, signal) };
    }
  })));
  const error = connects.some((c) => c.outcome === 'connected') ? undefined : rec.classify({ error: failures[0], timedOut: signal.aborted });
  return rec.result(error, { tcp: { connects }, ...(browser ? { browser } : {}) });
};
