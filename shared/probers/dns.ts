import { isIP } from 'node:net';
import { type Answer, ask, comparison, splitMessage } from './dns-compare';
import { ProbeRecorder } from './recorder';
import { isPrivateAddress, isPrivateLinkName } from './resolve';
import type { Prober } from './prober';

/**
 * Resolves the target through the configured resolver (the system's by default) and reports the
 * CNAME chain and the addresses, each marked private or public. A chain through a privatelink alias
 * that ends at a public address is a failure: traffic is bypassing the private endpoint. With
 * `dns.compare`, the other resolvers are asked at the same time, and resolvers that disagree on
 * whether the name exists or is private fail the probe (dns-resolver-split).
 */
export const dnsProber: Prober = async (target, options, signal) => {
  const rec = new ProbeRecorder(target, 'dns', options);
  // An IP literal resolves to itself whoever is asked: there is nothing to compare.
  const compare = isIP(target.server.replace(/^\[|\]$/g, '')) ? [] : (target.dns?.compare ?? []);
  const resolve = (servers?: readonly string[]) => ask(target.server, servers, options.timeoutMs, signal);
  let own: Answer;
  let others: Answer[];
  try {
    [own, others] = await rec.time('dns', () => Promise.all([resolve(options.dnsServers), Promise.all(compare.map((server) => resolve([server])))]));
  } catch (error) {
    return rec.result(rec.classify({ error, timedOut: signal.aborted }));
  }
  const compared = compare.length ? { compare: others.map((o) => comparison(own, o)) } : {};
  const split = splitMessage(target.server, own, others);
  const found = own.resolution;
  if (!found) {
    const error = split
      ? rec.classify({ class: 'dns-resolver-split', message: split })
      : rec.classify({ error: own.cause });
    return rec.result(error, compare.length ? { dns: { cnames: [], addresses: [], privateLinkAlias: false, resolver: own.resolver, ...compared } } : {});
  }
  const addresses = found.addresses.map((a) => ({ ...a, private: isPrivateAddress(a.address) }));
  const privateLinkAlias = found.cnames.some(isPrivateLinkName);
  const dns = { cnames: found.cnames, addresses, privateLinkAlias, resolver: found.resolver, ...compared };
  const publicAddresses = addresses.filter((a) => !a.private).map((a) => a.address);
  const error = privateLinkAlias && publicAddresses.length
    ? rec.classify({
      class: 'dns-privatelink-public',
      message: `${target.server} resolves through ${found.cnames.filter(isPrivateLinkName).join(', ')} to public ${publicAddresses.join(', ')}`,
    })
    : split ? rec.classify({ class: 'dns-resolver-split', message: split }) : undefined;
  return rec.result(error, { dns });
};
