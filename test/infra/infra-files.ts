// Reads the infra sources the offline checks look at, and extracts what they compare.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const INFRA = join(ROOT, 'infra');

export interface SourceFile {
  path: string;
  text: string;
}

/** Files under infra/ whose names end with one of the extensions, sorted, with their text. */
export function infraFiles(...extensions: string[]): SourceFile[] {
  return readdirSync(INFRA, { recursive: true, encoding: 'utf8' })
    .filter((p) => extensions.some((ext) => p.endsWith(ext)))
    .sort()
    .map((p) => ({ path: relative(ROOT, join(INFRA, p)), text: readFileSync(join(INFRA, p), 'utf8') }));
}

export const readRepoFile = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Dimension keys read as customDimensions.name or customDimensions['name']. */
export function dimensionNames(text: string): string[] {
  const re = /customDimensions\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*['"]([^'"]+)['"]\s*\])/g;
  return [...text.matchAll(re)].map((m) => m[1] ?? m[2]);
}

/** sqlprobe metric and event names used as string literals ('sqlprobe.…'). */
export function sqlprobeNames(text: string): string[] {
  return [...text.matchAll(/['"](sqlprobe\.[A-Za-z0-9_.]+)['"]/g)].map((m) => m[1]);
}

/** Resource types with API versions declared in Bicep ('Microsoft.X/y@2024-01-01'). */
export function resourceTypes(text: string): string[] {
  return [...text.matchAll(/'([A-Za-z]+\.[A-Za-z]+\/[A-Za-z/]+@\d{4}-\d{2}-\d{2}(?:-preview)?)'/g)].map((m) => m[1]);
}

/** Setting names that open a list item (- `NAME`: …) in one markdown section, from its heading to the next. */
export function settingsInSection(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) return [];
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(/\n#{1,2} /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/^- `([A-Za-z][A-Za-z0-9_]*)`/gm)].map((m) => m[1]);
}
