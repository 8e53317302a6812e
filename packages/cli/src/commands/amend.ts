import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatAmendmentProblem, readAmendmentFile } from '@duban/plan';
import type { AmendmentResult } from '@duban/workflows';
import { ct } from '../campaign-i18n';
import { connectDuban, globalOptions, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { CliError, ExitCode } from '../errors';
import { readPlanOrFail } from './plan-validate';

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
  if (!read.ok) {
    if (json) ctx.output.json({ valid: false, file: options.amendment, problems: read.problems });
    else for (const problem of read.problems) ctx.output.error(formatAmendmentProblem(problem));
    const n = read.problems.length;
    throw new CliError('AMENDMENT_INVALID', `${options.amendment} has ${n} problem${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} and run \`duban amend\` again.`, ExitCode.FAILED, {
      problems: read.problems,
    });
  }
  const duban = await connectDuban(ctx, options);
  let result: AmendmentResult;
  try {
    result = await duban.amend(plan, read.amendment);
  } finally {
    await duban.close();
  }
  if (json) {
    ctx.output.json(result);
    return result;
  }
  const list = (numbers: number[]) => (numbers.length === 0 ? ct(options.lang, 'label.none') : numbers.join(', '));
  ctx.output.line(
    result.applied
      ? ct(options.lang, 'amend.applied', { id: result.amendmentId, plan: plan.id, added: list(result.added), moved: list(result.moved), reassigned: list(result.reassigned) })
      : ct(options.lang, 'amend.duplicate', { id: result.amendmentId, plan: plan.id }),
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
