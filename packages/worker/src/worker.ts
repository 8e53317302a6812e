import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Duration, Logger } from '@temporalio/common';
import { Runtime, Worker, bundleWorkflowCode, type NativeConnection } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { InMemoryCampaignStore, type CampaignStore } from '@duban/activities';
import {
  InMemoryHeldDeliveries,
  InMemoryOutbox,
  LogAndWebhookNotifier,
  RoutingNotifier,
  createActivities,
  openAuditStore,
  openHeldDeliveries,
  workspaceUrlFromEnv,
  type AuditStore,
  type HeldDeliveryDispatcher,
  type HeldDeliveryStore,
  type NotificationOutbox,
  type Notifier,
  type PersistentAuditStore,
  type RoutedPlan,
  type SecretSource,
} from '@duban/activities';
import { DEFAULT_NAMESPACE, DEFAULT_PATHS, DEFAULT_TEMPORAL_ADDRESS, DUBAN_TASK_QUEUE, ENV, messageOf } from '@duban/common';
import { workflowBundleOptions } from '@duban/workflows';
import { DubanWorkerError, WorkerErrorCode, connectWorker } from './errors';
import { createTaskLauncher } from './task-launcher';
import { WORKFLOW_TRACING_MODULE, type DubanTracing } from './observability';

/** Where the audit database goes when neither an audit store nor a path is given (under the cwd). */
export const DEFAULT_AUDIT_DB_PATH = join(DEFAULT_PATHS.auditDb);

/** The worker's capacity. Unset fields take {@link DEFAULT_WORKER_TUNING}. */
export interface DubanWorkerTuning {
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  /** Workflows kept in memory between tasks; 0 replays history on every task. */
  maxCachedWorkflows?: number;
}

/**
 * The capacity a duban worker runs with unless told otherwise, chosen from the figures of
 * `pnpm bench` (docs/bench.md: a task's happy path, 2 shared cores):
 */
export const DEFAULT_WORKER_TUNING: Required<DubanWorkerTuning> = {
  // A cached task costs about 0.33 MiB (RSS, parked after its first message); one that is
  // not cached costs a replay of its history at its next task, about 65 ms of CPU for a
  // whole happy path. Tasks wait days between messages, so the cache serves bursts (a unit
  // acknowledging all its tasks): 1,000 tasks hold ~330 MiB, safe on a small host, while
  // the SDK's default grows with the heap (about 2,300 on a 4 GiB heap) and counts 1.7 MiB each.
  maxCachedWorkflows: 1_000,
  // Workflow code runs on one thread (the SDK's reused V8 context): a slot holds a task
  // while it waits for that thread, about 1.5 ms of CPU each. Ten keep it busy; more only
  // hold tasks in this worker that another worker could take from the server. (SDK: 40;
  // with 8 tasks driven at once, 10 and 40 slots gave the same 3.1–3.4 tasks/s, p95 of
  // updates 280–340 ms against 360–390 ms.)
  maxConcurrentWorkflowTaskExecutions: 10,
  // Activities mostly wait: audit appends on the store's writer thread (committed together,
  // 200 at once in ~40 ms), notices on webhooks that may take 25 s. Slots cost little, so
  // a slow webhook must not starve the audit lane: the SDK's 100 stays.
  maxConcurrentActivityTaskExecutions: 100,
};

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
   * Plans (as `loadPlanFile` gives them) whose `routing` sends their notifications through
   * their channels, to the people their routes reach; notifications of other plans (or
   * of a plan without routing) go to the default notifier. Ignored when {@link notifier}
   * is given. Routing lives with the worker, not in task inputs: contacts stay out of
   * workflow histories, and a changed contact or robot takes effect at the next start.
   */
  plans?: readonly RoutedPlan[];
  /** Where the routed channels' named secrets are read. Default `DUBAN_SECRET_<NAME>` / `…_FILE`. */
  secrets?: SecretSource;
  /**
   * Where held deliveries (quiet hours, digests) wait. Default: beside the audit store the
   * worker opens; in memory when the audit store is injected.
   */
  heldDeliveries?: HeldDeliveryStore;
  /**
   * Where launched plans and campaign snapshots are kept. Default: beside the audit store
   * (`campaignStore()` of the SQLite or PostgreSQL store); in memory when the audit store
   * is injected without one, which serves this worker process only.
   */
  campaignStore?: CampaignStore;
  /** How often the dispatcher looks for held deliveries that are due, in ms. Default 30 s. */
  dispatchIntervalMs?: number;
  /** The wall clock quiet hours and digests are decided by (epoch ms). Default `Date.now`; tests fix it. */
  clock?: () => number;
  /**
   * Prebuilt workflow code (`bundleWorkflowCode` output, or a file of it). Without it the
   * worker bundles `@duban/workflows` at start, which takes seconds.
   */
  workflowBundle?: { code: string } | { codePath: string };
  /** Capacity; each field unset takes {@link DEFAULT_WORKER_TUNING}'s. */
  tuning?: DubanWorkerTuning;
  /**
   * One trace across client, workflow and activities (`startTracing()` of this package).
   * Workflow spans need the tracing interceptors in the bundle: the worker adds them when
   * it bundles; a prebuilt bundle must have been built with `WORKFLOW_TRACING_MODULE`.
   */
  tracing?: DubanTracing;
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
  /** The dispatcher of held deliveries, when the worker routes plans; it runs while the worker runs. */
  dispatcher?: HeldDeliveryDispatcher;
  namespace: string;
  taskQueue: string;
  /** Polls until shut down (by {@link shutdown} or a signal the Temporal Runtime watches); then closes what the worker opened. */
  run(): Promise<void>;
  /** Stops polling, lets running tasks finish, then closes what the worker opened. Safe to call more than once. */
  shutdown(): Promise<void>;
}

