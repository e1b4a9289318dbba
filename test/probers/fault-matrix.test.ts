import { createSocket, type Socket } from 'node:dgram';
import { PROBERS } from '../../shared/probers';
import { INJECTABLE_ERRORS, type Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { startSim } from '../helpers/sim';
import { checked, options, PASSWORD, TOKEN } from './fixtures';
import { closedPort } from './helpers/ports';
import { target } from '../helpers/targets';
import { startDnsServer, type TestDnsServer } from './helpers/dns-server';
import { eventually, openSockets, type Scenario, silenceOn, simServer, SQL_AUTH } from './helpers/matrix';

/** Filled in beforeAll; the scenarios read it when they run. */
const ctx = {} as { certs: TestCerts; dns: TestDnsServer };
/** A simulator that requires TLS; its certificate is set when the scenario runs (see CERT_OVERRIDES). */
const tlsOn = (strict = false) => ({ encrypt: 'on' as const, strict, servers: [simServer()] });
const loginTarget = (sim?: Simulator) => ({ server: 'localhost', port: sim?.gatewayPort, caFile: ctx.certs.caFile, auth: SQL_AUTH });

const EXPECTED_CLASS: Record<number, string> = {
  40613: 'db-unavailable', 40615: 'firewall-blocked', 40501: 'throttled', 40532: 'login-format', 47073: 'public-access-denied',
  40914: 'vnet-rule-missing', 10928: 'throttled', 40197: 'failover', 4060: 'db-not-found', 18456: 'login-failed',
  18452: 'windows-auth-required',
};

const scenarios: Scenario[] = [
  {
    name: 'proxy OK', probe: 'login', sim: tlsOn(), target: loginTarget, options: { facts: true },
    expect: { success: true },
    check: (r) => {
      expect(r).toMatchObject({ policy: 'proxy', encrypted: true, tls: { mode: 'classic', version: 'TLSv1.2' }, facts: { engineEdition: 5, updateability: 'READ_WRITE', database: 'orders' } });
      expect(r.routed).toBeUndefined();
      expect(r.phases.map((p) => p.name)).toEqual(['dns', 'tcp', 'prelogin', 'tls', 'login', 'initialSql', 'query']);
    },
  },
  {
    name: 'redirect OK, with the routed port', probe: 'login', sim: { ...tlsOn(), policy: 'redirect' }, target: loginTarget,
    expect: { success: true },
    check: (r, sim) => {
      expect(r).toMatchObject({ policy: 'redirect', routed: { host: '127.0.0.1', port: sim?.nodePort } });
      expect(r.phases.map((p) => p.name)).toEqual(['dns', 'tcp', 'prelogin', 'tls', 'login', 'reroute', 'initialSql', 'query']);
      expect(r.tcp?.connects.map((c) => [c.port, c.outcome])).toEqual([[sim?.gatewayPort, 'connected'], [sim?.nodePort, 'connected']]);
    },
  },
  {
    name: 'strict TLS (TDS 8.0)', probe: 'login', sim: tlsOn(true), target: (sim) => ({ ...loginTarget(sim), encrypt: 'strict' }),
    expect: { success: true },
    check: (r) => {
      expect(r.tls).toMatchObject({ mode: 'strict', version: 'TLSv1.3' });
      expect(r.phases.map((p) => p.name)).toEqual(['dns', 'tcp', 'tls', 'prelogin', 'login', 'initialSql', 'query']);
    },
  },
  {
    name: 'access token', probe: 'login', sim: tlsOn(), target: (sim) => ({ ...loginTarget(sim), auth: { type: 'access-token', tokenSetting: 'PROBE_TOKEN' } }),
    expect: { success: true },
  },
  {
    name: 'token credential (managed identity or service principal)', probe: 'login', sim: tlsOn(),
    target: (sim) => ({ ...loginTarget(sim), auth: { type: 'managed-identity' } }),
    options: { credentialFor: () => ({ getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) }) },
    expect: { success: true },
    check: (r) => expect(r.phases.map((p) => p.name)).toEqual(['login', 'dns', 'tcp', 'prelogin', 'tls', 'login', 'initialSql', 'query']),
  },
  {
    name: 'no token from the identity', probe: 'login', sim: tlsOn(),
    target: (sim) => ({ ...loginTarget(sim), auth: { type: 'managed-identity' } }),
    options: { credentialFor: () => ({ getToken: async () => { throw new Error(`no managed identity endpoint; token was ${TOKEN}`); } }) },
    expect: { success: false, class: 'auth-token-failed', phase: 'login' },
  },
  {
    name: 'password setting not set', probe: 'login', sim: tlsOn(), target: (sim) => ({ ...loginTarget(sim), auth: { ...SQL_AUTH, passwordSetting: 'UNSET_SETTING' } }),
    expect: { success: false, class: 'secret-missing', phase: 'login' },
  },
  {
    name: 'wrong password', probe: 'login', sim: { ...tlsOn(), servers: [simServer({ logins: [{ user: 'probe', password: 'something-else' }] })] }, target: loginTarget,
    expect: { success: false, class: 'login-failed', phase: 'login', number: 18456 },
    check: (r) => expect(r.error).toMatchObject({ state: 8, transient: false }),
  },
  ...INJECTABLE_ERRORS.map((number): Scenario => ({
    name: `injected error ${number}`, probe: 'login', sim: { ...tlsOn(), servers: [simServer({ errors: [{ number }] })] }, target: loginTarget,
    expect: { success: false, class: EXPECTED_CLASS[number], phase: 'login', number },
    check: (r) => { if (number === 40615) expect(r.error?.clientIp).toBe('127.0.0.1'); },
  })),
  {
    name: 'injected error after a redirect is on the node', probe: 'login',
    sim: { ...tlsOn(), policy: 'redirect', servers: [simServer({ errors: [{ number: 4060, times: 1 }] })] }, target: loginTarget,
    expect: { success: false, class: 'db-not-found', phase: 'login', number: 4060 },
  },
  {
    name: 'refused', probe: 'login', sim: tlsOn(), arrange: (sim) => sim.setFault('gateway', { kind: 'refuse' }), target: loginTarget,
    expect: { success: false, class: 'tcp-refused', phase: 'tcp' },
  },
  {
    name: 'hang in prelogin', probe: 'login', sim: tlsOn(), arrange: (sim) => sim.setFault('gateway', { kind: 'blackhole' }), target: loginTarget, deadlineMs: 300,
    expect: { success: false, class: 'timeout-prelogin', phase: 'prelogin' },
  },
  {
    name: 'hang in tls', probe: 'login', sim: tlsOn(), arrange: (sim) => silenceOn(sim, 'prelogin', true), target: loginTarget, deadlineMs: 300, silenced: true,
    expect: { success: false, class: 'timeout-tls', phase: 'tls' },
  },
  {
    name: 'hang in login', probe: 'login', sim: tlsOn(true), arrange: (sim) => silenceOn(sim, 'prelogin', true), target: (sim) => ({ ...loginTarget(sim), encrypt: 'strict' }), deadlineMs: 300, silenced: true,
    expect: { success: false, class: 'timeout-login', phase: 'login' },
  },
  {
    name: 'hang in initialSql', probe: 'login', sim: tlsOn(), arrange: (sim) => silenceOn(sim, 'login'), target: loginTarget, deadlineMs: 300, silenced: true,
    expect: { success: false, class: 'timeout-initialSql', phase: 'initialSql' },
  },
  {
    name: 'hang in the query', probe: 'login', sim: tlsOn(), target: (sim) => ({ ...loginTarget(sim), expect: { query: "WAITFOR DELAY '00:00:30'" } }), deadlineMs: 500,
    expect: { success: false, class: 'timeout-query', phase: 'query' },
  },
  {
    name: 'hang on the redirected node', probe: 'login', sim: { ...tlsOn(), policy: 'redirect' }, arrange: (sim) => sim.setFault('node', { kind: 'blackhole' }), target: loginTarget, deadlineMs: 300,
    expect: { success: false, class: 'timeout-reroute', phase: 'reroute' },
  },
  {
    name: 'redirect to a closed node port', probe: 'login', sim: { ...tlsOn(), policy: 'redirect' }, arrange: (sim) => sim.setFault('node', { kind: 'refuse' }), target: loginTarget,
    expect: { success: false, class: 'redirect-ports-blocked', phase: 'reroute' },
    check: (r, sim) => {
      expect(r.routed?.port).toBe(sim?.nodePort);
      expect(r.tcp?.connects.at(-1)).toMatchObject({ port: sim?.nodePort, outcome: 'refused' });
      expect(r.error?.recommendation).toContain(`:${sim?.nodePort}`);
    },
  },
  {
    name: 'RST during TLS', probe: 'login', sim: tlsOn(), arrange: (sim) => sim.setFault('gateway', { kind: 'rst', phase: 'tls' }), target: loginTarget,
    expect: { success: false, class: 'tcp-reset', phase: 'tls' },
  },
  {
    name: 'RST during login', probe: 'login', sim: tlsOn(), arrange: (sim) => sim.setFault('gateway', { kind: 'rst', phase: 'login' }), target: loginTarget,
    expect: { success: false, class: 'tcp-reset', phase: 'login' },
  },
  {
    name: 'connection closed after login', probe: 'login', sim: tlsOn(), arrange: (sim) => sim.setFault('gateway', { kind: 'close-after-login' }), target: loginTarget,
    expect: { success: false, class: 'connection-lost', phase: 'query' },
  },
  {
    name: 'wrong-hostname certificate', probe: 'login', sim: tlsOn(), target: loginTarget,
    expect: { success: false, class: 'tls-hostname-mismatch', phase: 'tls' },
  },
  {
    name: 'expired certificate', probe: 'login', sim: tlsOn(), target: loginTarget,
    expect: { success: false, class: 'tls-expired', phase: 'tls' },
  },
  {
    name: 'untrusted (self-signed) certificate', probe: 'login', sim: tlsOn(), target: loginTarget,
    expect: { success: false, class: 'tls-untrusted', phase: 'tls' },
  },
  {
    name: 'server without encryption', probe: 'login', sim: { ...tlsOn(), encrypt: 'notsup' }, target: loginTarget,
    expect: { success: false, class: 'encryption-not-supported', phase: 'prelogin' },
  },
  {
    name: 'query error', probe: 'login', sim: tlsOn(), target: (sim) => ({ ...loginTarget(sim), expect: { query: 'SELECT nope' } }),
    expect: { success: false, class: 'query-failed', phase: 'query', number: 207 },
  },
  {
    name: 'expected Redirect, got Proxy', probe: 'login', sim: tlsOn(), target: (sim) => ({ ...loginTarget(sim), expect: { policy: 'redirect' } }),
    expect: { success: false, class: 'policy-mismatch', phase: 'query' },
  },
  {
    name: 'NXDOMAIN through a test DNS server', probe: 'login', target: () => ({ server: 'missing.example.test', auth: SQL_AUTH }), options: { get dnsServers() { return [ctx.dns.address]; } },
    expect: { success: false, class: 'dns-not-found', phase: 'dns' },
  },
  {
    // The test's DNS server drops every query for this name: the resolver waits until the deadline.
    name: 'DNS server that never answers', probe: 'login', target: () => ({ server: 'silent.example.test', auth: SQL_AUTH }), options: { get dnsServers() { return [ctx.dns.address]; } }, deadlineMs: 300,
    expect: { success: false, class: 'timeout-dns', phase: 'dns' },
    check: (r) => {
      expect(r.error?.transient).toBe(true);
      expect(r.phases.map((p) => p.name)).toEqual(['dns']);
    },
  },
  {
    name: 'privatelink alias ending at a public address', probe: 'dns', target: () => ({ server: 'orders.database.windows.net' }), options: { get dnsServers() { return [ctx.dns.address]; } },
    expect: { success: false, class: 'dns-privatelink-public', phase: 'dns' },
  },
  {
    name: 'failover-group pair', probe: 'login', sim: tlsOn(), secondary: { ...tlsOn(), servers: [simServer({ readOnly: true })] },
    target: (sim, secondary) => ({ ...loginTarget(sim), failoverGroup: { secondaryServer: 'localhost', secondaryPort: secondary?.gatewayPort } }),
    expect: { success: true },
    check: (r) => {
      expect(r.listener).toBe('primary');
      expect(r.listeners?.map((l) => [l.listener, l.success, l.facts?.updateability])).toEqual([['primary', true, 'READ_WRITE'], ['secondary', true, 'READ_ONLY']]);
    },
  },
  {
    name: 'failover-group pair with swapped roles', probe: 'login', sim: { ...tlsOn(), servers: [simServer({ readOnly: true })] }, secondary: tlsOn(),
    target: (sim, secondary) => ({ ...loginTarget(sim), failoverGroup: { secondaryServer: 'localhost', secondaryPort: secondary?.gatewayPort } }),
    expect: { success: false, class: 'read-only-mismatch', phase: 'query' },
    check: (r) => expect(r.listeners?.map((l) => l.error?.class)).toEqual(['read-only-mismatch', 'read-only-mismatch']),
  },
  {
    name: 'tls prober, classic', probe: 'tls', sim: tlsOn(), target: loginTarget,
    expect: { success: true },
    check: (r) => {
      expect(r.tls).toMatchObject({ mode: 'classic', serverVersion: '12.0.2000.8', encryption: 'on', version: 'TLSv1.2', trusted: true, hostnameMatches: true });
      expect(r.tls?.cert?.daysLeft).toBeGreaterThan(300);
      expect(r.phases.map((p) => p.name)).toEqual(['dns', 'tcp', 'prelogin', 'tls']);
    },
  },
  {
    name: 'tls prober, strict', probe: 'tls', sim: tlsOn(true), target: (sim) => ({ ...loginTarget(sim), encrypt: 'strict' }),
    expect: { success: true },
    check: (r) => expect(r.tls).toMatchObject({ mode: 'strict', encryption: 'strict', version: 'TLSv1.3', trusted: true, serverVersion: '12.0.2000.8' }),
  },
  {
    name: 'tls prober, server without encryption', probe: 'tls', sim: { ...tlsOn(), encrypt: 'notsup' }, target: loginTarget,
    expect: { success: false, class: 'encryption-not-supported', phase: 'prelogin' },
  },
  {
    name: 'tls prober, expired certificate', probe: 'tls', sim: tlsOn(), target: loginTarget,
    expect: { success: false, class: 'tls-expired', phase: 'tls' },
    check: (r) => expect(r.tls).toMatchObject({ trusted: false, hostnameMatches: true }),
  },
  {
    name: 'tls prober, wrong-hostname certificate', probe: 'tls', sim: tlsOn(), target: loginTarget,
    expect: { success: false, class: 'tls-hostname-mismatch', phase: 'tls' },
    check: (r) => expect(r.tls).toMatchObject({ trusted: true, hostnameMatches: false }),
  },
  ...(['login', 'tls'] as const).flatMap((probe): Scenario[] => [
    {
      name: `${probe} probe, PRELOGIN answer with an option offset past the message`, probe, sim: tlsOn(), arrange: (sim) => sim.setFault('gateway', { kind: 'bad-prelogin' }), target: loginTarget,
      expect: { success: false, class: 'unexpected-server-response', phase: 'prelogin' },
    },
    {
      name: `${probe} probe, FIN in the middle of the TLS handshake`, probe, sim: tlsOn(), arrange: (sim) => sim.setFault('gateway', { kind: 'fin', phase: 'tls' }), target: loginTarget,
      expect: { success: false, class: 'tls-handshake-failed', phase: 'tls' },
    },
    {
      // A clean close is no reset: no TLS-inspection advice.
      name: `${probe} probe, FIN right after accept`, probe, sim: tlsOn(), arrange: (sim) => sim.setFault('gateway', { kind: 'fin', phase: 'accept' }), target: loginTarget,
      expect: { success: false, class: 'server-closed', phase: 'prelogin' },
      check: (r) => expect(r.error?.recommendation).not.toMatch(/inspect/i),
    },
    {
      name: `${probe} probe, a caFile that does not exist`, probe, sim: tlsOn(), target: (sim) => ({ ...loginTarget(sim), caFile: '/nonexistent/ca.pem' }),
      expect: { success: false, class: 'ca-file-unreadable', phase: 'tls' },
      check: (r) => expect(r.error?.message).toContain('/nonexistent/ca.pem'),
    },
  ]),
  {
    name: 'FIN when LOGIN7 arrives', probe: 'login', sim: tlsOn(), arrange: (sim) => sim.setFault('gateway', { kind: 'fin', phase: 'login' }), target: loginTarget,
    expect: { success: false, class: 'server-closed', phase: 'login' },
  },
  {
    name: 'error 18452 gets Windows-authentication advice', probe: 'login', sim: { ...tlsOn(), servers: [simServer({ errors: [{ number: 18452 }] })] }, target: loginTarget,
    expect: { success: false, class: 'windows-auth-required', phase: 'login', number: 18452 },
    check: (r) => {
      expect(r.error?.recommendation).toMatch(/mixed mode/);
      expect(r.error?.recommendation).not.toMatch(/password/);
    },
  },
  {
    name: 'TLS 1.0 still accepted below expect.minTls', probe: 'tls', sim: { ...tlsOn(), tlsVersions: ['1.0', '1.2'] }, target: (sim) => ({ ...loginTarget(sim), expect: { minTls: '1.2' } }),
    expect: { success: false, class: 'tls-below-minimum', phase: 'tlsAudit' },
    check: (r) => expect(r.tls?.audit?.accepted).toEqual(['1.0', '1.2']),
  },
  {
    name: 'hang in the TLS audit', probe: 'tls', sim: tlsOn(), target: (sim) => ({ ...loginTarget(sim), expect: { minTls: '1.2' } }), options: { timeoutMs: 10_000 }, deadlineMs: 1000,
    arrange: (sim) => void sim.events.on('event', (e) => e.kind === 'tls' && void sim.setFault('gateway', { kind: 'blackhole' })),
    expect: { success: false, class: 'timeout-tlsAudit', phase: 'tlsAudit' },
  },
  {
    name: 'named instance, the Browser does not answer (UDP 1434 dropped)', probe: 'tcp', target: () => ({ server: 'localhost', instanceName: 'SQLEXPRESS', browser: { port: dba.silentUdp.port, timeout: '200ms' } }),
    expect: { success: false, class: 'browser-unreachable', phase: 'browser' },
  },
  {
    name: 'named instance, the deadline passes while the Browser is silent', probe: 'tcp', target: () => ({ server: 'localhost', instanceName: 'SQLEXPRESS', browser: { port: dba.silentUdp.port, timeout: '10s' } }), deadlineMs: 300,
    expect: { success: false, class: 'timeout-browser', phase: 'browser' },
  },
  {
    name: 'named instance the Browser does not list', probe: 'tls', sim: { ...tlsOn(), browserPort: 0, instances: [{ name: 'OTHER' }] },
    target: (sim) => ({ ...loginTarget(), instanceName: 'SQLEXPRESS', browser: { port: sim?.browserPort } }),
    expect: { success: false, class: 'instance-not-found', phase: 'browser' },
    check: (r) => expect(r.browser?.instances.map((i) => i.name)).toEqual(['OTHER']),
  },
  {
    name: 'named instance whose port the Browser names is closed', probe: 'login',
    sim: { ...tlsOn(), browserPort: 0, get instances() { return [{ name: 'SQLEXPRESS', tcpPort: dba.closedTcpPort }]; } },
    target: (sim) => ({ ...loginTarget(), instanceName: 'SQLEXPRESS', browser: { port: sim?.browserPort } }),
    expect: { success: false, class: 'instance-port-closed', phase: 'tcp' },
    check: (r) => expect(r.port).toBe(dba.closedTcpPort),
  },
  {
    name: 'Windows login with a wrong domain password', probe: 'login',
    sim: { ...tlsOn(), servers: [simServer({ windowsLogins: [{ domain: 'SQLPROBE', user: 'svc', password: 'something-else' }] })] },
    target: (sim) => ({ ...loginTarget(sim), auth: { type: 'ntlm', domain: 'SQLPROBE', user: 'svc', passwordSetting: 'PROBE_PASSWORD' } }),
    expect: { success: false, class: 'login-domain-password', phase: 'login', number: 18452 },
  },
  {
    name: 'Windows login from an untrusted domain', probe: 'login',
    sim: { ...tlsOn(), servers: [simServer({ windowsLogins: [{ domain: 'ELSEWHERE', user: 'svc', password: PASSWORD }] })] },
    target: (sim) => ({ ...loginTarget(sim), auth: { type: 'ntlm', domain: 'ELSEWHERE', user: 'svc', passwordSetting: 'PROBE_PASSWORD' } }),
    expect: { success: false, class: 'login-untrusted-domain', phase: 'login', number: 18452 },
  },
  {
    name: 'private endpoint that only one resolver knows', probe: 'dns',
    target: () => ({ server: 'split.database.windows.net', dns: { compare: [dba.publicDns.address] } }), options: { get dnsServers() { return [dba.vnetDns.address]; } },
    expect: { success: false, class: 'dns-resolver-split', phase: 'dns' },
    check: (r) => expect(r.dns?.compare?.[0].differences).toContain('visibility'),
  },
  {
    name: "query answer outside the target's expect.result", probe: 'login', sim: tlsOn(), target: (sim) => ({ ...loginTarget(sim), expect: { query: 'SELECT 412', result: { max: 300 } } }),
    expect: { success: false, class: 'query-unexpected-result', phase: 'query' },
    check: (r) => expect(r.assertion).toEqual({ value: 412, expected: { max: 300 }, matches: false }),
  },
];

