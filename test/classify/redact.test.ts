// redact(): what leaves the process in a message or a log line carries no secret, neither the ones
// sqlprobe knows nor ones whose shape gives them away.
import { redact } from '../../shared/classify/redact';
import type { ProbeResult, VerdictChange } from '../../shared/contract';
import { redacting, scrubSecrets } from '../../shared/telemetry/scrub';
import type { Telemetry } from '../../shared/telemetry/types';
import { loginFailure } from '../helpers/results';

/** Every key of a connection string or URL whose value is a secret. */
const KEYS = ['password', 'pwd', 'secret', 'client_secret', 'accountkey', 'sharedaccesskey', 'sig', 'access_token', 'token'];

describe('redact: secret-looking key=value pairs, whatever the value', () => {
  test.each(KEYS)('%s', (key) => {
    const value = 'v4lue-nobody-told-us';
    expect(redact(`Server=tcp:sql1;${key}=${value};Encrypt=true`)).toBe(`Server=tcp:sql1;${key}=[redacted];Encrypt=true`);
    // Keys in any case, as connection strings write them; ':' as in JSON-ish or header text; spaces around either.
    expect(redact(`${key.toUpperCase()}=${value}`)).toBe(`${key.toUpperCase()}=[redacted]`);
    expect(redact(`${key}: ${value}`)).toBe(`${key}=[redacted]`);
    expect(redact(`${key} =  ${value}`)).toBe(`${key}=[redacted]`);
  });

  it('takes a quoted value whole, separators and spaces included', () => {
    expect(redact('Password="a b;c=d" then')).toBe('Password=[redacted] then');
    expect(redact("Pwd='x y;z' then")).toBe('Pwd=[redacted] then');
  });

  it('ends an unquoted value at ; & , or a space, so what follows stays readable', () => {
    expect(redact('https://acct.blob.core.windows.net/c?sv=2024&sig=AbC%2Fd3==&se=2030')).toBe('https://acct.blob.core.windows.net/c?sv=2024&sig=[redacted]&se=2030');
    expect(redact('pwd=abc,next=1')).toBe('pwd=[redacted],next=1');
    expect(redact('token=abc def')).toBe('token=[redacted] def');
  });

  it('leaves a longer name that merely ends in a key alone (OLDPWD is a directory)', () => {
    expect(redact('OLDPWD=/home/app')).toBe('OLDPWD=/home/app');
  });
});

describe('redact: tokens by shape', () => {
  it('an opaque Bearer token that no secret list names', () => {
    expect(redact('Authorization: Bearer 0paque.t0ken_with~all+the/chars-of-RFC6750==')).toBe('Authorization: Bearer [redacted]');
    expect(redact('Bearer  abc then')).toBe('Bearer [redacted] then');
    expect(redact('Bearer unpadded')).toBe('Bearer [redacted]');
  });

  it('a JWT wherever it appears, three base64url segments starting with eyJ', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9iZSJ9.c2lnbmF0dXJlLWxvbmc_-x';
    expect(redact(`the token ${jwt} expired`)).toBe('the token [redacted-jwt] expired');
    expect(redact(`unsigned ${jwt.slice(0, jwt.lastIndexOf('.') + 1)} too`)).toBe('unsigned [redacted-jwt] too');
  });

  it('leaves text that only looks a little like a token alone', () => {
    const text = 'eyJ is not a token, nor is eyJab.cd.ef, nor "Bearer" alone';
    expect(redact(text)).toBe(text);
  });
});

describe('redact: known secrets', () => {
  it('replaces each wherever it appears, even in text no pattern matches', () => {
    expect(redact('login with hunter2 failed (hunter2)', ['hunter2'])).toBe('login with [redacted] failed ([redacted])');
  });

  it('removes a secret that contains another whole, in whichever order they come', () => {
    const text = 'got abcdef and abc';
    expect(redact(text, ['abc', 'abcdef'])).toBe('got [redacted] and [redacted]');
    expect(redact(text, ['abcdef', 'abc'])).toBe('got [redacted] and [redacted]');
  });

  it('ignores values under 3 characters, which would shred ordinary text', () => {
    expect(redact('an ab test', ['ab'])).toBe('an ab test');
    expect(redact('an abc test', ['abc'])).toBe('an [redacted] test');
  });
});

describe('redact: length', () => {
  it('caps the text at 1000 characters, marking the cut', () => {
    const exact = 'x'.repeat(1000);
    expect(redact(exact)).toBe(exact);
    const cut = redact('y'.repeat(1001));
    expect(cut).toHaveLength(1000);
    expect(cut).toBe(`${'y'.repeat(999)}…`);
  });
});

describe('scrubSecrets and redacting, before any sink', () => {
  const SECRET = 's3cret-value';
  const withSecret = loginFailure({ error: { ...loginFailure().error!, message: `failed with ${SECRET}; pwd=shape` } });

  it('scrubs a secret of 3 characters, and with it every secret shape in that string', () => {
    expect(scrubSecrets({ m: 'got abc; pwd=x' }, ['abc'])).toEqual({ m: 'got [redacted]; pwd=[redacted]' });
  });

  it('ignores secrets under 3 characters as redact does, so they never make clean text be rewritten', () => {
    const value = { m: 'ab; pwd=x' };
    expect(scrubSecrets(value, ['ab'])).toBe(value);
    expect(scrubSecrets(value, ['ab', SECRET])).toEqual({ m: 'ab; pwd=x' });
    expect(scrubSecrets({ m: `ab; ${SECRET}` }, ['ab', SECRET])).toEqual({ m: 'ab; [redacted]' });
  });

  it('keeps numbers, booleans and null as they are, in arrays and objects', () => {
    const value = { n: 1, ok: true, none: null, list: [2, false, `x ${SECRET}`] };
    expect(scrubSecrets(value, [SECRET])).toEqual({ n: 1, ok: true, none: null, list: [2, false, 'x [redacted]'] });
  });

  it('hands the sink scrubbed results and verdict changes, and passes flush and shutdown through', async () => {
    const seen: { results: ProbeResult[]; changes: VerdictChange[]; calls: string[] } = { results: [], changes: [], calls: [] };
    const sink: Telemetry = {
      record: (r) => void seen.results.push(r),
      recordVerdictChange: (c) => void seen.changes.push(c),
      flush: async (ms) => (seen.calls.push(`flush ${ms}`), true),
      shutdown: async (ms) => (seen.calls.push(`shutdown ${ms}`), false),
    };
    const wrapped = redacting(sink, [SECRET]);
    wrapped.record(withSecret);
    wrapped.recordVerdictChange({ target: 't', region: 'r', verdict: 'nat-idle-drop', recommendation: `rotate ${SECRET}` });
    expect(await wrapped.flush(1234)).toBe(true);
    expect(await wrapped.shutdown(5678)).toBe(false);
    expect(seen.results.map((r) => r.error?.message)).toEqual(['failed with [redacted]; pwd=[redacted]']);
    expect(seen.changes.map((c) => c.recommendation)).toEqual(['rotate [redacted]']);
    expect(seen.calls).toEqual(['flush 1234', 'shutdown 5678']);
  });

  it('without secrets is the sink itself', () => {
    const sink: Telemetry = { record: () => undefined, recordVerdictChange: () => undefined, flush: async () => true, shutdown: async () => true };
    expect(redacting(sink, [])).toBe(sink);
  });
});
