import type { Column, ColumnValue } from '../shared/tds';

/** What a SQL expression needs from the session to be evaluated. */
export interface QueryContext {
  spid: number;
  database: string;
  server: string;
  engineEdition: number;
  readOnly: boolean;
}

export type Statement =
  | { kind: 'select'; columns: Column[]; values: ColumnValue[] }
  | { kind: 'set' }
  | { kind: 'waitfor'; ms: number };

export interface StatementError {
  number: number;
  message: string;
}

export type Plan = { ok: true; statements: Statement[] } | { ok: false; error: StatementError };

export function versionString(ctx: QueryContext): string {
  const product = ctx.engineEdition === 8 ? 'Microsoft SQL Azure (RTM) - 12.0.2000.8 (Managed Instance)' : 'Microsoft SQL Azure (RTM) - 12.0.2000.8';
  return `${product} \n\tsqlprobe-sim \n\tCopyright (C) 2022 Microsoft Corporation\n`;
}

type Evaluated = { column: Omit<Column, 'name'>; value: ColumnValue };

/** Expressions the simulator evaluates, each anchored at the start of a select-list item. */
const EXPRESSIONS: Array<[RegExp, (m: RegExpExecArray, c: QueryContext) => Evaluated]> = [
  [/^CAST\s*\(\s*(-?\d+)\s+AS\s+BIGINT\s*\)/i, (m) => ({ column: { type: 'bigint' }, value: BigInt(m[1]) })],
  [
    /^-?\d+(?![\w.])/,
    (m) => {
      const n = BigInt(m[0]);
      const fitsInt = n >= -(2n ** 31n) && n < 2n ** 31n;
      return fitsInt ? { column: { type: 'int' }, value: Number(n) } : { column: { type: 'bigint' }, value: n };
    },
  ],
  [/^N?'((?:[^']|'')*)'/i, (m) => ({ column: { type: 'nvarchar', maxLength: 8000 }, value: m[1].replace(/''/g, "'") })],
  [/^@@SPID\b/i, (_m, c) => ({ column: { type: 'int' }, value: c.spid })],
  [/^@@VERSION\b/i, (_m, c) => ({ column: { type: 'nvarchar', maxLength: 600 }, value: versionString(c) })],
  [/^@@MAX_PRECISION\b/i, () => ({ column: { type: 'int' }, value: 38 })],
  [/^@@SERVERNAME\b/i, (_m, c) => ({ column: { type: 'nvarchar', nullable: true, maxLength: 256 }, value: c.server })],
  [/^SERVERPROPERTY\s*\(\s*N?'EngineEdition'\s*\)/i, (_m, c) => ({ column: { type: 'int', nullable: true }, value: c.engineEdition })],
  [
    /^DATABASEPROPERTYEX\s*\(\s*DB_NAME\s*\(\s*\)\s*,\s*N?'Updateability'\s*\)/i,
    (_m, c) => ({ column: { type: 'nvarchar', nullable: true, maxLength: 256 }, value: c.readOnly ? 'READ_ONLY' : 'READ_WRITE' }),
  ],
  [/^DB_NAME\s*\(\s*\)/i, (_m, c) => ({ column: { type: 'nvarchar', nullable: true, maxLength: 256 }, value: c.database })],
];

const ALIAS = /^(?:AS\s+)?(\[[^\]]*\]|"[^"]*"|'[^']*'|[A-Za-z_#][\w#$@]*)$/i;

/** Splits on `sep` outside quotes, brackets and parentheses. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '[') quote = ']';
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function stripComments(sql: string): string {
  return sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
}

function syntaxError(near: string): StatementError {
  return { number: 102, message: `Incorrect syntax near '${near.slice(0, 40)}'.` };
}

function selectItem(item: string, ctx: QueryContext): { name: string; e: Evaluated } | StatementError {
  for (const [re, evaluate] of EXPRESSIONS) {
    const m = re.exec(item);
    if (!m) continue;
    const rest = item.slice(m[0].length).trim();
    if (rest === '') return { name: '', e: evaluate(m, ctx) };
    const alias = ALIAS.exec(rest);
    if (!alias) return syntaxError(rest.split(/\s+/)[0]);
    return { name: alias[1].replace(/^[[\]"']|[[\]"']$/g, ''), e: evaluate(m, ctx) };
  }
  const word = item.split(/[\s(]/)[0];
  if (/^[A-Za-z_][\w]*$/.test(word) && !item.includes('(')) return { number: 207, message: `Invalid column name '${word}'.` };
  return syntaxError(word || item);
}

function statement(text: string, ctx: QueryContext): Statement | StatementError {
  const select = /^SELECT\s+([\s\S]+)$/i.exec(text);
  if (select) {
    const columns: Column[] = [];
    const values: ColumnValue[] = [];
    for (const item of splitTopLevel(select[1], ',')) {
      const r = selectItem(item, ctx);
      if ('number' in r) return r;
      columns.push({ ...r.e.column, name: r.name });
      values.push(r.e.value);
    }
    return { kind: 'select', columns, values };
  }
  const waitfor = /^WAITFOR\s+DELAY\s+N?'(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,3}))?'$/i.exec(text);
  if (waitfor) {
    const [h, m, s] = [waitfor[1], waitfor[2], waitfor[3]].map(Number);
    const ms = Number((waitfor[4] ?? '0').padEnd(3, '0'));
    return { kind: 'waitfor', ms: ((h * 60 + m) * 60 + s) * 1000 + ms };
  }
  if (/^SET\s+\w+/i.test(text)) return { kind: 'set' };
  return syntaxError(text.split(/\s+/)[0]);
}

/** Plans a batch the way SQL Server compiles one: any error fails the whole batch before it runs. */
export function planBatch(sql: string, ctx: QueryContext): Plan {
  const statements: Statement[] = [];
  // Drivers' post-login batches (tedious, jTDS) put one statement per line without semicolons.
  const texts = splitTopLevel(stripComments(sql), ';').flatMap((t) => t.split(/\r?\n(?=\s*(?:SELECT|SET|WAITFOR)\b)/i));
  for (const raw of texts) {
    const text = raw.trim();
    if (text === '') continue;
    const s = statement(text, ctx);
    if ('number' in s) return { ok: false, error: s };
    statements.push(s);
  }
  return { ok: true, statements };
}

/** True for the SET-only batch drivers send right after login (tedious does). */
export function isSessionSetup(plan: Plan): boolean {
  return plan.ok && plan.statements.length > 0 && plan.statements.every((s) => s.kind === 'set');
}
