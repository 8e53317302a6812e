/**
 * How the CLI fails. Commands throw {@link DubanError} from `@duban/common` with a code of
 * the one registry; the top-level handler in `main.ts` prints the message and code and
 * turns the code's kind into the exit code. No error class or name decides anything.
 */
import { DubanError, ErrorCode, errorKind, type DubanErrorOptions } from '@duban/common';

/** Exit codes every command shares. */
export const ExitCode = {
  OK: 0,
  /** The request was understood but refused or failed (invalid plan, rejected update, server down). */
  FAILED: 1,
  /** The command line itself is wrong (unknown option, missing argument, malformed value). */
  USAGE: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A code's exit code: `usage` codes exit 2, every other duban error 1. */
export function exitCodeOf(code: ErrorCode): ExitCode {
  return errorKind(code) === 'usage' ? ExitCode.USAGE : ExitCode.FAILED;
}

/** The command line is wrong (code `USAGE`, exit 2); the message says what to type instead. */
export class UsageError extends DubanError<typeof ErrorCode.USAGE> {
  override readonly name: string = 'UsageError';
  constructor(message: string, options: DubanErrorOptions = {}) {
    super(ErrorCode.USAGE, message, options);
  }
}
