/**
 * The duban worker: the task workflows and their activities on one task queue, ready
 * to embed in your service or to run as a process (`duban worker`, `duban-worker`).
 *
 * @example
 * ```ts
 * import { DEFAULT_NAMESPACE, DEFAULT_TEMPORAL_ADDRESS, createDubanWorker, ensureSearchAttributes } from '@duban/worker';
 * import { NativeConnection } from '@temporalio/worker';
 *
 * const connection = await NativeConnection.connect({ address: DEFAULT_TEMPORAL_ADDRESS });
 * await ensureSearchAttributes(connection, DEFAULT_NAMESPACE);
 * const duban = await createDubanWorker({
 *   connection,
 *   auditDbPath: '/var/lib/duban/audit.sqlite',
 *   webhookUrl: process.env.DUBAN_WEBHOOK_URL,
 *   tuning: { maxConcurrentActivityTaskExecutions: 20 },
 * });
 * process.once('SIGTERM', () => void duban.shutdown());
 * await duban.run();          // returns after shutdown; the audit database is closed
 * await connection.close();   // the connection was yours
 * ```
 */
export { DEFAULT_AUDIT_DB_PATH, DEFAULT_WORKER_TUNING, createDubanWorker } from './worker';
// Re-exported from `@duban/common`, where every package takes them from.
export { DEFAULT_NAMESPACE, DEFAULT_TEMPORAL_ADDRESS } from '@duban/common';
export type { DubanWorker, DubanWorkerOptions, DubanWorkerTuning } from './worker';
export { WORKER_ENV, readWorkerSettings, wholeNumber, workerMain } from './main';
export type { WorkerMainOptions, WorkerSettings } from './main';
export { ensureSearchAttributes } from './search-attributes';
export type { EnsureSearchAttributesResult, OperatorConnection, SearchAttributeDefinition } from './search-attributes';
export { DubanWorkerError, WorkerErrorCode } from './errors';
export { DEFAULT_SERVICE_NAME, WORKFLOW_TRACING_MODULE, installPrometheus, startTracing } from './observability';
export type { DubanTracing, TracingOptions } from './observability';
