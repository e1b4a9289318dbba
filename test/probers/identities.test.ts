import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { ClientCertificateCredential, WorkloadIdentityCredential } from '@azure/identity';
import type { TargetInput } from '../../shared/config';
import { credentialFor } from '../../shared/probers';
import { loginProber } from '../../shared/probers/login';
import type { Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { startSim } from '../helpers/sim';
import { startLocalSts, type LocalSts } from '../helpers/sts';
import { target } from '../helpers/targets';
import { checked, options, TOKEN } from './fixtures';
import { simServer } from './helpers/matrix';

/**
 * Certificate service principals and workload identity through @azure/identity's own credentials,
 * against a Microsoft Entra token endpoint on loopback (AZURE_AUTHORITY_HOST) that checks what
 * each credential proves itself with, then a login with the token it issued.
 */
const TENANT = '00000000-0000-0000-0000-00000000e1d1';
const CLIENT = '00000000-0000-0000-0000-00000000c11e';
const WORKLOAD = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6cHJvYmVzOnNxbHByb2JlIn0.c2ln';

let certs: TestCerts;
let dir: string;
let sim: Simulator;
let trustedBefore: string[];
const pem = (files: TestCerts['good']) => `${readFileSync(files.certFile, 'utf8')}${readFileSync(files.keyFile, 'utf8')}`;

beforeAll(async () => {
  certs = createTestCerts();
  dir = mkdtempSync(join(tmpdir(), 'sqlprobe-identities-'));
  // The local token endpoint's certificate comes from the test CA; this worker trusts it for the test.
  trustedBefore = tls.getCACertificates('default');
  tls.setDefaultCACertificates([...trustedBefore, readFileSync(certs.caFile, 'utf8')]);
  sim = await startSim({ encrypt: 'on', tls: certs.good, servers: [simServer()] });
});
afterAll(async () => {
  tls.setDefaultCACertificates(trustedBefore);
  await sim.stop();
  certs.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const loginTarget = (auth: TargetInput['auth']) => target({ name: `id-${Math.random().toString(36).slice(2, 8)}`, server: 'localhost', port: sim.gatewayPort, caFile: certs.caFile, auth });
const login = (auth: TargetInput['auth'], env: Record<string, string>) => loginProber(loginTarget(auth), options({ env }), AbortSignal.timeout(10_000)).then(checked);

describe('service principal with a certificate (ClientCertificateCredential)', () => {
  let sts: LocalSts;
  beforeAll(async () => {
    sts = await startLocalSts(certs.good, TENANT, CLIENT, { certificate: readFileSync(certs.selfSigned.certFile, 'utf8') }, TOKEN);
  });
  afterAll(() => sts.close());
  const auth = { type: 'service-principal', tenantId: TENANT, clientId: CLIENT, certificateSetting: 'SP_CERT' } as const;

  it('signs a client assertion with the private key, gets a token, and logs in with it', async () => {
    const r = await login(auth, { SP_CERT: pem(certs.selfSigned), AZURE_AUTHORITY_HOST: sts.authorityHost });
    expect(r.success).toBe(true);
    expect(sts.refused).toBeUndefined();
    expect(sts.requests).toEqual([`GET /${TENANT}/v2.0/.well-known/openid-configuration`, `POST /${TENANT}/oauth2/v2.0/token`]);
    // Fetching the token is the first login phase.
    expect(r.phases.map((p) => p.name)).toEqual(['login', 'dns', 'tcp', 'prelogin', 'tls', 'login', 'initialSql', 'query']);
  });

  it('uses @azure/identity\'s ClientCertificateCredential, one per certificate', () => {
    const env = { SP_CERT: pem(certs.selfSigned) };
    const a = credentialFor(loginTarget(auth), env);
    expect(a).toBeInstanceOf(ClientCertificateCredential);
    expect(credentialFor(loginTarget(auth), env)).toBe(a);
    // A renewed certificate in the same setting gets a credential of its own.
    expect(credentialFor(loginTarget(auth), { SP_CERT: pem(certs.wrongHost) })).not.toBe(a);
  });

  it('a certificate Entra does not know for the app is auth-token-failed, with its answer', async () => {
    const r = await login(auth, { SP_CERT: pem(certs.wrongHost), AZURE_AUTHORITY_HOST: sts.authorityHost });
    expect(r.error).toMatchObject({ class: 'auth-token-failed', phase: 'login' });
    expect(sts.refused).toBe('unknown certificate thumbprint');
    expect(r.error?.message).toMatch(/^no Microsoft Entra token was issued \(invalid_client: .*AADSTS700027: unknown certificate thumbprint/);
  });

  it('a setting without the private key is auth-token-failed, naming the setting, and nothing is sent', async () => {
    const before = sts.requests.length;
    const r = await login(auth, { SP_CERT: readFileSync(certs.selfSigned.certFile, 'utf8'), AZURE_AUTHORITY_HOST: sts.authorityHost });
    expect(r.error).toMatchObject({ class: 'auth-token-failed', phase: 'login' });
    expect(r.error?.message).toContain('app setting SP_CERT does not hold a PEM certificate with its private key');
    expect(sts.requests.length).toBe(before);
  });

  it('keeps the private key out of the result', async () => {
    const key = readFileSync(certs.wrongHost.keyFile, 'utf8').split('\n')[1];
    const r = await login(auth, { SP_CERT: pem(certs.wrongHost), AZURE_AUTHORITY_HOST: sts.authorityHost });
    expect(JSON.stringify(r)).not.toContain(key);
  });
});

describe('workload identity on AKS (WorkloadIdentityCredential)', () => {
  let sts: LocalSts;
  let tokenFile: string;
  beforeAll(async () => {
    sts = await startLocalSts(certs.good, TENANT, CLIENT, { federatedToken: WORKLOAD }, TOKEN);
    tokenFile = join(dir, 'azure-identity-token');
    writeFileSync(tokenFile, WORKLOAD);
  });
  afterAll(() => sts.close());
  const webhookEnv = () => ({ AZURE_CLIENT_ID: CLIENT, AZURE_TENANT_ID: TENANT, AZURE_FEDERATED_TOKEN_FILE: tokenFile, AZURE_AUTHORITY_HOST: sts.authorityHost });

  it('exchanges the projected service-account token for an access token, and logs in', async () => {
    const r = await login({ type: 'workload-identity' }, webhookEnv());
    expect(r.success).toBe(true);
    expect(sts.refused).toBeUndefined();
    expect(sts.requests.at(-1)).toBe(`POST /${TENANT}/oauth2/v2.0/token`);
    expect(credentialFor(loginTarget({ type: 'workload-identity' }), webhookEnv())).toBeInstanceOf(WorkloadIdentityCredential);
  });

  it("a target's own clientId wins over the webhook's", async () => {
    const r = await login({ type: 'workload-identity', clientId: '00000000-0000-0000-0000-0000000000ff' }, webhookEnv());
    expect(r.error).toMatchObject({ class: 'auth-token-failed' });
    expect(sts.refused).toBe('unknown client');
  });

  it('a token file the identity does not trust is auth-token-failed', async () => {
    const other = join(dir, 'other-token');
    writeFileSync(other, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzb21lb25lLWVsc2UifQ.c2ln');
    const r = await login({ type: 'workload-identity' }, { ...webhookEnv(), AZURE_FEDERATED_TOKEN_FILE: other });
    expect(r.error?.class).toBe('auth-token-failed');
    expect(sts.refused).toBe('the federated token is not the one this identity trusts');
  });

  it('without the webhook settings it says which are missing and how to get them', async () => {
    const r = await login({ type: 'workload-identity' }, { AZURE_CLIENT_ID: CLIENT, AZURE_TENANT_ID: TENANT });
    expect(r.error).toMatchObject({ class: 'auth-token-failed', phase: 'login' });
    expect(r.error?.message).toContain('workload identity needs AZURE_FEDERATED_TOKEN_FILE');
    expect(r.error?.message).toContain('azure.workload.identity/use');
  });
});
