/**
 * The duban worker of `pnpm bench:scale`, in a process of its own so its memory is its
 * own: `createDubanWorker` as `duban-worker` runs it (the runtime's logger at INFO, the
 * SQLite audit store, a prebuilt bundle), with the cache size `--cache` asks for
 * (DUBAN_BENCH_CACHE; unset: createDubanWorker's default).
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ENV } from '@duban/common';
import { createDubanWorker } from '@duban/worker';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('INFO') });
  const env = (name: string): string => {
    const value = process.env[name];
    if (value === undefined || value === '') throw new Error(`${name} is not set.`);
    return value;
  };
  const cache = process.env.DUBAN_BENCH_CACHE;
  const worker = await createDubanWorker({
    address: env(ENV.address),
    namespace: env(ENV.namespace),
    auditDbPath: env(ENV.auditDb),
    workflowBundle: { codePath: env(ENV.workflowBundle) },
    ...(cache === undefined || cache === '' ? {} : { tuning: { maxCachedWorkflows: Number(cache) } }),
  });
  process.once('SIGTERM', () => void worker.shutdown());
  const running = worker.run();
  Runtime.instance().logger.info('duban worker: polling', { cache: cache ?? 'default' });
  await running;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
