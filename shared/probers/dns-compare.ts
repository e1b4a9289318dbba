import type { DnsComparison } from '../contract';
import { isPrivateAddress, isPrivateLinkName, resolveHost, type Resolution } from './resolve';

type Outcome = DnsComparison['outcome'];
type Difference = DnsComparison['differences'][number];

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);
const TIMEOUT = new Set(['ETIMEOUT', 'ETIMEDOUT']);

/** What one resolver said: the same shape for the probe's own resolver and each comparison. */
export interface Answer {
  resolver: string;
  outcome: Outcome;
  resolution?: Resolution;
  error?: string;
  /** What the resolver threw, for the probe's own resolver's classification. */
  cause?: unknown;
}

/** Resolves through `servers` (the system's resolver when absent); rejects only when the probe's signal aborts. */
export async function ask(host: string, servers: readonly string[] | undefined, timeoutMs: number, signal: AbortSignal): Promise<Answer> {
  const resolver = servers?.length ? servers.join(',') : 'system';
  try {
    return { resolver, outcome: 'answered', resolution: await resolveHost(host, { servers, timeoutMs, signal, walkChain: true }) };
  } catch (err) {
    if (signal.aborted) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const outcome: Outcome = NOT_FOUND.has(code) ? 'not-found' : TIMEOUT.has(code) ? 'timeout' : 'failed';
    return { resolver, outcome, error: code, cause: err };
  }
}

const addressesOf = (a: Answer) => (a.resolution?.addresses ?? []).map((x) => ({ ...x, private: isPrivateAddress(x.address) }));
/** "private", "public" or "mixed": what a client of this resolver would reach. */
const visibility = (a: Answer): string => [...new Set(addressesOf(a).map((x) => (x.private ? 'private' : 'public')))].sort().join('+');
const sameList = (x: readonly string[], y: readonly string[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);

/** How `other` differs from `own`; nothing when either could not answer at all (a broken resolver is not a split). */
function differences(own: Answer, other: Answer): Difference[] {
  const decided = (a: Answer) => a.outcome === 'answered' || a.outcome === 'not-found';
  if (!decided(own) || !decided(other)) return [];
  if (own.outcome !== other.outcome) return ['answer'];
  if (own.outcome === 'not-found') return [];
  const out: Difference[] = [];
  if (visibility(own) !== visibility(other)) out.push('visibility');
  const sorted = (a: Answer) => addressesOf(a).map((x) => x.address).sort();
  if (!sameList(sorted(own), sorted(other))) out.push('addresses');
  if (!sameList(own.resolution?.cnames ?? [], other.resolution?.cnames ?? [])) out.push('cnames');
  return out;
}

export function comparison(own: Answer, other: Answer): DnsComparison {
  const cnames = other.resolution?.cnames ?? [];
  return {
    resolver: other.resolver,
    outcome: other.outcome,
    cnames,
    addresses: addressesOf(other),
    privateLinkAlias: cnames.some(isPrivateLinkName),
    differences: differences(own, other),
    ...(other.error ? { error: other.error } : {}),
  };
}

function describe(a: Answer): string {
  if (a.outcome !== 'answered') return `${a.resolver} → ${a.outcome === 'not-found' ? 'no such name' : a.outcome}`;
  const via = a.resolution?.cnames.length ? ` via ${a.resolution.cnames.join(' → ')}` : '';
  return `${a.resolver} → ${addressesOf(a).map((x) => `${x.address} (${x.private ? 'private' : 'public'})`).join(', ')}${via}`;
}

/**
 * A split worth failing the probe for: resolvers that disagree on whether the name exists, or on
 * whether it is private (a private endpoint only some resolvers know). Other differences, such as
 * another gateway address or CNAME, are reported in the details without failing.
 */
export function splitMessage(host: string, own: Answer, others: readonly Answer[]): string | undefined {
  const split = others.filter((o) => differences(own, o).some((d) => d === 'answer' || d === 'visibility'));
  if (split.length === 0) return undefined;
  return `resolvers disagree about ${host}: ${[own, ...split].map(describe).join('; ')}`;
}
