import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface Resolution {
  /** The CNAME chain from the queried name to the name holding the addresses, in order; empty unless `walkChain`. */
  cnames: string[];
  addresses: ResolvedAddress[];
  /** "system" (getaddrinfo, like drivers), "literal" for an IP, or the configured servers. */
  resolver: string;
}

export interface ResolveOptions {
  /** DNS servers ("ip" or "ip:port"); the system's getaddrinfo when absent. */
  servers?: readonly string[];
  timeoutMs: number;
  signal: AbortSignal;
  /**
   * Also walk the CNAME chain (extra queries): only the dns probe reports it. The probes that
   * connect resolve the way a driver does, A/AAAA only, so their dns phase has no extra round trip.
   */
  walkChain?: boolean;
}

const MAX_CHAIN = 8;
const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND']);

/** Private, loopback, link-local and CGNAT ranges: an address here is not a public endpoint. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['fc00::', 7], ['fe80::', 10], ['::1', 128]] as const) PRIVATE.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export const isPrivateLinkName = (name: string): boolean => /(^|\.)privatelink\./i.test(name);

/** Rejects with the signal's reason once it aborts, so no lookup outlives the probe's deadline. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal, onAbort?: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort?.();
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort?.();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

function newResolver(opts: ResolveOptions): dns.Resolver {
  // One try with the probe's own budget: the probe reports slowness instead of retrying it away.
  const resolver = new dns.Resolver({ timeout: Math.max(100, Math.min(opts.timeoutMs, 5000)), tries: 1 });
  if (opts.servers?.length) resolver.setServers([...opts.servers]);
  return resolver;
}

async function orEmpty<T>(query: Promise<T[]>): Promise<T[]> {
  try {
    return await query;
  } catch (err) {
    if (NO_RECORD.has((err as NodeJS.ErrnoException).code ?? '')) return [];
    throw err;
  }
}

async function cnameChain(resolver: dns.Resolver, host: string): Promise<string[]> {
  const chain: string[] = [];
  let name = host;
  while (chain.length < MAX_CHAIN) {
    const [next] = await orEmpty(resolver.resolveCname(name));
    if (!next || chain.includes(next)) break;
    chain.push(next);
    name = next;
  }
  return chain;
}

async function viaServers(resolver: dns.Resolver, host: string, servers: readonly string[], walkChain: boolean): Promise<Resolution> {
  const chain = walkChain ? cnameChain(resolver, host) : Promise.resolve([]);
  const [cnames, v4, v6] = await Promise.all([chain, orEmpty(resolver.resolve4(host)), orEmpty(resolver.resolve6(host))]);
  const addresses = [...v4.map((address) => ({ address, family: 4 as const })), ...v6.map((address) => ({ address, family: 6 as const }))];
  if (!addresses.length) throw Object.assign(new Error(`${host}: no A or AAAA record (NXDOMAIN or NODATA) from ${servers.join(', ')}`), { code: 'ENOTFOUND' });
  return { cnames, addresses, resolver: servers.join(',') };
}

async function viaSystem(resolver: dns.Resolver, host: string, walkChain: boolean): Promise<Resolution> {
  // getaddrinfo is what drivers use (hosts file included); the chain is best effort from the same
  // servers. A single-label name (localhost) has no chain worth asking DNS for, and asking can stall
  // for the resolver's whole timeout where no DNS server answers.
  const chain = walkChain && host.includes('.') ? cnameChain(resolver, host).catch(() => []) : Promise.resolve([]);
  const [found, cnames] = await Promise.all([dns.lookup(host, { all: true }), chain]);
  return { cnames, addresses: found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })), resolver: 'system' };
}

/** Resolves `host` to its addresses (and with `walkChain` its CNAME chain), honouring the probe's signal. */
export async function resolveHost(host: string, opts: ResolveOptions): Promise<Resolution> {
  const literal = isIP(host.replace(/^\[|\]$/g, ''));
  if (literal) return { cnames: [], addresses: [{ address: host.replace(/^\[|\]$/g, ''), family: literal === 6 ? 6 : 4 }], resolver: 'literal' };
  const resolver = newResolver(opts);
  const walkChain = opts.walkChain === true;
  const work = opts.servers?.length ? viaServers(resolver, host, opts.servers, walkChain) : viaSystem(resolver, host, walkChain);
  return abortable(work, opts.signal, () => resolver.cancel());
}
