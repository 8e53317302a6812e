import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { portAnswers, startDevServer } from '@duban/servers';
import type { DubanWorker } from '@duban/worker';
import { dubanSearchAttributes } from '@duban/workflows';
import { globalOptions, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { CliError, ExitCode } from '../errors';
import { t } from '../i18n';
import { DEFAULT_AUDIT_DB, loadWorkerPackage } from './lazy';
import { wholeNumberIn } from './task-common';

export const DEV_PORT = 7233;
/** Where `duban dev` keeps the server's data, under the working directory. */
export const DEV_DB_PATH = join('.duban', 'temporal.sqlite');

export interface DevOptions extends GlobalOptions {
  /** gRPC port; the web UI listens on port + 1000. */
  port?: number;
  auditDb?: string;
  webhookUrl?: string;
  /** Signals that stop both; default SIGINT and SIGTERM. */
  signals?: NodeJS.Signals[];
}

/**
 * `duban dev`: the embedded Temporal dev server (data under .duban/, web UI on, duban's
 * search attributes registered) with a duban worker in this process, until a signal
 * stops both: first the worker (running tasks drain), then the server.
 */
export async function runDev(ctx: CommandContext, options: DevOptions): Promise<void> {
  const port = options.port ?? DEV_PORT;
  const uiPort = port + 1000;
  for (const taken of [port, uiPort]) {
    if (await portAnswers('127.0.0.1', taken)) {
      throw new CliError('PORT_IN_USE', t(options.lang, 'msg.portInUse', { port: taken }), ExitCode.FAILED, { port: taken });
    }
  }

  // A signal during start-up (the server and the bundle take seconds) must still stop cleanly.
  let stopRequested = false;
  let worker: DubanWorker | undefined;
  const onSignal = (): void => {
    stopRequested = true;
    ctx.output.line(t(options.lang, 'msg.devStopping'));
    void worker?.shutdown();
  };
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  for (const signal of signals) process.on(signal, onSignal);

  const data = resolve(ctx.cwd, DEV_DB_PATH);
  try {
    const server = await startDevServer({
      port,
      uiPort,
      dbFilename: data,
      searchAttributes: dubanSearchAttributes.map((key) => ({ name: key.name, type: key.type })),
    });
    try {
      const { createDubanWorker } = await loadWorkerPackage();
      // The worker opens its own connection and closes it when it stops.
      worker = await createDubanWorker({
        address: server.address,
        namespace: server.namespace,
        auditDbPath: resolve(ctx.cwd, options.auditDb ?? DEFAULT_AUDIT_DB),
        ...(options.webhookUrl !== undefined ? { webhookUrl: options.webhookUrl } : {}),
      });
      const running = worker.run();
      if (stopRequested) await worker.shutdown();
      else ctx.output.line(t(options.lang, 'msg.devReady', { address: server.address, ui: server.uiUrl ?? '-', data }));
      await running;
    } finally {
      await server.stop();
    }
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
  ctx.output.line(t(options.lang, 'msg.devStopped'));
}

export function registerDev(program: Command, ctx: CommandContext): void {
  program
    .command('dev')
    .description('Start the embedded Temporal dev server (data in .duban/, web UI on) with a duban worker, until Ctrl-C')
    .option('--port <port>', `gRPC port (default ${DEV_PORT}); the web UI uses port + 1000`, wholeNumberIn('--port', 1, 64535))
    .option('--audit-db <path>', `SQLite file of the audit trail (default ${DEFAULT_AUDIT_DB})`)
    .option('--webhook-url <url>', 'post notifications to this webhook (default: log only)')
    .addHelpText('after', '\nExamples:\n  $ pnpm duban dev\n  $ pnpm duban dev --port 7300   # web UI on 8300')
    .action(async (o: { port?: number; auditDb?: string; webhookUrl?: string }, command: Command) => {
      await runDev(ctx, { ...globalOptions(command, ctx), ...o });
    });
}
