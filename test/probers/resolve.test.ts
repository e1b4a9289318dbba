import { PROBERS } from '../../shared/probers';
import type { Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim';
import { checked, deadline, options } from './fixtures';
import { target } from '../helpers/targets';
import { startDnsServer, type TestDnsServer } from './helpers/dns-server';

// A probe must add no round trip that tedious does not need. A driver asks for
// A and AAAA only; the CNAME chain is the dns probe's business alone.
let certs: TestCerts;
let sim: Simulator;
let dns: TestDnsServer;

beforeAll(async () => {
  certs = createTestCerts();
  sim = await startSim({ tls: { certFile: certs.good.certFile, keyFile: certs.good.keyFile }, encrypt: 'on' });
  // The test certificate names localhost, so the probes connect (and validate) by that name.
  dns = await startDnsServer({ localhost: { a: ['127.0.0.1'] } });
}, 30_000);

afterAll(async () => {
  await Promise.all([sim?.stop(), dns?.close()]);
  certs?.cleanup();
});

const simTarget = () => target({
  server: 'localhost', port: sim.gatewayPort, database: 'appdb', caFile: certs.caFile,
  auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' },
});
const run = (probe: keyof typeof PROBERS) => PROBERS[probe](simTarget(), options({ dnsServers: [dns.address], env: { SIM_PASSWORD } }), deadline()).then(checked);
const typesAsked = () => [...new Set(dns.queries.map((q) => q.type))].sort();

describe('resolving through the configured DNS servers', () => {
  beforeEach(() => {
    dns.queries.length = 0;
  });

  it.each(['tcp', 'tls', 'login'] as const)('the %s probe asks for A and AAAA only, never a CNAME', async (probe) => {
    const r = await run(probe);
    expect(r.success).toBe(true);
    expect(r.phases.map((p) => p.name)).toContain('dns');
    expect(typesAsked()).toEqual(['A', 'AAAA']);
    expect(dns.queries.filter((q) => q.type === 'A')).toHaveLength(1);
  });

  it('the dns probe alone walks the CNAME chain', async () => {
    const r = await run('dns');
    expect(r).toMatchObject({ success: true, dns: { cnames: [], addresses: [{ address: '127.0.0.1', family: 4 }] } });
    expect(typesAsked()).toEqual(['A', 'AAAA', 'CNAME']);
  });
});
