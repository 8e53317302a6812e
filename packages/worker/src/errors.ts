/** Stable codes for what can go wrong starting or running the duban worker. */
export const WorkerErrorCode = {
  /** The Temporal server did not accept a connection at the configured address. */
  CONNECTION_FAILED: 'WORKER_CONNECTION_FAILED',
  /** A setting (environment variable or option) has a value the worker cannot use. */
  CONFIG_INVALID: 'WORKER_CONFIG_INVALID',
  /** The workflow code could not be bundled or loaded. */
  WORKFLOW_BUNDLE_FAILED: 'WORKER_WORKFLOW_BUNDLE_FAILED',
  /** A search attribute exists on the namespace with another type than duban needs. */
  SEARCH_ATTRIBUTE_TYPE_MISMATCH: 'SEARCH_ATTRIBUTE_TYPE_MISMATCH',
  /** The server refused to list or add search attributes (permissions, Temporal Cloud, old server). */
  SEARCH_ATTRIBUTES_UNAVAILABLE: 'SEARCH_ATTRIBUTES_UNAVAILABLE',
} as const;
export type WorkerErrorCode = (typeof WorkerErrorCode)[keyof typeof WorkerErrorCode];

/** Thrown by `createDubanWorker`, `workerMain` and `ensureSearchAttributes`; the message says how to fix it. */
export class DubanWorkerError extends Error {
  override readonly name = 'DubanWorkerError';
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
    /** Facts for logs (no secrets). */
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function messageOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string') return err.message;
  return String(err);
}
