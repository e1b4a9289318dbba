// `npm run lint` keeps the suite whole: a committed .only or .skip, a test that asserts nothing, or
// an assertion only some runs reach fails it. These fixtures show each failing, and the forms the
// suite uses passing.
import { lintSnippets, type Snippet } from './lint-snippets';

interface Fixture extends Snippet {
  what: string;
  /** The rule expected to fail it, or none. */
  rule?: string;
}

const PATH = 'test/x.test.ts';
const fixture = (what: string, code: string, rule?: string): Fixture => ({ what, path: PATH, code, rule });
const ASSERTS = 'expect(1 + 1).toBe(2);';

const REFUSED: Fixture[] = [
  fixture('a focused test (it.only)', `it.only('adds', () => { ${ASSERTS} });`, 'jest/no-focused-tests'),
  fixture('a focused block (describe.only)', `describe.only('sums', () => { it('adds', () => { ${ASSERTS} }); });`, 'jest/no-focused-tests'),
  fixture('a focused test (fit)', `fit('adds', () => { ${ASSERTS} });`, 'jest/no-focused-tests'),
  fixture('a focused table (test.only.each)', `test.only.each([[1]])('adds %i', (n) => { expect(n).toBe(1); });`, 'jest/no-focused-tests'),
  fixture('a skipped test (it.skip)', `it.skip('adds', () => { ${ASSERTS} });`, 'jest/no-disabled-tests'),
  fixture('a skipped block (describe.skip)', `describe.skip('sums', () => { it('adds', () => { ${ASSERTS} }); });`, 'jest/no-disabled-tests'),
  fixture('a skipped test (xit)', `xit('adds', () => { ${ASSERTS} });`, 'jest/no-disabled-tests'),
  fixture('a test without an assertion', "it('adds', () => { const sum = 1 + 1; void sum; });", 'jest/expect-expect'),
  fixture('an assertion only some runs reach', "it('adds', () => { const sum = 1 + 1; if (sum > 1) expect(sum).toBe(2); });", 'jest/no-conditional-expect'),
  fixture('an assertion in a catch', "it('throws', () => { try { JSON.parse('{'); } catch (err) { expect(err).toBeInstanceOf(SyntaxError); } });", 'jest/no-conditional-expect'),
];

const ALLOWED: Fixture[] = [
  fixture('a plain test', `it('adds', () => { ${ASSERTS} });`),
  fixture('a helper named expect…', "const expectSum = (a: number, b: number, sum: number) => expect(a + b).toBe(sum);\nit('adds', () => { expectSum(1, 1, 2); });"),
  fixture('a fast-check property', "import fc from 'fast-check';\nit('commutes', () => { fc.assert(fc.property(fc.integer(), fc.integer(), (a, b) => a + b === b + a)); });"),
  fixture('the one guarded skip', "import { describeIfAble } from './helpers/strict-ci';\ndescribeIfAble('needs root', undefined, () => { it('adds', () => { expect(1 + 1).toBe(2); }); });"),
];

let messages: Map<Fixture, string[]>;

beforeAll(() => {
  messages = lintSnippets([...REFUSED, ...ALLOWED]);
}, 60_000);

describe('npm run lint: tests that cannot pass by accident', () => {
  test.each(REFUSED.map((f) => [f.what, f] as const))('refuses %s', (_what, f) => {
    expect(messages.get(f)?.map((m) => m.split(':')[0])).toEqual([f.rule]);
  });

  test.each(ALLOWED.map((f) => [f.what, f] as const))('allows %s', (_what, f) => {
    expect(messages.get(f)).toEqual([]);
  });
});
