import { dnsProber } from '../../shared/probers/dns';
import { target } from '../helpers/targets';
import { checked, deadline, options } from './fixtures';
import { startDnsServer, type TestDnsServer } from './helpers/dns-server';

/**
 * Two resolvers on loopback, as a VNet's resolver (it knows the privatelink zone) and a public one
 * (it follows the privatelink CNAME to the public gateway), plus one that is down.
 */
let vnet: TestDnsServer;
let internet: TestDnsServer;
let broken: TestDnsServer;
beforeAll(async () => {
  vnet = await startDnsServer({
    'orders.database.windows.net': { cname: 'orders.privatelink.database.windows.net' },
    'orders.privatelink.database.windows.net': { a: ['10.1.2.4'] },
    'onprem.database.windows.net': { cname: 'onprem.privatelink.database.windows.net' },
    'same.example.test': { a: ['198.51.100.7'] },
    'gw.example.test': { cname: 'cr1.eastus1-a.control.database.windows.net' },
    'cr1.eastus1-a.control.database.windows.net': { a: ['40.79.153.12'] },
  });
  internet = await startDnsServer({
    'orders.database.windows.net': { cname: 'orders.privatelink.database.windows.net' },
    'orders.privatelink.database.windows.net': { cname: 'cr1.eastus1-a.control.database.windows.net' },
    'cr1.eastus1-a.control.database.windows.net': { a: ['40.79.153.12'] },
    'onprem.database.windows.net': { cname: 'onprem.privatelink.database.windows.net' },
    'onprem.privatelink.database.windows.net': { a: ['10.9.9.9'] },
    'same.example.test': { a: ['198.51.100.7'] },
    'gw.example.test': { cname: 'cr2.eastus1-a.control.database.windows.net' },
    'cr2.eastus1-a.control.database.windows.net': { a: ['40.79.153.13'] },
  });
  broken = await startDnsServer({ 'orders.database.windows.net': { servfail: true }, 'same.example.test': { servfail: true } });
});
afterAll(async () => {
  await Promise.all([vnet.close(), internet.close(), broken.close()]);
});

const run = (server: string, compare: string[]) =>
  dnsProber(target({ server, dns: { compare } }), options({ dnsServers: [vnet.address] }), deadline(3000)).then(checked);

describe('dns probe: resolver split (dns.compare)', () => {
  it('a private endpoint only the VNet resolver knows: dns-resolver-split, naming both answers', async () => {
    const r = await run('orders.database.windows.net', [internet.address]);
    expect(r.error).toMatchObject({ class: 'dns-resolver-split', phase: 'dns', transient: false });
    expect(r.error?.message).toBe(`resolvers disagree about orders.database.windows.net: ${vnet.address} → 10.1.2.4 (private) via orders.privatelink.database.windows.net; ${internet.address} → 40.79.153.12 (public) via orders.privatelink.database.windows.net → cr1.eastus1-a.control.database.windows.net`);
    expect(r.error?.recommendation).toContain('privatelink.database.windows.net');
    // The probe's own resolver's answer stays the top-level one; each comparison sits beside it.
    expect(r.dns).toMatchObject({ resolver: vnet.address, addresses: [{ address: '10.1.2.4', private: true }] });
    expect(r.dns?.compare).toEqual([{
      resolver: internet.address, outcome: 'answered',
      cnames: ['orders.privatelink.database.windows.net', 'cr1.eastus1-a.control.database.windows.net'],
      addresses: [{ address: '40.79.153.12', family: 4, private: false }],
      privateLinkAlias: true, differences: ['visibility', 'addresses', 'cnames'],
    }]);
    // Both resolvers were asked, in the one dns phase.
    expect(internet.queries.some((q) => q.name === 'orders.database.windows.net')).toBe(true);
    expect(r.phases.map((p) => p.name)).toEqual(['dns']);
  });

  it('a name one resolver does not know at all is a split too, even when it is the probe\'s own resolver', async () => {
    const r = await run('onprem.database.windows.net', [internet.address]);
    expect(r.error?.class).toBe('dns-resolver-split');
    expect(r.error?.message).toContain(`${vnet.address} → no such name`);
    expect(r.dns?.compare?.[0]).toMatchObject({ outcome: 'answered', differences: ['answer'], addresses: [{ address: '10.9.9.9', private: true }] });
  });

  it('another gateway address or CNAME is reported, not failed', async () => {
    const r = await run('gw.example.test', [internet.address]);
    expect(r.success).toBe(true);
    expect(r.dns?.compare?.[0].differences).toEqual(['addresses', 'cnames']);
  });

  it('agreeing resolvers report no difference', async () => {
    const r = await run('same.example.test', [internet.address]);
    expect(r.success).toBe(true);
    expect(r.dns?.compare?.map((c) => c.differences)).toEqual([[]]);
  });

  it('a comparison resolver that fails is reported with its error, and is no split', async () => {
    const r = await run('same.example.test', [broken.address, internet.address]);
    expect(r.success).toBe(true);
    expect(r.dns?.compare?.map((c) => [c.resolver, c.outcome, c.error, c.differences])).toEqual([
      [broken.address, 'failed', 'ESERVFAIL', []],
      [internet.address, 'answered', undefined, []],
    ]);
  });

  it("the probe's own privatelink check still wins over a split", async () => {
    const r = await dnsProber(target({ server: 'orders.database.windows.net', dns: { compare: [vnet.address] } }), options({ dnsServers: [internet.address] }), deadline(3000)).then(checked);
    expect(r.error?.class).toBe('dns-privatelink-public');
    expect(r.dns?.compare?.[0].differences).toContain('visibility');
  });

  it('an IP literal has nothing to compare', async () => {
    const r = await dnsProber(target({ server: '127.0.0.1', dns: { compare: [internet.address] } }), options(), deadline()).then(checked);
    expect(r.success).toBe(true);
    expect(r.dns?.compare).toBeUndefined();
  });
});
