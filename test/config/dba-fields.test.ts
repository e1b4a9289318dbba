import { loadConfig, parseTargets, secretsOf } from '../../shared/config';

const valid = { name: 'onprem', server: 'sql1.contoso.test', database: 'orders' };

/** Problems for one target that differs from the valid one by `patch`. */
const problemsFor = (patch: Record<string, unknown>): string[] => parseTargets([{ ...valid, ...patch }], 'SQLPROBE_TARGETS').problems;
const parsed = (patch: Record<string, unknown>) => {
  const { targets, problems } = parseTargets([{ ...valid, ...patch }], 'SQLPROBE_TARGETS');
  expect(problems).toEqual([]);
  return targets[0];
};

describe('the fields a DBA checks: names, fixes and bounds', () => {
  it('instanceName, with the Browser on UDP 1434 waiting 2 s by default', () => {
    expect(parsed({ instanceName: 'SQLEXPRESS' })).toMatchObject({ instanceName: 'SQLEXPRESS', browser: { port: 1434, timeout: 2000 } });
    expect(parsed({ instanceName: 'SQLEXPRESS', browser: { port: 14340, timeout: '500ms' } }).browser).toEqual({ port: 14340, timeout: 500 });
    expect(problemsFor({ instanceName: 'sql1\\SQLEXPRESS' })).toEqual([expect.stringMatching(/^SQLPROBE_TARGETS\[0\]\.instanceName: expected a SQL Server instance name such as "SQLEXPRESS".*without the host name, got "sql1\\\\SQLEXPRESS"$/)]);
    expect(problemsFor({ instanceName: 'MSSQLSERVER' })).toEqual(['SQLPROBE_TARGETS[0].instanceName: MSSQLSERVER is the default instance: remove instanceName and set port (1433 unless changed), got "MSSQLSERVER"']);
    expect(problemsFor({ instanceName: 'A'.repeat(17) })[0]).toMatch(/^SQLPROBE_TARGETS\[0\]\.instanceName: expected a SQL Server instance name/);
  });

  it('the Browser timeout is bounded: 100ms to 15s', () => {
    expect(problemsFor({ instanceName: 'X', browser: { timeout: '20ms' } })).toEqual(['SQLPROBE_TARGETS[0].browser.timeout: expected a duration from 100ms to 15s (a driver waits up to its login timeout; the probe answers well inside its deadline), such as "2s", got "20ms"']);
    expect(problemsFor({ instanceName: 'X', browser: { timeout: '1m' } })).toEqual(['SQLPROBE_TARGETS[0].browser.timeout: expected a duration from 100ms to 15s (a driver waits up to its login timeout; the probe answers well inside its deadline), such as "2s", got "1m"']);
    expect(problemsFor({ instanceName: 'X', browser: { port: 0 } })[0]).toMatch(/^SQLPROBE_TARGETS\[0\]\.browser\.port: expected an integer 1–65535; drivers always ask UDP 1434/);
  });

  it('instanceName and port together are a problem: drivers skip the Browser when a port is given', () => {
    expect(problemsFor({ instanceName: 'SQLEXPRESS', port: 50123 })).toEqual([
      'SQLPROBE_TARGETS[0].port: give instanceName or port, not both; with instanceName the port comes from the SQL Server Browser, as drivers find it',
    ]);
  });

  it('dns.compare: resolver addresses, 1 to 8 of them', () => {
    expect(parsed({ dns: { compare: ['10.0.0.4', '1.1.1.1:53', '[2606:4700::1111]:53'] } }).dns?.compare).toHaveLength(3);
    expect(problemsFor({ dns: { compare: [] } })).toEqual(['SQLPROBE_TARGETS[0].dns.compare: expected at least one DNS server to compare with, e.g. ["1.1.1.1"], got an array']);
    expect(problemsFor({ dns: { compare: Array.from({ length: 9 }, (_, i) => `10.0.0.${i + 1}`) } })).toEqual(['SQLPROBE_TARGETS[0].dns.compare: expected at most 8 resolvers: each one is asked on every dns probe, got an array']);
    expect(problemsFor({ dns: { compare: ['dns.google'] } })[0]).toMatch(/^SQLPROBE_TARGETS\[0\]\.dns\.compare\[0\]: expected DNS server IP addresses.*got "dns\.google"$/);
  });

  it('expect.minTls names the versions', () => {
    expect(parsed({ expect: { minTls: '1.2' } }).expect).toMatchObject({ minTls: '1.2', query: 'SELECT 1' });
    expect(problemsFor({ expect: { minTls: 'TLSv1.2' } })).toEqual(['SQLPROBE_TARGETS[0].expect.minTls: expected "1.0", "1.1", "1.2" or "1.3", got "TLSv1.2"']);
  });

  it('ntlm auth: domain, user without the domain, and the password in a setting', () => {
    expect(parsed({ auth: { type: 'ntlm', domain: 'CONTOSO', user: 'svc-probe', passwordSetting: 'WIN_PW' } }).auth).toEqual({ type: 'ntlm', domain: 'CONTOSO', user: 'svc-probe', passwordSetting: 'WIN_PW' });
    expect(problemsFor({ auth: { type: 'ntlm', domain: 'CONTOSO', user: 'CONTOSO\\svc', passwordSetting: 'WIN_PW' } })).toEqual(['SQLPROBE_TARGETS[0].auth.user: expected the Windows user name without the domain (the domain goes in auth.domain), e.g. "svc-probe"']);
    expect(problemsFor({ auth: { type: 'ntlm', domain: 'CONTOSO', user: 'svc', password: 'x' } })).toEqual([
      'SQLPROBE_TARGETS[0].auth.passwordSetting: required; add it (expected the NAME of an app setting (letters, digits, "_"), e.g. "ORDERS_DB_PASSWORD", not the secret itself)',
      'SQLPROBE_TARGETS[0].auth.password: unknown field; remove it: secrets go in an app setting that the target names (auth.passwordSetting, auth.secretSetting, auth.certificateSetting or auth.tokenSetting)',
    ]);
  });

  it('service principal: a secret or a certificate, one of them', () => {
    const sp = { type: 'service-principal', tenantId: '11111111-2222-3333-4444-555555555555', clientId: '11111111-2222-3333-4444-666666666666' };
    expect(parsed({ auth: { ...sp, certificateSetting: 'SP_CERT' } }).auth).toMatchObject({ certificateSetting: 'SP_CERT' });
    const one = ['SQLPROBE_TARGETS[0].auth: expected secretSetting (a client secret) or certificateSetting (a PEM certificate with its private key), one of them'];
    expect(problemsFor({ auth: sp })).toEqual(one);
    expect(problemsFor({ auth: { ...sp, secretSetting: 'A', certificateSetting: 'B' } })).toEqual(one);
  });

  it("workload identity: the webhook's settings, or the target's own ids", () => {
    expect(parsed({ auth: { type: 'workload-identity' } }).probes).toEqual(['dns', 'tcp', 'tls', 'login']);
    expect(problemsFor({ auth: { type: 'workload-identity', clientId: 'not-a-guid' } })).toEqual(['SQLPROBE_TARGETS[0].auth.clientId: expected a GUID such as "00000000-0000-0000-0000-000000000000"']);
  });

  it('the secrets of ntlm and certificate targets are scrubbed everywhere', () => {
    const { targets } = parseTargets([
      { ...valid, auth: { type: 'ntlm', domain: 'CONTOSO', user: 'svc', passwordSetting: 'WIN_PW' } },
      { ...valid, name: 'cert', auth: { type: 'service-principal', tenantId: '11111111-2222-3333-4444-555555555555', clientId: '11111111-2222-3333-4444-666666666666', certificateSetting: 'SP_CERT' } },
    ], 'SQLPROBE_TARGETS');
    expect(secretsOf(targets, { WIN_PW: 'w1n-s3cret', SP_CERT: '-----BEGIN CERTIFICATE-----x' })).toEqual(['w1n-s3cret', '-----BEGIN CERTIFICATE-----x']);
  });

  it("the workload identity's settings are app settings: checked at start", () => {
    expect(() => loadConfig({ AZURE_AUTHORITY_HOST: 'http://login.example' })).toThrow('AZURE_AUTHORITY_HOST: expected an https URL such as "https://login.microsoftonline.us"');
    expect(() => loadConfig({ AZURE_TENANT_ID: 'contoso' })).toThrow(/AZURE_TENANT_ID: expected a GUID/);
    expect(loadConfig({ AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token' }).settings.AZURE_FEDERATED_TOKEN_FILE).toBe('/var/run/secrets/azure/tokens/azure-identity-token');
  });
});
