import type { Command } from 'commander';
import { DEFAULT_PATHS, ENV } from '@duban/common';
import { globalOptions, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { t } from '../i18n';
import { loadWorkerPackage } from './lazy';

export interface WorkerCommandOptions extends GlobalOptions {
  auditDb?: string;
  /** The shared PostgreSQL audit store (`postgres://…`); not with `auditDb`. */
  auditUrl?: string;
  webhookUrl?: string;
  /** Capacity (`DEFAULT_WORKER_TUNING` of `@duban/worker` when unset), as given on the command line. */
  cacheSize?: string;
  workflowTasks?: string;
  activityTasks?: string;
  /** `host:port` of the Prometheus endpoint. */
  metrics?: string;
}

/**
 * `duban worker`: the duban worker on the configured server until SIGINT or SIGTERM,
 * which drain running tasks and close the audit database before it returns. It connects
 * with the whole profile (address, namespace, TLS, API key, gRPC metadata) and the
 * TEMPORAL_* variables, read by `@temporalio/envconfig` as every other command reads them.
 */
export async function runWorker(ctx: CommandContext, options: WorkerCommandOptions): Promise<void> {
  if (options.auditDb !== undefined && options.auditUrl !== undefined) throw new UsageError('Give --audit-db FILE or --audit-url URL, not both.');
  const { workerMain, wholeNumber } = await loadWorkerPackage();
  // Checked as the variables are: a value that is no whole number stops the worker, naming the flag.
  const tuning = {
    ...(options.cacheSize !== undefined ? { maxCachedWorkflows: wholeNumber('--cache-size', options.cacheSize, 0) } : {}),
    ...(options.workflowTasks !== undefined ? { maxConcurrentWorkflowTaskExecutions: wholeNumber('--workflow-tasks', options.workflowTasks, 1) } : {}),
    ...(options.activityTasks !== undefined ? { maxConcurrentActivityTaskExecutions: wholeNumber('--activity-tasks', options.activityTasks, 1) } : {}),
  };
  await workerMain({
    env: ctx.env,
    overrides: {
      // --profile (or TEMPORAL_PROFILE, which globalOptions reads): the worker reads the profile itself.
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
      ...(options.auditDb !== undefined ? { auditDbPath: options.auditDb } : {}),
      ...(options.auditUrl !== undefined ? { auditUrl: options.auditUrl } : {}),
      ...(options.webhookUrl !== undefined ? { webhookUrl: options.webhookUrl } : {}),
      ...(Object.keys(tuning).length > 0 ? { tuning } : {}),
      ...(options.metrics !== undefined ? { metricsAddress: options.metrics } : {}),
    },
    onReady: (worker, settings) =>
      ctx.output.line(t(options.lang, 'msg.workerReady', { address: settings.address, namespace: worker.namespace, taskQueue: worker.taskQueue })),
  });
  ctx.output.line(t(options.lang, 'msg.workerStopped'));
}

export function registerWorker(program: Command, ctx: CommandContext): void {
  program
    .command('worker')
    .description('Run the duban worker (task workflows, audit trail, notifications) until Ctrl-C or SIGTERM')
    .option('--audit-db <path>', `SQLite file of the audit trail (default: $${ENV.auditDb} or ${DEFAULT_PATHS.auditDb})`)
    .option('--audit-url <url>', `PostgreSQL audit store shared by every worker, postgres://USER:PASSWORD@HOST/DB (default: $${ENV.auditUrl})`)
    .option('--webhook-url <url>', `post notifications to this webhook (default: $${ENV.webhookUrl}; without it, log only)`)
    .option('--cache-size <n>', `tasks kept in memory between their messages (default: $${ENV.workerCacheSize} or 1000, about 0.33 MiB each)`)
    .option('--workflow-tasks <n>', `workflow tasks run at once (default: $${ENV.workerWorkflowTasks} or 10)`)
    .option('--activity-tasks <n>', `activities (audit writes, notices) run at once (default: $${ENV.workerActivityTasks} or 100)`)
    .option('--metrics <host:port>', `serve Prometheus metrics at http://HOST:PORT/metrics (default: $${ENV.metricsAddress}; none)`)
    .addHelpText(
      'after',
      '\nExamples:\n  $ pnpm duban worker\n  $ TEMPORAL_ADDRESS=temporal.internal:7233 pnpm duban worker --audit-db /var/lib/duban/audit.sqlite --webhook-url https://hooks.example.org/duban\n  $ pnpm duban --profile prod worker\n  $ OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318 pnpm duban worker --metrics 0.0.0.0:9464 --cache-size 2000',
    )
    .action(async (o: { auditDb?: string; auditUrl?: string; webhookUrl?: string; cacheSize?: string; workflowTasks?: string; activityTasks?: string; metrics?: string }, command: Command) => {
      await runWorker(ctx, { ...globalOptions(command, ctx), ...o });
    });
}
