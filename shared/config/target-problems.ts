import { errorCode, MAX_CA_FILE_BYTES, readRegularFile } from './files';
import type { Target } from './target';

/** One app probes at most this many targets: its rounds must finish inside the function timeout. */
export const MAX_TARGETS = 1000;
/** Problems listed one by one; past these, one line counts the rest, so 10,000 broken targets print 21 lines. */
export const MAX_LISTED_PROBLEMS = 20;

const CA_FIX = "give the path to the PEM file of the CA that signs the server's certificate";

/** Why the target's caFile cannot serve, checked when the config loads rather than at every probe. */
export function caFileProblem(target: Pick<Target, 'caFile'>, path: string): string | undefined {
  if (target.caFile === undefined) return undefined;
  let text: string;
  try {
    text = readRegularFile(target.caFile, MAX_CA_FILE_BYTES).toString('utf8');
  } catch (err) {
    return `${path}: cannot read "${target.caFile}" (${errorCode(err)}); ${CA_FIX}`;
  }
  return text.includes('-----BEGIN CERTIFICATE-----') ? undefined : `${path}: "${target.caFile}" holds no PEM certificate ("-----BEGIN CERTIFICATE-----"); ${CA_FIX}`;
}

/** The entries one app takes, and a problem naming the ones it skips. */
export function capTargets(raw: readonly unknown[], root: string): { entries: readonly unknown[]; problems: string[] } {
  if (raw.length <= MAX_TARGETS) return { entries: raw, problems: [] };
  return {
    entries: raw.slice(0, MAX_TARGETS),
    problems: [`${root}: ${raw.length} targets, but one app probes at most ${MAX_TARGETS}: ${root}[${MAX_TARGETS}] and after are skipped; split the targets over several apps`],
  };
}

/** The first problems one per line, then one line that counts the rest. */
export function summariseProblems(problems: string[], root: string): string[] {
  if (problems.length <= MAX_LISTED_PROBLEMS) return problems;
  const rest = problems.length - MAX_LISTED_PROBLEMS;
  return [...problems.slice(0, MAX_LISTED_PROBLEMS), `${root}: ${rest} more problem(s) not listed; fix the ones above and load again to see them`];
}
