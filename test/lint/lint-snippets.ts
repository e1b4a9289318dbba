import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface Snippet {
  /** Where the code would live (repo-relative); the file need not exist. */
  path: string;
  code: string;
}

// ESLint loads its (ESM) config with a dynamic import, which jest's module sandbox refuses: lint in
// a child process, with the project's own config, as `npm run lint` does.
const LINT = `
import { ESLint } from 'eslint';
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const f of JSON.parse(process.argv[1])) {
  const [result] = await eslint.lintText(f.code, { filePath: f.path });
  out.push(result.messages.map((m) => m.ruleId + ': ' + m.message));
}
console.log(JSON.stringify(out));
`;

/** What `npm run lint` says of each snippet, as "rule: message" lines, by snippet. */
export function lintSnippets<S extends Snippet>(snippets: readonly S[]): Map<S, string[]> {
  const input = JSON.stringify(snippets.map((s) => ({ path: join(ROOT, s.path), code: s.code })));
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', LINT, input], { cwd: ROOT, encoding: 'utf8' })) as string[][];
  return new Map(snippets.map((s, i) => [s, out[i]]));
}
