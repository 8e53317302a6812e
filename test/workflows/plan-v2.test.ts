/**
 * What plan format 2 asks of the task workflow (issue 12), on the time-skipping server: a
 * task launched before its campaign's start waits for it; dated nodes and recurring
 * duties get a check with the light and the ladder; cooperating units report without
 * being required to; co-leads all hear the ladder; collective units expand to their
 * members; a launch past the deadline is recorded; notices carry the deadline as the plan
 * words it. Inputs come from the v2 fixture plans (`./fixtures-v2`) through
 * `buildTaskInput`, or from `taskInput` with offsets from the server's clock.
 */
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { buildTaskInput } from '@duban/client';
import type { AssignmentNotice, RungNotice } from '@duban/common';
import { loadPlanFile, rebasePlan, type Plan } from '@duban/plan';
import {
  acknowledgeUpdate,
  cancelUpdate,
  reportProgressUpdate,
  submitUpdate,
  TaskErrorCode,
  taskStateQuery,
  type MilestoneCheck,
  type Person,
  type TaskState,
  type TaskWorkflowInput,
} from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import { DateTime } from 'luxon';
import { serverPerFile, startTimeSkipping, workflowBundle } from '../harness';
import { DAY, HOUR, MemoryActivities, freshTaskNumber, maybeRecordHistory, people, refusalCode, rid, taskInput, withTaskWorkflow } from './fixtures';

type TaskHandle = WorkflowHandle<typeof taskWorkflow>;

// One time-skipping server for the file, the workflow bundle built before the first test.
const env = serverPerFile(async () => {
  const started = await startTimeSkipping();
  await workflowBundle();
  return started;
});
const memory = new MemoryActivities();
const fixture = (name: string) => join(__dirname, 'fixtures-v2', name);

const withTask = (input: TaskWorkflowInput, scenario: (handle: TaskHandle) => Promise<void>) => withTaskWorkflow(env(), memory.activities, input, scenario);

const ack = (h: TaskHandle, actor: string) => h.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid('ack'), actor }] });
const report = (h: TaskHandle, actor: string, percent: number) =>
  h.executeUpdate(reportProgressUpdate, { args: [{ requestId: rid('report'), actor, percent, note: `完成${percent}%` }] });
const submit = (h: TaskHandle, actor: string) => h.executeUpdate(submitUpdate, { args: [{ requestId: rid('submit'), actor, summary: '牵头汇总' }] });
const cancel = (h: TaskHandle, actor: string) => h.executeUpdate(cancelUpdate, { args: [{ requestId: rid('cancel'), actor, reason: 'test over' }] });
const state = (h: TaskHandle): Promise<TaskState> => h.query(taskStateQuery);
const kinds = (s: TaskState) => s.timeline.map((e) => e.kind);

/** Moves the server's clock to `atMs` (it only goes forward). */
async function sleepUntil(atMs: number): Promise<void> {
  const now = await env().currentTimeMs();
  if (atMs > now) await env().sleep(atMs - now);
}

/** The notices sent so far for one task (delivery is asynchronous: waits until `count` arrived). */
async function noticesOf(workflowId: string, count: number) {
  for (let i = 0; i < 100 && memory.notices(workflowId).length < count; i += 1) await new Promise((r) => setTimeout(r, 50));
  return memory.notices(workflowId);
}

/** The v2 fixture plan re-dated so its campaign starts in the year after the server's clock, unsigned (the tests send no proofs). */
async function v2Plan(name: string): Promise<Plan> {
  const nowMs = await env().currentTimeMs();
  return rebasePlan(await loadPlanFile(fixture(name)), DateTime.fromMillis(nowMs, { zone: 'Asia/Shanghai' }).year + 1);
}

function unsigned(input: TaskWorkflowInput, taskNumber = freshTaskNumber()): TaskWorkflowInput {
  const { identity: _signed, ...rest } = input;
  return { ...rest, taskNumber, searchAttributes: false };
}

/** A check of plan format 2 `inMs` from `nowMs`. */
function check(nowMs: number, inMs: number, fields: Omit<MilestoneCheck, 'dueAt'>): MilestoneCheck {
  return { dueAt: new Date(nowMs + inMs).toISOString(), ...fields };
}

