import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAILURE_CLASSES } from '../../shared/contract';
import { SETTING_NAMES, targetSchema } from '../../shared/config';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

/** The first-column names of the markdown table under a heading. */
function tableNames(heading: string): string[] {
  const section = readme.split(`### ${heading}\n`)[1]?.split('\n#')[0] ?? '';
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
}

describe('README matches the schemas', () => {
  it('documents every setting the schema reads, and no other', () => {
    expect([...tableNames('Settings')].sort()).toEqual([...SETTING_NAMES].sort());
  });
  it('documents every target field, and no other', () => {
    expect([...tableNames('Target fields')].sort()).toEqual(Object.keys(targetSchema.shape).sort());
  });
});

describe('README troubleshooting', () => {
  it('explains every failure class', () => {
    const section = readme.split('## Troubleshooting\n')[1]?.split('\n## ')[0] ?? '';
    const documented = new Set([...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]));
    const missing = FAILURE_CLASSES.filter((c) => !documented.has(c) && !(c.startsWith('timeout-') && documented.has('timeout-<phase>')));
    expect(missing).toEqual([]);
  });
});
