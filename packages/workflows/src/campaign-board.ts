/**
 * Headquarters' board (指挥部看板): one line per task, kept current from the summaries the
 * tasks signal (`campaign-link.ts`), and the queries HQ reads it by. A summary the board
 * cannot take yet (the run is still loading its state, saving its snapshot, or has not got
 * the task's launch batch back) is held, never dropped: summaries are cumulative, so the
 * newest held one brings its line up to date once the line is there. Workflow code.
 */
import { setHandler } from '@temporalio/workflow';
import {
  BOARD_PAGE_SIZE,
  boardQuery,
  bulletinsQuery,
  campaignAssessmentQuery,
  rosterQuery,
  taskChangedSignal,
  type BoardQueryOptions,
  type BoardTask,
  type TaskSummary,
} from './campaign-definitions';
import { applySummaryTo, buildBulletin, collectBreakGlass, isFinished, rollUp, unitCounts } from './campaign-decisions';
import type { CampaignRun } from './campaign-run';
import { iso } from './decisions';

export function addLine(run: CampaignRun, line: BoardTask): void {
  run.board.push(line);
  run.lines.set(line.taskNumber, line);
}

/** Whether every task of the plan is on the board and finished. */
export function finished(run: CampaignRun): boolean {
  return !run.launching && run.board.length > 0 && run.board.every(isFinished);
}

/** Whether the tasks `numbers` have each sent their first summary. */
export function reported(run: CampaignRun, numbers: readonly number[]): boolean {
  return numbers.every((n) => (run.lines.get(n)?.seq ?? 1) > 0);
}

function takeSummary(run: CampaignRun, summary: TaskSummary): void {
  collectBreakGlass(summary, run.breakGlassSeen, run.breakGlassPending);
  const { opened, closed } = applySummaryTo(run.lines.get(summary.taskNumber), summary);
  run.weekOpened.push(...opened);
  run.weekClosed.push(...closed);
}

/** Keeps the newest summary of a task the board cannot take now: summaries are cumulative, so the newest says everything. */
export function hold(run: CampaignRun, summary: TaskSummary): void {
  const earlier = run.held.get(summary.taskNumber);
  if (earlier === undefined || earlier.seq < summary.seq) run.held.set(summary.taskNumber, summary);
}

/** Applies the held summaries whose tasks are on the board now. */
export function release(run: CampaignRun): void {
  for (const [taskNumber, summary] of run.held) {
    if (!run.lines.has(taskNumber)) continue;
    run.held.delete(taskNumber);
    takeSummary(run, summary);
  }
}

/** The tasks' summaries, then HQ's queries: the board, the bulletins, the assessment and the roster of record. */
export function registerBoardHandlers(run: CampaignRun): void {
  const { input, board, bulletins, amendments, stored, headlines, weekOpened, weekClosed, breakGlassPending } = run;

  setHandler(taskChangedSignal, (summary) => {
    // Campaigns launched before the stored plan ignore a summary of a task not on the board, as they did.
    if (stored !== undefined && (!run.ready || run.saving || !run.lines.has(summary.taskNumber))) hold(run, summary);
    else takeSummary(run, summary);
  });

  setHandler(boardQuery, (options?: BoardQueryOptions) => {
    const tasks = [...board].sort((a, b) => a.taskNumber - b.taskNumber);
    // One answer is one payload: a board of thousands of tasks is read a page at a time.
    const paged = options !== undefined || tasks.length > BOARD_PAGE_SIZE;
    const offset = Math.max(0, Math.floor(Number(options?.offset ?? 0)) || 0);
    const limit = Math.min(BOARD_PAGE_SIZE, Math.max(1, Math.floor(Number(options?.limit ?? BOARD_PAGE_SIZE)) || BOARD_PAGE_SIZE));
    return {
      planId: input.planId,
      planTitle: input.planTitle,
      campaignYear: input.campaignYear,
      timeZone: input.timeZone,
      updatedAt: board.reduce((latest, t) => (t.at > latest ? t.at : latest), ''),
      status: run.ended ? 'completed' : 'running',
      tasks: paged ? tasks.slice(offset, offset + limit) : tasks,
      counts: unitCounts(board),
      amendments,
      ...(paged ? { page: { offset, limit, total: tasks.length } } : {}),
      ...(run.ended ? {} : { nextDispatchAt: iso(run.nextDispatchAt) }),
      ...(run.auditChain ? { auditChain: run.auditChain } : {}),
    };
  });

  setHandler(bulletinsQuery, () => ({
    ...(bulletins.length > 0 ? { latest: bulletins[bulletins.length - 1] } : {}),
    preview: buildBulletin({ board, number: 0, at: iso(Date.now()), periodStart: run.periodStart, opened: weekOpened, closed: weekClosed, breakGlass: breakGlassPending }),
    kept: bulletins,
    ...(stored !== undefined ? { headlines } : {}),
  }));

  setHandler(campaignAssessmentQuery, () => rollUp(board));
  setHandler(rosterQuery, () => run.roster);
}