/** What the rows of the DBA checks need besides the simulators: resolvers, a silent Browser port, a closed TCP port. */
const dba = {} as { vnetDns: TestDnsServer; publicDns: TestDnsServer; silentUdp: { port: number; socket: Socket }; closedTcpPort: number };
beforeAll(async () => {
  dba.vnetDns = await startDnsServer({ 'split.database.windows.net': { cname: 'split.privatelink.database.windows.net' }, 'split.privatelink.database.windows.net': { a: ['10.1.2.4'] } });
  dba.publicDns = await startDnsServer({ 'split.database.windows.net': { cname: 'split.privatelink.database.windows.net' }, 'split.privatelink.database.windows.net': { a: ['40.79.153.12'] } });
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  dba.silentUdp = { port: socket.address().port, socket };
  dba.closedTcpPort = await closedPort();
});
afterAll(async () => {
  await Promise.all([dba.vnetDns.close(), dba.publicDns.close(), new Promise<void>((resolve) => dba.silentUdp.socket.close(() => resolve()))]);
});

/** Certificates that only exist once beforeAll ran. */
const CERT_OVERRIDES: Record<string, () => TestCerts['good']> = {
  'wrong-hostname certificate': () => ctx.certs.wrongHost,
  'expired certificate': () => ctx.certs.expired,
  'untrusted (self-signed) certificate': () => ctx.certs.selfSigned,
  'tls prober, expired certificate': () => ctx.certs.expired,
  'tls prober, wrong-hostname certificate': () => ctx.certs.wrongHost,
};

