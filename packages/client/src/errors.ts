import { codesOf, DubanError, isErrorCode, type ErrorCode, type CodeOf } from '@duban/common';
import { CampaignErrorCode, TaskErrorCode } from '@duban/workflows';

/**
 * Every code a {@link DubanClientError} can carry: a view of the registry in
 * `@duban/common`. The workflows' own refusal codes (`TaskErrorCode`, `CampaignErrorCode`)
 * pass through unchanged, so a caller switches on one list whether the client or the
 * workflow said no.
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
    'PLAN_MISMATCH',
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

/** Narrows a failure `type` string to a client code, keeping other strings out of the union. */
export function isDubanClientErrorCode(value: string | undefined | null): value is DubanClientErrorCode {
  return isErrorCode(value) && Object.prototype.hasOwnProperty.call(DubanClientErrorCode, value);
}
