import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { describeDueInstant, describeTaskDeadline } from '@duban/plan';
import type { TaskState } from '@duban/workflows';
import { globalOptions, withDuban, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { lightLabel, roleLabel, rungLabel, statusLabel, t } from '../i18n';
import { paintLight, printedAsJson, table } from '../output';
import { loadPlanTask, localTime, parseTaskNumber, unitNames } from './task-common';

export interface TaskShowOptions extends GlobalOptions {
  /** The plan file; the plan id comes from it. */
  file: string;
  taskNumber: number;
  json?: boolean;
}

/**
 * The local day a task starts on (its `startsAt`, the first instant of that day in the
 * plan's zone): `2031年3月1日` in Chinese, `2031-03-01` in English.
 */
export function startDay(iso: string | undefined, timeZone: string, lang: 'en' | 'zh'): string {
  if (iso === undefined) return '';
  const at = DateTime.fromISO(iso, { setZone: true }).setZone(timeZone);
  if (!at.isValid) return iso;
  return lang === 'zh' ? `${at.year}年${at.month}月${at.day}日` : at.toFormat('yyyy-MM-dd');
}

/** `duban task show PLAN N`: the task's state and timeline from its workflow. */
export async function runTaskShow(ctx: CommandContext, options: TaskShowOptions): Promise<TaskState> {
  const { plan, task } = await loadPlanTask(ctx, options.file, options.taskNumber, options.json === true);
  const state = await withDuban(ctx, options, (duban) => duban.task(plan.id, options.taskNumber).state());
  const { output } = ctx;
  if (printedAsJson(ctx.output, options.json, state)) return state;
  const { lang } = options;
  const names = unitNames(plan);
  const tz = plan.timeZone;
  const primary = state.units.filter((u) => u.role === 'primary').map((u) => u.unit);
  const assisting = state.units.filter((u) => u.role === 'assisting').map((u) => u.unit);
  output.line(`${plan.id} ${t(lang, 'label.task')} ${task.number}  ${task.title.zh}  (${state.workflowId})`);
  const facts: Array<[string, string]> = [
    // Waiting for its start (the campaign's, or the task's own later one): nothing counts before it.
    [t(lang, 'label.status'), state.startsAt !== undefined ? t(lang, 'task.waitingForStart', { date: startDay(state.startsAt, tz, lang) }) : statusLabel(lang, state.status)],
    [t(lang, 'label.light'), paintLight(output, state.light, lightLabel(lang, state.light))],
    [t(lang, 'label.percent'), `${state.percent}%`],
    [t(lang, 'label.primaryLead'), names(primary)],
    [t(lang, 'label.assisting'), names(assisting)],
    [t(lang, 'label.assignedAt'), localTime(state.assignedAt, tz)],
    // Due dates as the plan says them ("2021年底", "by 2021-12-31"), never the next day's 00:00.
    [t(lang, 'label.deadline'), describeTaskDeadline(plan, task.number, lang, state.deadlineAt)],
    [t(lang, 'label.nextDeadline'), state.nextDeadlineAt === undefined ? '' : describeDueInstant(state.nextDeadlineAt, tz, lang)],
    [t(lang, 'label.escalation'), String(state.escalation.level)],
    [t(lang, 'label.rungs'), state.escalation.history.map((r) => rungLabel(lang, r.rung)).join(', ')],
  ];
  // The plan's targets in its own words (增长6.2%左右, 不低于全市平均水平).
  if (task.targets && task.targets.length > 0) facts.push([t(lang, 'label.targets'), task.targets.map((target) => target.description).join(lang === 'zh' ? '；' : '; ')]);
  if (state.assessment) {
    facts.push([t(lang, 'label.score'), String(state.assessment.score)]);
    facts.push([t(lang, 'label.commended'), t(lang, state.assessment.commended ? 'label.yes' : 'label.no')]);
  }
  for (const [label, value] of facts) output.line(`  ${label}: ${value}`);
  output.line('');
  output.line(
    table(
      [t(lang, 'label.unit'), t(lang, 'label.role'), t(lang, 'label.acknowledged'), t(lang, 'label.percent'), t(lang, 'label.reports')],
      state.units.map((u) => [
        names([u.unit]),
        roleLabel(lang, u.role),
        u.acknowledgedAt ? `${localTime(u.acknowledgedAt, tz)} ${u.acknowledgedBy ?? ''}`.trim() : '',
        `${u.percent}%`,
        String(u.reports),
      ]),
    ),
  );
  output.line('');
  output.line(`${t(lang, 'label.timeline')}:`);
  // The state keeps only the newest events; without this line a long task would seem to start mid-way.
  if (state.earlierEvents) output.line(t(lang, 'task.earlierEvents', { count: state.earlierEvents.count, seq: state.earlierEvents.throughSeq, plan: plan.id, task: task.number }));
  const people = new Map(plan.people.map((p) => [p.id, p.name]));
  output.line(
    table(
      [t(lang, 'label.at'), t(lang, 'label.actor'), t(lang, 'label.event'), t(lang, 'label.details')],
      state.timeline.map((e) => [localTime(e.at, tz), people.get(e.actor) ?? e.actor, e.kind, JSON.stringify(e.details)]),
    ),
  );
  return state;
}

export function registerTaskShow(task: Command, ctx: CommandContext): void {
  task
    .command('show')
    .description("Show a task's state, units and timeline from its workflow")
    .argument('<plan>', 'the plan file (YAML); the plan id comes from it')
    .argument('<n>', 'the task number', parseTaskNumber)
    .option('--json', 'print the full task state as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ pnpm duban task show plans/xihu-2020.yaml 3\n  $ pnpm duban --lang zh task show plans/xihu-2020.yaml 8 --json',
    )
    .action(async (file: string, taskNumber: number, options: { json?: boolean }, command: Command) => {
      await runTaskShow(ctx, { ...globalOptions(command, ctx), file, taskNumber, json: options.json });
    });
}
