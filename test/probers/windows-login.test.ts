import { Connection } from 'tedious';
import type { TargetInput } from '../../shared/config';
import { loginProber } from '../../shared/probers/login';
import { captureChallenge } from '../../shared/probers/ntlm';
import type { SimEvent, Simulator } from '../../sim';
import { cleanupCerts, simCerts, startTlsSim } from '../helpers/sim';
import { target } from '../helpers/targets';
import { checked, options, PASSWORD } from './fixtures';

/** A simulator in domain CONTOSO (contoso.test) that trusts FABRIKAM, with one account in each. */
let sim: Simulator;
const sspi: string[] = [];
beforeAll(async () => {
  sim = await startTlsSim({
    windows: { domain: 'CONTOSO', dnsDomain: 'contoso.test', trustedDomains: ['FABRIKAM'] },
    servers: [{ databases: ['orders'], windowsLogins: [{ domain: 'CONTOSO', user: 'svc-probe', password: PASSWORD }, { domain: 'FABRIKAM', user: 'svc-probe', password: PASSWORD }] }],
  });
  sim.events.on('event', (e: SimEvent) => e.kind === 'sspi' && sspi.push(e.detail ?? ''));
});
afterAll(async () => {
  await sim.stop();
  cleanupCerts();
});

const ntlm = (domain: string, user = 'svc-probe') => ({ type: 'ntlm', domain, user, passwordSetting: 'WIN_PASSWORD' }) as const;
const login = (auth: TargetInput['auth'], password = PASSWORD) =>
  loginProber(target({ server: 'localhost', port: sim.gatewayPort, caFile: simCerts().caFile, auth }), options({ env: { WIN_PASSWORD: password } }), AbortSignal.timeout(5000)).then(checked);

describe('Windows (NTLM) logins through tedious', () => {
  it('logs in over TLS; the simulator verifies the response against the password itself', async () => {
    sspi.length = 0;
    const r = await login(ntlm('CONTOSO'));
    expect(r).toMatchObject({ success: true, encrypted: true });
    expect(r.phases.map((p) => p.name)).toEqual(['dns', 'tcp', 'prelogin', 'tls', 'login', 'initialSql', 'query']);
    // tedious's NtChallengeResponse is cut to 16 bytes; its LMv2 response is what proves the password.
    expect(sspi).toEqual(['challenge from CONTOSO', 'LMv2 verified for CONTOSO\\svc-probe']);
  });

  it("the domain's DNS name works as its NetBIOS name does", async () => {
    expect((await login(ntlm('contoso.test'))).success).toBe(true);
  });

  it("a wrong password in the server's own domain is login-domain-password (error 18452)", async () => {
    const r = await login(ntlm('CONTOSO'), 'not-the-password');
    expect(r.error).toMatchObject({ class: 'login-domain-password', phase: 'login', number: 18452, state: 1, transient: false });
    expect(r.error?.message).toBe("Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication. (the server is in CONTOSO / contoso.test, the login's own domain: its domain controller refused the credentials of CONTOSO\\svc-probe)");
    expect(r.error?.recommendation).toMatch(/locked out/);
  });

  it('another domain is login-untrusted-domain (the same error 18452), naming both domains', async () => {
    const r = await login(ntlm('NORTHWIND'));
    expect(r.error).toMatchObject({ class: 'login-untrusted-domain', phase: 'login', number: 18452 });
    expect(r.error?.message).toMatch(/\(the server is in CONTOSO \/ contoso\.test; the login is from NORTHWIND\)$/);
    expect(r.error?.recommendation).toMatch(/trust/);
  });

  it('a trusted domain logs in', async () => {
    expect((await login(ntlm('FABRIKAM'))).success).toBe(true);
  });

  it('an unset password setting is secret-missing and nothing is sent', async () => {
    const r = await loginProber(target({ server: 'localhost', port: sim.gatewayPort, caFile: simCerts().caFile, auth: ntlm('CONTOSO') }), options({ env: {} }), AbortSignal.timeout(5000)).then(checked);
    expect(r.error).toMatchObject({ class: 'secret-missing', phase: 'login' });
    expect(r.phases).toEqual([]);
  });

  it('reads the challenge tedious keeps only until it answers', async () => {
    const c = new Connection({ server: 'localhost', authentication: { type: 'ntlm', options: { domain: 'CONTOSO', userName: 'svc-probe', password: PASSWORD } }, options: { port: sim.gatewayPort, trustServerCertificate: true } });
    c.on('error', () => undefined);
    const challenge = captureChallenge(c);
    await new Promise<void>((resolve) => c.connect(() => resolve()));
    expect(challenge()).toMatchObject({ targetName: 'CONTOSO', nbDomain: 'CONTOSO', dnsDomain: 'contoso.test' });
    await new Promise<void>((resolve) => {
      c.once('end', () => resolve());
      c.close();
    });
  });
});