/** The fields of `tuning` that are set: an `undefined` one keeps the default. */
function definedFields(tuning: DubanWorkerTuning): DubanWorkerTuning {
  return Object.fromEntries(Object.entries(tuning).filter(([, value]) => value !== undefined));
}

/** An injected store that keeps an outbox beside it (the SQLite and PostgreSQL stores do). */
function hasOutbox(store: AuditStore): store is PersistentAuditStore {
  return typeof (store as Partial<PersistentAuditStore>).outbox === 'function';
}

/** The campaign store given, or the audit store's own (same file or database), or one in memory. */
function campaignStoreOf(options: DubanWorkerOptions, auditStore: AuditStore): CampaignStore {
  if (options.campaignStore !== undefined) return options.campaignStore;
  const persistent = auditStore as Partial<PersistentAuditStore>;
  return typeof persistent.campaignStore === 'function' ? persistent.campaignStore() : new InMemoryCampaignStore();
}

/** Resolves the workflow bundle: the one given, or a fresh bundle of `@duban/workflows` (with the tracing interceptors when `traced`). */
async function resolveBundle(given: DubanWorkerOptions['workflowBundle'], logger: Logger, traced: boolean): Promise<{ code: string } | { codePath: string }> {
  if (given !== undefined) {
    if ('codePath' in given && !existsSync(given.codePath)) {
      throw new DubanWorkerError(
        WorkerErrorCode.WORKER_WORKFLOW_BUNDLE_FAILED,
        `The prebuilt workflow bundle ${given.codePath} does not exist. Fix ${ENV.workflowBundle}, or unset it to bundle at start.`,
        { details: { codePath: given.codePath } },
      );
    }
    if (traced) logger.warn('duban worker: tracing with a prebuilt workflow bundle: workflow spans need it built with WORKFLOW_TRACING_MODULE in workflowInterceptorModules');
    return given;
  }
  // The bundle entry is the package's `workflows` subpath (the index is for clients), with
  // the modules every workflow run shares (`PRELOADED_MODULES`).
  const { workflowsPath, preloadModules } = workflowBundleOptions();
  try {
    return await bundleWorkflowCode({ workflowsPath, preloadModules, logger, ...(traced ? { workflowInterceptorModules: [WORKFLOW_TRACING_MODULE] } : {}) });
  } catch (err) {
    throw new DubanWorkerError(
      WorkerErrorCode.WORKER_WORKFLOW_BUNDLE_FAILED,
      `Could not bundle the workflow code at ${workflowsPath}: ${messageOf(err)}. Build the packages first (pnpm run build).`,
      { details: { workflowsPath }, cause: err },
    );
  }
}

/**
 * The notifier the worker builds itself: the log-and-webhook notifier, behind the routing
 * notifier when a plan given has `routing` (with the dispatcher of its held deliveries).
 * What it opens is closed by `cleanups`, the dispatcher first.
 */
