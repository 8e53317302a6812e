import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { newKeyFile } from '@duban/client';
import { DEFAULT_PATHS, DEFAULT_TEMPORAL_HOST, DEFAULT_TEMPORAL_PORT, DubanError, ENV, ErrorCode } from '@duban/common';
import { portAnswers, startDevServer } from '@duban/servers';
import type { DubanWorker, DubanWorkerOptions } from '@duban/worker';
import { dubanSearchAttributes } from '@duban/workflows';
import { globalOptions, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { t } from '../i18n';
import { startDevRouting } from '../dev-receivers';
import { keyStore } from '../signing';
import { loadWorkerPackage } from './lazy';
import { readPlanOrFail } from './plan-validate';
import { wholeNumberIn } from './task-common';

export interface DevOptions extends GlobalOptions {
  /** gRPC port; the web UI listens on port + 1000. */
  port?: number;
  auditDb?: string;
  webhookUrl?: string;
  /** Signals that stop both; default SIGINT and SIGTERM. */
  signals?: NodeJS.Signals[];
  /** Stops both when aborted, as a signal does (for embedders and tests, where process signals are not theirs). */
  stop?: AbortSignal;
  /** A plan file to launch once the worker runs (the main job: the plan on the embedded server). */
  launch?: string;
  /** With `launch`: re-date the plan to start in this year. */
  campaignYear?: number;
  /** Print each notification's full object too, not only its line. */
  verbose?: boolean;
  /** The web workspace's port (default gRPC port + 1047: 8280); false: no workspace. */
  webPort?: number | false;
}

type WorkerLogger = NonNullable<DubanWorkerOptions['logger']>;

/**
 * The worker's log as `duban dev` shows it: one line per entry (a notification is its
 * subject and who it went to, not a dump of the object), the full entry as a JSON line in
 * `file` and, with `verbose`, on screen too.
 */
function lineLogger(ctx: CommandContext, file: string, verbose: boolean): { logger: WorkerLogger; close: () => void } {
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  const write = (level: string, message: string, meta?: Record<string, unknown>): void => {
    if (level === 'TRACE' || level === 'DEBUG') return;
    const entry = { at: new Date().toISOString(), level, message, ...meta };
    const json = JSON.stringify(entry);
    writeSync(fd, `${json}\n`);
    const problem = level === 'WARN' || level === 'ERROR';
    const line = message.replace(/\s*\n\s*/g, ' ');
    if (problem) ctx.output.error(`${level}: ${line}`);
    else ctx.output.line(line);
    if (verbose) ctx.output.line(`  ${json}`);
  };
  const logger: WorkerLogger = {
    log: (level, message, meta) => write(level, message, meta),
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
  return { logger, close: () => closeSync(fd) };
}

/**
 * `duban dev`: the embedded Temporal dev server (data under .duban/, web UI on, duban's
 * search attributes registered) with a duban worker in this process, until a signal
 * stops both: first the worker (running tasks drain), then the server.
 */
export async function runDev(ctx: CommandContext, options: DevOptions): Promise<void> {
  const port = options.port ?? DEFAULT_TEMPORAL_PORT;
  const uiPort = port + 1000;
  const webPort = options.webPort === false ? undefined : (options.webPort ?? port + 1047);
  for (const taken of [port, uiPort, ...(webPort === undefined ? [] : [webPort])]) {
    if (await portAnswers(DEFAULT_TEMPORAL_HOST, taken)) {
      throw new DubanError(ErrorCode.PORT_IN_USE, t(options.lang, 'msg.portInUse', { port: taken }), { details: { port: taken } });
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
  options.stop?.addEventListener('abort', onSignal, { once: true });

  const data = resolve(ctx.cwd, DEFAULT_PATHS.devServerDb);
  let closeReceivers: (() => Promise<void>) | undefined;
  let closeWorkspace: (() => Promise<void>) | undefined;
  try {
    const server = await startDevServer({
      port,
      uiPort,
      dbFilename: data,
      searchAttributes: dubanSearchAttributes.map((key) => ({ name: key.name, type: key.type })),
    });
    try {
      const { createDubanWorker } = await loadWorkerPackage();
      // Local catch-all receivers stand in for the launched plan's channels (and the webhook).
      const devRouting = await startDevRouting(ctx.output, options.lang, options.launch ? [await readPlanOrFail(ctx, options.launch, false)] : []);
      const notificationsLog = resolve(ctx.cwd, DEFAULT_PATHS.notificationsLog);
      const log = lineLogger(ctx, notificationsLog, options.verbose === true);
      closeReceivers = async () => {
        await devRouting.close();
        log.close();
      };
      ctx.output.line(t(options.lang, 'dev.notificationsLog', { file: relative(ctx.cwd, notificationsLog) || notificationsLog }));
      // Notices link to the workspace: the worker reads its URL from the environment when it is created.
      const linkedUrl = process.env[ENV.workspaceUrl];
      if (webPort !== undefined && linkedUrl === undefined) process.env[ENV.workspaceUrl] = ctx.env[ENV.workspaceUrl] ?? `http://${DEFAULT_TEMPORAL_HOST}:${webPort}`;
      // The worker opens its own connection and closes it when it stops.
      worker = await createDubanWorker({
        address: server.address,
        namespace: server.namespace,
        auditDbPath: resolve(ctx.cwd, options.auditDb ?? DEFAULT_PATHS.auditDb),
        logger: log.logger,
        ...devRouting.workerOptions(options.webhookUrl),
      }).finally(() => {
        if (linkedUrl === undefined) delete process.env[ENV.workspaceUrl];
      });
      const running = worker.run();
      if (stopRequested) await worker.shutdown();
      else {
        ctx.output.line(t(options.lang, 'msg.devReady', { address: server.address, ui: server.uiUrl ?? '-', data }));
        if (options.launch) await launchOnEmbeddedServer(ctx, options, options.launch, server.address, server.namespace);
        if (webPort !== undefined && !stopRequested) closeWorkspace = await startDevWorkspace(ctx, options, webPort, server.address, server.namespace);
      }
      await running;
    } finally {
      await closeWorkspace?.();
      await server.stop();
      await closeReceivers?.();
    }
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    options.stop?.removeEventListener('abort', onSignal);
  }
  ctx.output.line(t(options.lang, 'msg.devStopped'));
}

/**
 * On a machine that holds no key of the plan yet (a fresh clone), issues every person of
 * the plan a key into the keys directory, so the dev server's campaign is launched with a
 * roster of record and the quick start's commands can sign. Once any key exists, keys are
 * the operator's business (`duban keys`): nothing is issued behind their back.
 */
async function issueKeysOnFreshMachine(ctx: CommandContext, options: DevOptions, file: string): Promise<void> {
  const plan = await readPlanOrFail(ctx, file, false);
  const store = keyStore(ctx);
  const keyring = await store.keyring(plan.id);
  if (Object.values(keyring).some((keys) => keys.length > 0)) return;
  const at = new Date().toISOString();
  await store.commit(plan.id, { issued: plan.people.map((p) => newKeyFile(plan.id, p.id, at)), revoked: [] }, at);
  ctx.output.line(t(options.lang, 'keys.devIssued', { count: plan.people.length, plan: plan.id, dir: store.planDir(plan.id) }));
}

/**
 * The web workspace beside the dev server, serving the launched plan (none without
 * `--launch`: people of no plan could log in), on `webPort`; prints its URL.
 */
async function startDevWorkspace(ctx: CommandContext, options: DevOptions, webPort: number, address: string, namespace: string): Promise<() => Promise<void>> {
  const { DubanClient } = await import('@duban/client');
  const { startWorkspace } = await import('./serve');
  const { rebasePlan } = await import('@duban/plan');
  const read = options.launch ? await readPlanOrFail(ctx, options.launch, false) : undefined;
  // The plan as launched: re-dated when --campaign-year moved it.
  const plans = read === undefined ? [] : [options.campaignYear !== undefined ? rebasePlan(read, options.campaignYear) : read];
  const duban = await DubanClient.connect({ address, namespace });
  const workspace = await startWorkspace(ctx, { duban, plans, port: webPort, ...(options.auditDb !== undefined ? { auditDb: options.auditDb } : {}) });
  ctx.output.line(t(options.lang, 'dev.workspace', { url: workspace.url, plan: options.launch ?? 'PLAN.yaml' }));
  return async () => {
    await workspace.close();
    await duban.close();
  };
}

/** Launches a plan on the server `dev` just started and prints its board. */
async function launchOnEmbeddedServer(ctx: CommandContext, options: DevOptions, file: string, address: string, namespace: string): Promise<void> {
  const { runLaunch } = await import('./launch');
  const { runBoard } = await import('./board');
  const onServer: CommandContext = { ...ctx, env: { ...ctx.env, [ENV.address]: address, [ENV.namespace]: namespace } };
  const common = { lang: options.lang, profile: options.profile };
  await issueKeysOnFreshMachine(ctx, options, file);
  // A playground shows the campaign at work at once: its tasks are assigned now, not at the campaign's start.
  await runLaunch(onServer, { ...common, file, startNow: true, ...(options.campaignYear !== undefined ? { campaignYear: options.campaignYear } : {}) });
  await runBoard(onServer, { ...common, file });
}

export function registerDev(program: Command, ctx: CommandContext): void {
  program
    .command('dev')
    .description('Start the embedded Temporal dev server (data in .duban/, web UI on) with a duban worker, until Ctrl-C')
    .option('--port <port>', `gRPC port (default ${DEFAULT_TEMPORAL_PORT}); the web UI uses port + 1000`, wholeNumberIn('--port', 1, 64535))
    .option('--audit-db <path>', `SQLite file of the audit trail (default ${DEFAULT_PATHS.auditDb})`)
    .option('--webhook-url <url>', 'post notifications to this webhook (default: log only)')
    .option('--launch <plan>', "launch this plan file once the worker runs, then print its board (on a machine without the plan's keys, issues them first)")
    .option('--campaign-year <yyyy>', 'with --launch: re-date the plan so its campaign starts in this year', wholeNumberIn('--campaign-year', 2000, 2100))
    .option('--verbose', `print each notification's full object, not only its line (it is always in ${DEFAULT_PATHS.notificationsLog})`)
    .option('--web-port <port>', 'port of the web workspace (default gRPC port + 1047, i.e. 8280)', wholeNumberIn('--web-port', 1, 65535))
    .option('--no-web', 'do not start the web workspace')
    .addHelpText(
      'after',
      '\nExamples:\n  $ pnpm duban dev\n  $ pnpm duban dev --port 7300   # web UI on 8300\n  $ pnpm duban dev --launch plans/xihu-2020.yaml --campaign-year 2027',
    )
    .action(async (o: { port?: number; auditDb?: string; webhookUrl?: string; launch?: string; campaignYear?: number; verbose?: boolean; webPort?: number; web?: boolean }, command: Command) => {
      const { web, webPort, ...rest } = o;
      await runDev(ctx, { ...globalOptions(command, ctx), ...rest, ...(web === false ? { webPort: false } : webPort !== undefined ? { webPort } : {}) });
    });
}
