import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { tasksPastDeadline, type LaunchResult } from '@duban/client';
import { DubanError, ErrorCode, isDubanError } from '@duban/common';
import { describeDue, rebasePlan } from '@duban/plan';
import { globalOptions, withDuban, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { t, type Lang } from '../i18n';
import { printedAsJson } from '../output';
import { keyStore } from '../signing';
import { readPlanOrFail } from './plan-validate';
import { localTime, wholeNumberIn } from './task-common';

export interface LaunchCommandOptions extends GlobalOptions {
  /** The plan file, relative to the context's working directory. */
  file: string;
  /** Re-date the plan to start in this year before launching. */
  campaignYear?: number;
  /** Launch tasks whose deadline has passed, recording it in each (default: refuse them). */
  allowPast?: boolean;
  /** Assign every task now, even before the campaign's start (`duban dev`). */
  startNow?: boolean;
  json?: boolean;
}

/**
 * `duban launch PLAN`: starts the plan's campaign and its task workflows, with every person
 * of the plan and their public keys from the keyring (`duban keys issue`) as the roster of
 * record; a second launch starts nothing. Tasks wait for the campaign's start; a task
 * already past its deadline is refused unless `--allow-past`.
 */
export async function runLaunch(ctx: CommandContext, options: LaunchCommandOptions): Promise<LaunchResult> {
  const plan = await readPlanOrFail(ctx, options.file, options.json === true);
  const keyring = await keyStore(ctx).keyring(plan.id);
  const launchOptions = {
    keyring,
    ...(options.campaignYear === undefined ? {} : { campaignYear: options.campaignYear }),
    ...(options.allowPast ? { allowPastDeadlines: true } : {}),
    ...(options.startNow ? { startNow: true } : {}),
  };
  let result: LaunchResult;
  try {
    result = await withDuban(ctx, options, (duban) => duban.launch(plan, launchOptions));
  } catch (error) {
    // The client names the tasks in English; people read them in their language, dates as the plan says them.
    if (!isDubanError(error) || error.code !== ErrorCode.DEADLINES_PASSED) throw error;
    const launched = options.campaignYear === undefined ? plan : rebasePlan(plan, options.campaignYear);
    const past = tasksPastDeadline(launched, DateTime.now());
    throw new DubanError(ErrorCode.DEADLINES_PASSED, t(options.lang, 'launch.deadlinesPassed', { plan: plan.id, count: past.length, tasks: pastList(options.lang, past, launched.timeZone) }), {
      details: error.details ?? {},
      cause: error,
    });
  }
  if (printedAsJson(ctx.output, options.json, result)) return result;
  const params = { plan: plan.id, workflowId: result.campaignWorkflowId, count: result.tasks.length };
  ctx.output.line(
    result.started
      ? t(options.lang, 'launch.started', { ...params, dispatch: localTime(result.firstDispatchAt, plan.timeZone), end: localTime(result.endAt, plan.timeZone) })
      : t(options.lang, 'launch.already', { ...params, running: result.alreadyRunning ?? 0 }),
  );
  if (result.started && result.startsAt !== undefined) ctx.output.line(t(options.lang, 'launch.waiting', { start: localTime(result.startsAt, plan.timeZone) }));
  if (result.started && result.pastDeadline && result.pastDeadline.length > 0) {
    ctx.output.line(t(options.lang, 'launch.pastRecorded', { count: result.pastDeadline.length, tasks: pastList(options.lang, result.pastDeadline, plan.timeZone) }));
  }
  return result;
}

/** "task 3 (2020年底)", each task with its deadline as the plan words it, else the local instant. */
function pastList(lang: Lang, tasks: NonNullable<LaunchResult['pastDeadline']>, timeZone: string): string {
  return tasks
    .map((task) => t(lang, 'launch.pastTask', { task: task.taskNumber, due: task.deadline ? describeDue(task.deadline, lang) : localTime(task.deadlineAt, timeZone) }))
    .join(lang === 'zh' ? '、' : ', ');
}

export function registerLaunch(program: Command, ctx: CommandContext): void {
  program
    .command('launch')
    .description("Launch a plan: start its campaign (HQ's board, weekly dispatch) and every task workflow; launching again starts nothing")
    .argument('<plan>', 'the plan file (YAML)')
    .option('--campaign-year <yyyy>', 're-date the plan so its campaign starts in this year', wholeNumberIn('--campaign-year', 2000, 2100))
    .option('--allow-past', 'launch tasks whose deadline has already passed, and record that in each of them')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      "\nThe roster of record takes its public keys from the keyring: issue them first (pnpm duban keys issue PLAN --all).\nTasks launched before the campaign's start wait for it: assignment and every window count from the start.\n\nExamples:\n  $ pnpm duban launch plans/xihu-2020.yaml --campaign-year 2027\n  $ pnpm duban launch plans/xihu-2020.yaml --campaign-year 2027 --json   # again: \"already launched\"",
    )
    .action(async (file: string, o: { campaignYear?: number; allowPast?: boolean; json?: boolean }, command: Command) => {
      await runLaunch(ctx, {
        ...globalOptions(command, ctx),
        file,
        ...(o.campaignYear !== undefined ? { campaignYear: o.campaignYear } : {}),
        ...(o.allowPast ? { allowPast: true } : {}),
        json: o.json,
      });
    });
}
