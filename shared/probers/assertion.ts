import type { Assertion, ResultExpectation } from '../contract';

/** Long text is cut: the value is for a person reading the result, not a copy of the column. */
const MAX_TEXT = 1000;

type Seen = NonNullable<Assertion['value']> | null;

/** A column value in JSON terms: text, a number, true/false or null (binary as 0x… hex, dates as ISO 8601). */
export function seenValue(value: unknown): Seen {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex')}`.slice(0, MAX_TEXT);
  return String(value).slice(0, MAX_TEXT);
}

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
/** A number, or text that is one ("412", "0.5"), as SQL Server sends decimals through some drivers. */
const numeric = (v: Seen): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && NUMBER.test(v) ? Number(v) : undefined);

function matches(expected: ResultExpectation, v: Seen): boolean {
  const { equals, pattern, min, max } = expected;
  if (equals !== undefined) {
    if (typeof equals === 'number') return numeric(v) === equals;
    // A bit column arrives as true/false; 1 and 0 count as the same answer.
    if (typeof equals === 'boolean') return v === equals || v === (equals ? 1 : 0);
    return v !== null && String(v) === equals;
  }
  if (pattern !== undefined) return v !== null && new RegExp(pattern).test(String(v));
  const n = numeric(v);
  return n !== undefined && (min === undefined || n >= min) && (max === undefined || n <= max);
}

/** "equal to 0", "matching /^ONLINE$/", "between 0 and 300", "at most 300". */
export function describeExpectation(e: ResultExpectation): string {
  if (e.equals !== undefined) return `equal to ${JSON.stringify(e.equals)}`;
  if (e.pattern !== undefined) return `matching /${e.pattern}/`;
  if (e.min !== undefined && e.max !== undefined) return `between ${e.min} and ${e.max}`;
  return e.min !== undefined ? `at least ${e.min}` : `at most ${e.max}`;
}

/** Checks the first column of the query's first row (`firstRow` undefined: the query returned no row). */
export function assess(expected: ResultExpectation, firstRow: readonly unknown[] | undefined): Assertion {
  if (!firstRow) return { expected, matches: false };
  const value = seenValue(firstRow[0]);
  return { value, expected, matches: matches(expected, value) };
}

/** The mismatch in words, with the value seen and the expectation. */
export function mismatch(a: Assertion): string {
  const seen = a.value === undefined ? 'the query returned no row' : `the first column of the first row was ${JSON.stringify(a.value)}`;
  return `${seen}, expected ${describeExpectation(a.expected)}`;
}