describe('a task launched before its campaign starts', () => {
  it('sends nothing until the start, then assigns it; the acknowledgement window and the ladder count from the start', async () => {
    const plan = await v2Plan('district-v2.yaml');
    const input = unsigned(buildTaskInput(plan, 1));
    const startMs = Date.parse(input.startAt ?? '');
    const nowMs = await env().currentTimeMs();
    // The fixture starts on 1 March of next year: at least two months ahead.
    expect(startMs - nowMs).toBeGreaterThan(60 * DAY);
    await withTask(input, async (handle) => {
      // A month before the start: nothing recorded, nothing sent, the task waiting.
      await sleepUntil(startMs - 30 * DAY);
      const waiting = await state(handle);
      expect(waiting).toMatchObject({ status: 'assigned', startsAt: new Date(startMs).toISOString(), assignedAt: new Date(startMs).toISOString(), escalation: { level: 0, history: [] } });
      expect(waiting.timeline).toEqual([]);
      expect(memory.notices(handle.workflowId)).toEqual([]);

      // The campaign starts: 交办, with its notice to every unit, co-leads and cooperating unit included.
      await sleepUntil(startMs + HOUR);
      const started = await state(handle);
      expect(kinds(started)).toEqual(['task.assigned']);
      // Its timer fires at the start (the server's clock may be a moment past it).
      expect(Date.parse(started.timeline[0]?.at ?? '') - startMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(started.timeline[0]?.at ?? '') - startMs).toBeLessThan(60_000);
      expect(started.assignedAt).toBe(new Date(startMs).toISOString());
      expect(started.startsAt).toBeUndefined();
      const [assignment] = (await noticesOf(handle.workflowId, 1)) as AssignmentNotice[];
      expect(assignment).toMatchObject({ kind: 'assignment', responsible: ['shequ-a', 'shequ-b'], cooperating: ['caizhengju'] });
      // People read the deadline as the plan words it.
      expect(assignment?.task.deadline).toEqual({ date: `${plan.campaign.start.slice(0, 4)}-11-30`, rule: 'by', source: '11月底前' });

      // Three days from the start, not from the launch, the unacknowledged task escalates.
      await sleepUntil(startMs + 3 * DAY - HOUR);
      expect(kinds(await state(handle))).not.toContain('acknowledgement.overdue');
      await sleepUntil(startMs + 3 * DAY + HOUR);
      const overdue = await state(handle);
      expect(kinds(overdue)).toEqual(['task.assigned', 'acknowledgement.overdue', 'escalation.started']);
      const started3 = overdue.timeline.find((e) => e.kind === 'escalation.started');
      expect(Date.parse(started3?.at ?? '') - (startMs + 3 * DAY)).toBeLessThan(60_000);
      await cancel(handle, 'hq-clerk');
      await handle.result();
      await maybeRecordHistory('plan-v2-waits-for-start', handle);
    });
  });

  it('takes messages before the start: a unit may acknowledge the plan it received, and the windows still count from the start', async () => {
    const nowMs = await env().currentTimeMs();
    const input: TaskWorkflowInput = { ...taskInput(nowMs, { taskNumber: freshTaskNumber(), deadlineInMs: 120 * DAY }), startAt: new Date(nowMs + 10 * DAY).toISOString() };
    delete input.assignedAt;
    await withTask(input, async (handle) => {
      expect(await ack(handle, 'chengjian-staff')).toMatchObject({ applied: true, status: 'acknowledged' });
      await sleepUntil(nowMs + 10 * DAY + HOUR);
      const s = await state(handle);
      expect(kinds(s)).toEqual(['task.acknowledged', 'task.assigned']);
      // The stall window counts from the start, not from the early acknowledgement.
      expect(s.lastActivityAt).toBe(new Date(nowMs + 10 * DAY).toISOString());
      await cancel(handle, 'hq-1');
    });
  });
});

