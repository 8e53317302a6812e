/**
 * One arm's worker, in a process of its own so that its CPU time and memory are the
 * arm's alone: the duban worker (`createDubanWorker`: the same activities, audit store and
 * notifier for every arm) on the arm's fresh task queue, with the arm's workflow bundle.
 * Started by `bench.ts` with `fork`; answers `stats` with its CPU time and RSS, and stops
 * on `stop`.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities, LogAndWebhookNotifier, SqliteAuditStore } from '@duban/activities';
import { createDubanWorker, type DubanWorkerTuning } from '@duban/worker';

export interface BenchWorkerConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  auditDbPath: string;
  bundlePath: string;
  tuning?: DubanWorkerTuning;
  /**
   * Workflows on the main thread (the SDK's debug mode), for the memory phase: there a
   * garbage collection (`--expose-gc`) reaches them before memory is read.
   */
  workflowsOnMainThread?: boolean;
}

export type BenchWorkerRequest = { type: 'stats'; collect?: boolean } | { type: 'stop' };
export interface BenchWorkerStats {
  type: 'stats';
  /** Process CPU time (every thread: the workflow thread, the audit writer, the SDK's core), ms. */
  cpuMs: number;
  rssBytes: number;
  /** The main isolate's heap in use (with `workflowsOnMainThread`, the workflows' too). */
  heapUsedBytes: number;
  /** Memory of JS objects held outside the heap (buffers). */
  externalBytes: number;
}

/** The same workflows and activities on the SDK's worker in debug mode: workflows on the main thread. */
async function mainThreadWorker(config: BenchWorkerConfig): Promise<{ run(): Promise<void>; shutdown(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: config.address });
  const auditStore = SqliteAuditStore.open(config.auditDbPath);
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    workflowBundle: { codePath: config.bundlePath },
    activities: createActivities({ auditStore, notifier: new LogAndWebhookNotifier({ logger: Runtime.instance().logger, outbox: auditStore.outbox() }) }),
    debugMode: true,
    ...config.tuning,
  });
  return {
    run: () => worker.run().finally(async () => {
      await auditStore.close();
      await connection.close();
    }),
    shutdown: async () => worker.shutdown(),
  };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as BenchWorkerConfig;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const worker = config.workflowsOnMainThread
    ? await mainThreadWorker(config)
    : await createDubanWorker({
        address: config.address,
        namespace: config.namespace,
        taskQueue: config.taskQueue,
        auditDbPath: config.auditDbPath,
        workflowBundle: { codePath: config.bundlePath },
        ...(config.tuning ? { tuning: config.tuning } : {}),
      });
  const running = worker.run();
  process.on('message', (request: BenchWorkerRequest) => {
    if (request.type === 'stats') {
      if (request.collect && global.gc) {
        global.gc();
        global.gc();
      }
      const { user, system } = process.cpuUsage();
      const stats: BenchWorkerStats = { type: 'stats', cpuMs: (user + system) / 1000, rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed, externalBytes: process.memoryUsage().external };
      process.send?.(stats);
    } else if (request.type === 'stop') {
      void worker.shutdown();
    }
  });
  process.send?.({ type: 'ready' });
  await running;
  process.disconnect?.();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
