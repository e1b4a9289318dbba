/**
 * Strips secrets from text that leaves the process (result messages, logs). Known secret values are
 * replaced wherever they appear; secret-looking shapes are caught even when their value is unknown.
 */
const PATTERNS: readonly [RegExp, string][] = [
  // key=value pairs of connection strings and URLs: Password=…; pwd=…; AccountKey=…; sig=…
  [/\b(password|pwd|secret|client_secret|accountkey|sharedaccesskey|sig|access_token|token)\s*[=:]\s*("[^"]*"|'[^']*'|[^;&\s,]+)/gi, '$1=[redacted]'],
  // bearer tokens and JWTs (three base64url segments starting with eyJ)
  [/\bBearer\s+[A-Za-z0-9._~+/-]+=*/g, 'Bearer [redacted]'],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
];

const MAX_LENGTH = 1000;

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Longest first, so a secret that contains another is removed whole.
  for (const secret of [...secrets].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('[redacted]');
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out.length > MAX_LENGTH ? `${out.slice(0, MAX_LENGTH - 1)}…` : out;
}