async function defaultNotifier(
  options: DubanWorkerOptions,
  logger: Logger,
  outbox: NotificationOutbox | undefined,
  target: string | undefined,
  cleanups: Array<() => Promise<void>>,
): Promise<{ notifier: Notifier; dispatcher: HeldDeliveryDispatcher | undefined }> {
  const workspaceUrl = workspaceUrlFromEnv(process.env);
  const fallback = new LogAndWebhookNotifier({
    logger,
    ...(options.webhookUrl === undefined ? {} : { webhook: options.webhookUrl }),
    // Without a persistent outbox a restarted worker could send a notification twice.
    ...(outbox === undefined ? {} : { outbox }),
    ...(workspaceUrl === undefined ? {} : { workspaceUrl }),
  });
  const plans = options.plans ?? [];
  if (!plans.some((plan) => plan.routing !== undefined)) return { notifier: fallback, dispatcher: undefined };

  let held = options.heldDeliveries;
  if (held === undefined) {
    // Beside the audit trail, so held messages survive a restart and every worker sees them.
    const opened = target === undefined ? new InMemoryHeldDeliveries() : await openHeldDeliveries(target);
    cleanups.push(() => opened.close());
    held = opened;
  }
  const routing = await RoutingNotifier.create({
    plans,
    outbox: outbox ?? new InMemoryOutbox(),
    held,
    fallback,
    logger,
    ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(workspaceUrl === undefined ? {} : { workspaceUrl }),
  });
  cleanups.push(() => routing.close());
  if (options.heldDeliveries === undefined && target === undefined) {
    logger.warn('duban worker: held deliveries (quiet hours, digests) are kept in memory: pass heldDeliveries to keep them across restarts');
  }
  const dispatcher = routing.dispatcher({
    // Unique per worker, even for several in one process: claims tell them apart.
    owner: `${options.identity ?? `${process.pid}@${hostname()}`}/${randomUUID().slice(0, 8)}`,
    ...(options.dispatchIntervalMs === undefined ? {} : { intervalMs: options.dispatchIntervalMs }),
  });
  // Stopped before the store and channels it uses are closed.
  cleanups.push(() => dispatcher.stop());
  for (const plan of routing.routedPlans()) {
    const channels = Object.keys(plan.routing?.channels ?? {}).map((name) => {
      const channel = routing.channel(plan.id, name);
      return { name, type: channel?.type, endpoint: channel?.endpoint };
    });
    logger.info('duban worker: routing notifications', { plan: plan.id, channels, routes: plan.routing?.routes.length ?? 0 });
  }
  return { notifier: routing, dispatcher };
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
    let target: string | undefined;
    if (auditStore === undefined) {
      target = options.auditUrl ?? options.auditDbPath ?? join(process.cwd(), DEFAULT_AUDIT_DB_PATH);
      const store = await openAuditStore(target);
      cleanups.push(() => store.close());
      outbox = store.outbox();
      auditStore = store;
    } else if (hasOutbox(auditStore)) {
      outbox = auditStore.outbox();
    }
    if (options.notifier !== undefined && (options.webhookUrl !== undefined || options.plans !== undefined)) {
      logger.warn('duban worker: webhookUrl and plans are ignored because a notifier was given');
    }
    const { notifier, dispatcher } = options.notifier !== undefined ? { notifier: options.notifier, dispatcher: undefined } : await defaultNotifier(options, logger, outbox, target, cleanups);
    const { tracing } = options;
    const workflowBundle = await resolveBundle(options.workflowBundle, logger, tracing !== undefined);

    let connection = options.connection;
    if (connection === undefined) {
      connection = await connectWorker(options.address ?? DEFAULT_TEMPORAL_ADDRESS);
      const owned = connection;
      cleanups.push(() => owned.close());
    }

    const campaignStore = campaignStoreOf(options, auditStore);
    const worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      workflowBundle,
      activities: {
        ...createActivities({ auditStore, notifier, campaignStore }),
        // A campaign starts its tasks from its stored plan with a client on this connection.
        ...createTaskLauncher({ client: new Client({ connection, namespace, ...(tracing ? { interceptors: tracing.clientInterceptors } : {}) }), campaignStore }),
      },
      ...(tracing ? { interceptors: tracing.workerInterceptors, sinks: tracing.sinks } : {}),
      ...DEFAULT_WORKER_TUNING,
      ...definedFields(options.tuning ?? {}),
      ...(options.shutdownGraceTime === undefined ? {} : { shutdownGraceTime: options.shutdownGraceTime }),
      ...(options.identity === undefined ? {} : { identity: options.identity }),
    });

    let running: Promise<void> | undefined;
    const run = (): Promise<void> => {
      if (running === undefined) {
        dispatcher?.start();
        running = worker.run().finally(closeOwned);
      }
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
    return { worker, auditStore, notifier, ...(dispatcher === undefined ? {} : { dispatcher }), namespace, taskQueue, run, shutdown };
  } catch (err) {
    await closeOwned();
    throw err;
  }
}
