/**
 * `duban users invite PERSON --plan P`: a one-time link to the web workspace for a person
 * of the plan's roster. The link carries the person's signing key from this machine's keys
 * directory (`duban keys issue` put it there), sealed under the link's token; the person
 * sets a password on the page it opens, and the key is sealed again under that password.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { DEFAULT_PATHS, ENV } from '@duban/common';
import type { Plan } from '@duban/plan';
import { globalOptions, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { t } from '../i18n';
import { keyStore } from '../signing';
import { readPlanOrFail } from './plan-validate';
import { collect, wholeNumberIn } from './task-common';
import { DEFAULT_SERVE_PORT } from './serve';

export interface InviteCommandOptions extends GlobalOptions {
  person: string;
  plans: string[];
  db?: string;
  /** The workspace's URL (default `DUBAN_WORKSPACE_URL`, else the local `duban serve`). */
  url?: string;
  expiresHours?: number;
  json?: boolean;
}

export interface InviteReport {
  person: string;
  name: string;
  plans: string[];
  link: string;
  expiresAt: string;
}

export async function runUsersInvite(ctx: CommandContext, options: InviteCommandOptions): Promise<InviteReport> {
  const plans: Plan[] = [];
  for (const file of options.plans) plans.push(await readPlanOrFail(ctx, file, options.json === true));
  const { invitePerson } = await import('@duban/web');
  const baseUrl = options.url ?? ctx.env[ENV.workspaceUrl] ?? `http://127.0.0.1:${DEFAULT_SERVE_PORT}`;
  const invitation = await invitePerson({
    dbPath: resolve(ctx.cwd, options.db ?? DEFAULT_PATHS.workspaceDb),
    keyStore: keyStore(ctx),
    plans,
    person: options.person,
    baseUrl,
    ...(options.expiresHours !== undefined ? { ttlMs: options.expiresHours * 3_600_000 } : {}),
  });
  const report: InviteReport = { person: invitation.person, name: invitation.name, plans: invitation.plans, link: invitation.link, expiresAt: invitation.expiresAt.toISOString() };
  if (options.json === true) {
    ctx.output.line(JSON.stringify(report, null, 2));
  } else {
    const zone = plans[0]?.timeZone ?? 'Asia/Shanghai';
    const expires = DateTime.fromJSDate(invitation.expiresAt).setZone(zone).toFormat('yyyy-MM-dd HH:mm');
    ctx.output.line(t(options.lang, 'users.invited', { name: invitation.name, person: invitation.person, plans: invitation.plans.join(', '), expires, zone }));
    ctx.output.line(invitation.link);
  }
  return report;
}

export function registerUsers(program: Command, ctx: CommandContext): void {
  const users = program.command('users').description("Accounts of the web workspace: invite a person of the plan's roster");
  users
    .command('invite')
    .description('Print a one-time link with which a person of the roster sets a password for the workspace')
    .argument('<person>', 'the person id in the plan (e.g. chengguan-head)')
    .requiredOption('--plan <file>', 'the plan file (repeatable: one link for several plans)', collect)
    .option('--db <path>', `the workspace's accounts database (default ${DEFAULT_PATHS.workspaceDb})`)
    .option('--url <url>', `the workspace's URL (default ${ENV.workspaceUrl}, else http://127.0.0.1:${DEFAULT_SERVE_PORT})`)
    .option('--expires-hours <hours>', 'how long the link works (default 72)', wholeNumberIn('--expires-hours', 1, 24 * 30))
    .option('--json', 'print the invitation as JSON')
    .addHelpText('after', '\nExamples:\n  $ pnpm duban users invite chengguan-head --plan plans/xihu-2020.yaml\n  $ pnpm duban users invite supervisor-li --plan plans/xihu-2020.yaml --url https://duban.example.gov.cn --expires-hours 24')
    .action(async (person: string, o: { plan: string[]; db?: string; url?: string; expiresHours?: number; json?: boolean }, command: Command) => {
      await runUsersInvite(ctx, { ...globalOptions(command, ctx), person, plans: o.plan, ...(o.db !== undefined ? { db: o.db } : {}), ...(o.url !== undefined ? { url: o.url } : {}), ...(o.expiresHours !== undefined ? { expiresHours: o.expiresHours } : {}), json: o.json === true });
    });
}
