/**
 * `duban serve`: the web workspace (`@duban/web`) for the plans given, on the configured
 * Temporal server, until a signal stops it. Fastify and the rest of the web stack are
 * loaded here only, when this command (or `duban dev`) runs.
 */
import { existsSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_PATHS, ENV } from '@duban/common';
import type { Plan } from '@duban/plan';
import type { DubanClient } from '@duban/client';
import { connectDuban, globalOptions, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { t } from '../i18n';
import { readPlanOrFail } from './plan-validate';
import { collect, wholeNumberIn } from './task-common';

/** The workspace's port: beside the dev server's web UI (8233). */
export const DEFAULT_SERVE_PORT = 8280;

export interface ServeOptions extends GlobalOptions {
  /** Plan files served (default: `DUBAN_PLANS`). */
  plans?: string[];
  port?: number;
  /** Default 127.0.0.1; 0.0.0.0 to serve the office network (behind a TLS proxy). */
  host?: string;
  /** The accounts database (default `.duban/workspace.sqlite`). */
  db?: string;
  /** The URL people reach the workspace at (https behind a proxy: cookies are then Secure). */
  publicUrl?: string;
  /** The audit trail to verify on the audit page (default `.duban/audit.sqlite` when it exists, or `DUBAN_AUDIT_URL`). */
  auditDb?: string;
  signals?: NodeJS.Signals[];
  stop?: AbortSignal;
}

/** A running workspace, for `duban dev`. */
export interface RunningWorkspace {
  url: string;
  close(): Promise<void>;
}

/** The plan files of `--plan`, else of `DUBAN_PLANS`. */
function planFiles(ctx: CommandContext, given: string[] | undefined): string[] {
  if (given && given.length > 0) return given;
  return (ctx.env[ENV.plans] ?? '').split(delimiter).filter((f) => f !== '');
}

/**
 * Starts the workspace for `plans` with `duban` (which the caller keeps open while it
 * runs); returns its URL and how to stop it.
 */
export async function startWorkspace(
  ctx: CommandContext,
  options: { duban: DubanClient; plans: Plan[]; port?: number; host?: string; db?: string; publicUrl?: string; auditDb?: string },
): Promise<RunningWorkspace> {
  const { createWorkspaceServer } = await import('@duban/web');
  const auditTarget = ctx.env[ENV.auditUrl] ?? resolve(ctx.cwd, options.auditDb ?? DEFAULT_PATHS.auditDb);
  let auditStore: Awaited<ReturnType<typeof import('@duban/activities').openAuditStore>> | undefined;
  // The audit page verifies the trail the worker writes; a store that is not there is not created.
  if (auditTarget.startsWith('postgres') || existsSync(auditTarget)) {
    const { openAuditStore } = await import('@duban/activities');
    auditStore = await openAuditStore(auditTarget);
  }
  const server = await createWorkspaceServer({
    duban: options.duban,
    plans: options.plans,
    dbPath: resolve(ctx.cwd, options.db ?? DEFAULT_PATHS.workspaceDb),
    port: options.port ?? DEFAULT_SERVE_PORT,
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    ...(auditStore !== undefined ? { auditStore } : {}),
  });
  const url = await server.listen();
  return {
    url: options.publicUrl ?? url,
    async close() {
      await server.close();
      await auditStore?.close();
    },
  };
}

/** `duban serve`: serves until a signal (or `stop`) ends it. */
export async function runServe(ctx: CommandContext, options: ServeOptions): Promise<void> {
  const files = planFiles(ctx, options.plans);
  if (files.length === 0) throw new UsageError(t(options.lang, 'serve.noPlans', { env: ENV.plans }));
  const plans: Plan[] = [];
  for (const file of files) plans.push(await readPlanOrFail(ctx, file, false));
  const duban = await connectDuban(ctx, options);
  try {
    const workspace = await startWorkspace(ctx, { duban, plans, ...pick(options) });
    ctx.output.line(t(options.lang, 'serve.ready', { url: workspace.url, plans: plans.map((p) => p.id).join(', '), db: options.db ?? DEFAULT_PATHS.workspaceDb }));
    await new Promise<void>((done) => {
      const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
      const stop = () => {
        for (const signal of signals) process.off(signal, stop);
        options.stop?.removeEventListener('abort', stop);
        done();
      };
      for (const signal of signals) process.on(signal, stop);
      options.stop?.addEventListener('abort', stop, { once: true });
      if (options.stop?.aborted) stop();
    });
    await workspace.close();
    ctx.output.line(t(options.lang, 'serve.stopped'));
  } finally {
    await duban.close();
  }
}

function pick(options: ServeOptions): { port?: number; host?: string; db?: string; publicUrl?: string; auditDb?: string } {
  return {
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.db !== undefined ? { db: options.db } : {}),
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    ...(options.auditDb !== undefined ? { auditDb: options.auditDb } : {}),
  };
}

export function registerServe(program: Command, ctx: CommandContext): void {
  program
    .command('serve')
    .description('Serve the web workspace: people log in from an invitation, see their inbox and act on their tasks')
    .option('--plan <file>', `a plan file to serve (repeatable; default ${ENV.plans})`, collect)
    .option('--port <port>', `port (default ${DEFAULT_SERVE_PORT})`, wholeNumberIn('--port', 0, 65535))
    .option('--host <host>', 'address to listen on (default 127.0.0.1; put a TLS proxy in front for the network)')
    .option('--db <path>', `accounts, sessions and sealed keys (default ${DEFAULT_PATHS.workspaceDb})`)
    .option('--public-url <url>', `the URL people open (https: cookies are then Secure); ${ENV.workspaceUrl} for notices should match it`)
    .option('--audit-db <path>', `the audit trail the audit page verifies (default ${DEFAULT_PATHS.auditDb} when it exists, or ${ENV.auditUrl})`)
    .addHelpText('after', '\nExamples:\n  $ pnpm duban serve --plan plans/xihu-2020.yaml\n  $ pnpm duban users invite chengguan-head --plan plans/xihu-2020.yaml')
    .action(async (o: { plan?: string[]; port?: number; host?: string; db?: string; publicUrl?: string; auditDb?: string }, command: Command) => {
      const { plan, ...rest } = o;
      await runServe(ctx, { ...globalOptions(command, ctx), ...rest, ...(plan ? { plans: plan } : {}) });
    });
}