let baselineSockets = 0;
beforeAll(async () => {
  ctx.certs = createTestCerts();
  ctx.dns = await startDnsServer({
    'orders.database.windows.net': { cname: 'orders.privatelink.database.windows.net' },
    'orders.privatelink.database.windows.net': { a: ['40.79.153.12'] },
    'silent.example.test': { drop: true },
  });
  baselineSockets = openSockets();
});
afterAll(async () => {
  await ctx.dns.close();
  ctx.certs.cleanup();
});

describe('fault matrix', () => {
  it('has at least 25 scenarios', () => expect(scenarios.length).toBeGreaterThanOrEqual(25));

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, s) => {
    const certOverride = CERT_OVERRIDES[s.name];
    const withCerts = (c: Scenario['sim']) => c && { ...c, tls: certOverride ? certOverride() : ctx.certs.good };
    const sim = s.sim ? await startSim(withCerts(s.sim)) : undefined;
    const secondary = s.secondary ? await startSim(withCerts(s.secondary)) : undefined;
    try {
      if (sim) await s.arrange?.(sim);
      const t = target(s.target?.(sim, secondary));
      const r = checked(await PROBERS[s.probe](t, options(s.options), AbortSignal.timeout(s.deadlineMs ?? 5000)));
      expect({ success: r.success, class: r.error?.class, phase: r.error?.phase, number: r.error?.number })
        .toEqual({ success: s.expect.success, class: s.expect.class, phase: s.expect.phase, number: s.expect.number });
      s.check?.(r, sim, secondary);
      // The simulator saw every session close (unless the scenario silenced it, so it cannot read the FIN).
      const watched = s.silenced ? [] : [sim, secondary].filter((x): x is Simulator => x !== undefined);
      for (const x of watched) expect(await eventually(() => x.sessions().length === 0)).toBe(true);
    } finally {
      await sim?.stop();
      await secondary?.stop();
    }
    // With the simulators gone, any socket left would be one the probe leaked.
    expect(await eventually(() => openSockets() <= baselineSockets)).toBe(true);
  });
});
