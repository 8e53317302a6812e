import type { Command } from 'commander';
import { describeDue, describeTaskDeadline, dueInstant, planSummary, rebasePlan, recurringOccurrences, type Plan, type PlanSummary } from '@duban/plan';
import type { Lang } from '../i18n';
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
        // Co-leads (no primary stated) are named together; the first listed submits.
        task.leadPrimary ? names([task.primaryLead]) : t(lang, 'plan.coLeads', { names: names([task.primaryLead, ...task.assistingLeads]) }),
        task.leadPrimary ? names(task.assistingLeads) : '',
        names(task.responsible),
        task.milestones.join(', '),
        // The date as the plan says it (its own, else its latest milestone, else the campaign's end).
        describeTaskDeadline(plan, task.number, lang),
      ]),
    ),
  );
  if (summary.milestones.length > 0) {
    ctx.output.line('');
    ctx.output.line(
      table(
        (['label.milestone', 'label.source', 'label.due', 'label.focusActions'] as const).map((key) => t(lang, key)),
        summary.milestones.map((m) => [m.id, m.source, describeDue({ date: m.due, rule: m.rule }, lang), m.focusActions.join(', ')]),
      ),
    );
  }
  const checks = checkRows(plan, lang);
  if (checks.length > 0) {
    ctx.output.line('');
    ctx.output.line(table((['label.number', 'label.check', 'label.due'] as const).map((key) => t(lang, key)), checks));
  }
  // The tasks' targets in the plan's words (增长6.2%左右, 不低于全市平均水平).
  const targets = plan.actions.flatMap((action) => action.tasks.flatMap((task) => (task.targets ?? []).map((target) => [String(task.number), target.description])));
  if (targets.length > 0) {
    ctx.output.line('');
    ctx.output.line(table((['label.number', 'label.targets'] as const).map((key) => t(lang, key)), targets));
  }
  return summary;
}

/**
 * The tasks' dated checks besides milestones: each node and dated filing, and each
 * recurring duty once, with how often it falls due in the campaign and its first and last date.
 */
function checkRows(plan: Plan, lang: Lang): string[][] {
  return plan.actions.flatMap((action) =>
    action.tasks.flatMap((task) => {
      const number = String(task.number);
      const rows = (task.nodes ?? []).map((node) => [number, node.what ?? node.source, describeDue(node, lang)]);
      // A later phase: the day the task may begin.
      if (task.start !== undefined) rows.unshift([number, t(lang, 'plan.taskStart', { source: task.start.source }), t(lang, 'plan.startDate', { date: sayDay(task.start.date, lang) })]);
      for (const duty of task.recurring ?? []) {
        // None before the task's own start (a later phase), as the task's checks have them.
        const { occurrences, total } = recurringOccurrences(plan, duty, task.start === undefined ? {} : { notBefore: dueInstant(task.start.date, 'before', plan.timeZone) });
        const [first, last] = [occurrences[0], occurrences.at(-1)];
        if (first === undefined || last === undefined) continue;
        const when = `${describeDue({ date: first.date, rule: duty.rule }, lang)} … ${describeDue({ date: last.date, rule: duty.rule }, lang)}`;
        rows.push([number, t(lang, 'plan.recurringTimes', { source: duty.source, count: total }), when]);
      }
      for (const filing of task.filings ?? (task.filing === undefined ? [] : [task.filing])) {
        if (filing.date !== undefined) rows.push([number, filing.source, describeDue({ date: filing.date, rule: filing.rule ?? 'by' }, lang)]);
      }
      return rows;
    }),
  );
}

/** A plan date as people read it: 2021年6月1日 / 2021-06-01. */
function sayDay(date: string, lang: Lang): string {
  if (lang === 'en') return date;
  const [year, month, day] = date.split('-').map(Number);
  return `${year}年${month}月${day}日`;
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