describe('dated checks of plan format 2', () => {
  it('checks a dated node against the expected progress: behind, the light turns yellow and the ladder starts', async () => {
    const nowMs = await env().currentTimeMs();
    const node = check(nowMs, 50 * DAY, { id: 'node:city-list', kind: 'node', label: '8月底前出台市级清单' });
    const input: TaskWorkflowInput = { ...taskInput(nowMs, { taskNumber: freshTaskNumber(), deadlineInMs: 100 * DAY }), checks: [node] };
    await withTask(input, async (handle) => {
      await ack(handle, 'chengjian-staff');
      await report(handle, 'chengjian-staff', 20);
      await sleepUntil(nowMs + 50 * DAY + HOUR);
      const s = await state(handle);
      // Half the time from assignment to the deadline: 50 % expected, 20 % reported.
      expect(s.checks).toEqual([{ id: 'node:city-list', kind: 'node', at: node.dueAt, light: 'yellow', percent: 20, expectedPercent: 50 }]);
      const checked = s.timeline.find((e) => e.kind === 'node.checked');
      expect(checked?.details).toMatchObject({ check: 'node:city-list', label: '8月底前出台市级清单', light: 'yellow', expectedPercent: 50 });
      expect(s.escalation.history.map((r) => [r.rung, r.reasons])).toEqual([['reminder', ['behind-schedule']]]);
      expect(s.nextDeadlineAt).toBe(s.deadlineAt);
      await cancel(handle, 'hq-1');
    });
  });

  it('passes a node the units keep pace with: green, no escalation', async () => {
    const nowMs = await env().currentTimeMs();
    const input: TaskWorkflowInput = {
      ...taskInput(nowMs, { taskNumber: freshTaskNumber(), deadlineInMs: 100 * DAY }),
      checks: [check(nowMs, 50 * DAY, { id: 'node:district-list', kind: 'node', label: '9月底前出台区级清单' })],
    };
    await withTask(input, async (handle) => {
      await ack(handle, 'chengjian-staff');
      await report(handle, 'chengjian-staff', 60);
      await sleepUntil(nowMs + 50 * DAY + HOUR);
      const s = await state(handle);
      expect(s.checks).toEqual([expect.objectContaining({ id: 'node:district-list', light: 'green', percent: 60, expectedPercent: 50 })]);
      expect(s.escalation.history).toEqual([]);
      await cancel(handle, 'hq-1');
    });
  });

  it('misses a monthly report when no lead unit reported since the previous occurrence; the next report catches up', async () => {
    const nowMs = await env().currentTimeMs();
    const series = 'recurring:monthly-report';
    const occurrence = (day: number) => check(nowMs, day * DAY, { id: `${series}:${day}`, kind: 'recurring', duty: 'report', series, label: '每月23日前报送' });
    const dispatch = check(nowMs, 45 * DAY, { id: 'recurring:monthly-dispatch:45', kind: 'recurring', duty: 'dispatch', by: 'dangzheng', series: 'recurring:monthly-dispatch', label: '每月调度' });
    const input: TaskWorkflowInput = {
      ...taskInput(nowMs, { taskNumber: freshTaskNumber(), deadlineInMs: 200 * DAY }),
      checks: [occurrence(30), dispatch, occurrence(60)],
    };
    await withTask(input, async (handle) => {
      await ack(handle, 'chengjian-staff');
      await sleepUntil(nowMs + 20 * DAY);
      // The assisting lead's report counts: the report duty is the lead units'.
      await ack(handle, 'chengguan-staff');
      await report(handle, 'chengguan-staff', 10);
      await sleepUntil(nowMs + 30 * DAY + HOUR);
      let s = await state(handle);
      expect(s.checks.map((c) => [c.id, c.light, c.missed])).toEqual([[`${series}:30`, 'green', undefined]]);
      expect(s.escalation.history).toEqual([]);

      // The office's dispatch is its duty, not the units': recorded, never scored.
      await sleepUntil(nowMs + 45 * DAY + HOUR);
      s = await state(handle);
      expect(s.timeline.find((e) => e.kind === 'duty.due')?.details).toMatchObject({ check: dispatch.id, duty: 'dispatch', by: 'dangzheng', label: '每月调度' });
      expect(s.checks[1]).toMatchObject({ id: dispatch.id, kind: 'duty' });

      // Nothing reported since day 30: the day-60 report is missed.
      await sleepUntil(nowMs + 60 * DAY + HOUR);
      s = await state(handle);
      expect(s.checks[2]).toMatchObject({ id: `${series}:60`, kind: 'recurring', light: 'yellow', missed: true });
      expect(s.timeline.find((e) => e.kind === 'report.checked' && e.details['check'] === `${series}:60`)?.details).toMatchObject({
        reported: false,
        since: occurrence(30).dueAt,
      });
      expect(s.light).toBe('yellow');
      expect(s.escalation.history.map((r) => r.rung)).toEqual(['reminder']);
      const reminder = (await noticesOf(handle.workflowId, 2)).find((n) => n.kind === 'reminder') as RungNotice | undefined;
      expect(reminder?.reasons).toEqual(['behind-schedule']);

      // The lead reports: the light is green again and the episode ends.
      expect(await report(handle, 'chengjian-staff', 40)).toMatchObject({ light: 'green' });
      s = await state(handle);
      expect(kinds(s)).toContain('escalation.stopped');
      await submit(handle, 'chengjian-head');
      await cancel(handle, 'hq-1');
      await maybeRecordHistory('plan-v2-monthly-report-missed', handle);
    });
  });
});

