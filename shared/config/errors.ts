import type { z } from 'zod';

/**
 * Keys whose values may be secrets, or a secret pasted where a name belongs: nothing under `auth`
 * is echoed, since a client secret pasted into clientId is an easy mistake.
 */
const SENSITIVE_KEY = /password|secret|token|key|credential|setting|connection_?string|authentication|^auth$/i;
/**
 * Never echoed either: a client ID setting (AZURE_CLIENT_ID) is where a pasted client secret lands,
 * OTLP headers carry API keys, and an OTLP endpoint may carry one in its URL.
 */
const NOT_ECHOED = new RegExp(`${SENSITIVE_KEY.source}|client_?id|otlp`, 'i');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid sqlprobe configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function formatPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), root);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** The offending value, quoted, only where it is a short primitive under a non-sensitive key. */
function shownValue(root: string, input: unknown, path: readonly PropertyKey[]): string {
  const isDiscriminator = path.at(-1) === 'type';
  if (!isDiscriminator && [root, ...path].some((p) => typeof p === 'string' && NOT_ECHOED.test(p))) return '';
  const v = valueAt(input, path);
  if (v === undefined) return '';
  if (typeof v === 'object' && v !== null) return `, got ${Array.isArray(v) ? 'an array' : 'an object'}`;
  const text = JSON.stringify(v);
  return `, got ${text.length > 40 ? `${text.slice(0, 37)}…` : text}`;
}

/** Turns zod issues into "ROOT.path: what was expected, got X" lines that never echo a secret. */
export function describeIssues(root: string, issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const fix = SENSITIVE_KEY.test(key)
          ? 'remove it: secrets go in an app setting that the target names (auth.passwordSetting, auth.secretSetting, auth.certificateSetting or auth.tokenSetting)'
          : 'remove it or check its spelling';
        lines.push(`${formatPath(root, [...issue.path, key])}: unknown field; ${fix}`);
      }
      continue;
    }
    const missing = valueAt(input, issue.path) === undefined;
    const message = missing && issue.code === 'invalid_type' ? `required; add it (${issue.message})` : issue.message;
    lines.push(`${formatPath(root, issue.path)}: ${message}${shownValue(root, input, issue.path)}`);
  }
  return lines;
}
