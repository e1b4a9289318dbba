import Table from 'cli-table3';
import pc from 'picocolors';

/**
 * A cli-table3 table whose colours come from picocolors only, so NO_COLOR and a non-terminal
 * output turn them all off (cli-table3's own styling ignores both).
 */
export function newTable(head: readonly string[], options: { colWidths?: number[]; wordWrap?: boolean } = {}): Table.Table {
  return new Table({ head: head.map((h) => pc.bold(h)), style: { head: [], border: [] }, ...options });
}