describe('units of plan format 2', () => {
  it('lets a cooperating unit acknowledge and report, and never waits for its report', async () => {
    const nowMs = await env().currentTimeMs();
    const jingfa: Person = { id: 'jingfa-staff', name: '经发办干部', unit: 'jingfa', roles: ['staff'] };
    const base = taskInput(nowMs, { taskNumber: freshTaskNumber(), policy: { requireAssistingReports: true } });
    const input: TaskWorkflowInput = {
      ...base,
      cooperating: ['jingfa'],
      people: [...people, jingfa],
      units: [...base.units, { code: 'jingfa', name: '经发办', en: 'Economic Development Office' }],
    };
    await withTask(input, async (handle) => {
      const s = await state(handle);
      expect(s.units.map((u) => [u.unit, u.role])).toEqual([
        ['chengjian', 'primary'],
        ['chengguan', 'assisting'],
        ['communities', 'responsible'],
        ['jingfa', 'cooperating'],
      ]);
      const [assignment] = (await noticesOf(handle.workflowId, 1)) as AssignmentNotice[];
      expect(assignment?.cooperating).toEqual(['jingfa']);
      expect(memory.notifications.find((n) => n.workflowId === handle.workflowId)?.recipients).toContainEqual(expect.objectContaining({ person: 'jingfa-staff' }));
      expect(await ack(handle, 'jingfa-staff')).toMatchObject({ applied: true });
      for (const actor of ['chengjian-staff', 'chengguan-staff', 'community-staff']) await ack(handle, actor);
      // The assisting and responsible units' reports are required; the cooperating unit's is not.
      await report(handle, 'chengjian-staff', 100);
      expect(await refusalCode(submit(handle, 'chengjian-head'))).toBe(TaskErrorCode.ASSISTING_REPORTS_MISSING);
      await report(handle, 'chengguan-staff', 100);
      await report(handle, 'community-staff', 100);
      expect(await submit(handle, 'chengjian-head')).toMatchObject({ status: 'submitted' });
      const after = await state(handle);
      expect(after.units.find((u) => u.unit === 'jingfa')).toMatchObject({ role: 'cooperating', reports: 0, acknowledgedBy: 'jingfa-staff' });
      await cancel(handle, 'hq-1');
    });
  });

  it('reaches every lead unit with the ladder when the plan states no primary (co-leads)', async () => {
    const nowMs = await env().currentTimeMs();
    const input: TaskWorkflowInput = { ...taskInput(nowMs, { taskNumber: freshTaskNumber() }), leadPrimary: false };
    await withTask(input, async (handle) => {
      await sleepUntil(nowMs + 3 * DAY + HOUR);
      expect((await state(handle)).escalation.history.map((r) => r.rung)).toEqual(['reminder']);
      await noticesOf(handle.workflowId, 2);
      const reminder = memory.notifications.find((n) => n.workflowId === handle.workflowId && n.notice.kind === 'reminder');
      expect(reminder?.recipients.map((r) => r.person)).toEqual(['chengjian-head', 'chengjian-staff', 'dual-1', 'chengguan-staff']);
      await cancel(handle, 'hq-1');
    });
  });

  it('expands a collective responsible unit (各社区): each member acknowledges and must report, as responsible units do', async () => {
    const plan = await v2Plan('district-v2.yaml');
    const built = buildTaskInput(plan, 1, { startNow: true });
    expect(built.responsible).toEqual(['shequ-a', 'shequ-b']);
    expect(built.units.find((u) => u.code === 'ge-shequ')?.name).toBe('各社区');
    const input: TaskWorkflowInput = { ...unsigned(built), policy: { ...built.policy, requireAssistingReports: true } };
    await withTask(input, async (handle) => {
      expect((await state(handle)).units.map((u) => [u.unit, u.role])).toEqual([
        ['fagaiwei', 'primary'],
        ['zhujianju', 'assisting'],
        ['shequ-a', 'responsible'],
        ['shequ-b', 'responsible'],
        ['caizhengju', 'cooperating'],
      ]);
      for (const actor of ['fagaiwei-staff', 'zhujianju-staff', 'shequ-a-head', 'shequ-b-head', 'caizhengju-head']) await ack(handle, actor);
      // The cooperating unit (配合单位) may report too; its report is kept, never required.
      await report(handle, 'caizhengju-head', 30);
      expect((await state(handle)).units.find((u) => u.unit === 'caizhengju')).toMatchObject({ role: 'cooperating', reports: 1, percent: 30 });
      await report(handle, 'fagaiwei-staff', 100);
      await report(handle, 'zhujianju-staff', 100);
      await report(handle, 'shequ-a-head', 100);
      const refused = await submit(handle, 'fagaiwei-head').then(
        () => undefined,
        (e: { cause?: { type?: string; details?: unknown[] } }) => e.cause,
      );
      expect(refused?.type).toBe(TaskErrorCode.ASSISTING_REPORTS_MISSING);
      expect(refused?.details?.[0]).toEqual({ missing: ['shequ-b'] });
      await report(handle, 'shequ-b-head', 100);
      expect(await submit(handle, 'fagaiwei-head')).toMatchObject({ status: 'submitted' });
      await cancel(handle, 'hq-clerk');
    });
  });

  it("sends HQ's notices to the supervisors when nobody on the roster holds the HQ office role (a plan without 指挥部)", async () => {
    const nowMs = await env().currentTimeMs();
    const base = taskInput(nowMs, { taskNumber: freshTaskNumber() });
    // A start already reached: the task is assigned at once (and takes plan format 2's rules).
    const input: TaskWorkflowInput = { ...base, people: people.filter((p) => !p.roles.includes('hq-office')), startAt: new Date(nowMs).toISOString() };
    await withTask(input, async (handle) => {
      // Unacknowledged for 3 days: 催办 at once, then the 督办单 7 days later, which HQ hears of.
      await sleepUntil(nowMs + 10 * DAY + HOUR);
      expect((await state(handle)).escalation.history.map((r) => r.rung)).toEqual(['reminder', 'supervision-notice']);
      await noticesOf(handle.workflowId, 3);
      const notice = memory.notifications.find((n) => n.workflowId === handle.workflowId && n.notice.kind === 'supervision-notice');
      expect(notice?.recipients.map((r) => r.person)).toEqual(['chengjian-head', 'supervisor-1', 'supervisor-2', 'dual-1']);
      // Nobody may cancel it (no HQ office): the test ends it.
      await handle.terminate('test over');
    });
  });
});

describe('launch facts', () => {
  it('records a launch past the deadline in the task itself', async () => {
    const nowMs = await env().currentTimeMs();
    const input: TaskWorkflowInput = {
      ...taskInput(nowMs, { taskNumber: freshTaskNumber(), deadlineInMs: -DAY }),
      launchedPastDeadline: true,
      deadline: { date: '2021-12-31', rule: 'by', source: '2021年底' },
    };
    await withTask(input, async (handle) => {
      await sleepUntil(nowMs + HOUR);
      const s = await state(handle);
      expect(kinds(s).slice(0, 2)).toEqual(['launch.past-deadline', 'task.assigned']);
      expect(s.timeline[0]?.details).toMatchObject({ deadlineAt: input.deadlineAt, deadline: { source: '2021年底' } });
      expect(s.light).toBe('red');
      await cancel(handle, 'hq-1');
    });
  });
});
