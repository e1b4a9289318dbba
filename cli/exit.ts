import type { z } from 'zod';

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

/** A result that breaks the contract is a bug in sqlprobe, reported rather than printed as if valid. */
export class InvalidResultError extends Error {
  constructor(issues: readonly z.core.$ZodIssue[]) {
    super(`internal error: a result does not match the result schema (${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
    this.name = 'InvalidResultError';
  }
}
