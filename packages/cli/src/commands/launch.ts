import type { Command } from 'commander';
import type { LaunchResult } from '@duban/client';
import { globalOptions, withDuban, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { t } from '../i18n';
import { printedAsJson } from '../output';
import { keyStore } from '../signing';
import { readPlanOrFail } from './plan-validate';
import { localTime, wholeNumberIn } from './task-common';

export interface LaunchCommandOptions extends GlobalOptions {
  /** The plan file, relative to the context's working directory. */
  file: string;
  /** Re-date the plan to start in this year before launching. */
  campaignYear?: number;
  json?: boolean;
}

/**
 * `duban launch PLAN`: starts the plan's campaign and its task workflows, with every person
 * of the plan and their public keys from the keyring (`duban keys issue`) as the roster of
 * record; a second launch starts nothing.
 */
export async function runLaunch(ctx: CommandContext, options: LaunchCommandOptions): Promise<LaunchResult> {
  const plan = await readPlanOrFail(ctx, options.file, options.json === true);
  const keyring = await keyStore(ctx).keyring(plan.id);
  const result = await withDuban(ctx, options, (duban) => duban.launch(plan, { keyring, ...(options.campaignYear === undefined ? {} : { campaignYear: options.campaignYear }) }));
  if (printedAsJson(ctx.output, options.json, result)) return result;
  const params = { plan: plan.id, workflowId: result.campaignWorkflowId, count: result.tasks.length };
  ctx.output.line(
    result.started
      ? t(options.lang, 'launch.started', { ...params, dispatch: localTime(result.firstDispatchAt, plan.timeZone), end: localTime(result.endAt, plan.timeZone) })
      : t(options.lang, 'launch.already', { ...params, running: result.alreadyRunning ?? 0 }),
  );
  return result;
}

export function registerLaunch(program: Command, ctx: CommandContext): void {
  program
    .command('launch')
    .description("Launch a plan: start its campaign (HQ's board, weekly dispatch) and every task workflow; launching again starts nothing")
    .argument('<plan>', 'the plan file (YAML)')
    .option('--campaign-year <yyyy>', 're-date the plan so its campaign starts in this year', wholeNumberIn('--campaign-year', 2000, 2100))
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nThe roster of record takes its public keys from the keyring: issue them first (pnpm duban keys issue PLAN --all).\n\nExamples:\n  $ pnpm duban launch plans/xihu-2020.yaml --campaign-year 2027\n  $ pnpm duban launch plans/xihu-2020.yaml --campaign-year 2027 --json   # again: "already launched"',
    )
    .action(async (file: string, o: { campaignYear?: number; json?: boolean }, command: Command) => {
      await runLaunch(ctx, { ...globalOptions(command, ctx), file, ...(o.campaignYear !== undefined ? { campaignYear: o.campaignYear } : {}), json: o.json });
    });
}
