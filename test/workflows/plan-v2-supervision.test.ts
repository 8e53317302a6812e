/**
 * Plan format 2 follow-ups on the time-skipping server (issue 12, points 4 and 7, and a
 * task's own start): a task that names who supervises it is reviewed by that body's people
 * only (NOT_SUPERVISOR for anyone else, checked in the workflow) and its review request goes
 * to them; a task with its own later start waits for it, not for the campaign's; the
 * assignment notice carries the plan's targets, rendered in Chinese and English. Inputs
 * come from the v2 fixture plan (`./fixtures-v2/district-v2.yaml`) with the fields added
 * in memory, through `buildTaskInput`.
 */
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { renderNotice } from '@duban/activities';
import { buildTaskInput } from '@duban/client';
import { ErrorCode, type AssignmentNotice, type Notice } from '@duban/common';
import { loadPlanFile, rebasePlan, type Plan, type PlanTask } from '@duban/plan';
import {
  acknowledgeUpdate,
  cancelUpdate,
  reportProgressUpdate,
  reviewUpdate,
  submitUpdate,
  taskStateQuery,
  type MessageResult,
  type TaskState,
  type TaskWorkflowInput,
} from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import { DateTime } from 'luxon';
import { serverPerFile, startTimeSkipping, workflowBundle } from '../harness';
import { DAY, HOUR, MemoryActivities, freshTaskNumber, maybeRecordHistory, refusalCode, rid, withTaskWorkflow } from './fixtures';

type TaskHandle = WorkflowHandle<typeof taskWorkflow>;

// One time-skipping server for the file, the workflow bundle built before the first test.
const env = serverPerFile(async () => {
  const started = await startTimeSkipping();
  await workflowBundle();
  return started;
});
const memory = new MemoryActivities();
const ZONE = 'Asia/Shanghai';

const withTask = (input: TaskWorkflowInput, scenario: (handle: TaskHandle) => Promise<void>) => withTaskWorkflow(env(), memory.activities, input, scenario);

const state = (h: TaskHandle): Promise<TaskState> => h.query(taskStateQuery);
const kinds = (s: TaskState) => s.timeline.map((e) => e.kind);

async function sleepUntil(atMs: number): Promise<void> {
  const now = await env().currentTimeMs();
  if (atMs > now) await env().sleep(atMs - now);
}

async function noticesOf(workflowId: string, count: number): Promise<Notice[]> {
  for (let i = 0; i < 100 && memory.notices(workflowId).length < count; i += 1) await new Promise((r) => setTimeout(r, 50));
  return memory.notices(workflowId);
}

/** The district fixture re-dated to start next year (by the server's clock), with `change` applied to task `n`. */
async function planWith(n: number, change: (task: PlanTask) => PlanTask): Promise<Plan> {
  const nowMs = await env().currentTimeMs();
  const plan = rebasePlan(await loadPlanFile(join(__dirname, 'fixtures-v2', 'district-v2.yaml')), DateTime.fromMillis(nowMs, { zone: ZONE }).year + 1);
  return { ...plan, actions: plan.actions.map((a) => ({ ...a, tasks: a.tasks.map((t) => (t.number === n ? change(t) : t)) })) };
}

/** The tests send no proofs: the input without the identity settings, under a fresh task number. */
function unsigned(input: TaskWorkflowInput): TaskWorkflowInput {
  const { identity: _signed, ...rest } = input;
  return { ...rest, taskNumber: freshTaskNumber(), searchAttributes: false };
}

