/** The exit codes are a public contract (docs/cli.md): scripts branch on them. */
export const EXIT = { ok: 0, probeFailed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad input from the user: printed as one clear message, exit code 2, never a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
