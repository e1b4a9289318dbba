import { z } from 'zod';
import { probeResultSchema, type ProbeResult } from '../../shared/contract';
import { InvalidResultError } from '../exit';

const resultsSchema = z.array(probeResultSchema);

export { InvalidResultError };

/** `--json`: one result object per probe as a JSON array, validated against the schema first. */
export function renderJson(results: readonly ProbeResult[]): string {
  const parsed = resultsSchema.safeParse(results);
  if (!parsed.success) throw new InvalidResultError(parsed.error.issues);
  return `${JSON.stringify(parsed.data, null, 2)}\n`;
}
