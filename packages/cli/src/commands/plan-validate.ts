import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatProblem, readPlanFile, type Plan, type PlanProblem } from '@duban/plan';
import type { CommandContext } from '../context';
import { CliError, ExitCode } from '../errors';
import { paint } from '../output';

export interface PlanValidateOptions {
  /** The plan file, relative to the context's working directory. */
  file: string;
  json?: boolean;
}

export type PlanValidateReport =
  | { valid: true; file: string; id: string; actions: number; tasks: number; milestones: number }
  | { valid: false; file: string; problems: PlanProblem[] };

/**
 * Reads and validates a plan file for a command. Returns the plan, or throws a CliError
 * with code PLAN_INVALID (exit 1) after the problems have been printed.
 */
export async function readPlanOrFail(ctx: CommandContext, file: string, json: boolean): Promise<Plan> {
  const result = await readPlanFile(resolve(ctx.cwd, file), { displayName: file });
  if (result.ok) return result.plan;
  failWithProblems(ctx, file, result.problems, json);
}

function failWithProblems(ctx: CommandContext, file: string, problems: PlanProblem[], json: boolean): never {
  if (json) ctx.output.json({ valid: false, file, problems } satisfies PlanValidateReport);
  else for (const problem of problems) ctx.output.error(formatProblem(problem));
  throw new CliError(
    'PLAN_INVALID',
    `${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; fix ${problems.length === 1 ? 'it' : 'them'} and run \`duban plan validate ${file}\` again.`,
    ExitCode.FAILED,
    { problems },
  );
}

/** `duban plan validate FILE`: exit 0 when valid, 1 with every problem listed when not. */
export async function runPlanValidate(ctx: CommandContext, options: PlanValidateOptions): Promise<PlanValidateReport> {
  const plan = await readPlanOrFail(ctx, options.file, options.json === true);
  const report: PlanValidateReport = {
    valid: true,
    file: options.file,
    id: plan.id,
    actions: plan.actions.length,
    tasks: plan.actions.reduce((n, action) => n + action.tasks.length, 0),
    milestones: plan.milestones.length,
  };
  if (options.json) ctx.output.json(report);
  else
    ctx.output.line(
      `${paint(ctx.output, 'green', 'valid')} ${options.file}: plan ${report.id}, ${report.actions} actions, ${report.tasks} tasks, ${report.milestones} milestones`,
    );
  return report;
}

export function registerPlanValidate(plan: Command, ctx: CommandContext): void {
  plan
    .command('validate')
    .description('Check a plan file and list every problem with its line and how to fix it')
    .argument('<file>', 'the plan file (YAML)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  $ pnpm duban plan validate plans/xihu-2020.yaml\n  $ pnpm duban plan validate my-plan.yaml --json')
    .action(async (file: string, options: { json?: boolean }) => {
      await runPlanValidate(ctx, { file, json: options.json });
    });
}
