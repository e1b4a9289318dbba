// What one result becomes in availabilityResults: the success flag alerts page on, the test name,
// the message, the duration, and the dimensions workbooks slice by.
import { availabilityAttributes, availabilityMessage, resultClass, resultDimensions, testName, toTimeSpan } from '../../shared/telemetry/availability';
import { loginFailure, loginSuccess, result, tlsProbe } from '../helpers/results';

const SUCCESS = 'microsoft.availability.success';

describe('the success flag', () => {
  it('is the result\'s own: a transient failure is a failure (a retry that failed again still pages)', () => {
    const transient = loginFailure({ error: { ...loginFailure().error!, class: 'db-unavailable', number: 40613, transient: true } });
    expect(availabilityAttributes(transient)[SUCCESS]).toBe(false);
    expect(availabilityAttributes(loginFailure())[SUCCESS]).toBe(false);
    expect(availabilityAttributes(loginSuccess())[SUCCESS]).toBe(true);
  });

  it('is a success when a retry succeeded, whatever the first attempt was', () => {
    const r = loginSuccess({ attempts: [{ startedAt: loginSuccess().startedAt, durationMs: 5, success: false, class: 'failover' }, { startedAt: loginSuccess().startedAt, durationMs: 5, success: true }] });
    expect(availabilityAttributes(r)[SUCCESS]).toBe(true);
    expect(availabilityAttributes(r).attempts).toBe(2);
  });
});

describe('availabilityAttributes', () => {
  it('names the row <target>/<probe>, in the region it ran from, with its id, duration and message', () => {
    const r = loginFailure();
    expect(availabilityAttributes(r)).toMatchObject({
      'microsoft.availability.id': r.id,
      'microsoft.availability.name': 'billing/login',
      'microsoft.availability.duration': '00:00:01.840',
      'microsoft.availability.runLocation': 'westeurope',
      'microsoft.availability.message': expect.stringMatching(/^firewall-blocked: Cannot open server 'billing-sql'/),
      target: 'billing',
    });
    expect(testName(tlsProbe())).toBe('orders/tls');
  });
});

describe('resultClass and availabilityMessage', () => {
  it('a success is class ok, with its duration rounded to the millisecond', () => {
    expect(resultClass(loginSuccess())).toBe('ok');
    expect(availabilityMessage(loginSuccess({ durationMs: 312.6 }))).toBe('ok: 313 ms');
  });

  it('a failure is its class and the first line of its message, at most 200 characters of it', () => {
    expect(resultClass(loginFailure())).toBe('firewall-blocked');
    expect(availabilityMessage(loginFailure())).toBe("firewall-blocked: Cannot open server 'billing-sql' requested by the login. Client with IP address '203.0.113.7' is not allowed to access the server.");
    const long = loginFailure({ error: { ...loginFailure().error!, message: `${'a'.repeat(199)}bc\nsecond line` } });
    expect(availabilityMessage(long)).toBe(`firewall-blocked: ${'a'.repeat(199)}b`);
  });
});

describe('toTimeSpan', () => {
  test.each([
    [-5, '00:00:00.000'],
    [0.4, '00:00:00.000'],
    [0.5, '00:00:00.001'],
    [59_999, '00:00:59.999'],
    [3_599_999, '00:59:59.999'],
    [86_399_999, '23:59:59.999'],
    [86_400_000, '1.00:00:00.000'],
    [2 * 86_400_000 + 3_723_004, '2.01:02:03.004'],
  ])('%p ms is %p', (ms, text) => {
    expect(toTimeSpan(ms)).toBe(text);
  });
});

describe('resultDimensions', () => {
  it('carries every fact a result has', () => {
    expect(resultDimensions(loginSuccess())).toEqual({
      target: 'orders', server: 'orders-sql.database.windows.net', probe: 'login', class: 'ok', policy: 'redirect',
      routedPort: 11042, tlsVersion: 'TLSv1.3', certDaysLeft: 87.5, attempts: 1, sqlprobeVersion: '0.1.0',
    });
    expect(resultDimensions(loginFailure())).toMatchObject({ class: 'firewall-blocked', phase: 'login', errorNumber: 40615, attempts: 2 });
    expect(resultDimensions(tlsProbe())).toMatchObject({ hostnameMatches: false, tlsVersion: 'TLSv1.2' });
  });

  it('leaves out what a result lacks, rather than sending "undefined"', () => {
    const bare = result({ policy: undefined, probe: 'tcp' });
    expect(resultDimensions(bare)).toEqual({ target: 'orders', server: 'sql1.database.windows.net', probe: 'tcp', class: 'ok', attempts: 1, sqlprobeVersion: '0.1.0' });
  });
});
