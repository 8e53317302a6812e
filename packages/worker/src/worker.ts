import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Duration, Logger } from '@temporalio/common';
import { Runtime, Worker, bundleWorkflowCode, type NativeConnection } from '@temporalio/worker';
import {
  LogAndWebhookNotifier,
  createActivities,
  openAuditStore,
  type AuditStore,
  type NotificationOutbox,
  type Notifier,
  type PersistentAuditStore,
} from '@duban/activities';
import { DEFAULT_NAMESPACE, DEFAULT_PATHS, DEFAULT_TEMPORAL_ADDRESS, DUBAN_TASK_QUEUE, ENV, messageOf } from '@duban/common';
import { DubanWorkerError, WorkerErrorCode, connectWorker } from './errors';

/** Where the audit database goes when neither an audit store nor a path is given (under the cwd). */
export const DEFAULT_AUDIT_DB_PATH = join(DEFAULT_PATHS.auditDb);

/** The worker's capacity. Unset fields keep the SDK's defaults. */
export interface DubanWorkerTuning {
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  /** Workflows kept in memory between tasks (about 1 MB each); 0 replays history on every task. */
  maxCachedWorkflows?: number;
}

export interface DubanWorkerOptions {
  /** A connection you own (and close); otherwise the worker connects to {@link address} and closes that itself. */
  connection?: NativeConnection;
  /** Temporal frontend, host:port. Default `DEFAULT_TEMPORAL_ADDRESS` (127.0.0.1:7233). Ignored when {@link connection} is given. */
  address?: string;
  /** Default `default`. */
  namespace?: string;
  /** Default `DUBAN_TASK_QUEUE` from `@duban/common`: clients start tasks there. */
  taskQueue?: string;
  /** Where audit entries go. Injected stores are not closed by the worker. */
  auditStore?: AuditStore;
  /** How people are notified. Injected notifiers are used as they are. */
  notifier?: Notifier;
  /** SQLite file for the default audit store (and notification outbox). Default `.duban/audit.sqlite` under the cwd. */
  auditDbPath?: string;
  /**
   * The shared PostgreSQL audit store (and outbox), `postgres://USER:PASSWORD@HOST/DB`:
   * every worker of a campaign writes one trail. Wins over {@link auditDbPath}.
   */
  auditUrl?: string;
  /** Webhook for the default notifier; without it notifications are only logged. */
  webhookUrl?: string;
  /**
   * Prebuilt workflow code (`bundleWorkflowCode` output, or a file of it). Without it the
   * worker bundles `@duban/workflows` at start, which takes seconds.
   */
  workflowBundle?: { code: string } | { codePath: string };
  tuning?: DubanWorkerTuning;
  /** Default: the Temporal Runtime's logger. */
  logger?: Logger;
  /** How long running activities get to finish after shutdown starts before they are cancelled. */
  shutdownGraceTime?: Duration;
  /** Worker identity shown in the Temporal UI; default the SDK's `pid@host`. */
  identity?: string;
}

export interface DubanWorker {
  worker: Worker;
  auditStore: AuditStore;
  notifier: Notifier;
  namespace: string;
  taskQueue: string;
  /** Polls until shut down (by {@link shutdown} or a signal the Temporal Runtime watches); then closes what the worker opened. */
  run(): Promise<void>;
  /** Stops polling, lets running tasks finish, then closes what the worker opened. Safe to call more than once. */
  shutdown(): Promise<void>;
}

/** An injected store that keeps an outbox beside it (the SQLite and PostgreSQL stores do). */
function hasOutbox(store: AuditStore): store is PersistentAuditStore {
  return typeof (store as Partial<PersistentAuditStore>).outbox === 'function';
}

