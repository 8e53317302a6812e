/**
 * One arm's worker, in a process of its own so that its CPU time and memory are the
 * arm's alone: the duban worker (`createDubanWorker`: the same activities, audit store and
 * notifier for every arm) on the arm's fresh task queue, with the arm's workflow bundle.
 * Started by `bench.ts` with `fork`; answers `stats` with its CPU time and RSS, and stops
 * on `stop`.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createDubanWorker, type DubanWorkerTuning } from '@duban/worker';

export interface BenchWorkerConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  auditDbPath: string;
  bundlePath: string;
  tuning?: DubanWorkerTuning;
}

export type BenchWorkerRequest = { type: 'stats' } | { type: 'stop' };
export interface BenchWorkerStats {
  type: 'stats';
  /** Process CPU time (every thread: the workflow thread, the audit writer, the SDK's core), ms. */
  cpuMs: number;
  rssBytes: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as BenchWorkerConfig;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const worker = await createDubanWorker({
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
      const { user, system } = process.cpuUsage();
      const stats: BenchWorkerStats = { type: 'stats', cpuMs: (user + system) / 1000, rssBytes: process.memoryUsage.rss() };
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
