/** Exit codes every command shares. */
export const ExitCode = {
  OK: 0,
  /** The request was understood but refused or failed (invalid plan, rejected update, server down). */
  FAILED: 1,
  /** The command line itself is wrong (unknown option, missing argument, malformed value). */
  USAGE: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const CliErrorCode = {
  USAGE: 'USAGE',
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  SERVER_UNREACHABLE: 'SERVER_UNREACHABLE',
  NOT_FOUND: 'NOT_FOUND',
  REFUSED: 'REFUSED',
} as const;
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

/**
 * An error a command throws for the top-level handler to print. `code` is stable and
 * shown to the user; `message` says what to do about it.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode = ExitCode.FAILED,
    /** Facts for `--json` output. */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The command line is wrong: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string, details?: unknown) {
    super(CliErrorCode.USAGE, message, ExitCode.USAGE, details);
  }
}
