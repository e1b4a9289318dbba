// Checks resource declarations against Azure's generated type definitions (Azure/bicep-types-az,
// the files the Bicep compiler validates with; copies in test/infra/types): every property path a
// template sets must exist, be writable and hold an allowed value, and required properties must be
// set. Values computed at deployment are not judged.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BicepResource, Prop, Value } from './bicep-resources';

interface Ref {
  $ref: string;
}
interface PropertyDef {
  type: Ref;
  flags: number;
}
type TypeDef =
  | { $type: 'ObjectType'; name: string; properties: Record<string, PropertyDef>; additionalProperties?: Ref }
  | { $type: 'DiscriminatedObjectType'; name: string; discriminator: string; baseProperties: Record<string, PropertyDef>; elements: Record<string, Ref> }
  | { $type: 'UnionType'; elements: Ref[] }
  | { $type: 'StringLiteralType'; value: string }
  | { $type: 'StringType' }
  | { $type: 'IntegerType'; minValue?: number; maxValue?: number }
  | { $type: 'BooleanType' }
  | { $type: 'ArrayType'; itemType: Ref }
  | { $type: 'AnyType' }
  | { $type: 'ResourceType'; name: string; body: Ref };

const REQUIRED = 1;
const READ_ONLY = 2;
/** Resource body keys that Bicep itself handles; they are not part of the resource's type. */
const BICEP_KEYWORDS = new Set(['parent', 'scope', 'dependsOn']);

/** One types.json: resolves its own `#/N` references. */
class TypeFile {
  constructor(readonly types: TypeDef[]) {}
  get(ref: Ref): TypeDef {
    return this.types[Number(ref.$ref.slice(ref.$ref.lastIndexOf('/') + 1))];
  }
}

export interface TypeIndex {
  /** Lower-case 'provider/type@version' → its file and body. */
  resources: Map<string, { file: TypeFile; body: Ref }>;
}

/** Every types.json below dir. */
export function loadTypes(dir: string): TypeIndex {
  const resources = new Map<string, { file: TypeFile; body: Ref }>();
  for (const path of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('types.json'))) {
    const file = new TypeFile(JSON.parse(readFileSync(join(dir, path), 'utf8')) as TypeDef[]);
    for (const t of file.types) if (t.$type === 'ResourceType') resources.set(t.name.toLowerCase(), { file, body: t.body });
  }
  return { resources };
}

const describe = (v: Value): string => (v.kind === 'string' ? `'${v.value}'` : v.kind === 'number' || v.kind === 'boolean' ? String(v.value) : v.kind);

class Walker {
  readonly problems: string[] = [];
  constructor(private readonly file: TypeFile, private readonly where: string) {}

  report(line: number, path: string, message: string): void {
    this.problems.push(`${this.where}:${line}: ${path || '(body)'}: ${message}`);
  }

  /** Checks a value against a type; every option of a oneOf must fit. */
  walk(value: Value, ref: Ref, path: string): void {
    if (value.kind === 'oneOf') return value.options.forEach((o) => this.walk(o, ref, path));
    if (value.kind === 'absent' || value.kind === 'null') return;
    const type = this.file.get(ref);
    switch (type.$type) {
      case 'ObjectType':
        return this.object(value, type.properties, type.additionalProperties, path);
      case 'DiscriminatedObjectType':
        return this.discriminated(value, type, path);
      case 'UnionType':
        return this.union(value, type.elements, path);
      case 'StringLiteralType':
        if (value.kind === 'string' && value.value !== type.value) this.report(value.line, path, `${describe(value)} is not '${type.value}'`);
        return this.expect(value, 'string', path);
      case 'StringType':
        return this.expect(value, 'string', path);
      case 'IntegerType':
        if (value.kind === 'number' && ((type.minValue !== undefined && value.value < type.minValue) || (type.maxValue !== undefined && value.value > type.maxValue))) {
          this.report(value.line, path, `${value.value} is outside ${type.minValue ?? '-∞'}..${type.maxValue ?? '∞'}`);
        }
        return this.expect(value, 'number', path);
      case 'BooleanType':
        return this.expect(value, 'boolean', path);
      case 'ArrayType':
        if (value.kind === 'array') value.items.forEach((item, i) => this.walk(item, type.itemType, `${path}[${i}]`));
        return this.expect(value, 'array', path);
      default:
        return;
    }
  }

  private expect(value: Value, kind: 'string' | 'number' | 'boolean' | 'array' | 'object', path: string): void {
    const known = value.kind !== 'unknown' || value.string;
    const actual = value.kind === 'unknown' ? 'string' : value.kind;
    if (known && actual !== kind) this.report(value.line, path, `expected ${kind === 'number' ? 'an integer' : `a ${kind}`}, got ${describe(value)}`);
  }

