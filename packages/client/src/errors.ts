import { codesOf, DubanError, type ErrorCode, type CodeOf } from '@duban/common';
import { CampaignErrorCode, TaskErrorCode } from '@duban/workflows';

/**
 * The codes callers usually meet from the client: its own (not found, unreachable, bad
 * plan, …) and the workflows' refusal codes (`TaskErrorCode`, `CampaignErrorCode`, which
 * pass through unchanged, `PLAN_MISMATCH` among them), so a caller switches on one list
 * whether the client or the workflow said no. A view of the registry in `@duban/common`,
 * not a bound: a {@link DubanClientError} may carry any `ErrorCode` (e.g. `KEY_FILE_MISSING`
 * or `KEY_FILE_INVALID`), so switch on `ErrorCode` for the rest.
 */
export const DubanClientErrorCode = {
  ...TaskErrorCode,
  ...CampaignErrorCode,
  ...codesOf([
    'TASK_NOT_FOUND',
    'TASK_NOT_IN_PLAN',
    'INVALID_PLAN',
    'SERVER_UNREACHABLE',
    'UPDATE_FAILED',
    'CAMPAIGN_NOT_FOUND',
    'CAMPAIGN_OVER',
    'AMENDMENT_INVALID',
  ]),
} as const;
export type DubanClientErrorCode = CodeOf<typeof DubanClientErrorCode>;

export interface DubanClientErrorOptions {
  /** For `INVALID_ARGUMENT`: the argument field at fault, e.g. `percent` or `reasons.0`. */
  field?: string;
  /** Facts from the workflow's failure details, or the argument issues. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Thrown by {@link DubanClient} and its task and campaign handles when a request is
 * refused or cannot be delivered: a {@link DubanError} whose `code` is stable and whose
 * `message` says what to do about it; `field` names the argument at fault.
 *
 * @example
 * ```ts
 * try {
 *   await duban.task('xihu-2020', 3).review({ actor: 'chengguan-head', decision: 'approve', score: 90 });
 * } catch (error) {
 *   if (isDubanError(error) && error.code === ErrorCode.WRONG_ROLE) console.error(error.message);
 *   else throw error;
 * }
 * ```
 */
export class DubanClientError extends DubanError {
  override readonly name: string = 'DubanClientError';
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: DubanClientErrorOptions = {}) {
    super(code, message, { details: options.details, cause: options.cause });
    this.field = options.field;
  }
}
