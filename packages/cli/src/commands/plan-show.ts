import type { Command } from 'commander';
import { planSummary, rebasePlan, type PlanSummary } from '@duban/plan';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { table } from '../output';
import { readPlanOrFail } from './plan-validate';

export interface PlanShowOptions {
  file: string;
  json?: boolean;
  /** Re-date the plan so its campaign starts in this year (month and day kept). */
  campaignYear?: number;
}

/** `duban plan show FILE`: the task table, or the plan summary as JSON. */
export async function runPlanShow(ctx: CommandContext, options: PlanShowOptions): Promise<PlanSummary> {
  const loaded = await readPlanOrFail(ctx, options.file, options.json === true);
  const plan = options.campaignYear === undefined ? loaded : rebasePlan(loaded, options.campaignYear);
  const summary = planSummary(plan);
  if (options.json) {
    ctx.output.json(summary);
    return summary;
  }
  const unitName = new Map(summary.units.map((unit) => [unit.code, unit.name]));
  const names = (codes: string[]) => codes.map((code) => unitName.get(code) ?? code).join('、');
  ctx.output.line(`${summary.id}  ${summary.title.zh}`);
  ctx.output.line(`${summary.timeZone}, campaign ${summary.campaign.start} … ${summary.campaign.end}`);
  ctx.output.line('');
  ctx.output.line(
    table(
      ['No', 'Action', 'Title', 'Primary lead', 'Assisting', 'Responsible', 'Milestones', 'Deadline'],
      summary.tasks.map((task) => [
        String(task.number),
        String(task.action),
        task.title.zh,
        names([task.primaryLead]),
        names(task.assistingLeads),
        names(task.responsible),
        task.milestones.join(', '),
        task.deadline ? `${task.deadline.rule} ${task.deadline.date}` : '',
      ]),
    ),
  );
  ctx.output.line('');
  ctx.output.line(
    table(
      ['Milestone', 'Source', 'Due', 'Focus actions'],
      summary.milestones.map((m) => [m.id, m.source, m.dueAt, m.focusActions.join(', ')]),
    ),
  );
  return summary;
}

function parseYear(value: string): number {
  const year = Number(value);
  if (!/^\d{4}$/.test(value) || !Number.isInteger(year)) {
    throw new UsageError(`--campaign-year needs a four-digit year such as 2027, got "${value}".`);
  }
  return year;
}

export function registerPlanShow(plan: Command, ctx: CommandContext): void {
  plan
    .command('show')
    .description('Show the tasks of a plan: number, action, title, lead units, responsible units, milestones, deadline')
    .argument('<file>', 'the plan file (YAML)')
    .option('--json', 'print the plan summary as JSON')
    .option('--campaign-year <year>', 're-date the plan so its campaign starts in this year', parseYear)
    .addHelpText(
      'after',
      '\nExamples:\n  $ pnpm duban plan show plans/xihu-2020.yaml\n  $ pnpm duban plan show plans/xihu-2020.yaml --campaign-year 2027 --json',
    )
    .action(async (file: string, options: { json?: boolean; campaignYear?: number }) => {
      await runPlanShow(ctx, { file, json: options.json, campaignYear: options.campaignYear });
    });
}
