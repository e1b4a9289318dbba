import fc from 'fast-check';
import { ConnectionError, RequestError } from 'tedious';
import { ConfigError } from '../../shared/config';
import { classify, type FailureInput } from '../../shared/classify';
import { classificationSchema, FAILURE_CLASSES } from '../../shared/contract';
import { CLASSES, SERVER_ERRORS } from '../../shared/classify/taxonomy';

const ctx = { server: 'orders.database.windows.net', port: 1433, database: 'orders' };

function sysError(code: string, message = code): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}
function socketError(cause: Error): ConnectionError {
  return new ConnectionError(`Failed to connect to ${ctx.server}:1433 - ${cause.message}`, 'ESOCKET', { cause });
}
function login(number: number, state = 1, message = `server error ${number}`): FailureInput {
  return { phase: 'login', error: new ConnectionError(message, 'ELOGIN'), server: { number, state, message }, context: ctx };
}

describe('classify: server error numbers', () => {
  const cases: [number, string, boolean][] = [
    [4060, 'db-not-found', true], [40613, 'db-unavailable', true], [40197, 'failover', true],
    [40501, 'throttled', true], [10928, 'throttled', true], [10929, 'throttled', true],
    [49918, 'throttled', true], [49919, 'throttled', true], [49920, 'throttled', true],
    [47073, 'public-access-denied', false], [40914, 'vnet-rule-missing', false], [40532, 'login-format', false],
    [18456, 'login-failed', false],
  ];
  it.each(cases)('%i → %s', (number, cls, transient) => {
    const c = classify(login(number, 1));
    expect(c).toMatchObject({ class: cls, phase: 'login', number, state: 1, transient });
    expect(classificationSchema.safeParse(c).success).toBe(true);
  });

  it('18456 carries the meaning of its state', () => {
    const c = classify(login(18456, 8, "Login failed for user 'probe'."));
    expect(c.message).toContain('state 8: the password is wrong');
    expect(c.recommendation).toMatch(/^State 8: the password is wrong\./);
    expect(classify(login(18456, 38)).message).toContain('database requested by the login cannot be opened');
    expect(classify(login(18456, 132)).message).toContain('Entra');
    expect(classify(login(18456, 2)).message).toContain('does not exist');
  });

  it('40615 parses the client IP into the result and the recommendation', () => {
    const message = "Cannot open server 'orders' requested by the login. Client with IP address '203.0.113.7' is not allowed to access the server.  To enable access, use the Azure Management Portal or run sp_set_firewall_rule on the master database to create a firewall rule for this IP address or address range.  It may take up to five minutes for this change to take effect.";
    const c = classify(login(40615, 1, message));
    expect(c).toMatchObject({ class: 'firewall-blocked', transient: false, clientIp: '203.0.113.7' });
    expect(c.recommendation).toContain('203.0.113.7');
    expect(c.recommendation).toContain('orders.database.windows.net');
  });

  it('an unknown number is a login failure at login and a query failure in the query', () => {
    expect(classify(login(18470)).class).toBe('login-failed');
    expect(classify({ phase: 'query', error: new RequestError('Invalid object name', 'EREQUEST'), server: { number: 208, message: 'Invalid object name' } }).class).toBe('query-failed');
  });
});

