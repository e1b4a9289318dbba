/** The slice of mssql the round-trip benchmark uses (the package ships no types; @types/mssql is not installed). */
declare module 'mssql' {
  export class ConnectionPool {
    constructor(config: Record<string, unknown>);
    connect(): Promise<ConnectionPool>;
    request(): { query(sql: string): Promise<unknown> };
    close(): Promise<void>;
  }
  const sql: { ConnectionPool: typeof ConnectionPool };
  export default sql;
}