/** Resolves the workflow bundle: the one given, or a fresh bundle of `@duban/workflows`. */
async function resolveBundle(given: DubanWorkerOptions['workflowBundle'], logger: Logger): Promise<{ code: string } | { codePath: string }> {
  if (given !== undefined) {
    if ('codePath' in given && !existsSync(given.codePath)) {
      throw new DubanWorkerError(
        WorkerErrorCode.WORKER_WORKFLOW_BUNDLE_FAILED,
        `The prebuilt workflow bundle ${given.codePath} does not exist. Fix ${ENV.workflowBundle}, or unset it to bundle at start.`,
        { details: { codePath: given.codePath } },
      );
    }
    return given;
  }
  // The bundle entry is the package's `workflows` subpath (the index is for clients).
  const workflowsPath = require.resolve('@duban/workflows/workflows');
  try {
    return await bundleWorkflowCode({ workflowsPath, logger });
  } catch (err) {
    throw new DubanWorkerError(
      WorkerErrorCode.WORKER_WORKFLOW_BUNDLE_FAILED,
      `Could not bundle the workflow code at ${workflowsPath}: ${messageOf(err)}. Build the packages first (pnpm run build).`,
      { details: { workflowsPath }, cause: err },
    );
  }
}

/**
 * Creates the duban worker: the task workflows plus the `appendAudit` and `notify`
 * activities, on the duban task queue. What it opens itself (the connection, the
 * default SQLite audit store) it closes when it stops; what you inject stays yours.
 *
 * @example
 * ```ts
 * const { run, shutdown } = await createDubanWorker({ address: '127.0.0.1:7233', webhookUrl: process.env.HOOK });
 * process.once('SIGTERM', () => void shutdown());
 * await run();
 * ```
 */
export async function createDubanWorker(options: DubanWorkerOptions = {}): Promise<DubanWorker> {
  const logger = options.logger ?? Runtime.instance().logger;
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const taskQueue = options.taskQueue ?? DUBAN_TASK_QUEUE;
  const cleanups: Array<() => Promise<void>> = [];
  const closeOwned = async (): Promise<void> => {
    // Reverse order of opening; each step runs even if an earlier one failed.
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((err: unknown) => logger.warn('duban worker: cleanup failed', { error: messageOf(err) }));
    }
  };

  try {
    let auditStore = options.auditStore;
    let outbox: NotificationOutbox | undefined;
    if (auditStore === undefined) {
      const store = await openAuditStore(options.auditUrl ?? options.auditDbPath ?? join(process.cwd(), DEFAULT_AUDIT_DB_PATH));
      cleanups.push(() => store.close());
      outbox = store.outbox();
      auditStore = store;
    } else if (hasOutbox(auditStore)) {
      outbox = auditStore.outbox();
    }
    if (options.notifier !== undefined && options.webhookUrl !== undefined) {
      logger.warn('duban worker: webhookUrl is ignored because a notifier was given');
    }
    const notifier =
      options.notifier ??
      new LogAndWebhookNotifier({
        logger,
        ...(options.webhookUrl === undefined ? {} : { webhook: options.webhookUrl }),
        // Without a persistent outbox a restarted worker could send a notification twice.
        ...(outbox === undefined ? {} : { outbox }),
      });

    const workflowBundle = await resolveBundle(options.workflowBundle, logger);

    let connection = options.connection;
    if (connection === undefined) {
      connection = await connectWorker(options.address ?? DEFAULT_TEMPORAL_ADDRESS);
      const owned = connection;
      cleanups.push(() => owned.close());
    }

    const worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      workflowBundle,
      activities: createActivities({ auditStore, notifier }),
      ...options.tuning,
      ...(options.shutdownGraceTime === undefined ? {} : { shutdownGraceTime: options.shutdownGraceTime }),
      ...(options.identity === undefined ? {} : { identity: options.identity }),
    });

    let running: Promise<void> | undefined;
    const run = (): Promise<void> => {
      running ??= worker.run().finally(closeOwned);
      return running;
    };
    const shutdown = async (): Promise<void> => {
      // A worker that never ran still holds its native half: run it so shutdown can release it.
      if (worker.getState() === 'INITIALIZED') void run().catch(() => undefined);
      if (worker.getState() === 'RUNNING') worker.shutdown();
      if (running === undefined) {
        await closeOwned();
        return;
      }
      // Errors of the run belong to whoever awaits run(); shutdown only waits for the end.
      await running.catch(() => undefined);
    };
    return { worker, auditStore, notifier, namespace, taskQueue, run, shutdown };
  } catch (err) {
    await closeOwned();
    throw err;
  }
}
