import { z } from 'zod';
import { probeResultSchema, type ProbeResult } from '../../shared/contract';

const resultsSchema = z.array(probeResultSchema);

/** A result that breaks the contract is a bug in sqlprobe, reported rather than printed as if valid. */
export class InvalidResultError extends Error {
  constructor(issues: readonly z.core.$ZodIssue[]) {
    super(`internal error: a result does not match the result schema (${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
    this.name = 'InvalidResultError';
  }
}

/** `--json`: one result object per probe as a JSON array, validated against the schema first. */
export function renderJson(results: readonly ProbeResult[]): string {
  const parsed = resultsSchema.safeParse(results);
  if (!parsed.success) throw new InvalidResultError(parsed.error.issues);
  return `${JSON.stringify(parsed.data, null, 2)}\n`;
}
