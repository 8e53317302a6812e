import { ApplicationFailure } from '@temporalio/common';

/**
 * Stable codes for everything the activities can fail with. The code is also the
 * `ApplicationFailure.type` a workflow sees, so workflow code and the CLI can branch on
 * it without parsing messages.
 */
export const ActivityErrorCode = {
  /** The SQLite file cannot be opened, created or written (permissions, disk, lock held too long). Retryable. */
  AUDIT_STORE_UNAVAILABLE: 'AUDIT_STORE_UNAVAILABLE',
  /** The file exists but is not a duban SQLite database (or is damaged). */
  AUDIT_STORE_CORRUPT: 'AUDIT_STORE_CORRUPT',
  /** The database was written by a newer duban with a schema this version does not know. */
  AUDIT_STORE_SCHEMA_TOO_NEW: 'AUDIT_STORE_SCHEMA_TOO_NEW',
  /** The store was used after `close()`. */
  AUDIT_STORE_CLOSED: 'AUDIT_STORE_CLOSED',
  /** An audit entry or notification is malformed (missing key, `at` without an offset, ...). Not retryable. */
  INVALID_INPUT: 'INVALID_INPUT',
  /** The webhook URL in the configuration cannot be used. */
  WEBHOOK_URL_INVALID: 'WEBHOOK_URL_INVALID',
  /** The webhook answered 4xx (other than 408/429): sending again will not help. Not retryable. */
  WEBHOOK_REJECTED: 'WEBHOOK_REJECTED',
  /** The webhook answered 5xx, 408 or 429, timed out, or could not be reached. Retryable. */
  WEBHOOK_UNAVAILABLE: 'WEBHOOK_UNAVAILABLE',
} as const;
export type ActivityErrorCode = (typeof ActivityErrorCode)[keyof typeof ActivityErrorCode];

/** Codes whose cause does not go away by retrying the same input. */
const NON_RETRYABLE: ReadonlySet<ActivityErrorCode> = new Set<ActivityErrorCode>([
  ActivityErrorCode.INVALID_INPUT,
  ActivityErrorCode.WEBHOOK_URL_INVALID,
  ActivityErrorCode.WEBHOOK_REJECTED,
  ActivityErrorCode.AUDIT_STORE_SCHEMA_TOO_NEW,
]);

export interface DubanActivityErrorOptions {
  cause?: unknown;
  /** Facts for logs and for the workflow (they travel as `ApplicationFailure.details[0]`). No secrets. */
  details?: Record<string, unknown>;
  /** Overrides the default derived from the code. */
  retryable?: boolean;
  /** A server-requested wait (e.g. HTTP `Retry-After`), honoured by Temporal's next retry. */
  nextRetryDelayMs?: number;
}

/**
 * Base class of every error this package throws. Thrown by the stores and the notifier;
 * `createActivities` turns it into an `ApplicationFailure` whose `type` is {@link code}.
 */
export class DubanActivityError extends Error {
  override readonly name: string = 'DubanActivityError';
  readonly code: ActivityErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;
  readonly nextRetryDelayMs: number | undefined;

  constructor(code: ActivityErrorCode, message: string, options: DubanActivityErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? !NON_RETRYABLE.has(code);
    this.details = options.details ?? {};
    this.nextRetryDelayMs = options.nextRetryDelayMs;
  }
}

/** Thrown by the SQLite audit store and outbox; {@link file} names the database file. */
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

/** An error's own message; structural because errors from Node internals or another realm (jest) fail `instanceof Error`. */
export function messageOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string') return err.message;
  return String(err);
}

/**
 * The Temporal boundary: a {@link DubanActivityError} becomes an `ApplicationFailure`
 * with the code as its type and retryability from the code, so the workflow's retry
 * policy does the right thing; anything else is rethrown as is (Temporal retries it).
 */
export function toApplicationFailure(err: unknown): unknown {
  if (!(err instanceof DubanActivityError)) return err;
  return ApplicationFailure.create({
    type: err.code,
    message: err.message,
    nonRetryable: !err.retryable,
    details: [err.details],
    cause: isErrorLike(err.cause) ? err.cause : undefined,
    nextRetryDelay: err.nextRetryDelayMs,
  });
}

function isErrorLike(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && 'message' in value && 'name' in value;
}
