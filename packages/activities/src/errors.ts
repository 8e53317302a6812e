import { DubanError, ErrorCode, codesOf, isDubanError, isRetryable, type DubanErrorOptions, type CodeOf } from '@duban/common';
import { ApplicationFailure } from '@temporalio/common';

/**
 * The codes the activities can fail with: a view of the one registry in `@duban/common`.
 * The code is also the `ApplicationFailure.type` a workflow sees, so workflow code and
 * the CLI can branch on it without parsing messages.
 */
export const ActivityErrorCode = codesOf([
  ErrorCode.AUDIT_STORE_UNAVAILABLE,
  ErrorCode.AUDIT_STORE_CORRUPT,
  ErrorCode.AUDIT_STORE_SCHEMA_TOO_NEW,
  ErrorCode.AUDIT_STORE_CLOSED,
  ErrorCode.AUDIT_STORE_URL_INVALID,
  ErrorCode.INVALID_INPUT,
  ErrorCode.WEBHOOK_URL_INVALID,
  ErrorCode.WEBHOOK_REJECTED,
  ErrorCode.WEBHOOK_UNAVAILABLE,
  ErrorCode.CHANNEL_CONFIG_INVALID,
  ErrorCode.CHANNEL_AUTH_FAILED,
  ErrorCode.CHANNEL_REJECTED,
  ErrorCode.CHANNEL_UNAVAILABLE,
  ErrorCode.PLAN_NOT_STORED,
  ErrorCode.CAMPAIGN_SNAPSHOT_MISSING,
]);
export type ActivityErrorCode = CodeOf<typeof ActivityErrorCode>;

export interface DubanActivityErrorOptions extends DubanErrorOptions {
  /** Overrides the registry's retryability of the code. */
  retryable?: boolean;
  /** A server-requested wait (e.g. HTTP `Retry-After`), honoured by Temporal's next retry. */
  nextRetryDelayMs?: number;
}

/**
 * Base class of every error this package throws: a {@link DubanError} that also says
 * whether Temporal should retry. `createActivities` turns it into an `ApplicationFailure`
 * whose `type` is the code.
 */
export class DubanActivityError extends DubanError<ActivityErrorCode> {
  override readonly name: string = 'DubanActivityError';
  readonly retryable: boolean;
  readonly nextRetryDelayMs: number | undefined;

  constructor(code: ActivityErrorCode, message: string, options: DubanActivityErrorOptions = {}) {
    super(code, message, options);
    this.retryable = options.retryable ?? isRetryable(code);
    this.nextRetryDelayMs = options.nextRetryDelayMs;
  }
}

/**
 * Thrown by the audit stores and outboxes; {@link file} names where the store is: the
 * SQLite file, or the PostgreSQL URL without its password.
 */
export class AuditStoreError extends DubanActivityError {
  override readonly name = 'AuditStoreError';
  constructor(
    code: ActivityErrorCode,
    message: string,
    readonly file: string,
    options: DubanActivityErrorOptions = {},
  ) {
    super(code, message, { ...options, details: { file, ...options.details } });
  }
}

/**
 * Thrown by the webhook notifier. {@link endpoint} is the URL without credentials or
 * query string; {@link status} is the HTTP status when the server answered.
 */
export class WebhookError extends DubanActivityError {
  override readonly name = 'WebhookError';
  constructor(
    code: ActivityErrorCode,
    message: string,
    readonly endpoint: string,
    readonly status: number | undefined,
    options: DubanActivityErrorOptions = {},
  ) {
    super(code, message, { ...options, details: { endpoint, status, ...options.details } });
  }
}

/**
 * The Temporal boundary: a duban error becomes an `ApplicationFailure` with the code as
 * its type and retryability from the error (or the registry), so the workflow's retry
 * policy does the right thing; anything else is rethrown as is (Temporal retries it).
 */
export function toApplicationFailure(err: unknown): unknown {
  if (!isDubanError(err)) return err;
  const activityError = err instanceof DubanActivityError ? err : undefined;
  return ApplicationFailure.create({
    type: err.code,
    message: err.message,
    nonRetryable: !(activityError?.retryable ?? isRetryable(err.code)),
    details: [err.details],
    cause: isErrorLike(err.cause) ? err.cause : undefined,
    nextRetryDelay: activityError?.nextRetryDelayMs,
  });
}

function isErrorLike(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && 'message' in value && 'name' in value;
}
