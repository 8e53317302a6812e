import { NativeConnection } from '@temporalio/worker';
import { DubanError, ENV, ErrorCode, messageOf } from '@duban/common';

/** The codes a {@link DubanWorkerError} carries: a view of the registry in `@duban/common`. */
export const WorkerErrorCode = {
  /** The Temporal server did not accept a connection at the configured address. */
  CONNECTION_FAILED: ErrorCode.WORKER_CONNECTION_FAILED,
  /** A setting (environment variable or option) has a value the worker cannot use. */
  CONFIG_INVALID: ErrorCode.WORKER_CONFIG_INVALID,
  /** The workflow code could not be bundled or loaded. */
  WORKFLOW_BUNDLE_FAILED: ErrorCode.WORKER_WORKFLOW_BUNDLE_FAILED,
  /** A search attribute exists on the namespace with another type than duban needs. */
  SEARCH_ATTRIBUTE_TYPE_MISMATCH: ErrorCode.SEARCH_ATTRIBUTE_TYPE_MISMATCH,
  /** The server refused to list or add search attributes (permissions, Temporal Cloud, old server). */
  SEARCH_ATTRIBUTES_UNAVAILABLE: ErrorCode.SEARCH_ATTRIBUTES_UNAVAILABLE,
} as const;
export type WorkerErrorCode = (typeof WorkerErrorCode)[keyof typeof WorkerErrorCode];

/** Thrown by `createDubanWorker`, `workerMain` and `ensureSearchAttributes`; the message says how to fix it. */
export class DubanWorkerError extends DubanError<WorkerErrorCode> {
  override readonly name: string = 'DubanWorkerError';
  constructor(
    code: WorkerErrorCode,
    message: string,
    /** Facts for logs (no secrets). */
    details: Record<string, unknown> = {},
    options: { cause?: unknown } = {},
  ) {
    super(code, message, { details, cause: options.cause });
  }
}

/**
 * Connects the worker to Temporal at `address`.
 *
 * @throws DubanWorkerError `WORKER_CONNECTION_FAILED`, naming the address and how to fix it.
 */
export async function connectWorker(address: string): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address });
  } catch (err) {
    throw new DubanWorkerError(
      WorkerErrorCode.CONNECTION_FAILED,
      `Could not connect to Temporal at ${address}: ${messageOf(err)}. ` +
        `Start a server (duban dev, or temporal server start-dev) or set ${ENV.address}.`,
      { address },
      { cause: err },
    );
  }
}
