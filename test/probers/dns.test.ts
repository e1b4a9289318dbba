import { dnsProber } from '../../shared/probers/dns';
import { checked, deadline, options } from './fixtures';
import { target } from '../helpers/targets';
import { startDnsServer, type TestDnsServer } from './helpers/dns-server';

let dns: TestDnsServer;
beforeAll(async () => {
  dns = await startDnsServer({
    'orders.database.windows.net': { cname: 'orders.privatelink.database.windows.net' },
    'orders.privatelink.database.windows.net': { cname: 'cr1.eastus1-a.control.database.windows.net' },
    'cr1.eastus1-a.control.database.windows.net': { a: ['40.79.153.12'] },
    'private.database.windows.net': { cname: 'private.privatelink.database.windows.net' },
    'private.privatelink.database.windows.net': { a: ['10.1.2.4'] },
    'dual.example.test': { a: ['198.51.100.7'], aaaa: ['2001:db8::7'] },
    'broken.example.test': { servfail: true },
    'silent.example.test': { drop: true },
  });
});
afterAll(() => dns.close());

const run = (server: string, timeoutMs = 3000) => dnsProber(target({ server }), options({ dnsServers: [dns.address], timeoutMs }), deadline(timeoutMs)).then(checked);

describe('dns prober', () => {
  it('reports a private endpoint chain as private and successful', async () => {
    const r = await run('private.database.windows.net');
    expect(r).toMatchObject({ success: true, probe: 'dns' });
    expect(r.dns).toEqual({
      cnames: ['private.privatelink.database.windows.net'],
      addresses: [{ address: '10.1.2.4', family: 4, private: true }],
      privateLinkAlias: true,
      resolver: dns.address,
    });
    expect(r.phases.map((p) => p.name)).toEqual(['dns']);
  });

  it('flags a privatelink alias that ends at a public address', async () => {
    const r = await run('orders.database.windows.net');
    expect(r.success).toBe(false);
    expect(r.error).toMatchObject({ class: 'dns-privatelink-public', phase: 'dns' });
    expect(r.error?.number).toBeUndefined();
    expect(r.dns?.cnames).toEqual(['orders.privatelink.database.windows.net', 'cr1.eastus1-a.control.database.windows.net']);
    expect(r.dns?.addresses).toEqual([{ address: '40.79.153.12', family: 4, private: false }]);
  });

  it('returns A and AAAA records', async () => {
    const r = await run('dual.example.test');
    expect(r.success).toBe(true);
    expect(r.dns?.addresses).toEqual([{ address: '198.51.100.7', family: 4, private: false }, { address: '2001:db8::7', family: 6, private: false }]);
  });

  it('classifies NXDOMAIN as dns-not-found', async () => {
    const r = await run('missing.database.windows.net');
    expect(r).toMatchObject({ success: false, error: { class: 'dns-not-found', phase: 'dns', transient: false } });
  });

  it('classifies SERVFAIL as dns-failed', async () => {
    expect((await run('broken.example.test')).error).toMatchObject({ class: 'dns-failed', phase: 'dns' });
  });

  it('settles with timeout-dns when the server never answers and the deadline passes', async () => {
    const r = await dnsProber(target({ server: 'silent.example.test' }), options({ dnsServers: [dns.address], timeoutMs: 10_000 }), deadline(200)).then(checked);
    expect(r.error).toMatchObject({ class: 'timeout-dns', phase: 'dns', transient: true });
  });

  it('passes IP literals through and uses the system resolver by default', async () => {
    expect((await dnsProber(target({ server: '127.0.0.1' }), options(), deadline())).dns).toMatchObject({ resolver: 'literal', addresses: [{ address: '127.0.0.1', private: true }] });
    const local = checked(await dnsProber(target({ server: 'localhost' }), options(), deadline()));
    expect(local).toMatchObject({ success: true, dns: { resolver: 'system' } });
  });
});
