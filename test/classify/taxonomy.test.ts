// The taxonomy's rules as a user meets them: which error code or server number lands in which
// class, what each state of 18456 means, which classes are retried, and where each points for help.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify, type FailureInput } from '../../shared/classify';
import { FAILURE_CLASSES, PHASES, type FailureClass } from '../../shared/contract';

const ctx = { server: 'orders.database.windows.net', port: 1433, database: 'orders' };
const sysError = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.4:1433`), { code });
const named = (name: string) => Object.assign(new Error(`${name} happened`), { name });

describe('Node and tedious error codes, in the connect phase', () => {
  const table: [string, FailureClass][] = [
    ['CERT_HAS_EXPIRED', 'tls-expired'], ['CERT_NOT_YET_VALID', 'tls-expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-hostname-mismatch'], ['ERR_TLS_CERT_ALTNAME_FORMAT', 'tls-hostname-mismatch'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls-untrusted'], ['SELF_SIGNED_CERT_IN_CHAIN', 'tls-untrusted'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls-untrusted'], ['UNABLE_TO_GET_ISSUER_CERT', 'tls-untrusted'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tls-untrusted'], ['CERT_UNTRUSTED', 'tls-untrusted'],
    ['CERT_CHAIN_TOO_LONG', 'tls-untrusted'], ['CERT_SIGNATURE_FAILURE', 'tls-untrusted'], ['CERT_REJECTED', 'tls-untrusted'],
    ['ENOTFOUND', 'dns-not-found'], ['ENODATA', 'dns-not-found'], ['EAI_NONAME', 'dns-not-found'],
    ['EAI_NODATA', 'dns-not-found'], ['NXDOMAIN', 'dns-not-found'],
    ['ESERVFAIL', 'dns-failed'], ['EREFUSED', 'dns-failed'], ['EAI_AGAIN', 'dns-failed'], ['EBADRESP', 'dns-failed'], ['EFORMERR', 'dns-failed'],
    ['ECONNREFUSED', 'tcp-refused'],
    ['EHOSTUNREACH', 'tcp-unreachable'], ['ENETUNREACH', 'tcp-unreachable'], ['EHOSTDOWN', 'tcp-unreachable'],
    ['ENETDOWN', 'tcp-unreachable'], ['EADDRNOTAVAIL', 'tcp-unreachable'],
    ['ECONNRESET', 'tcp-reset'], ['EPIPE', 'tcp-reset'], ['ECONNABORTED', 'tcp-reset'],
    ['EENCRYPT', 'encryption-not-supported'], ['ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'encryption-not-supported'],
    ['ERR_SSL_UNSUPPORTED_PROTOCOL', 'encryption-not-supported'], ['ERR_SSL_NO_APPLICATION_PROTOCOL', 'encryption-not-supported'],
    ['EPROTO', 'tls-handshake-failed'], ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls-handshake-failed'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'tls-handshake-failed'], ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tls-handshake-failed'],
    ['EFEDAUTH', 'auth-token-failed'],
    ['ETDS', 'unexpected-server-response'], ['EINTERFACENOTSUPP', 'unexpected-server-response'],
    ['ERR_OUT_OF_RANGE', 'unexpected-server-response'], ['ERR_BUFFER_OUT_OF_BOUNDS', 'unexpected-server-response'],
    ['ELOGIN', 'login-failed'],
    ['ECAFILE', 'ca-file-unreadable'],
  ];

  test.each(table)('%s → %s', (code, cls) => {
    expect(classify({ phase: 'tcp', error: sysError(code), context: ctx }).class).toBe(cls);
  });

  test.each([
    ['CredentialUnavailableError', 'auth-token-failed'], ['AuthenticationError', 'auth-token-failed'],
    ['TdsDecodeError', 'unexpected-server-response'], ['ConfigError', 'secret-missing'],
  ])('an error named %s → %s', (name, cls) => {
    expect(classify({ phase: 'login', error: named(name), context: ctx }).class).toBe(cls);
  });

  it('a certificate code in the cause wins over the socket error around it', () => {
    const error = Object.assign(new Error('Failed to connect - certificate has expired'), { code: 'ESOCKET', cause: Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }) });
    expect(classify({ phase: 'tls', error, context: ctx }).class).toBe('tls-expired');
  });
});

describe('server error numbers the login tables do not show', () => {
  test.each([
    [10053, 'connection-lost'], [10054, 'connection-lost'], [10060, 'tcp-timeout'],
    [18452, 'windows-auth-required'], [40615, 'firewall-blocked'],
  ] as const)('%i → %s', (number, cls) => {
    expect(classify({ phase: 'login', server: { number, message: `error ${number}` }, context: ctx }).class).toBe(cls);
  });
});

describe('the states of error 18456', () => {
  const login = (state: number): FailureInput => ({ phase: 'login', server: { number: 18456, state, message: 'Login failed for user \'probe\'.' }, context: ctx });

  test.each([
    [[1], 'no detail'],
    [[2, 5], 'does not exist'],
    [[6], 'Windows login name'],
    [[7], 'disabled'],
    [[8, 9], 'password is wrong'],
    [[18], 'must be changed'],
    [[38, 46], 'cannot be opened'],
    [[58], 'Entra-only'],
    [[102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 132, 133], 'Entra authentication failed'],
  ])('%p: %s, in the message and leading the recommendation', (states, words) => {
    for (const state of states) {
      const c = classify(login(state));
      expect(c.message).toContain(`(state ${state}: `);
      expect(c.message).toContain(words);
      expect(c.recommendation).toMatch(new RegExp(`^State ${state}: [^.]*${words}`));
    }
  });

  it('a state with no known meaning adds nothing', () => {
    const c = classify(login(200));
    expect(c.message).toBe('Login failed for user \'probe\'.');
    expect(c.recommendation).not.toMatch(/^State/);
  });
});

describe('which classes are retried', () => {
  // A failover, throttling or a dropped packet may heal within seconds; a firewall rule, a wrong
  // password or an untrusted certificate will not, so those are reported at once.
  const RETRIED: FailureClass[] = [
    'dns-failed', 'tcp-timeout', 'tcp-reset', 'auth-token-failed', 'db-not-found', 'db-unavailable', 'failover',
    'throttled', 'connection-lost', 'server-closed', ...PHASES.map((p) => `timeout-${p}` as const),
  ];

  it('is exactly the transient ones, every timeout included', () => {
    const transient = FAILURE_CLASSES.filter((cls) => classify({ phase: 'login', class: cls }).transient);
    expect([...transient].sort()).toEqual([...RETRIED].sort());
  });

  it('is the list docs/results.md gives', () => {
    const doc = readFileSync(join(__dirname, '../../docs/results.md'), 'utf8');
    const paragraph = doc.split('**Retried**')[1]?.split('\n\n')[0] ?? '';
    const named = [...paragraph.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]);
    const listed = FAILURE_CLASSES.filter((cls) => named.includes(cls) || (cls.startsWith('timeout-') && paragraph.includes('every `timeout-<phase>`')));
    expect([...listed].sort()).toEqual([...RETRIED].sort());
  });
});

describe('where each class points for help', () => {
  it('every class but a query\'s unexpected answer links Microsoft\'s documentation for it', () => {
    const links = FAILURE_CLASSES.map((cls) => [cls, classify({ phase: 'login', class: cls }).docsUrl] as const);
    const microsoft = /^https:\/\/(learn\.microsoft\.com\/[a-z]+\/[\w./#-]+|github\.com\/microsoft\/[\w./-]+)$/;
    expect(links.filter(([, url]) => !url || !microsoft.test(url)).map(([cls]) => cls)).toEqual(['query-unexpected-result']);
    expect(Object.fromEntries(links)['query-unexpected-result']).toBeUndefined();
  });

  it('a timeout past TCP names what did not answer and its likely cause', () => {
    const shared = PHASES.filter((p) => !['dns', 'tcp', 'browser'].includes(p));
    const parts = shared.map((phase) => {
      const { recommendation } = classify({ phase, timedOut: true, context: { ...ctx, routed: { host: 'node1', port: 11002 } } });
      const [, what = '', cause = ''] = /did not answer during (.+)\. (.+) If it persists/.exec(recommendation) ?? [];
      return [phase, what.length > 3, cause.length > 10];
    });
    expect(parts).toEqual(shared.map((phase) => [phase, true, true]));
  });
});
