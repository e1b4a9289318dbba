import { ProbeRecorder } from './recorder';
import { isPrivateAddress, isPrivateLinkName, resolveHost } from './resolve';
import type { Prober } from './prober';

/**
 * Resolves the target through the configured resolver (the system's by default) and reports the
 * CNAME chain and the addresses, each marked private or public. A chain through a privatelink alias
 * that ends at a public address is a failure: traffic is bypassing the private endpoint.
 */
export const dnsProber: Prober = async (target, options, signal) => {
  const rec = new ProbeRecorder(target, 'dns', options);
  try {
    const found = await rec.time('dns', () => resolveHost(target.server, { servers: options.dnsServers, timeoutMs: options.timeoutMs, signal, walkChain: true }));
    const addresses = found.addresses.map((a) => ({ ...a, private: isPrivateAddress(a.address) }));
    const privateLinkAlias = found.cnames.some(isPrivateLinkName);
    const dns = { cnames: found.cnames, addresses, privateLinkAlias, resolver: found.resolver };
    const publicAddresses = addresses.filter((a) => !a.private).map((a) => a.address);
    const error = privateLinkAlias && publicAddresses.length
      ? rec.classify({
        class: 'dns-privatelink-public',
        message: `${target.server} resolves through ${found.cnames.filter(isPrivateLinkName).join(', ')} to public ${publicAddresses.join(', ')}`,
      })
      : undefined;
    return rec.result(error, { dns });
  } catch (error) {
    return rec.result(rec.classify({ error, timedOut: signal.aborted }));
  }
};
