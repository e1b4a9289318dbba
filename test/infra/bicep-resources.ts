// Resource declarations in Bicep, read with tree-sitter-bicep, with the values their bodies set as
// far as the file itself determines them: literals, objects, arrays, `var`s and loop items over
// them. Anything computed (parameters, function calls, interpolated strings) stays unknown.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** A syntax tree node as scripts/bicep-tree.js prints it. */
interface SyntaxNode {
  type: string;
  named: boolean;
  line: number;
  /** Only on leaves. */
  text?: string;
  children: SyntaxNode[];
}

export interface Prop {
  /** Undefined for an interpolated key ('${identity.id}'). */
  key: string | undefined;
  value: Value;
  line: number;
}

export type Value = { line: number } & (
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'object'; props: Prop[] }
  | { kind: 'array'; items: Value[] }
  /** One of several values: both arms of a condition, every item a loop runs over. */
  | { kind: 'oneOf'; options: Value[] }
  /** A safe access (`x.?y`) to a property the object does not have. */
  | { kind: 'absent' }
  /** Computed at deployment; `string` when it is known to be one (an interpolated string). */
  | { kind: 'unknown'; string?: boolean }
);

export interface BicepResource {
  file: string;
  line: number;
  symbol: string;
  /** 'Microsoft.Web/sites@2024-04-01' */
  type: string;
  existing: boolean;
  body: Value;
}

type Scope = ReadonlyMap<string, Value>;

const named = (node: SyntaxNode): SyntaxNode[] => node.children.filter((c) => c.named && c.type !== 'comment');
const lineOf = (node: SyntaxNode): number => node.line;
const textOf = (node: SyntaxNode): string => node.text ?? '';
/** An anonymous token among the node's children ('existing', '.?', '??'). */
const hasToken = (node: SyntaxNode, token: string): boolean => node.children.some((c) => !c.named && c.type === token);

function parse(source: string): SyntaxNode {
  const tree = execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'bicep-tree.js')], { input: source, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(tree) as SyntaxNode;
}

const ESCAPES: Record<string, string> = { "\\'": "'", '\\\\': '\\', '\\n': '\n', '\\r': '\r', '\\t': '\t', '\\$': '$' };

/** The text of a string literal; undefined when it interpolates. */
function literalString(node: SyntaxNode): string | undefined {
  let text = '';
  for (const part of named(node)) {
    if (part.type === 'interpolation') return undefined;
    text += part.type === 'escape_sequence' ? (ESCAPES[textOf(part)] ?? textOf(part)) : textOf(part);
  }
  return text;
}

class Evaluator {
  private readonly vars = new Map<string, SyntaxNode>();
  private readonly evaluating = new Set<string>();

  constructor(root: SyntaxNode) {
    for (const decl of named(root).filter((n) => n.type === 'variable_declaration')) {
      const [id, value] = named(decl);
      this.vars.set(textOf(id), value);
    }
  }

  value(node: SyntaxNode, scope: Scope): Value {
    const line = lineOf(node);
    switch (node.type) {
      case 'string': {
        const text = literalString(node);
        return text === undefined ? { line, kind: 'unknown', string: true } : { line, kind: 'string', value: text };
      }
      case 'number':
        return { line, kind: 'number', value: Number(textOf(node)) };
      case 'boolean':
        return { line, kind: 'boolean', value: hasToken(node, 'true') || textOf(node) === 'true' };
      case 'null':
        return { line, kind: 'null' };
      case 'parenthesized_expression':
        return this.value(named(node)[0], scope);
      case 'object':
        return { line, kind: 'object', props: named(node).filter((p) => p.type === 'object_property').map((p) => this.prop(p, scope)) };
      case 'array':
        return { line, kind: 'array', items: named(node).map((item) => this.value(item, scope)) };
      case 'for_statement':
        return { line, kind: 'array', items: [this.loopBody(node, scope).value] };
      case 'if_statement':
        return this.value(named(node)[1], scope);
      case 'ternary_expression': {
        const [, whenTrue, whenFalse] = named(node);
        return { line, kind: 'oneOf', options: [this.value(whenTrue, scope), this.value(whenFalse, scope)] };
      }
      case 'binary_expression':
        return this.coalesce(node, scope);
      case 'identifier':
        return this.identifier(node, scope);
      case 'member_expression':
        return this.member(node, scope);
      default:
        return { line, kind: 'unknown' };
    }
  }

  /** A loop's body value, with its item (and index) bound: the item is any element of the list. */
  loopBody(loop: SyntaxNode, scope: Scope): { value: Value; scope: Scope } {
    const parts = named(loop);
    const body = parts[parts.length - 1];
    const list = parts[parts.length - 2];
    const params = parts[0].type === 'for_loop_parameters' ? named(parts[0]) : [parts[0]];
    const inner = new Map(scope);
    const items = this.value(list, scope);
    inner.set(textOf(params[0]), items.kind === 'array' ? { line: items.line, kind: 'oneOf', options: items.items } : { line: items.line, kind: 'unknown' });
    if (params[1]) inner.set(textOf(params[1]), { line: lineOf(params[1]), kind: 'unknown' });
    return { value: this.value(body, inner), scope: inner };
  }

  private prop(node: SyntaxNode, scope: Scope): Prop {
    const [keyNode, valueNode] = named(node);
    const key = keyNode.type === 'string' ? literalString(keyNode) : textOf(keyNode);
    return { key, value: this.value(valueNode, scope), line: lineOf(node) };
  }

  /** `a ?? b`: a when present, else b. Other operators compute a value at deployment. */
  private coalesce(node: SyntaxNode, scope: Scope): Value {
    const line = lineOf(node);
    if (!hasToken(node, '??')) return { line, kind: 'unknown' };
    const [left, right] = named(node);
    return { line, kind: 'oneOf', options: [this.value(left, scope), this.value(right, scope)] };
  }

  private identifier(node: SyntaxNode, scope: Scope): Value {
    const name = textOf(node);
    const bound = scope.get(name);
    if (bound) return bound;
    const declared = this.vars.get(name);
    if (!declared || this.evaluating.has(name)) return { line: lineOf(node), kind: 'unknown' };
    this.evaluating.add(name);
    try {
      return this.value(declared, new Map());
    } finally {
      this.evaluating.delete(name);
    }
  }

  private member(node: SyntaxNode, scope: Scope): Value {
    const [objectNode, propertyNode] = named(node);
    return pick(this.value(objectNode, scope), textOf(propertyNode), hasToken(node, '.?'), lineOf(node));
  }
}

function pick(base: Value, key: string, safe: boolean, line: number): Value {
  if (base.kind === 'oneOf') return { line, kind: 'oneOf', options: base.options.map((o) => pick(o, key, safe, line)) };
  if (base.kind !== 'object') return { line, kind: 'unknown' };
  const found = base.props.find((p) => p.key === key);
  if (found) return found.value;
  return safe ? { line, kind: 'absent' } : { line, kind: 'unknown' };
}

/** Every resource declaration in one Bicep source, with the value of its body. */
export function bicepResources(source: string, file: string): BicepResource[] {
  const root = parse(source);
  const evaluator = new Evaluator(root);
  return named(root)
    .filter((n) => n.type === 'resource_declaration')
    .map((decl) => {
      const [symbol, type, body] = named(decl);
      const value = body.type === 'for_statement' ? evaluator.loopBody(body, new Map()).value : evaluator.value(body, new Map());
      return { file, line: lineOf(decl), symbol: textOf(symbol), type: literalString(type) ?? '', existing: hasToken(decl, 'existing'), body: value };
    });
}