describe('a task that names who supervises it', () => {
  it("gives the supervising group's members as its reviewers, and a unit's people whatever their roles", async () => {
    const plan = await planWith(1, (t) => ({ ...t, supervisor: ['ducha', 'caizhengju'] }));
    expect(buildTaskInput(plan, 1).supervisedBy).toEqual({ codes: ['ducha', 'caizhengju'], people: ['supervisor', 'caizhengju-head'] });
    expect(buildTaskInput(plan, 2).supervisedBy).toBeUndefined();
    const nobody = await planWith(1, (t) => ({ ...t, supervisor: ['shi-fagaiwei'] }));
    expect(() => buildTaskInput(nobody, 1)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_PLAN, message: expect.stringContaining('nobody of shi-fagaiwei is on the roster') }));
  });

  it('asks only them to review; a supervisor or HQ office outside the named body is refused with NOT_SUPERVISOR, the named one approves', async () => {
    // Task 3: one lead unit, no responsible units, so its lead alone reports before submitting.
    const plan = await planWith(3, (t) => ({ ...t, supervisor: ['ducha'] }));
    const input = unsigned(buildTaskInput(plan, 3, { startNow: true }));
    await withTask(input, async (handle) => {
      const send = (update: { name: string }, args: Record<string, unknown>) =>
        handle.executeUpdate<MessageResult, [Record<string, unknown>]>(update.name, { args: [{ requestId: rid(), ...args }] });
      await send(acknowledgeUpdate, { actor: 'fagaiwei-staff' });
      await send(reportProgressUpdate, { actor: 'fagaiwei-staff', percent: 100, note: '前期手续已完成' });
      await send(submitUpdate, { actor: 'fagaiwei-staff', summary: '牵头汇总' });
      // The review request goes to the named group's member only.
      const notices = await noticesOf(handle.workflowId, 2);
      const requested = memory.notifications.find((n) => n.workflowId === handle.workflowId && n.notice.kind === 'review-requested');
      expect(notices.map((n) => n.kind)).toContain('review-requested');
      expect(requested?.recipients).toEqual([{ person: 'supervisor', unit: 'duchashi', role: 'supervisor' }]);

      // 区长 holds the supervisor role, the clerk HQ office: neither belongs to the group the task names.
      expect(await refusalCode(send(reviewUpdate, { actor: 'leader', decision: 'approve', score: 95 }))).toBe('NOT_SUPERVISOR');
      expect(await refusalCode(send(reviewUpdate, { actor: 'hq-clerk', decision: 'return', reasons: ['补充材料'] }))).toBe('NOT_SUPERVISOR');
      const still = await state(handle);
      expect(still.status).toBe('submitted');
      expect(kinds(still)).not.toContain('review.approved');

      expect(await send(reviewUpdate, { actor: 'supervisor', decision: 'approve', score: 95 })).toMatchObject({ applied: true, status: 'approved' });
      await handle.result();
      await maybeRecordHistory('plan-v2-named-supervisor', handle);
    });
  });
});

describe('a task that names who dispatches it', () => {
  it('tells the dispatching group when each monthly dispatch falls due (调度提醒), and records it unscored', async () => {
    const plan = await planWith(1, (t) => ({ ...t, dispatcher: 'ducha', recurring: [{ id: 'monthly-dispatch', every: 'month', rule: 'by', duty: 'dispatch', source: '每月调度' }] }));
    const input = unsigned(buildTaskInput(plan, 1, { startNow: true }));
    // The duty names nobody: it is the dispatcher's, and the group's member is told.
    const dispatches = (input.checks ?? []).filter((c) => c.duty === 'dispatch');
    expect(dispatches.length).toBeGreaterThan(0);
    expect(dispatches.every((c) => c.by === 'ducha')).toBe(true);
    expect(input.dutyRecipients).toEqual({ ducha: { name: { zh: '督查组', en: 'Supervision group' }, people: [{ person: 'supervisor', unit: 'duchashi' }] } });
    const first = dispatches[0]!;
    await withTask(input, async (handle) => {
      await sleepUntil(Date.parse(first.dueAt) + HOUR);
      const s = await state(handle);
      expect(s.timeline.find((e) => e.kind === 'duty.due')?.details).toMatchObject({ check: first.id, duty: 'dispatch', by: 'ducha', label: first.label });
      expect(s.checks.find((c) => c.id === first.id)).toMatchObject({ kind: 'duty' });
      await noticesOf(handle.workflowId, 1);
      let told = memory.notifications.find((n) => n.workflowId === handle.workflowId && n.notice.kind === 'duty-due');
      for (let i = 0; i < 100 && told === undefined; i += 1) {
        await new Promise((r) => setTimeout(r, 50));
        told = memory.notifications.find((n) => n.workflowId === handle.workflowId && n.notice.kind === 'duty-due');
      }
      expect(told?.recipients).toEqual([{ person: 'supervisor', unit: 'duchashi' }]);
      const zh = renderNotice(told?.notice as Notice).text;
      expect(zh).toContain(`「${first.label ?? ''}」调度节点已到`);
      expect(zh).toContain('由督查组负责');
      await handle.executeUpdate(cancelUpdate, { args: [{ requestId: rid('cancel'), actor: 'hq-clerk', reason: 'test over' }] });
      await handle.result();
      await maybeRecordHistory('plan-v2-dispatch-told', handle);
    });
  });
});

