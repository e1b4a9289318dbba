import { targetSchema } from '../../shared/config';
import { loginProber } from '../../shared/probers/login';
import { assess, describeExpectation, seenValue } from '../../shared/probers/assertion';
import type { Simulator } from '../../sim';
import { cleanupCerts, simTarget, SIM_OPTIONS, startTlsSim } from '../helpers/sim';
import { checked } from './fixtures';

let sim: Simulator;
beforeAll(async () => {
  sim = await startTlsSim();
});
afterAll(async () => {
  await sim.stop();
  cleanupCerts();
});

const probe = (query: string, result: object, extra: object = {}) =>
  loginProber(simTarget(sim, { probes: ['login'], server: 'localhost', expect: { query, result } as never, ...extra }), SIM_OPTIONS, AbortSignal.timeout(5000)).then(checked);

describe('expect.result: the first column of the first row', () => {
  it('a value in range passes, and the result shows the value and the expectation', async () => {
    const r = await probe('SELECT 42 AS lag_seconds', { max: 300 });
    expect(r.success).toBe(true);
    expect(r.assertion).toEqual({ value: 42, expected: { max: 300 }, matches: true });
  });

  it('a value out of range is query-unexpected-result, with what was seen and what was expected', async () => {
    const r = await probe('SELECT 412 AS lag_seconds', { min: 0, max: 300 });
    expect(r.error).toMatchObject({ class: 'query-unexpected-result', phase: 'query', transient: false, message: 'the first column of the first row was 412, expected between 0 and 300' });
    expect(r.assertion).toEqual({ value: 412, expected: { min: 0, max: 300 }, matches: false });
  });

  it('equals and pattern compare text', async () => {
    expect((await probe("SELECT N'ONLINE'", { equals: 'ONLINE' })).success).toBe(true);
    const r = await probe("SELECT N'RECOVERY_PENDING'", { pattern: '^ONLINE$' });
    expect(r.error?.message).toBe('the first column of the first row was "RECOVERY_PENDING", expected matching /^ONLINE$/');
  });

  it('the first column is the first even when columns share a name, and other rows and sets do not count', async () => {
    const r = await probe("SELECT 7 AS v, 8 AS v; SELECT 9 AS v", { equals: 7 });
    expect(r.assertion?.value).toBe(7);
    expect(r.success).toBe(true);
  });

  it("with the facts appended to the batch, the facts' row is never taken for the answer", async () => {
    const r = await loginProber(simTarget(sim, { probes: ['login'], server: 'localhost', expect: { query: 'SELECT 5', readOnly: false, result: { equals: 5 } } as never }), { ...SIM_OPTIONS, facts: true }, AbortSignal.timeout(5000)).then(checked);
    expect(r).toMatchObject({ success: true, assertion: { value: 5 }, facts: { database: 'appdb' } });
    const none = await loginProber(simTarget(sim, { probes: ['login'], server: 'localhost', expect: { query: 'SET NOCOUNT ON', readOnly: false, result: { equals: 1 } } as never }), { ...SIM_OPTIONS, facts: true }, AbortSignal.timeout(5000)).then(checked);
    expect(none.error).toMatchObject({ class: 'query-unexpected-result', message: 'the query returned no row, expected equal to 1' });
    expect(none.assertion).toEqual({ expected: { equals: 1 }, matches: false });
  });

  it('a query error stays query-failed: there is no answer to check', async () => {
    const r = await probe('SELECT nope', { equals: 1 });
    expect(r.error?.class).toBe('query-failed');
    expect(r.assertion).toBeUndefined();
  });

  it('checks each listener of a failover group', async () => {
    const secondary = await startTlsSim({ servers: [{ readOnly: true }] });
    try {
      const r = await probe('SELECT 3', { equals: 4 }, { failoverGroup: { secondaryServer: 'localhost', secondaryPort: secondary.gatewayPort } });
      expect(r.error?.class).toBe('query-unexpected-result');
      expect(r.listeners?.map((l) => [l.listener, l.assertion?.matches])).toEqual([['primary', false], ['secondary', false]]);
    } finally {
      await secondary.stop();
    }
  });
});

describe('the comparison itself', () => {
  it('turns column values into JSON', () => {
    expect(seenValue(null)).toBeNull();
    expect(seenValue(12n)).toBe(12);
    expect(seenValue(2n ** 60n)).toBe('1152921504606846976');
    expect(seenValue(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02T03:04:05.000Z');
    expect(seenValue(Buffer.from([0xca, 0xfe]))).toBe('0xcafe');
    expect(seenValue('x'.repeat(5000))).toHaveLength(1000);
  });

  it('compares numbers in text, bits as 1/0 or true/false, and NULL as no match', () => {
    expect(assess({ max: 1 }, ['0.5']).matches).toBe(true);
    expect(assess({ equals: true }, [true]).matches).toBe(true);
    expect(assess({ equals: true }, [1]).matches).toBe(true);
    expect(assess({ equals: 0 }, [null]).matches).toBe(false);
    expect(assess({ pattern: '.' }, [null]).matches).toBe(false);
    expect(assess({ min: 1 }, ['abc']).matches).toBe(false);
    expect(assess({ equals: 'a' }, undefined)).toEqual({ expected: { equals: 'a' }, matches: false });
    expect(describeExpectation({ min: 5 })).toBe('at least 5');
  });

  it('refuses an expectation that is not exactly one check, an inverted range, or a broken pattern, naming the field', () => {
    const problems = (result: unknown) => {
      const parsed = targetSchema.safeParse({ name: 'x', server: 'h', database: 'd', expect: { result } });
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problems({ equals: 1, max: 2 })).toEqual(['expect.result: expected exactly one of equals, pattern, or a range (min and/or max), e.g. {"max": 300}']);
    expect(problems({})).toEqual(['expect.result: expected exactly one of equals, pattern, or a range (min and/or max), e.g. {"max": 300}']);
    expect(problems({ min: 5, max: 1 })).toEqual(['expect.result.min: expected min at most max (1)']);
    expect(problems({ pattern: '(' })[0]).toMatch(/^expect\.result\.pattern: not a valid regular expression/);
    expect(problems({ pattern: 'x'.repeat(501) })).toEqual(['expect.result.pattern: expected at most 500 characters']);
    expect(problems({ equals: 'x', extra: 1 })[0]).toMatch(/^expect\.result: /);
  });
});
