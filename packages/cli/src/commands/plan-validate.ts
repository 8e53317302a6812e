import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DubanError, ErrorCode } from '@duban/common';
import { formatProblem, leadsInResponsibleCollectives, readPlanFile, type LeadInCollective, type Plan, type PlanProblem, type Problem } from '@duban/plan';
import type { CommandContext } from '../context';
import { t } from '../i18n';
import { paint } from '../output';
import { planJsonCommand, type PlanJsonOptions } from './register';

export type PlanValidateOptions = PlanJsonOptions;

export type PlanValidateReport =
  | { valid: true; file: string; id: string; actions: number; tasks: number; milestones: number; notes?: { leadInCollective: LeadInCollective[] } }
  | { valid: false; file: string; problems: PlanProblem[] };

/**
 * Reads and validates a plan file for a command. Returns the plan, or throws a DubanError
 * with code PLAN_INVALID (exit 1) after the problems have been printed.
 */
export async function readPlanOrFail(ctx: CommandContext, file: string, json: boolean): Promise<Plan> {
  const result = await readPlanFile(resolve(ctx.cwd, file), { displayName: file });
  if (result.ok) return result.plan;
  return failWithProblems(ctx, { file, problems: result.problems, json }, ErrorCode.PLAN_INVALID, `duban plan validate ${file}`);
}

/**
 * Prints a file's problems (each with its line and fix; as one JSON report with --json),
 * then throws `code` with the problems in its details.
 */
export function failWithProblems(
  ctx: CommandContext,
  report: { file: string; problems: Problem[]; json: boolean },
  code: typeof ErrorCode.PLAN_INVALID | typeof ErrorCode.AMENDMENT_INVALID,
  rerun: string,
): never {
  const { file, problems } = report;
  if (report.json) ctx.output.json({ valid: false, file, problems });
  else for (const problem of problems) ctx.output.error(formatProblem(problem));
  const n = problems.length;
  throw new DubanError(code, `${file} has ${n} problem${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} and run \`${rerun}\` again.`, {
    details: { file, problems },
  });
}

/** `duban plan validate FILE`: exit 0 when valid, 1 with every problem listed when not. */
export async function runPlanValidate(ctx: CommandContext, options: PlanValidateOptions): Promise<PlanValidateReport> {
  const result = await readPlanFile(resolve(ctx.cwd, options.file), { displayName: options.file });
  if (!result.ok) return failWithProblems(ctx, { file: options.file, problems: result.problems, json: options.json === true }, ErrorCode.PLAN_INVALID, `duban plan validate ${options.file}`);
  const plan = result.plan;
  const report: PlanValidateReport = {
    valid: true,
    file: options.file,
    id: plan.id,
    actions: plan.actions.length,
    tasks: plan.actions.reduce((n, action) => n + action.tasks.length, 0),
    milestones: plan.milestones.length,
  };
  // Not problems: what the plan's words mean that a reader might not expect.
  const leadInCollective = leadsInResponsibleCollectives(plan);
  if (leadInCollective.length > 0) report.notes = { leadInCollective };
  if (options.json) ctx.output.json(report);
  else {
    const { valid: _valid, notes: _notes, ...facts } = report;
    // A format-2 file has sections (its top-level ones counted), a format-1 file actions.
    ctx.output.line(paint(ctx.output, 'green', t(options.lang, result.format === 2 ? 'plan.valid.sections' : 'plan.valid', facts)));
    const name = (code: string) => plan.units.find((u) => u.code === code)?.name ?? code;
    for (const note of leadInCollective) {
      ctx.output.line(t(options.lang, 'plan.note.leadInCollective', { task: note.task, lead: name(note.lead), collective: name(note.collective) }));
    }
  }
  return report;
}

export function registerPlanValidate(plan: Command, ctx: CommandContext): void {
  planJsonCommand(plan, ctx, {
    name: 'validate',
    description: 'Check a plan file and list every problem with its line and how to fix it',
    argument: { name: '<file>', description: 'the plan file (YAML)' },
    jsonHelp: 'print the result as JSON',
    examples: ['pnpm duban plan validate plans/xihu-2020.yaml', 'pnpm duban plan validate my-plan.yaml --json'],
    run: runPlanValidate,
  });
}
