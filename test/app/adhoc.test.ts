// The ad-hoc allowlist and the per-source rules: what a request over HTTP, or a user at a terminal,
// may point a probe at and ask of it.
import { adHocServerSchema, adHocTarget, CLI_AD_HOC, hostAllowed, HTTP_AD_HOC } from '../../shared/app/adhoc';

const ALLOWLIST = ['*.database.windows.net', 'localhost'];

describe('hostAllowed: exact names and "*.suffix" patterns, on label boundaries', () => {
  test.each([
    ['evildatabase.windows.net', 'a name that only ends with the suffix\'s text, without its dot'],
    ['database.windows.net', 'the suffix itself: a pattern covers names below it'],
    ['.database.windows.net', 'an empty label below the suffix'],
    ['database.windows.net.evil.example', 'the suffix followed by another domain'],
    ['localhost.evil.example', 'an exact entry followed by another domain'],
    ['evil-localhost', 'an exact entry preceded by other text'],
    ['localhos', 'a prefix of an exact entry'],
    ['169.254.169.254', 'an address no entry names'],
  ])('refuses %s (%s)', (host) => {
    expect(hostAllowed(host, ALLOWLIST)).toBe(false);
  });

  test.each([
    ['a.database.windows.net', 'a one-letter label below the suffix'],
    ['a.b.database.windows.net', 'any depth below the suffix'],
    ['sql1.database.windows.net.', 'a trailing dot (the fully qualified form) on a name under the suffix'],
    ['localhost.', 'a trailing dot on an exact entry'],
    ['localhost', 'an exact entry'],
    ['SQL1.Database.Windows.NET', 'any case: DNS names are case-insensitive'],
    ['LocalHost', 'an exact entry in another case'],
  ])('allows %s (%s)', (host) => {
    expect(hostAllowed(host, ALLOWLIST)).toBe(true);
  });

  it('reads the patterns in any case too', () => {
    expect(hostAllowed('sql1.database.windows.net', ['*.DATABASE.Windows.Net'])).toBe(true);
    expect(hostAllowed('localhost', ['LOCALHOST'])).toBe(true);
  });

  it('allows a host any one pattern covers, and none with no patterns (ad-hoc probes off)', () => {
    expect(hostAllowed('sql1.contoso.com', ['*.database.windows.net', 'sql1.contoso.com'])).toBe(true);
    expect(hostAllowed('localhost', [])).toBe(false);
  });
});

describe('adHocServerSchema over HTTP: no secret, no local trust', () => {
  const schema = adHocServerSchema(HTTP_AD_HOC);
  const issues = (input: unknown) => {
    const parsed = schema.safeParse(input);
    return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path, message: i.message }));
  };

  it('defaults to the master database, auth none and a validated certificate', () => {
    expect(schema.parse({ server: 'sql1.database.windows.net' })).toEqual({
      server: 'sql1.database.windows.net', port: 1433, encrypt: true, database: 'master', auth: { type: 'none' }, trustServerCertificate: false,
    });
  });

  it('refuses any login that takes a secret, naming the auth field', () => {
    for (const auth of [{ type: 'sql', user: 'app', passwordSetting: 'APP_PASSWORD' }, { type: 'access-token', tokenSetting: 'TOKEN' }]) {
      expect(issues({ server: 'sql1.database.windows.net', auth })).toEqual([
        { path: ['auth'], message: 'expected auth.type "none" or "managed-identity": an ad-hoc server never gets a secret' },
      ]);
    }
  });

  it('sends the app\'s token only to an Azure SQL name', () => {
    expect(schema.parse({ server: 'sql1.database.windows.net', auth: { type: 'managed-identity' } }).auth).toEqual({ type: 'managed-identity' });
    expect(issues({ server: 'sql1.contoso.com', auth: { type: 'managed-identity' } })).toEqual([{
      path: ['auth'],
      message: 'managed-identity sends the app\'s token, so it is only for Azure SQL names (under database.windows.net, database.usgovcloudapi.net, database.chinacloudapi.cn); "sql1.contoso.com" is not one: use auth "none", or configure a target',
    }]);
  });

  it('keeps certificate checks on, and takes no CA file from a caller', () => {
    expect(issues({ server: 'localhost', trustServerCertificate: true })).toEqual([{
      path: ['trustServerCertificate'],
      message: 'an ad-hoc server\'s certificate is always validated: remove trustServerCertificate (only a configured target may set it, or caFile)',
    }]);
    expect(schema.parse({ server: 'localhost', trustServerCertificate: false }).trustServerCertificate).toBe(false);
    expect(issues({ server: 'localhost', caFile: '/etc/passwd' })).toEqual([{ path: [], message: expect.stringContaining('"caFile"') }]);
  });
});

describe('adHocServerSchema at a terminal: a SQL login, and the user\'s own trust choices', () => {
  const schema = adHocServerSchema(CLI_AD_HOC);

  it('takes a SQL login and the certificate choices a configured target has', () => {
    const server = schema.parse({ server: 'localhost', auth: { type: 'sql', user: 'app', passwordSetting: 'SQLPROBE_PASSWORD' }, trustServerCertificate: true, caFile: '/tmp/ca.pem' });
    expect(server).toMatchObject({ auth: { type: 'sql', user: 'app' }, trustServerCertificate: true, caFile: '/tmp/ca.pem', database: 'master' });
  });

  it('refuses the app\'s identity, with its own message', () => {
    const parsed = schema.safeParse({ server: 'sql1.database.windows.net', auth: { type: 'managed-identity' } });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => [i.path, i.message])).toEqual([[['auth'], 'expected auth.type "none" or "sql"']]);
  });
});

describe('adHocTarget', () => {
  const server = (input: unknown) => adHocServerSchema(CLI_AD_HOC).parse(input);

  it('goes by the name "adhoc", and without a login stops at TLS', () => {
    const t = adHocTarget(server({ server: 'localhost' }));
    expect(t).toMatchObject({ name: 'adhoc', server: 'localhost', database: 'master' });
    expect(t.probes).toEqual(['dns', 'tcp', 'tls']);
  });

  it('with a login runs the default probes, and the probes asked for when given', () => {
    const sql = server({ server: 'localhost', auth: { type: 'sql', user: 'app', passwordSetting: 'SQLPROBE_PASSWORD' } });
    expect(adHocTarget(sql).probes).toEqual(['dns', 'tcp', 'tls', 'login']);
    expect(adHocTarget(sql, ['tcp']).probes).toEqual(['tcp']);
    expect(adHocTarget(server({ server: 'localhost' }), ['tcp', 'tls']).probes).toEqual(['tcp', 'tls']);
  });
});
