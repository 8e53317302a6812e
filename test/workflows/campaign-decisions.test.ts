import * as campaign from '@duban/workflows';
import type { BoardTask, PlanAmendment, TaskState, TaskSummary, TaskWorkflowInput } from '@duban/workflows';

const T0 = Date.parse('2027-03-01T01:00:00.000Z');
const at = (days: number) => new Date(T0 + days * 86_400_000).toISOString();

function taskInput(taskNumber: number, primaryLead: string, deadlineDays = 100): TaskWorkflowInput {
  return {
    planId: 'xihu-2020',
    taskNumber,
    title: { zh: `任务${taskNumber}`, en: `Task ${taskNumber}` },
    actionNumber: 1,
    primaryLead,
    assistingLeads: [],
    responsible: ['langonglu'],
    units: [],
    people: [],
    milestones: [],
    deadlineAt: at(deadlineDays),
    policy: {
      acknowledgementWindowMs: 1,
      reminderCadenceMs: 1,
      stallWindowMs: 1,
      reviewDeadlineMs: 1,
      requireAssistingReports: false,
      yellowTolerance: 15,
      escalation: [],
      scoring: { base: 100, deductions: { yellow: 2, red: 5, rungs: { reminder: 1, 'supervision-notice': 3, interview: 5, accountability: 10 } }, commendation: { minScore: 95, earlyByMs: 1 } },
    },
  };
}

function line(taskNumber: number, primaryLead: string, patch: Partial<BoardTask> = {}): BoardTask {
  return { ...campaign.initialBoardTask(taskInput(taskNumber, primaryLead), `duban/xihu-2020/task-${taskNumber}`, at(0)), ...patch };
}

function summaryOf(task: BoardTask, patch: Partial<TaskSummary>): TaskSummary {
  const { workflowId: _w, title: _t, actionNumber: _a, ...summary } = task;
  return { ...summary, ...patch };
}

describe('the campaign board', () => {
  test('a newer summary replaces the line and reports the escalations opened and closed in between', () => {
    const board = [line(1, 'chengjian')];
    const first = campaign.applySummary(board, summaryOf(board[0]!, { seq: 5, light: 'yellow', escalationLevel: 1, escalationsStarted: 2, escalationsStopped: 1, at: at(3) }));
    expect(first.applied).toBe(true);
    expect(first.opened).toEqual([
      { taskNumber: 1, unit: 'chengjian', at: at(3) },
      { taskNumber: 1, unit: 'chengjian', at: at(3) },
    ]);
    expect(first.closed).toHaveLength(1);
    expect(board[0]).toMatchObject({ seq: 5, light: 'yellow', escalationLevel: 1 });
  });

  test('an older or repeated summary changes nothing', () => {
    const board = [line(1, 'chengjian', { seq: 9, light: 'red' })];
    const stale = campaign.applySummary(board, summaryOf(board[0]!, { seq: 8, light: 'green', escalationsStarted: 4 }));
    expect(stale).toEqual({ applied: false, opened: [], closed: [] });
    expect(board[0]!.light).toBe('red');
  });

  test('a summary for a task not on the board is ignored', () => {
    const board = [line(1, 'chengjian')];
    expect(campaign.applySummary(board, summaryOf(line(2, 'jingfa'), { seq: 3 })).applied).toBe(false);
  });

  test('counts per primary lead unit add up lights, escalations and outcomes', () => {
    const counts = campaign.unitCounts([
      line(1, 'chengjian', { light: 'red', escalationLevel: 2 }),
      line(2, 'chengjian', { light: 'yellow' }),
      line(3, 'chengguan', { status: 'approved' }),
      line(4, 'chengjian'),
    ]);
    expect(counts).toEqual([
      { unit: 'chengguan', total: 1, green: 1, yellow: 0, red: 0, escalated: 0, approved: 1, cancelled: 0 },
      { unit: 'chengjian', total: 3, green: 1, yellow: 1, red: 1, escalated: 1, approved: 0, cancelled: 0 },
    ]);
  });
});

