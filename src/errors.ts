/** Exit codes fixed by DESIGN.md: Nagios-compatible so monitoring can call drc directly. */
export const EXIT = { ok: 0, warning: 1, critical: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An error meant for the operator: says what failed, the offending value, and what to do.
 * Anything else that escapes to the top is a bug and is reported as such.
 */
export class DrcError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string; exitCode?: ExitCode; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'DrcError';
    this.exitCode = options.exitCode ?? EXIT.critical;
    this.hint = options.hint;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