describe("a task with its own start (a later phase)", () => {
  it("waits for its own start, not the campaign's, and its assignment notice carries the plan's targets", async () => {
    const targets: NonNullable<PlanTask['targets']> = [
      { description: '固定资产投资增长6.2%左右', kind: 'approx', percent: 6.2 },
      { description: '增速不低于全市平均水平', kind: 'relative', relation: '不低于全市平均水平' },
    ];
    let startDate = '';
    const plan = await planWith(2, (t) => {
      startDate = `${t.deadline?.date.slice(0, 4) ?? ''}-06-01`;
      return { ...t, start: { date: startDate, source: '6月起' }, targets };
    });
    const input = unsigned(buildTaskInput(plan, 2));
    const campaignStartMs = DateTime.fromISO(plan.campaign.start, { zone: ZONE }).toMillis();
    const ownStartMs = DateTime.fromISO(startDate, { zone: ZONE }).toMillis();
    expect(input.startAt).toBe(`${startDate}T00:00:00.000+08:00`);
    expect(ownStartMs - campaignStartMs).toBeGreaterThan(60 * DAY);
    await withTask(input, async (handle) => {
      // The campaign has started, the task's phase has not: nothing recorded, nothing sent.
      await sleepUntil(campaignStartMs + 10 * DAY);
      const waiting = await state(handle);
      expect(waiting).toMatchObject({ startsAt: new Date(ownStartMs).toISOString(), timeline: [] });
      expect(memory.notices(handle.workflowId)).toEqual([]);

      await sleepUntil(ownStartMs + HOUR);
      const started = await state(handle);
      expect(kinds(started)).toEqual(['task.assigned']);
      expect(started.assignedAt).toBe(new Date(ownStartMs).toISOString());
      const [assignment] = (await noticesOf(handle.workflowId, 1)) as AssignmentNotice[];
      expect(assignment?.targets).toEqual(targets);

      // Rendered for people, in the plan's words; English glosses the figure and the comparison.
      const zh = renderNotice(assignment as Notice, { lang: 'zh' }).text;
      expect(zh).toContain('工作目标：固定资产投资增长6.2%左右；增速不低于全市平均水平');
      // The plan's language is the notice's: English asked of the notice itself.
      const en = renderNotice({ ...assignment, settings: { ...assignment?.settings, lang: 'en' } } as Notice).text;
      expect(en).toContain('Targets: 固定资产投资增长6.2%左右 (about 6.2%); 增速不低于全市平均水平 (relative: 不低于全市平均水平)');
      await handle.executeUpdate(cancelUpdate, { args: [{ requestId: rid('cancel'), actor: 'hq-clerk', reason: 'test over' }] });
      await handle.result();
    });
  });
});

describe('the assignment notice without targets', () => {
  it('renders no target line', () => {
    const notice = {
      kind: 'assignment',
      task: { planId: 'p', taskNumber: 1, title: { zh: '任务', en: 'Task' } },
      primaryLead: 'a',
      assistingLeads: [],
      responsible: [],
      deadlineAt: '2031-12-01T00:00:00.000+08:00',
      acknowledgementWindowMs: 72 * HOUR,
    } as Notice;
    expect(renderNotice(notice, { lang: 'zh' }).text).not.toContain('工作目标');
    expect(renderNotice(notice, { lang: 'en' }).text).not.toContain('Targets');
  });
});