  object(value: Value, properties: Record<string, PropertyDef>, additional: Ref | undefined, path: string, skip: ReadonlySet<string> = new Set()): void {
    if (value.kind !== 'object') return this.expect(value, 'object', path);
    const set = new Set<string>();
    for (const prop of value.props) {
      if (prop.key !== undefined && skip.has(prop.key)) continue;
      if (prop.key !== undefined) set.add(prop.key);
      this.property(prop, properties, additional, path);
    }
    for (const [name, def] of Object.entries(properties)) {
      if (def.flags & REQUIRED && !set.has(name)) this.report(value.line, path, `required property '${name}' is missing`);
    }
  }

  private property(prop: Prop, properties: Record<string, PropertyDef>, additional: Ref | undefined, path: string): void {
    const here = path ? `${path}.${prop.key ?? '<computed>'}` : (prop.key ?? '<computed>');
    const def = prop.key === undefined ? undefined : properties[prop.key];
    if (def) {
      if (def.flags & READ_ONLY) this.report(prop.line, here, 'is read-only');
      else this.walk(prop.value, def.type, here);
      return;
    }
    if (additional) return this.walk(prop.value, additional, here);
    const names = Object.keys(properties);
    const cased = names.find((n) => n.toLowerCase() === prop.key?.toLowerCase());
    this.report(prop.line, here, cased ? `unknown property; the type spells it '${cased}'` : `unknown property (known: ${names.join(', ')})`);
  }

  private discriminated(value: Value, type: Extract<TypeDef, { $type: 'DiscriminatedObjectType' }>, path: string): void {
    if (value.kind !== 'object') return this.expect(value, 'object', path);
    const tag = value.props.find((p) => p.key === type.discriminator)?.value;
    const options = Object.keys(type.elements);
    const chosen = tag?.kind === 'string' ? type.elements[tag.value] : undefined;
    if (tag?.kind === 'string' && !chosen) return this.report(tag.line, `${path ? `${path}.` : ''}${type.discriminator}`, `${describe(tag)} is not one of ${options.join(', ')}`);
    const candidates = chosen ? [chosen] : Object.values(type.elements);
    // Without a literal discriminator, the value must fit one of the variants.
    const attempts = candidates.map((ref) => {
      const element = this.file.get(ref) as Extract<TypeDef, { $type: 'ObjectType' }>;
      const trial = new Walker(this.file, this.where);
      trial.object(value, { ...type.baseProperties, ...element.properties }, element.additionalProperties, path);
      return trial.problems;
    });
    if (!attempts.some((p) => p.length === 0)) this.problems.push(...attempts.reduce((a, b) => (b.length < a.length ? b : a)));
  }

  private union(value: Value, elements: Ref[], path: string): void {
    const types = elements.map((e) => this.file.get(e));
    const literals = types.filter((t) => t.$type === 'StringLiteralType').map((t) => t.value);
    // Most Azure enums are open (their literals | string): the API takes other strings, but a value
    // outside the documented set is almost always a typo, so it fails here too.
    if (value.kind === 'string' && literals.length > 0) {
      if (!literals.includes(value.value)) this.report(value.line, path, `${describe(value)} is not one of ${literals.map((l) => `'${l}'`).join(', ')}`);
      return;
    }
    const attempts = elements.map((ref) => {
      const trial = new Walker(this.file, this.where);
      trial.walk(value, ref, path);
      return trial.problems;
    });
    if (!attempts.some((p) => p.length === 0)) this.problems.push(...attempts.reduce((a, b) => (b.length < a.length ? b : a)));
  }
}

/** Problems in one resource declaration, each as "file:line: path: message". */
export function checkResource(resource: BicepResource, index: TypeIndex): string[] {
  const where = resource.file;
  const found = index.resources.get(resource.type.toLowerCase());
  if (!found) return [`${where}:${resource.line}: ${resource.symbol}: no type definition for '${resource.type}' (unknown type or API version)`];
  const walker = new Walker(found.file, where);
  if (resource.existing) {
    // An existing resource is only looked up: its name, and where.
    if (resource.body.kind === 'object') {
      for (const p of resource.body.props) if (!['name', 'scope', 'parent'].includes(p.key ?? '')) walker.report(p.line, p.key ?? '<computed>', 'cannot be set on an existing resource');
    }
    return walker.problems;
  }
  const body = found.file.get(found.body);
  if (body.$type === 'ObjectType') walker.object(resource.body, body.properties, body.additionalProperties, '', BICEP_KEYWORDS);
  else walker.walk(stripKeywords(resource.body), found.body, '');
  const line = (p: string): number => Number(p.slice(where.length + 1, p.indexOf(':', where.length + 1)));
  return walker.problems.sort((a, b) => line(a) - line(b));
}

function stripKeywords(body: Value): Value {
  return body.kind === 'object' ? { ...body, props: body.props.filter((p) => p.key === undefined || !BICEP_KEYWORDS.has(p.key)) } : body;
}
