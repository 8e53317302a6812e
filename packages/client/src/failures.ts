import {
  ApplicationFailure,
  isGrpcServiceError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ENV, ErrorCode, isDubanError, isErrorCode, messageOf } from '@duban/common';
import { DubanClientError } from './errors';

/** What a failure is translated against: the workflow addressed and the server asked. */
export interface FailureContext {
  /** The server's `host:port`, for "unreachable" messages. */
  address: string;
  /** What "no such workflow" means for the workflow addressed (a task or a campaign never launched). */
  notFound(cause: WorkflowNotFoundError): DubanClientError;
}

/**
 * The one translation of the SDK's failures into duban's errors:
 * - an update the workflow refused (`ApplicationFailure`) keeps the workflow's code and
 *   facts; one without a duban code becomes `UPDATE_FAILED`;
 * - a workflow that does not exist becomes the context's not-found error;
 * - a server that is down or unreachable becomes `SERVER_UNREACHABLE`.
 * Duban errors pass through; anything else is returned as it is, to be rethrown.
 */
export function toDubanError(error: unknown, context: FailureContext): unknown {
  if (isDubanError(error)) return error;
  if (error instanceof WorkflowUpdateFailedError) {
    const failure = error.cause;
    if (failure instanceof ApplicationFailure) {
      const code = isErrorCode(failure.type) ? failure.type : ErrorCode.UPDATE_FAILED;
      return new DubanClientError(code, failure.message, { details: factsOf(failure.details?.[0]), cause: error });
    }
    return new DubanClientError(ErrorCode.UPDATE_FAILED, failure?.message ?? error.message, { cause: error });
  }
  if (error instanceof WorkflowNotFoundError) return context.notFound(error);
  if (isUnavailable(error)) return unreachable(context.address, error);
  return error;
}

/** `SERVER_UNREACHABLE` for `address`, saying how to start or point at a server. */
export function unreachable(address: string, cause: unknown): DubanClientError {
  return new DubanClientError(
    ErrorCode.SERVER_UNREACHABLE,
    `No Temporal server answers at ${address} (${messageOf(cause)}). Start one with \`duban dev\`, or set ${ENV.address} to a running server.`,
    { details: { address }, cause },
  );
}

// gRPC status 14 UNAVAILABLE and 4 DEADLINE_EXCEEDED: the server is down or unreachable.
function isUnavailable(error: unknown): boolean {
  if (error instanceof ServiceError) return isUnavailable(error.cause);
  return isGrpcServiceError(error) && (error.code === 14 || error.code === 4);
}

/** A failure's first detail as facts; workflow code puts a plain object there (`fail()` in `@duban/workflows`). */
function factsOf(detail: unknown): Record<string, unknown> | undefined {
  if (detail === undefined || detail === null) return undefined;
  return typeof detail === 'object' && !Array.isArray(detail) ? (detail as Record<string, unknown>) : { value: detail };
}
