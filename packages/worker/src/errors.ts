import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { codesOf, DubanError, ENV, ErrorCode, messageOf, type CodeOf } from '@duban/common';

/** The codes a {@link DubanWorkerError} carries: a view of the registry in `@duban/common`, where each is explained. */
export const WorkerErrorCode = codesOf([
  ErrorCode.WORKER_CONNECTION_FAILED,
  ErrorCode.WORKER_CONFIG_INVALID,
  ErrorCode.WORKER_WORKFLOW_BUNDLE_FAILED,
  ErrorCode.SEARCH_ATTRIBUTE_TYPE_MISMATCH,
  ErrorCode.SEARCH_ATTRIBUTES_UNAVAILABLE,
]);
export type WorkerErrorCode = CodeOf<typeof WorkerErrorCode>;

/**
 * Thrown by `createDubanWorker`, `workerMain` and `ensureSearchAttributes`; the message
 * says how to fix it, `details` holds facts for logs (no secrets).
 */
export class DubanWorkerError extends DubanError<WorkerErrorCode> {
  override readonly name: string = 'DubanWorkerError';
}

/**
 * Connects the worker to Temporal at `address`, with the TLS, API key and metadata of its
 * profile when it has them (`options`).
 *
 * @throws DubanWorkerError `WORKER_CONNECTION_FAILED`, naming the address and how to fix it.
 */
export async function connectWorker(address: string, options: Omit<NativeConnectionOptions, 'address'> = {}): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ ...options, address });
  } catch (err) {
    throw new DubanWorkerError(
      WorkerErrorCode.WORKER_CONNECTION_FAILED,
      `Could not connect to Temporal at ${address}: ${messageOf(err)}. ` +
        `Start a server (duban dev, or temporal server start-dev) or set ${ENV.address}.`,
      { details: { address }, cause: err },
    );
  }
}
