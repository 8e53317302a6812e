/**
 * How a format-2 plan task becomes the task workflow's input (`buildTaskInput`), and the
 * pure decisions that read it (`upcomingChecks`, `assess`): no server needed.
 */
import { join } from 'node:path';
import { buildTaskInput } from '@duban/client';
import { ErrorCode } from '@duban/common';
import { loadPlanFile, rebasePlan, type Plan } from '@duban/plan';
import { assess, TASK_STATE_LIMITS, upcomingChecks, type CheckRecord, type TaskState } from '@duban/workflows';
import { DAY, bareTaskState, policy, taskInput } from './fixtures';

const fixture = (name: string) => join(__dirname, 'fixtures-v2', name);
let plan: Plan;

beforeAll(async () => {
  plan = rebasePlan(await loadPlanFile(fixture('district-v2.yaml')), 2031);
});

describe('buildTaskInput for a format-2 task', () => {
  it('expands collectives, keeps cooperating units and co-leads, waits for the start and says the deadline as the plan does', () => {
    const input = buildTaskInput(plan, 1);
    expect(input).toMatchObject({
      primaryLead: 'fagaiwei',
      assistingLeads: ['zhujianju'],
      responsible: ['shequ-a', 'shequ-b'],
      cooperating: ['caizhengju'],
      leadPrimary: false,
      startAt: '2031-03-01T00:00:00.000+08:00',
      deadline: { date: '2031-11-30', rule: 'by', source: '11月底前' },
      deadlineAt: '2031-12-01T00:00:00.000+08:00',
    });
    // The collective is named for notices (各社区), its members act.
    expect(input.units.map((u) => u.code)).toEqual(expect.arrayContaining(['ge-shequ', 'shequ-a', 'shequ-b', 'caizhengju']));
  });

  it('gives the node, every occurrence of the recurring duties and the filing as checks, milestones apart', () => {
    const { checks = [], milestones } = buildTaskInput(plan, 1);
    expect(milestones).toEqual([]);
    expect(checks.find((c) => c.kind === 'node')).toEqual({ id: 'node:district-list', kind: 'node', dueAt: '2031-09-01T00:00:00.000+08:00', label: '2031年8月底前出台区级清单' });
    const reports = checks.filter((c) => c.duty === 'report');
    // 每月23日前: March to December, each before the 23rd (or the next working day).
    expect(reports).toHaveLength(10);
    expect(reports.every((c) => c.series === 'recurring:monthly-report' && c.kind === 'recurring')).toBe(true);
    expect(checks.filter((c) => c.duty === 'dispatch').every((c) => c.by === 'duchashi')).toBe(true);
    expect(checks.find((c) => c.kind === 'filing')).toMatchObject({ id: 'filing', by: 'shi-fagaiwei', label: '报市发改委备案' });
    // Earliest first, as the workflow times them.
    expect(checks.map((c) => Date.parse(c.dueAt))).toEqual([...checks.map((c) => Date.parse(c.dueAt))].sort((a, b) => a - b));
  });

  it('is due at the campaign end when the task gives no date (全年), and assigns at once with startNow', () => {
    const input = buildTaskInput(plan, 2, { startNow: true });
    expect(input.deadlineAt).toBe('2032-01-01T00:00:00.000+08:00');
    expect(input.startAt).toBeUndefined();
    expect(input.checks).toBeUndefined();
  });

  it('refuses a task with more dated checks than a task state keeps, naming the task and the limit', () => {
    // A weekly report over four years: more checks than TASK_STATE_LIMITS.datedChecks.
    const long: Plan = {
      ...plan,
      campaign: { start: '2031-01-01', end: '2034-12-31' },
      actions: plan.actions.map((a) => ({
        ...a,
        tasks: a.tasks.map((t) => (t.number === 2 ? { ...t, recurring: [{ id: 'weekly', every: 'week' as const, day: 5, rule: 'by' as const, duty: 'report' as const, source: '每周五报送' }] } : t)),
      })),
    };
    expect(() => buildTaskInput(long, 2)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_PLAN, message: expect.stringContaining(`at most ${TASK_STATE_LIMITS.datedChecks}`) }));
  });
});

describe('the decisions on format-2 inputs', () => {
  const nowMs = Date.parse('2031-01-01T00:00:00Z');
  const state = (over: Partial<TaskState> = {}): TaskState => bareTaskState(nowMs, over);

  it('has only the start ahead while the task waits for it', () => {
    const input = taskInput(nowMs, { milestonesInMs: [{ id: 'm', inMs: 40 * DAY }] });
    expect(upcomingChecks(state({ startsAt: new Date(nowMs + 30 * DAY).toISOString() }), input)).toEqual([{ kind: 'start', atMs: nowMs + 30 * DAY }]);
  });

  it('skips dated checks due before the assignment (a task launched mid-campaign)', () => {
    const input = {
      ...taskInput(nowMs),
      checks: [
        { id: 'recurring:r:old', kind: 'recurring' as const, duty: 'report' as const, dueAt: new Date(nowMs - DAY).toISOString() },
        { id: 'recurring:r:new', kind: 'recurring' as const, duty: 'report' as const, dueAt: new Date(nowMs + DAY).toISOString() },
      ],
    };
    const ahead = upcomingChecks(state(), input).filter((c) => c.kind === 'milestone');
    expect(ahead.map((c) => (c.kind === 'milestone' ? c.milestone.id : ''))).toEqual(['recurring:r:new']);
  });

  it("does not score another unit's duty (a dispatch) against the task", () => {
    const at = new Date(nowMs).toISOString();
    const checks: CheckRecord[] = [
      { id: 'recurring:d:1', kind: 'duty', at, light: 'yellow', percent: 0, expectedPercent: 50 },
      { id: 'recurring:r:1', kind: 'recurring', missed: true, at, light: 'yellow', percent: 0, expectedPercent: 0 },
    ];
    const { scoring } = policy();
    expect(assess({ reviewerScore: 90, checks, rungs: [], scoring, submittedAtMs: nowMs, deadlineAtMs: nowMs + DAY }).deductions).toEqual({ yellow: 2, red: 0, rungs: 0, total: 2 });
  });
});