describe('the bulletin (通报)', () => {
  const board = [
    line(1, 'chengjian', { light: 'red', escalationLevel: 1 }),
    line(2, 'chengjian', { light: 'red', escalationLevel: 3 }),
    line(3, 'chengguan', { light: 'red' }),
    line(4, 'jingfa', { light: 'red' }),
    line(5, 'shehui', { light: 'yellow', percent: 10 }),
    line(6, 'dangzheng', { light: 'red', status: 'cancelled' }),
    line(7, 'dangzheng', { status: 'approved' }),
  ];

  test('ranks units by their number of overdue tasks, ties sharing a rank, the worst-escalated task first', () => {
    const ranking = campaign.rankByUnit(board, 'red');
    expect(ranking.map((r) => [r.rank, r.unit, r.tasks.map((t) => t.taskNumber)])).toEqual([
      [1, 'chengjian', [2, 1]],
      [2, 'chengguan', [3]],
      [2, 'jingfa', [4]],
    ]);
  });

  test('leaves finished tasks out of the rankings but counts them in the totals', () => {
    const bulletin = campaign.buildBulletin({ board, number: 3, at: at(7), periodStart: at(0), opened: [{ taskNumber: 2, unit: 'chengjian', at: at(2) }], closed: [] });
    expect(bulletin.overdue.flatMap((r) => r.tasks.map((t) => t.taskNumber))).not.toContain(6);
    expect(bulletin.atRisk).toEqual([{ rank: 1, unit: 'shehui', tasks: [expect.objectContaining({ taskNumber: 5, percent: 10 })] }]);
    expect(bulletin.totals).toEqual({ tasks: 7, green: 1, yellow: 1, red: 5, approved: 1, cancelled: 1 });
    expect(bulletin).toMatchObject({ number: 3, periodStart: at(0), periodEnd: at(7), escalationsOpened: [{ taskNumber: 2 }], escalationsClosed: [] });
  });
});

describe('the assessment roll-up by unit', () => {
  test('averages the approved scores and sums lights, rungs and commendations per primary lead unit', () => {
    const rolled = campaign.rollUp([
      line(1, 'chengjian', { status: 'approved', score: 90, yellows: 1, rungs: ['reminder'] }),
      line(2, 'chengjian', { status: 'approved', score: 97, commended: true }),
      line(3, 'chengjian', { status: 'cancelled', reds: 2, rungs: ['reminder', 'supervision-notice'] }),
      line(4, 'jingfa'),
    ]);
    expect(rolled).toEqual([
      { unit: 'chengjian', tasks: 3, approved: 2, cancelled: 1, averageScore: 93.5, yellows: 1, reds: 2, rungs: 3, commendations: 1 },
      { unit: 'jingfa', tasks: 1, approved: 0, cancelled: 0, averageScore: null, yellows: 0, reds: 0, rungs: 0, commendations: 0 },
    ]);
  });
});

describe('the weekly dispatch schedule', () => {
  const week = 7 * 86_400_000;
  test('is the first dispatch until it has passed, then the next slot after now', () => {
    expect(campaign.nextDispatchAtMs(T0, week, T0 - 1)).toBe(T0);
    expect(campaign.nextDispatchAtMs(T0, week, T0)).toBe(T0 + week);
    expect(campaign.nextDispatchAtMs(T0, week, T0 + 2.5 * week)).toBe(T0 + 3 * week);
  });
});

