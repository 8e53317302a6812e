import { CampaignErrorCode, TaskErrorCode } from '@duban/workflows';

/**
 * Every code a {@link DubanClientError} can carry. The task workflow's own refusal codes
 * (`TaskErrorCode`) pass through unchanged, so a caller switches on one list whether the
 * client or the workflow said no.
 */
export const DubanClientErrorCode = {
  ...TaskErrorCode,
  /** No workflow for this plan and task: it was never launched (or the ID is wrong). */
  TASK_NOT_FOUND: 'TASK_NOT_FOUND',
  /** The plan has no task with this number. */
  TASK_NOT_IN_PLAN: 'TASK_NOT_IN_PLAN',
  /** The plan cannot be turned into workflow input (e.g. a task with neither deadline nor milestone). */
  INVALID_PLAN: 'INVALID_PLAN',
  /** No Temporal server answers at the configured address. */
  SERVER_UNREACHABLE: 'SERVER_UNREACHABLE',
  /** The workflow refused or failed a message for a reason without a duban code. */
  UPDATE_FAILED: 'UPDATE_FAILED',
  // The campaign's refusal codes pass through the same way (UNKNOWN_TASK, DEADLINE_IN_PAST, ...).
  ...CampaignErrorCode,
  /** No campaign for this plan: it was never launched. */
  CAMPAIGN_NOT_FOUND: 'CAMPAIGN_NOT_FOUND',
  /** The plan's campaign lies in the past: launch it for a year to come (`campaignYear`). */
  CAMPAIGN_OVER: 'CAMPAIGN_OVER',
  /** An amendment file does not fit the plan (its problems are in `details`). */
  AMENDMENT_INVALID: 'AMENDMENT_INVALID',
} as const;
export type DubanClientErrorCode = (typeof DubanClientErrorCode)[keyof typeof DubanClientErrorCode];

export interface DubanClientErrorOptions {
  /** For `INVALID_ARGUMENT`: the argument field at fault, e.g. `percent` or `reasons.0`. */
  field?: string;
  /** Facts from the workflow's failure details, or the argument issues. */
  details?: unknown;
  cause?: unknown;
}

/**
 * Thrown by {@link DubanClient} and its task handles when a request is refused or cannot
 * be delivered. `code` is stable; `message` says what to do about it.
 *
 * @example
 * ```ts
 * try {
 *   await duban.task('xihu-2020', 3).review({ actor: 'chengguan-head', decision: 'approve', score: 90 });
 * } catch (error) {
 *   if (error instanceof DubanClientError && error.code === 'WRONG_ROLE') console.error(error.message);
 *   else throw error;
 * }
 * ```
 */
export class DubanClientError extends Error {
  override readonly name = 'DubanClientError';
  readonly code: DubanClientErrorCode;
  readonly field: string | undefined;
  readonly details: unknown;

  constructor(code: DubanClientErrorCode, message: string, options: DubanClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }
}

const knownCodes = new Set<string>(Object.values(DubanClientErrorCode));

/** Narrows a failure `type` string to a code, keeping unknown types out of the union. */
export function isDubanClientErrorCode(value: string | undefined | null): value is DubanClientErrorCode {
  return value != null && knownCodes.has(value);
}