describe('classify: Node and tedious errors', () => {
  const cases: [FailureInput, string][] = [
    [{ phase: 'dns', error: sysError('ENOTFOUND', 'queryA ENOTFOUND nope.example') }, 'dns-not-found'],
    [{ phase: 'dns', error: sysError('ESERVFAIL') }, 'dns-failed'],
    [{ phase: 'dns', error: sysError('ECONNREFUSED') }, 'dns-failed'],
    [{ phase: 'dns', error: sysError('ETIMEOUT') }, 'timeout-dns'],
    [{ phase: 'tcp', error: socketError(sysError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1')) }, 'tcp-refused'],
    [{ phase: 'tcp', error: sysError('EHOSTUNREACH') }, 'tcp-unreachable'],
    [{ phase: 'tcp', error: sysError('ETIMEDOUT') }, 'tcp-timeout'],
    [{ phase: 'tcp', timedOut: true }, 'tcp-timeout'],
    [{ phase: 'tls', error: socketError(sysError('ECONNRESET', 'read ECONNRESET')) }, 'tcp-reset'],
    [{ phase: 'tls', error: socketError(sysError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate')) }, 'tls-untrusted'],
    [{ phase: 'tls', error: socketError(sysError('SELF_SIGNED_CERT_IN_CHAIN')) }, 'tls-untrusted'],
    [{ phase: 'tls', error: socketError(sysError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames")) }, 'tls-hostname-mismatch'],
    [{ phase: 'tls', error: socketError(sysError('CERT_HAS_EXPIRED', 'certificate has expired')) }, 'tls-expired'],
    [{ phase: 'tls', error: socketError(sysError('EPROTO')) }, 'tls-handshake-failed'],
    [{ phase: 'prelogin', error: new ConnectionError("Server did not negotiate encryption, but the 'encrypt' config option is set to `true`.", 'EENCRYPT') }, 'encryption-not-supported'],
    [{ phase: 'login', error: new AggregateError([new ConnectionError('Security token could not be authenticated or authorized.', 'EFEDAUTH'), new Error('no MSI')]) }, 'auth-token-failed'],
    [{ phase: 'login', error: new ConfigError(['app setting X is not set']) }, 'secret-missing'],
    [{ phase: 'login', error: new ConnectionError('Server responded with unknown TDS version.', 'ETDS') }, 'unexpected-server-response'],
    [{ phase: 'login', error: new ConnectionError('Failed to connect in 15000ms', 'ETIMEOUT') }, 'timeout-login'],
    [{ phase: 'prelogin', error: new DOMException('aborted', 'AbortError') }, 'timeout-prelogin'],
    [{ phase: 'query', error: new ConnectionError('Connection lost - read ECONNRESET', 'ESOCKET', { cause: sysError('ECONNRESET') }) }, 'connection-lost'],
    [{ phase: 'idle', error: new ConnectionError('Connection lost - read ETIMEDOUT', 'ESOCKET', { cause: sysError('ETIMEDOUT') }) }, 'connection-lost'],
    [{ phase: 'login', error: new Error('something odd') }, 'unknown'],
  ];
  it.each(cases.map(([input, cls]) => [cls, input.phase, input] as const))('%s (%s)', (cls, _phase, input) => {
    const c = classify({ ...input, context: ctx });
    expect(c.class).toBe(cls);
    expect(c.phase).toBe(input.phase);
    expect(c.number).toBeUndefined();
    expect(classificationSchema.safeParse(c).success).toBe(true);
  });
});

describe('classify: redirect', () => {
  const routed = { host: 'node1.tr1.eastus1-a.worker.database.windows.net', port: 11002 };
  it('a connect toward the routed node that fails or times out means the redirect ports are blocked', () => {
    for (const input of [{ timedOut: true }, { error: sysError('ECONNREFUSED') }, { error: sysError('ETIMEDOUT') }]) {
      const c = classify({ phase: 'reroute', ...input, context: { ...ctx, routed, routedConnected: false } });
      expect(c.class).toBe('redirect-ports-blocked');
      expect(c.recommendation).toContain('node1.tr1.eastus1-a.worker.database.windows.net:11002');
      expect(c.recommendation).toContain('11000-11999');
    }
  });
  it('a node that accepted TCP but hangs is a reroute timeout', () => {
    expect(classify({ phase: 'reroute', timedOut: true, context: { ...ctx, routed, routedConnected: true } }).class).toBe('timeout-reroute');
  });
});

describe('classify: redaction and shape', () => {
  it('never returns the secret it was told about, nor secret-shaped text', () => {
    const password = 'Sup3r$ecret!pw';
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwcm9iZSJ9.c2lnbmF0dXJl';
    const error = new Error(`login with ${password} failed; Password=${password}; Authorization: Bearer ${jwt}; AccountKey=abc123==`);
    const c = classify({ phase: 'login', error, secrets: [password, jwt] });
    const text = JSON.stringify(c);
    expect(text).not.toContain(password);
    expect(text).not.toContain(jwt);
    expect(text).not.toContain('abc123');
  });

  it('every class has a recommendation, and every server number maps to a known class', () => {
    for (const cls of FAILURE_CLASSES) expect(CLASSES[cls].recommendation.length).toBeGreaterThan(40);
    for (const e of SERVER_ERRORS) expect(FAILURE_CLASSES).toContain(e.class);
  });

  it('recommendations never show a raw placeholder, even without context', () => {
    for (const cls of FAILURE_CLASSES) expect(classify({ phase: 'login', class: cls }).recommendation).not.toMatch(/\{\w+\}/);
  });

  it('classifies a thrown value that cannot be turned into text (found by the property below)', () => {
    for (const error of [[{ toString: false }], Object.create(null), { toString: () => { throw new Error('no'); } }]) {
      const c = classify({ phase: 'dns', error });
      expect(classificationSchema.safeParse(c).success).toBe(true);
      expect(c.message).toBe('a thrown object with no message');
    }
  });

  it('never throws and always validates, whatever it is given', () => {
    const phases = ['dns', 'tcp', 'prelogin', 'tls', 'login', 'reroute', 'initialSql', 'query', 'idle'] as const;
    fc.assert(fc.property(
      fc.constantFrom(...phases), fc.anything(), fc.option(fc.record({ number: fc.integer({ min: 1, max: 60000 }), state: fc.integer({ min: 0, max: 255 }), message: fc.string() }), { nil: undefined }), fc.string({ minLength: 3 }),
      (phase, error, server, secret) => {
        const c = classify({ phase, error, server, secrets: [secret] });
        expect(classificationSchema.safeParse(c).success).toBe(true);
        expect(c.message.includes(secret) && !'[redacted]'.includes(secret)).toBe(false);
      },
    ));
  });
});

describe('classify: a peer that closes, and other rules around the codes', () => {
  const hangUp = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const kernelReset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });

  test.each([
    ['our codec saw the server close (FIN)', { phase: 'prelogin', error: Object.assign(new Error('the server closed the connection'), { code: 'EPEERCLOSED' }) }, 'server-closed'],
    ['a driver\'s made-up reset (no syscall, no ECONNRESET in its text) is a clean close', { phase: 'login', error: hangUp() }, 'server-closed'],
    ['a clean close in the cause of a socket error', { phase: 'login', error: new ConnectionError('Connection lost - socket hang up', 'ESOCKET', { cause: hangUp() }) }, 'server-closed'],
    ['a clean close mid-handshake is the server refusing the TLS offer', { phase: 'tls', error: Object.assign(new Error('Client network socket disconnected before secure TLS connection was established'), { code: 'ECONNRESET' }) }, 'tls-handshake-failed'],
    ['a reset from the kernel is a reset', { phase: 'login', error: kernelReset() }, 'tcp-reset'],
    ['a reset that names ECONNRESET without a syscall is a reset too', { phase: 'login', error: Object.assign(new Error('write ECONNRESET'), { code: 'ECONNRESET' }) }, 'tcp-reset'],
    ['any close after login is a lost connection', { phase: 'query', error: hangUp() }, 'connection-lost'],
    ['a "Connection lost" with no code before login is a reset', { phase: 'login', error: new Error('Connection lost - something') }, 'tcp-reset'],
    ['a "Connection lost" with no code after login is a lost connection', { phase: 'initialSql', error: new Error('connection LOST - something') }, 'connection-lost'],
    ['our deadline (TimeoutError)', { phase: 'tls', error: new DOMException('probe deadline', 'TimeoutError') }, 'timeout-tls'],
    ['Node\'s abort code', { phase: 'login', error: Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }) }, 'timeout-login'],
    ['the kernel\'s ETIMEDOUT while connecting', { phase: 'prelogin', error: sysError('ETIMEDOUT') }, 'timeout-prelogin'],
    ['the kernel\'s ETIMEDOUT after login: keepalive found the peer dead', { phase: 'query', error: sysError('ETIMEDOUT') }, 'connection-lost'],
    ['a code deep in a chain of causes', { phase: 'tcp', error: new Error('a', { cause: new Error('b', { cause: new Error('c', { cause: new Error('d', { cause: sysError('ECONNREFUSED') }) }) }) }) }, 'tcp-refused'],
    ['a kernel reset whose text does not name its code (it names its syscall)', { phase: 'login', error: Object.assign(new Error('Connection reset by peer'), { code: 'ECONNRESET', syscall: 'read' }) }, 'tcp-reset'],
    ['a TDS decode error after login stays one: only resets and keepalive timeouts lose the connection', { phase: 'query', error: Object.assign(new Error('bad token'), { name: 'TdsDecodeError' }) }, 'unexpected-server-response'],
    ['a thrown null', { phase: 'login', error: null }, 'unknown'],
    ['an error whose cause is null', { phase: 'login', error: Object.assign(new Error('odd'), { cause: null }) }, 'unknown'],
    ['an error that is its own cause, without looping', { phase: 'tcp', error: (() => { const e: Error & { cause?: unknown } = new Error('loop'); e.cause = e; return e; })() }, 'unknown'],
  ] as [string, FailureInput, string][])('%s', (_what, input, cls) => {
    expect(classify({ ...input, context: ctx }).class).toBe(cls);
  });

  test.each([
    ['login', 'login-failed'], ['reroute', 'login-failed'], ['query', 'query-failed'], ['initialSql', 'unknown'], ['tls', 'unknown'],
  ] as const)('an unknown server number in the %s phase is %s', (phase, cls) => {
    expect(classify({ phase, server: { number: 50000, message: 'custom error' } }).class).toBe(cls);
  });

  it('a failed connect to the port the SQL Browser named is that port\'s fault, in the TCP phase only', () => {
    const named = { ...ctx, instance: 'SQLEXPRESS', port: 49172 };
    for (const error of [sysError('ECONNREFUSED'), sysError('EHOSTUNREACH'), sysError('ETIMEDOUT')]) {
      expect(classify({ phase: 'tcp', error, context: named }).class).toBe('instance-port-closed');
    }
    expect(classify({ phase: 'tcp', error: sysError('ECONNREFUSED'), context: ctx }).class).toBe('tcp-refused');
    expect(classify({ phase: 'tls', error: sysError('ECONNRESET'), context: named }).class).toBe('tcp-reset');
    expect(classify({ phase: 'login', error: sysError('ECONNREFUSED'), context: named }).class).toBe('tcp-refused');
  });

  it('a redirect is blamed only for a connect toward the node that did not complete', () => {
    const routed = { host: 'node1.tr1.eastus1-a.worker.database.windows.net', port: 11002 };
    expect(classify({ phase: 'reroute', error: sysError('ECONNREFUSED'), context: { ...ctx, routedConnected: false } }).class).toBe('tcp-refused');
    expect(classify({ phase: 'reroute', error: sysError('ECONNREFUSED'), context: { ...ctx, routed } }).class).toBe('tcp-refused');
    expect(classify({ phase: 'reroute', error: sysError('EHOSTUNREACH'), context: { ...ctx, routed, routedConnected: false } }).class).toBe('redirect-ports-blocked');
    expect(classify({ phase: 'tcp', error: sysError('ECONNREFUSED'), context: { ...ctx, routed, routedConnected: false } }).class).toBe('tcp-refused');
    expect(classify({ phase: 'reroute', error: sysError('EPROTO'), context: { ...ctx, routed, routedConnected: false } }).class).toBe('tls-handshake-failed');
  });
});

describe('classify: the message and the recommendation', () => {
  it('takes a prober\'s own message over the error\'s, and the class name when there is no text at all', () => {
    expect(classify({ phase: 'login', class: 'policy-mismatch', message: 'connected through the proxy, expected redirect', error: new Error('other') }).message).toBe('connected through the proxy, expected redirect');
    expect(classify({ phase: 'login', class: 'policy-mismatch' }).message).toBe('policy-mismatch');
    expect(classify({ phase: 'login', error: new Error('') }).message).toBe('unknown');
  });

  it('takes the server\'s message over the driver\'s', () => {
    expect(classify({ phase: 'login', error: new Error('driver text'), server: { number: 40613, message: 'Database is not currently available.' } }).message).toBe('Database is not currently available.');
  });

  it('gives every member of an AggregateError, or its own message when it has none', () => {
    expect(classify({ phase: 'tcp', error: new AggregateError([new Error('connect A'), new Error('connect B')], 'all failed') }).message).toBe('connect A; connect B');
    expect(classify({ phase: 'tcp', error: new AggregateError([], 'all failed') }).message).toBe('all failed');
    expect(classify({ phase: 'tcp', error: 'a thrown string' }).message).toBe('a thrown string');
  });

  it('carries the number and state only when the server sent them, and the client IP only for 40615', () => {
    const bare = classify({ phase: 'login', server: { number: 40613, message: 'x' } });
    expect(Object.keys(bare)).not.toEqual(expect.arrayContaining(['state']));
    expect(bare.number).toBe(40613);
    expect(Object.keys(classify({ phase: 'login', error: new Error('x') }))).not.toEqual(expect.arrayContaining(['number']));
    const other = classify({ phase: 'login', server: { number: 40613, message: "Client with IP address '203.0.113.7' is not allowed" } });
    expect(other.clientIp).toBeUndefined();
    expect(classify({ phase: 'login', server: { number: 40615, message: "Client with IP address '2001:db8::7' is not allowed" } }).clientIp).toBe('2001:db8::7');
  });

  it('fills the context into the recommendation, and plain words where the context has no value', () => {
    const full = classify({ phase: 'login', server: { number: 40501, message: 'busy' }, context: ctx });
    expect(full.recommendation).toContain('(error 40501)');
    const query = classify({ phase: 'query', server: { number: 208, message: 'Invalid object name' }, context: ctx });
    expect(query.recommendation).toContain('(error 208)');
    expect(query.recommendation).toContain('permissions in orders.');
    expect(classify({ phase: 'tcp', class: 'tcp-refused' }).recommendation).toContain('on the server:the SQL port');
    expect(classify({ phase: 'login', class: 'db-not-found' }).recommendation).toContain('Database the database cannot be opened');
    expect(classify({ phase: 'reroute', class: 'timeout-reroute' }).recommendation).toContain('the node:its port');
    expect(classify({ phase: 'login', class: 'firewall-blocked' }).recommendation).toContain('Client IP this client is not allowed');
    expect(classify({ phase: 'query', class: 'query-failed' }).recommendation).toContain('(error see message)');
  });

  it('redacts the recommendation too', () => {
    const c = classify({ phase: 'login', server: { number: 40615, message: 'x' }, context: { ...ctx, server: 'hunter2-host' }, secrets: ['hunter2'] });
    expect(c.recommendation).not.toContain('hunter2');
    expect(c.recommendation).toContain('[redacted]');
  });
});