describe('amendment validation', () => {
  const board = [line(1, 'chengjian'), line(2, 'chengguan', { status: 'approved' })];
  const ctx = { planId: 'xihu-2020', board, unitCodes: new Set(['chengjian', 'chengguan', 'langonglu']), nowMs: T0 };
  const amendment = (patch: Partial<PlanAmendment>): PlanAmendment => ({ amendmentId: 'a1', actor: 'hq-office-clerk', reason: 'r', addTasks: [], moveDeadlines: [], reassign: [], ...patch });

  test('accepts a new task, a later deadline and a reassignment to known units', () => {
    expect(
      campaign.refuseAmendment(
        amendment({
          addTasks: [taskInput(21, 'chengjian')],
          moveDeadlines: [{ taskNumber: 1, deadlineAt: at(200), reason: 'r' }],
          reassign: [{ taskNumber: 1, primaryLead: 'chengguan', assistingLeads: ['chengjian'], people: [], reason: 'r' }],
        }),
        ctx,
      ),
    ).toBeUndefined();
  });

  test.each([
    ['an empty amendment', amendment({}), 'INVALID_AMENDMENT'],
    ['an amendment without a reason', amendment({ reason: ' ', moveDeadlines: [{ taskNumber: 1, deadlineAt: at(200), reason: 'r' }] }), 'INVALID_AMENDMENT'],
    ['an unknown task', amendment({ moveDeadlines: [{ taskNumber: 99, deadlineAt: at(200), reason: 'r' }] }), 'UNKNOWN_TASK'],
    ['a finished task', amendment({ moveDeadlines: [{ taskNumber: 2, deadlineAt: at(200), reason: 'r' }] }), 'TASK_FINISHED'],
    ['a deadline in the past', amendment({ moveDeadlines: [{ taskNumber: 1, deadlineAt: at(-1), reason: 'r' }] }), 'DEADLINE_IN_PAST'],
    ['a task number already used', amendment({ addTasks: [taskInput(1, 'chengjian')] }), 'DUPLICATE_TASK_NUMBER'],
    ['a task added twice', amendment({ addTasks: [taskInput(21, 'chengjian'), taskInput(21, 'chengjian')] }), 'DUPLICATE_TASK_NUMBER'],
    ['an added task already overdue', amendment({ addTasks: [taskInput(21, 'chengjian', -2)] }), 'DEADLINE_IN_PAST'],
    ['an unknown unit', amendment({ reassign: [{ taskNumber: 1, primaryLead: 'nowhere', assistingLeads: [], people: [], reason: 'r' }] }), 'UNKNOWN_UNIT'],
    ['a task of another plan', amendment({ addTasks: [{ ...taskInput(21, 'chengjian'), planId: 'other' }] }), 'PLAN_MISMATCH'],
  ])('refuses %s', (_name, a, code) => {
    expect(campaign.refuseAmendment(a, ctx)?.code).toBe(code);
  });
});

describe('the summary a task sends its campaign', () => {
  test('carries the light, the rungs, the lights of its checks and its escalation episodes', () => {
    const state = {
      planId: 'xihu-2020',
      taskNumber: 4,
      workflowId: 'duban/xihu-2020/task-4',
      status: 'in-progress',
      assignedAt: at(0),
      deadlineAt: at(100),
      percent: 40,
      light: 'yellow',
      units: [],
      checks: [
        { id: 'm1', at: at(10), light: 'yellow', percent: 10, expectedPercent: 40 },
        { id: 'm2', at: at(20), light: 'green', percent: 40, expectedPercent: 40 },
      ],
      deadlinePassed: false,
      acknowledgementOverdue: false,
      stalled: false,
      lastActivityAt: at(0),
      escalation: { level: 1, history: [{ rung: 'reminder', at: at(12), reasons: ['behind-schedule'] }] },
      extensions: [],
      submissions: [],
      timeline: [
        { seq: 1, at: at(0), actor: 'system', kind: 'task.assigned', details: {} },
        { seq: 2, at: at(10), actor: 'system', kind: 'escalation.started', details: {} },
        { seq: 3, at: at(20), actor: 'system', kind: 'escalation.stopped', details: {} },
        { seq: 4, at: at(21), actor: 'system', kind: 'escalation.started', details: {} },
      ],
    } satisfies TaskState;
    expect(campaign.taskSummary(state, { primaryLead: 'chengjian', assistingLeads: ['chengguan'] })).toEqual({
      taskNumber: 4,
      seq: 4,
      at: at(21),
      status: 'in-progress',
      light: 'yellow',
      percent: 40,
      escalationLevel: 1,
      rungs: ['reminder'],
      deadlineAt: at(100),
      primaryLead: 'chengjian',
      assistingLeads: ['chengguan'],
      yellows: 1,
      reds: 0,
      escalationsStarted: 2,
      escalationsStopped: 1,
    });
  });
});
