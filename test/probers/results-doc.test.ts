import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { FAILURE_CLASSES, probeResultSchema } from '../../shared/contract';

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; in?: z.ZodType };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object schema under optional/array/pipe wrappers, with the path suffix arrays add. */
function unwrap(schema: z.ZodType, prefix: string): [z.ZodType, string] {
  const def = defOf(schema);
  if (def.innerType) return unwrap(def.innerType, prefix);
  if (def.type === 'pipe' && def.in) return unwrap(def.in, prefix);
  if (def.type === 'array' && def.element) return unwrap(def.element, `${prefix}[]`);
  return [schema, prefix];
}

/**
 * Every field path of a schema ("tls.cert.daysLeft", "attempts[].class"), breadth first: a
 * sub-schema used in several places is documented once, at its shallowest path.
 */
function paths(root: z.ZodType): string[] {
  const out: string[] = [];
  const seen = new Set<z.ZodType>();
  const queue: [z.ZodType, string][] = [[root, '']];
  for (let item = queue.shift(); item; item = queue.shift()) {
    const [schema, prefix] = unwrap(...item);
    const def = defOf(schema);
    if (def.type !== 'object' || !def.shape || seen.has(schema)) continue;
    seen.add(schema);
    for (const [key, child] of Object.entries(def.shape)) {
      const path = prefix ? `${prefix}.${key}` : key;
      out.push(path);
      queue.push([child, path]);
    }
  }
  return out;
}

const DOCS = join(__dirname, '../../docs');
const doc = readFileSync(join(DOCS, 'results.md'), 'utf8');
/** The idle and pool shapes belong to their probers' page, linked from results.md. */
const linked = [...doc.matchAll(/\]\(([\w-]+\.md)\)/g)].map((m) => m[1]);
const allDocs = [doc, ...linked.map((f) => { try { return readFileSync(join(DOCS, f), 'utf8'); } catch { return ''; } })].join('\n');
const OWN = (f: string) => !/^(idle|pool)\./.test(f);

describe('docs/results.md', () => {
  it('documents every field of the result schema', () => {
    const fields = paths(probeResultSchema);
    expect(fields).toContain('tls.cert.daysLeft');
    expect(fields).toContain('error.clientIp');
    expect(fields.filter(OWN).filter((f) => !doc.includes(`\`${f}\``))).toEqual([]);
  });

  it('documents the idle and pool fields on the page it links to', () => {
    expect(paths(probeResultSchema).filter((f) => !OWN(f)).filter((f) => !allDocs.includes(`\`${f}\``))).toEqual([]);
  });

  it('documents no field the schema lacks', () => {
    const fields = new Set(paths(probeResultSchema));
    const documented = [...doc.matchAll(/^\| `([A-Za-z.[\]]+)` \|/gm)].map((m) => m[1]).filter((f) => !FAILURE_CLASSES.includes(f as never));
    expect(documented.filter((f) => !fields.has(f))).toEqual([]);
  });

  it('lists every failure class', () => {
    expect(FAILURE_CLASSES.filter((c) => !doc.includes(`\`${c}\``))).toEqual([]);
  });
});
