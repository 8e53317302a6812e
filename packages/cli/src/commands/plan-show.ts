import type { Command } from 'commander';
import { planSummary, rebasePlan, type PlanSummary } from '@duban/plan';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { t } from '../i18n';
import { printedAsJson, table } from '../output';
import { readPlanOrFail } from './plan-validate';
import { planJsonCommand, type PlanJsonOptions } from './register';
import { unitNames } from './task-common';

export interface PlanShowOptions extends PlanJsonOptions {
  /** Re-date the plan so its campaign starts in this year (month and day kept). */
  campaignYear?: number;
}

/** `duban plan show FILE`: the task table, or the plan summary as JSON. */
export async function runPlanShow(ctx: CommandContext, options: PlanShowOptions): Promise<PlanSummary> {
  const loaded = await readPlanOrFail(ctx, options.file, options.json === true);
  const plan = options.campaignYear === undefined ? loaded : rebasePlan(loaded, options.campaignYear);
  const summary = planSummary(plan);
  if (printedAsJson(ctx.output, options.json, summary)) return summary;
  const { lang } = options;
  const names = unitNames(plan);
  ctx.output.line(`${summary.id}  ${summary.title.zh}`);
  ctx.output.line(t(lang, 'plan.campaign', { timeZone: summary.timeZone, ...summary.campaign }));
  ctx.output.line('');
  ctx.output.line(
    table(
      (['label.number', 'label.action', 'label.title', 'label.primaryLead', 'label.assisting', 'label.responsible', 'label.milestones', 'label.deadline'] as const).map((key) =>
        t(lang, key),
      ),
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
      (['label.milestone', 'label.source', 'label.due', 'label.focusActions'] as const).map((key) => t(lang, key)),
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
  planJsonCommand<{ campaignYear?: number }>(plan, ctx, {
    name: 'show',
    description: 'Show the tasks of a plan: number, action, title, lead units, responsible units, milestones, deadline',
    argument: { name: '<file>', description: 'the plan file (YAML)' },
    jsonHelp: 'print the plan summary as JSON',
    examples: ['pnpm duban plan show plans/xihu-2020.yaml', 'pnpm duban plan show plans/xihu-2020.yaml --campaign-year 2027 --json'],
    run: runPlanShow,
  }).option('--campaign-year <year>', 're-date the plan so its campaign starts in this year', parseYear);
}
