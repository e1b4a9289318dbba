import { Request, type Connection } from 'tedious';

export type Row = Record<string, unknown>;

/**
 * Runs one SQL batch (execSqlBatch: no sp_executesql round trip) and returns its result sets, each a
 * list of rows keyed by column name. Rejects with tedious's RequestError (carrying number and
 * state), or with the signal's reason when it aborts first; the caller then closes the connection.
 */
export function runBatch(connection: Connection, sql: string, signal?: AbortSignal): Promise<Row[][]> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const sets: Row[][] = [];
    const onAbort = () => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const request = new Request(sql, (err) => {
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(sets);
    });
    request.on('columnMetadata', () => sets.push([]));
    request.on('row', (columns: { metadata: { colName: string }; value: unknown }[]) => {
      sets.at(-1)?.push(Object.fromEntries(columns.map((c) => [c.metadata.colName, c.value])));
    });
    connection.execSqlBatch(request);
  });
}
