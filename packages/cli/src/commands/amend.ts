import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ErrorCode } from '@duban/common';
import { readAmendmentFile } from '@duban/plan';
import type { AmendmentResult } from '@duban/workflows';
import { globalOptions, withDuban, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { t } from '../i18n';
import { printedAsJson } from '../output';
import { failWithProblems, readPlanOrFail } from './plan-validate';

export interface AmendCommandOptions extends GlobalOptions {
  /** The plan file the campaign was launched from. */
  file: string;
  /** The amendment file (YAML), e.g. plans/amendments/xihu-2021-tasks.yaml. */
  amendment: string;
  json?: boolean;
}

/**
 * `duban amend PLAN AMENDMENT`: validates the amendment file against the plan (every
 * problem with its line and fix), then applies it to the running campaign.
 */
export async function runAmend(ctx: CommandContext, options: AmendCommandOptions): Promise<AmendmentResult> {
  const json = options.json === true;
  const plan = await readPlanOrFail(ctx, options.file, json);
  const read = await readAmendmentFile(resolve(ctx.cwd, options.amendment), plan, { displayName: options.amendment });
  if (!read.ok) return failWithProblems(ctx, { file: options.amendment, problems: read.problems, json }, ErrorCode.AMENDMENT_INVALID, 'duban amend');
  const result = await withDuban(ctx, options, (duban) => duban.campaign(plan.id).amend(plan, read.amendment));
  if (printedAsJson(ctx.output, json, result)) return result;
  const list = (numbers: number[]) => (numbers.length === 0 ? t(options.lang, 'label.none') : numbers.join(', '));
  ctx.output.line(
    result.applied
      ? t(options.lang, 'amend.applied', { id: result.amendmentId, plan: plan.id, added: list(result.added), moved: list(result.moved), reassigned: list(result.reassigned) })
      : t(options.lang, 'amend.duplicate', { id: result.amendmentId, plan: plan.id }),
  );
  return result;
}

export function registerAmend(program: Command, ctx: CommandContext): void {
  program
    .command('amend')
    .description('Amend a running campaign from an amendment file: add tasks, move a deadline, reassign a lead unit')
    .argument('<plan>', 'the plan file the campaign was launched from')
    .argument('<amendment>', 'the amendment file (YAML)')
    .option('--json', 'print the result (or the problems) as JSON')
    .addHelpText('after', '\nExamples:\n  $ pnpm duban amend plans/xihu-2020.yaml plans/amendments/xihu-2021-tasks.yaml')
    .action(async (file: string, amendment: string, o: { json?: boolean }, command: Command) => {
      await runAmend(ctx, { ...globalOptions(command, ctx), file, amendment, json: o.json });
    });
}
