import type { Command } from 'commander';
import { describeTaskDeadline } from '@duban/plan';
import type { BoardTask, CampaignBoard } from '@duban/workflows';
import { withDuban } from '../connection';
import type { CommandContext } from '../context';
import { lightLabel, statusLabel, t } from '../i18n';
import { paintLight, printedAsJson, table } from '../output';
import { readPlanOrFail } from './plan-validate';
import { planJsonCommand, type PlanJsonOptions } from './register';
import { localTime, unitNames } from './task-common';
import { startDay } from './task-show';

export type BoardCommandOptions = PlanJsonOptions;

const LIGHT_ORDER = { red: 0, yellow: 1, green: 2 } as const;

/** Red first, then yellow, then green; within a light the highest escalation first, then by number. */
export function boardOrder(tasks: readonly BoardTask[]): BoardTask[] {
  return [...tasks].sort((a, b) => LIGHT_ORDER[a.light] - LIGHT_ORDER[b.light] || b.escalationLevel - a.escalationLevel || a.taskNumber - b.taskNumber);
}

/** `duban board PLAN`: the campaign's live board, tasks by traffic light and escalation, counts per unit. */
export async function runBoard(ctx: CommandContext, options: BoardCommandOptions): Promise<CampaignBoard> {
  const plan = await readPlanOrFail(ctx, options.file, options.json === true);
  // A task that has recorded nothing yet may be waiting for its start (the campaign's, or
  // its own later one): its state says until when (`startsAt`). The board line does not.
  const { board, startsAt } = await withDuban(ctx, options, async (duban) => {
    const read = await duban.campaign(plan.id).board();
    const quiet = read.tasks.filter((task) => task.status === 'assigned' && task.seq === 0);
    const starts = new Map<number, string>();
    for (let i = 0; i < quiet.length; i += 20) {
      // A task the campaign is still starting has no state to read yet: its line stays as it is.
      const startsOf = (n: number) => duban.task(plan.id, n).state().then((state) => state.startsAt, () => undefined);
      const batch = await Promise.all(quiet.slice(i, i + 20).map(async (task) => [task.taskNumber, await startsOf(task.taskNumber)] as const));
      for (const [n, at] of batch) if (at !== undefined) starts.set(n, at);
    }
    return { board: read, startsAt: starts };
  });
  const { output } = ctx;
  if (printedAsJson(ctx.output, options.json, board)) return board;
  const { lang } = options;
  const names = unitNames(plan);
  const tz = board.timeZone;
  output.line(
    t(lang, 'board.heading', {
      plan: plan.id,
      status: t(lang, board.status === 'running' ? 'campaign.running' : 'campaign.completed'),
      updated: localTime(board.updatedAt || undefined, tz),
      dispatch: localTime(board.nextDispatchAt, tz) || '—',
    }),
  );
  output.line('');
  output.line(
    table(
      [t(lang, 'label.light'), t(lang, 'label.number'), t(lang, 'label.title'), t(lang, 'label.primaryLead'), t(lang, 'label.status'), t(lang, 'label.percent'), t(lang, 'label.escalation'), t(lang, 'label.deadline')],
      boardOrder(board.tasks).map((task) => [
        paintLight(output, task.light, lightLabel(lang, task.light)),
        String(task.taskNumber),
        task.title.zh,
        names([task.primaryLead]),
        startsAt.has(task.taskNumber) ? t(lang, 'board.waitsForStart', { date: startDay(startsAt.get(task.taskNumber), tz, lang) }) : statusLabel(lang, task.status),
        `${task.percent}%`,
        String(task.escalationLevel),
        // The date as the plan says it ("2021年底", "by 2021-12-31"), not the instant it falls due.
        describeTaskDeadline(plan, task.taskNumber, lang, task.deadlineAt),
      ]),
    ),
  );
  output.line('');
  output.line(t(lang, 'board.byUnit'));
  output.line(
    table(
      // A cancelled task counts under Cancelled only, in no light.
      [
        t(lang, 'label.unit'),
        t(lang, 'label.total'),
        lightLabel(lang, 'green'),
        lightLabel(lang, 'yellow'),
        lightLabel(lang, 'red'),
        t(lang, 'label.escalated'),
        t(lang, 'label.approvedCount'),
        t(lang, 'label.cancelledCount'),
      ],
      board.counts.map((c) => [names([c.unit]), String(c.total), String(c.green), String(c.yellow), String(c.red), String(c.escalated), String(c.approved), String(c.cancelled)]),
    ),
  );
  if (board.amendments.length > 0) output.line(`\n${t(lang, 'board.amendments', { list: board.amendments.map((a) => a.amendmentId).join(', ') })}`);
  return board;
}

export function registerBoard(program: Command, ctx: CommandContext): void {
  planJsonCommand(program, ctx, {
    name: 'board',
    description: "The campaign's live board: tasks by traffic light and escalation, with counts per unit",
    argument: { name: '<plan>', description: 'the plan file (YAML); the plan id comes from it' },
    jsonHelp: 'print the board as JSON',
    examples: ['pnpm duban board plans/xihu-2020.yaml', 'pnpm duban --lang zh board plans/xihu-2020.yaml --json'],
    run: runBoard,
  });
}
