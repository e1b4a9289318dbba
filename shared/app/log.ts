/** Where handlers write: an InvocationContext in Azure, the console in the CLI. */
export interface Log {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}
