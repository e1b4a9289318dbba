import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseTargets, readSecret } from '../../shared/config';

const valid = {
  name: 'orders-eastus',
  server: 'orders.database.windows.net',
  database: 'orders',
  auth: { type: 'sql', user: 'probe', passwordSetting: 'ORDERS_DB_PASSWORD' },
};

/** Problems for one target that differs from the valid one by `patch`. */
function problemsFor(patch: Record<string, unknown>): string[] {
  return parseTargets([{ ...valid, ...patch }], 'SQLPROBE_TARGETS').problems;
}

describe('targets', () => {
  it('accepts a valid set and fills the defaults', () => {
    const { targets, problems } = parseTargets(
      [
        valid,
        { name: 'mi', server: 'mi.public.abc.database.windows.net', port: 3342, database: 'db', auth: { type: 'managed-identity' }, encrypt: 'strict', probes: ['login', 'idle'], expect: { policy: 'proxy' }, idle: { rungs: ['5s', '31m'] }, tags: { team: 'payments' } },
        { name: 'sp', server: '10.0.0.4', database: 'db', auth: { type: 'service-principal', tenantId: '11111111-2222-3333-4444-555555555555', clientId: '11111111-2222-3333-4444-666666666666', secretSetting: 'SP_SECRET' } },
        { name: 'fog', server: 'fog.database.windows.net', database: 'db', failoverGroup: {}, auth: { type: 'access-token', tokenSetting: 'TOKEN' } },
      ],
      'SQLPROBE_TARGETS',
    );
    expect(problems).toEqual([]);
    expect(targets.map((t) => t.name)).toEqual(['orders-eastus', 'mi', 'sp', 'fog']);
    const [orders, mi] = targets;
    expect(orders).toMatchObject({ port: 1433, encrypt: true, trustServerCertificate: false, probes: ['dns', 'tcp', 'tls', 'login'], expect: { query: 'SELECT 1', readOnly: false }, tags: {} });
    expect(orders.idle.rungs).toEqual([3, 5, 15, 29, 31, 40].map((m) => m * 60_000));
    expect(orders.idle.keepalive).toEqual(['on', 'off']);
    expect(mi.idle.rungs).toEqual([5_000, 31 * 60_000]);
    expect(mi.auth).toEqual({ type: 'managed-identity' });
    expect(targets[2].auth).toEqual({ type: 'service-principal', tenantId: '11111111-2222-3333-4444-555555555555', clientId: '11111111-2222-3333-4444-666666666666', secretSetting: 'SP_SECRET' });
  });

  it('defaults auth to none (credential-less probes only)', () => {
    const { targets } = parseTargets([{ name: 'x', server: 'x', database: 'd' }], 'SQLPROBE_TARGETS');
    expect(targets[0].auth).toEqual({ type: 'none' });
  });

  it('without credentials the default probes stop at tls; listed ones that log in are a problem and the target is skipped', () => {
    const { targets, problems } = parseTargets(
      [
        { name: 'open', server: 'x', database: 'd' },
        { name: 'listed', server: 'x', database: 'd', auth: { type: 'none' }, probes: ['tls', 'dns'] },
        { name: 'login', server: 'x', database: 'd', probes: ['login'] },
      ],
      'SQLPROBE_TARGETS',
    );
    expect(targets.map((t) => [t.name, t.probes])).toEqual([['open', ['dns', 'tcp', 'tls']], ['listed', ['tls', 'dns']]]);
    expect(problems).toEqual(['SQLPROBE_TARGETS[2].probes: "login" needs credentials, but auth is "none"; add auth (sql, ntlm, managed-identity, service-principal, workload-identity or access-token) or remove that probe']);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['port', { port: '14x33' }, 'SQLPROBE_TARGETS[0].port: expected an integer 1–65535, got "14x33"'],
    ['port range', { port: 70000 }, 'SQLPROBE_TARGETS[0].port: expected an integer 1–65535, got 70000'],
    ['name', { name: 'Orders DB' }, 'SQLPROBE_TARGETS[0].name: expected a slug: lowercase letters, digits and "-", starting with a letter or digit, at most 63 characters, e.g. "orders-eastus", got "Orders DB"'],
    ['server', { server: 'tcp:orders.database.windows.net,1433' }, 'SQLPROBE_TARGETS[0].server: expected a host name such as "myserver.database.windows.net" (no scheme, no port, no "tcp:"), got "tcp:orders.database.windows.net,1433"'],
    ['database', { database: '' }, 'SQLPROBE_TARGETS[0].database: expected a database name, got ""'],
    ['database missing', { database: undefined }, 'SQLPROBE_TARGETS[0].database: required; add it (expected a database name)'],
    ['encrypt', { encrypt: false }, 'SQLPROBE_TARGETS[0].encrypt: expected true or "strict" (unencrypted connections are not probed), got false'],
    ['trustServerCertificate', { trustServerCertificate: 'yes' }, 'SQLPROBE_TARGETS[0].trustServerCertificate: expected true or false, got "yes"'],
    ['caFile', { caFile: 3 }, 'SQLPROBE_TARGETS[0].caFile: expected a path to a PEM file, got 3'],
    ['probes', { probes: ['dns', 'ping'] }, 'SQLPROBE_TARGETS[0].probes[1]: expected one of dns, tcp, tls, login, idle, pool, got "ping"'],
    ['probes empty', { probes: [] }, 'SQLPROBE_TARGETS[0].probes: expected at least one of dns, tcp, tls, login, idle, pool, got an array'],
    ['expect.policy', { expect: { policy: 'default' } }, 'SQLPROBE_TARGETS[0].expect.policy: expected "proxy" or "redirect", got "default"'],
    ['expect.query', { expect: { query: '' } }, 'SQLPROBE_TARGETS[0].expect.query: expected a SQL query such as "SELECT 1", got ""'],
    ['expect.readOnly', { expect: { readOnly: 1 } }, 'SQLPROBE_TARGETS[0].expect.readOnly: expected true or false, got 1'],
    ['idle.rungs', { idle: { rungs: ['31 minutes'] } }, 'SQLPROBE_TARGETS[0].idle.rungs[0]: expected a positive duration such as "500ms", "30s", "31m" or "1h", got "31 minutes"'],
    ['idle.keepalive', { idle: { keepalive: ['maybe'] } }, 'SQLPROBE_TARGETS[0].idle.keepalive[0]: expected "on" or "off", got "maybe"'],
    ['idle.maxHeld', { idle: { maxHeld: 0 } }, 'SQLPROBE_TARGETS[0].idle.maxHeld: expected at least 1, got 0'],
    ['pool.size', { pool: { size: 500 } }, 'SQLPROBE_TARGETS[0].pool.size: expected an integer 1–100, got 500'],
    ['tags', { tags: { team: 7 } }, 'SQLPROBE_TARGETS[0].tags.team: expected a string value, got 7'],
    ['failoverGroup', { failoverGroup: { secondaryPort: 0 } }, 'SQLPROBE_TARGETS[0].failoverGroup.secondaryPort: expected an integer 1–65535, got 0'],
    ['auth.type', { auth: { type: 'kerberos' } }, 'SQLPROBE_TARGETS[0].auth.type: expected auth.type one of sql, managed-identity, service-principal, access-token, none, ntlm, workload-identity, got "kerberos"'],
    ['auth.user', { auth: { type: 'sql', passwordSetting: 'PW' } }, 'SQLPROBE_TARGETS[0].auth.user: required; add it (expected the SQL login name)'],
    ['auth.clientId', { auth: { type: 'managed-identity', clientId: 'abc' } }, 'SQLPROBE_TARGETS[0].auth.clientId: expected a GUID such as "00000000-0000-0000-0000-000000000000"'],
    ['auth.tenantId', { auth: { type: 'service-principal', clientId: '11111111-2222-3333-4444-555555555555', secretSetting: 'S' } }, 'SQLPROBE_TARGETS[0].auth.tenantId: required; add it (expected a GUID such as "00000000-0000-0000-0000-000000000000")'],
    ['unknown field', { colour: 'blue' }, 'SQLPROBE_TARGETS[0].colour: unknown field; remove it or check its spelling'],
    ['idle.keepaliveIdle', { idle: { keepaliveIdle: '30' } }, 'SQLPROBE_TARGETS[0].idle.keepaliveIdle: expected a positive duration such as "500ms", "30s", "31m" or "1h", got "30"'],
    ['idle.useTimeout', { idle: { useTimeout: 15 } }, 'SQLPROBE_TARGETS[0].idle.useTimeout: expected a duration such as "500ms", "30s", "31m" or "1h", got 15'],
    ['idle.cohortEvery', { idle: { cohortEvery: '1 hour' } }, 'SQLPROBE_TARGETS[0].idle.cohortEvery: expected a positive duration such as "500ms", "30s", "31m" or "1h", got "1 hour"'],
    ['pool.idleFor', { pool: { idleFor: '-5m' } }, 'SQLPROBE_TARGETS[0].pool.idleFor: expected a positive duration such as "500ms", "30s", "31m" or "1h", got "-5m"'],
    ['pool.keepalive', { pool: { keepalive: 'yes' } }, 'SQLPROBE_TARGETS[0].pool.keepalive: expected "on" or "off", got "yes"'],
    ['auth.secretSetting', { auth: { type: 'service-principal', tenantId: '11111111-2222-3333-4444-555555555555', clientId: '11111111-2222-3333-4444-666666666666', secretSetting: 'Xy9~client-secret' } }, 'SQLPROBE_TARGETS[0].auth.secretSetting: expected the NAME of an app setting (letters, digits, "_"), e.g. "ORDERS_DB_PASSWORD", not the secret itself'],
    ['auth.tokenSetting', { auth: { type: 'access-token', tokenSetting: 'eyJ0eXAi.eyJzdWIi.c2ln' } }, 'SQLPROBE_TARGETS[0].auth.tokenSetting: expected the NAME of an app setting (letters, digits, "_"), e.g. "ORDERS_DB_PASSWORD", not the secret itself'],
    ['failoverGroup.secondaryServer', { failoverGroup: { secondaryServer: 'tcp:fog.secondary.database.windows.net' } }, 'SQLPROBE_TARGETS[0].failoverGroup.secondaryServer: expected a host name such as "myserver.database.windows.net" (no scheme, no port, no "tcp:"), got "tcp:fog.secondary.database.windows.net"'],
    ['probes that log in, without auth', { auth: undefined, probes: ['dns', 'login'] }, 'SQLPROBE_TARGETS[0].probes: "login" needs credentials, but auth is "none"; add auth (sql, ntlm, managed-identity, service-principal, workload-identity or access-token) or remove that probe'],
    ['probes that log in, auth none', { auth: { type: 'none' }, probes: ['tcp', 'login', 'idle', 'pool'] }, 'SQLPROBE_TARGETS[0].probes: "login", "idle" and "pool" need credentials, but auth is "none"; add auth (sql, ntlm, managed-identity, service-principal, workload-identity or access-token) or remove those probes'],
  ])('names the field and the fix: %s', (_label, patch, message) => {
    expect(problemsFor(patch)).toEqual([message]);
  });

  it('rejects duplicate names but keeps the first target', () => {
    const { targets, problems } = parseTargets([valid, { ...valid, server: 'other' }], 'SQLPROBE_TARGETS');
    expect(targets).toHaveLength(1);
    expect(problems).toEqual(['SQLPROBE_TARGETS[1].name: "orders-eastus" is already used by another target; names must be unique']);
  });

  it('a broken target does not stop the others', () => {
    const { targets, problems } = parseTargets([{ ...valid, port: 'x' }, { ...valid, name: 'second' }], 'SQLPROBE_TARGETS');
    expect(targets.map((t) => t.name)).toEqual(['second']);
    expect(problems).toHaveLength(1);
  });

  it('rejects something that is not an array', () => {
    expect(parseTargets({ name: 'x' }, 'SQLPROBE_TARGETS').problems[0]).toMatch(/^SQLPROBE_TARGETS: expected a JSON array of targets/);
  });
});

