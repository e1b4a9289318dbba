import { stripVTControlCharacters } from 'node:util';
import Table from 'cli-table3';
import pc from 'picocolors';

/** Columns a string takes on a terminal: colour codes take none. */
export const visibleWidth = (text: string): number => [...stripVTControlCharacters(text)].length;

/**
 * A continuation line starts under the text, not under the indent or the marker: "  → Use …" wraps
 * to four spaces, so a wrapped recommendation still reads as one item.
 */
const HANGING = /^(\s*(?:[→•✔✘-]\s+)?)/;

/**
 * A word wider than a whole row (a long URL) has no boundary to break at, so it is cut at the
 * width. One with colour codes is left whole: cutting it could leave the terminal coloured.
 */
function cut(word: string, width: number): string[] {
  if (word !== stripVTControlCharacters(word)) return [word];
  const chars = [...word];
  const parts: string[] = [];
  for (let i = 0; i < chars.length; i += width) parts.push(chars.slice(i, i + width).join(''));
  return parts;
}

/**
 * One line wrapped at word boundaries so no row is wider than `width` columns. The spacing between
 * words that stay on a row is kept (aligned columns stay aligned); colour codes count as nothing.
 * A width too narrow for the hanging indent and a few characters leaves the line as it is.
 */
export function wrapLine(line: string, width: number): string[] {
  if (!Number.isFinite(width) || width <= 0 || visibleWidth(line) <= width) return [line];
  const indent = ' '.repeat(visibleWidth(HANGING.exec(stripVTControlCharacters(line))?.[1] ?? ''));
  if (indent.length > width - 10) return [line];
  const lead = /^\s*/.exec(line)?.[0] ?? '';
  const rows: string[] = [];
  let row = lead;
  let used = lead.length;
  let fresh = true;
  let gap = '';
  const breakRow = () => {
    rows.push(row);
    row = indent;
    used = indent.length;
    fresh = true;
  };
  for (const token of line.slice(lead.length).match(/\S+|\s+/g) ?? []) {
    if (/^\s/.test(token)) {
      gap = token;
      continue;
    }
    const w = visibleWidth(token);
    if (!fresh && used + gap.length + w > width) breakRow();
    const pieces = w > width - used ? cut(token, width - indent.length) : [token];
    pieces.forEach((piece, i) => {
      if (i > 0) breakRow();
      const sep = fresh ? '' : gap;
      row += `${sep}${piece}`;
      used += sep.length + visibleWidth(piece);
      fresh = false;
    });
  }
  rows.push(row);
  return rows;
}

/** Every line of `text` wrapped to `width`; no width (not a terminal) leaves the text as it is. */
export function wrapText(text: string, width: number | undefined): string {
  if (!width) return text;
  return text.split('\n').flatMap((line) => wrapLine(line, width)).join('\n');
}

/** The width to wrap output to: a terminal's, or none when the output is a pipe or a file (kept a line per event). */
export const terminalWidth = (out: NodeJS.WriteStream): number | undefined => (out.isTTY ? out.columns : undefined);

/**
 * A cli-table3 table whose colours come from picocolors only, so NO_COLOR and a non-terminal
 * output turn them all off (cli-table3's own styling ignores both).
 */
export function newTable(head: readonly string[], options: { colWidths?: number[]; wordWrap?: boolean } = {}): Table.Table {
  return new Table({ head: head.map((h) => pc.bold(h)), style: { head: [], border: [] }, ...options });
}