describe('secrets never appear in errors', () => {
  const secret = 'Pa55w0rd!-do-not-print';
  it('a password pasted into the target', () => {
    const problems = problemsFor({ password: secret });
    expect(problems).toEqual(['SQLPROBE_TARGETS[0].password: unknown field; remove it: secrets go in an app setting that the target names (auth.passwordSetting, auth.secretSetting, auth.certificateSetting or auth.tokenSetting)']);
  });
  it('a password pasted where the setting name belongs', () => {
    const problems = problemsFor({ auth: { type: 'sql', user: 'probe', passwordSetting: secret } });
    expect(problems).toEqual(['SQLPROBE_TARGETS[0].auth.passwordSetting: expected the NAME of an app setting (letters, digits, "_"), e.g. "ORDERS_DB_PASSWORD", not the secret itself']);
  });
  it('a secret in a field nested under auth', () => {
    const problems = problemsFor({ auth: { type: 'service-principal', tenantId: secret, clientId: secret, secretSetting: 'S', clientSecret: secret } });
    expect(problems.join('\n')).not.toContain(secret);
    expect(problems.length).toBeGreaterThan(0);
  });
  it('broken JSON that holds a secret', () => {
    const err = catchConfigError(() => loadConfig({ SQLPROBE_TARGETS: `[{"name":"x","password":"${secret}"` }));
    expect(err.message).not.toContain(secret);
    expect(err.problems[0]).toMatch(/^SQLPROBE_TARGETS: not valid JSON/);
  });
  it('an invalid connection string setting', () => {
    const err = catchConfigError(() => loadConfig({ SQLPROBE_LIVE_METRICS: 'yes', APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${secret}` }));
    expect(err.message).not.toContain(secret);
  });
  it.each<[string, string]>([
    ['APPLICATIONINSIGHTS_CONNECTION_STRING', `InstrumentationKey=${secret}`],
    ['APPLICATIONINSIGHTS_CONNECTION_STRING', `InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=http://${secret}:99999/`],
    ['APPLICATIONINSIGHTS_AUTHENTICATION_STRING', `Authorization=${secret}`],
    ['APPLICATIONINSIGHTS_AUTHENTICATION_STRING', `Authorization=AAD;ClientId=${secret}`],
    ['APPLICATIONINSIGHTS_AUTHENTICATION_STRING', `Authorization=AAD;ClientSecret=${secret}`],
    ['AZURE_CLIENT_ID', secret],
  ])('%s holding a secret is rejected without echoing it', (setting, value) => {
    const err = catchConfigError(() => loadConfig({ [setting]: value }));
    expect(err.problems).toEqual([expect.stringMatching(new RegExp(`^${setting}: `))]);
    expect(err.message).not.toContain(secret);
    expect(err.message).not.toContain('Pa55w0rd');
  });
  it('a missing secret setting names the setting, not a value', () => {
    expect(() => readSecret('ORDERS_DB_PASSWORD', {})).toThrow('app setting ORDERS_DB_PASSWORD is not set; add it (a Key Vault reference works) or fix the target\'s setting name');
    expect(readSecret('ORDERS_DB_PASSWORD', { ORDERS_DB_PASSWORD: secret })).toBe(secret);
  });
});

function catchConfigError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const DNS_HINT = 'expected DNS server IP addresses, each "ip", "ip:port" or "[ipv6]:port" (no host names), such as "168.63.129.16,10.0.0.4:5353,[fd00::53]:53"';
const AUTH_FORM = '"Authorization=AAD" (system-assigned identity) or "Authorization=AAD;ClientId=<guid>" (user-assigned identity)';

describe('settings', () => {
  it('has sane defaults with nothing set', () => {
    const { settings, targets, problems } = loadConfig({});
    expect(targets).toEqual([]);
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({
      region: 'local',
      SQLPROBE_CONNECTIVITY_SCHEDULE: '0 */5 * * * *',
      SQLPROBE_IDLE_SCHEDULE: '0 * * * * *',
      SQLPROBE_CONCURRENCY: 50,
      SQLPROBE_PROBE_TIMEOUT: 30_000,
      SQLPROBE_ADHOC_ALLOWLIST: [],
      SQLPROBE_LIVE_METRICS: false,
    });
    // One retry of a transient failure after 5 s, Microsoft's first-retry delay.
    expect(settings.SQLPROBE_RETRY_DELAY).toBe(5000);
  });

  it('takes the region from REGION_NAME, and SQLPROBE_REGION overrides it', () => {
    expect(loadConfig({ REGION_NAME: 'East US' }).settings.region).toBe('East US');
    expect(loadConfig({ REGION_NAME: 'East US', SQLPROBE_REGION: 'eastus-vnet1' }).settings.region).toBe('eastus-vnet1');
  });

  it('takes DNS servers as IPv4 or IPv6, with or without a port', () => {
    const servers = ['168.63.129.16', '10.0.0.4:5353', 'fd00::53', '[fd00::53]', '[fd00::53]:53'];
    expect(loadConfig({ SQLPROBE_DNS_SERVERS: servers.join(', ') }).settings.SQLPROBE_DNS_SERVERS).toEqual(servers);
  });

  it('takes valid Application Insights strings and the app identity', () => {
    const { settings } = loadConfig({
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555',
      AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
    });
    expect(settings.AZURE_CLIENT_ID).toBe('11111111-2222-3333-4444-555555555555');
    expect(loadConfig({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD' }).settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toBe('Authorization=AAD');
  });

  it('parses lists and durations', () => {
    const { settings } = loadConfig({ SQLPROBE_ADHOC_ALLOWLIST: '*.database.windows.net, sql1.contoso.com', SQLPROBE_DNS_SERVERS: '10.0.0.2,127.0.0.1:5353', SQLPROBE_RETRY_DELAY: '1500ms' });
    expect(settings.SQLPROBE_ADHOC_ALLOWLIST).toEqual(['*.database.windows.net', 'sql1.contoso.com']);
    expect(settings.SQLPROBE_DNS_SERVERS).toEqual(['10.0.0.2', '127.0.0.1:5353']);
    expect(settings.SQLPROBE_RETRY_DELAY).toBe(1500);
    expect(loadConfig({ SQLPROBE_RETRY_DELAY: 'off' }).settings.SQLPROBE_RETRY_DELAY).toBe(0);
  });

  it.each<[Record<string, string>, string]>([
    [{ SQLPROBE_CONCURRENCY: 'ten' }, 'SQLPROBE_CONCURRENCY: expected an integer 1–500, got "ten"'],
    [{ SQLPROBE_CONCURRENCY: '0' }, 'SQLPROBE_CONCURRENCY: expected an integer 1–500, got "0"'],
    [{ SQLPROBE_PROBE_TIMEOUT: '30' }, 'SQLPROBE_PROBE_TIMEOUT: expected a positive duration such as "500ms", "30s", "31m" or "1h", got "30"'],
    [{ SQLPROBE_CONNECTIVITY_SCHEDULE: '*/5 * * * *' }, 'SQLPROBE_CONNECTIVITY_SCHEDULE: expected a six-field NCRONTAB schedule such as "0 */5 * * * *" (seconds first), got "*/5 * * * *"'],
    [{ SQLPROBE_LIVE_METRICS: 'yes' }, 'SQLPROBE_LIVE_METRICS: expected "true" or "false", got "yes"'],
    [{ SQLPROBE_ADHOC_ALLOWLIST: 'https://x.com' }, 'SQLPROBE_ADHOC_ALLOWLIST: expected host patterns such as "*.database.windows.net,sql1.contoso.com", got "https://x.com"'],
    [{ SQLPROBE_TARGETS: '[]', SQLPROBE_TARGETS_FILE: '/x.json' }, 'SQLPROBE_TARGETS and SQLPROBE_TARGETS_FILE are both set; keep one of them'],
    [{ SQLPROBE_TARGETS_FILE: '/nonexistent/targets.json' }, 'SQLPROBE_TARGETS_FILE: cannot read "/nonexistent/targets.json" (ENOENT); check the path'],
    [{ SQLPROBE_MAX_HELD_CONNECTIONS: '0' }, 'SQLPROBE_MAX_HELD_CONNECTIONS: expected an integer 1–10000, got "0"'],
    [{ SQLPROBE_RETRY_DELAY: '5' }, 'SQLPROBE_RETRY_DELAY: expected "off" or a duration up to 60s such as "5s", got "5"'],
    [{ SQLPROBE_RETRY_DELAY: '2m' }, 'SQLPROBE_RETRY_DELAY: expected "off" or a duration up to 60s such as "5s", got "2m"'],
    [{ SQLPROBE_IDLE_SCHEDULE: '* * * * *' }, 'SQLPROBE_IDLE_SCHEDULE: expected a six-field NCRONTAB schedule such as "0 */5 * * * *" (seconds first), got "* * * * *"'],
    [{ SQLPROBE_DNS_SERVERS: '10.0.0.2,dns.contoso.com' }, `SQLPROBE_DNS_SERVERS: ${DNS_HINT}, got "10.0.0.2,dns.contoso.com"`],
    [{ SQLPROBE_DNS_SERVERS: '10.0.0.2:0' }, `SQLPROBE_DNS_SERVERS: ${DNS_HINT}, got "10.0.0.2:0"`],
    [{ SQLPROBE_DNS_SERVERS: '10.0.0.2:65536' }, `SQLPROBE_DNS_SERVERS: ${DNS_HINT}, got "10.0.0.2:65536"`],
    [{ SQLPROBE_DNS_SERVERS: '[10.0.0.2]:53' }, `SQLPROBE_DNS_SERVERS: ${DNS_HINT}, got "[10.0.0.2]:53"`],
    [{ SQLPROBE_DNS_SERVERS: 'udp://10.0.0.2' }, `SQLPROBE_DNS_SERVERS: ${DNS_HINT}, got "udp://10.0.0.2"`],
    [{ AzureWebJobsStorage__accountName: 'My_Account' }, 'AzureWebJobsStorage__accountName: expected a storage account name (3–24 lowercase letters and digits), got "My_Account"'],
    [{ AzureWebJobsStorage__tableServiceUri: 'myaccount.table' }, 'AzureWebJobsStorage__tableServiceUri: expected a URL such as "https://myaccount.table.core.windows.net", got "myaccount.table"'],
    [{ AZURE_CLIENT_ID: 'probe-identity' }, 'AZURE_CLIENT_ID: expected a GUID such as "00000000-0000-0000-0000-000000000000", the client ID of the app\'s user-assigned managed identity'],
    [{ APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=not-a-guid' }, 'APPLICATIONINSIGHTS_CONNECTION_STRING: expected "InstrumentationKey=<lower-case GUID>;IngestionEndpoint=https://…", copied from the Application Insights overview page'],
    [{ APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=http://collector:99999/' }, 'APPLICATIONINSIGHTS_CONNECTION_STRING: IngestionEndpoint is not a valid URL; copy the connection string from the Application Insights overview page'],
    [{ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=ikey' }, `APPLICATIONINSIGHTS_AUTHENTICATION_STRING: expected ${AUTH_FORM}`],
    [{ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=probe-identity' }, `APPLICATIONINSIGHTS_AUTHENTICATION_STRING: ClientId must be a GUID, the client ID of the user-assigned identity; expected ${AUTH_FORM}`],
    [{ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;Client=11111111-2222-3333-4444-555555555555' }, `APPLICATIONINSIGHTS_AUTHENTICATION_STRING: expected only Authorization and ClientId, as ${AUTH_FORM}`],
  ])('rejects %j with an exact message', (env, message) => {
    expect(catchConfigError(() => loadConfig(env)).problems).toEqual([message]);
  });

  it('reads targets from SQLPROBE_TARGETS_FILE and reports problems under that name', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sqlprobe-cfg-')), 'targets.json');
    writeFileSync(file, JSON.stringify([valid, { ...valid, name: 'b', port: 0 }]));
    const { targets, problems } = loadConfig({ SQLPROBE_TARGETS_FILE: file });
    expect(targets.map((t) => t.name)).toEqual(['orders-eastus']);
    expect(problems).toEqual(['SQLPROBE_TARGETS_FILE[1].port: expected an integer 1–65535, got 0']);
  });
});
