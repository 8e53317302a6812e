import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  acknowledgeUpdate,
  cancelUpdate,
  decideExtensionUpdate,
  DUBAN_TASK_QUEUE,
  reportProgressUpdate,
  requestExtensionUpdate,
  reviewUpdate,
  submitUpdate,
  TaskErrorCode,
  taskStateQuery,
  taskWorkflowId,
  type TaskWorkflowInput,
} from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import { startTimeSkipping, workflowBundle } from '../harness';
import { join } from 'node:path';
import { loadPlanFile, milestoneInstant, rebasePlan } from '@duban/plan';
import { DAY, HOUR, MemoryActivities, freshTaskNumber, inputFromPlan, maybeRecordHistory, refusalCode, rid, taskInput } from './fixtures';

type TaskHandle = WorkflowHandle<typeof taskWorkflow>;

let env: TestWorkflowEnvironment;
const memory = new MemoryActivities();

beforeAll(async () => {
  env = await startTimeSkipping();
  await workflowBundle();
});

afterAll(async () => {
  await env?.teardown();
});

async function createWorker(): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue: DUBAN_TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: memory.activities,
  });
}

async function start(input: TaskWorkflowInput): Promise<TaskHandle> {
  return env.client.workflow.start<typeof taskWorkflow>('taskWorkflow', {
    taskQueue: DUBAN_TASK_QUEUE,
    workflowId: taskWorkflowId(input.planId, input.taskNumber),
    args: [input],
  });
}

async function now(): Promise<number> {
  return env.currentTimeMs();
}

async function expectCode(promise: Promise<unknown>, code: TaskErrorCode): Promise<void> {
  expect(await refusalCode(promise)).toBe(code);
}

/** A fresh task's input, its instants offsets from the test server's clock now. */
async function freshInput(options: Parameters<typeof taskInput>[1] = {}): Promise<TaskWorkflowInput> {
  return taskInput(await now(), { taskNumber: freshTaskNumber(), ...options });
}

/** Starts a task from `input` and plays `scenario` on it while a worker runs. */
async function withTask(input: TaskWorkflowInput, scenario: (handle: TaskHandle) => Promise<void>): Promise<void> {
  const worker = await createWorker();
  await worker.runUntil(async () => scenario(await start(input)));
}

/** A task 50 % behind at a milestone on day 10, its deadline far off: it escalates for being behind schedule. */
const behindAtDay10 = { deadlineInMs: 200 * DAY, milestonesInMs: [{ id: 'mid', inMs: 10 * DAY, expectedPercent: 50 }] };

const ack = (h: TaskHandle, actor: string, requestId = rid('ack')) => h.executeUpdate(acknowledgeUpdate, { args: [{ requestId, actor }] });
const report = (h: TaskHandle, actor: string, percent: number, requestId = rid('report')) =>
  h.executeUpdate(reportProgressUpdate, { args: [{ requestId, actor, percent, note: `${percent}% done`, evidence: ['https://example.org/photo.jpg'] }] });
const submit = (h: TaskHandle, actor: string, requestId = rid('submit')) =>
  h.executeUpdate(submitUpdate, { args: [{ requestId, actor, summary: '牵头汇总: all parts reported' }] });
const approve = (h: TaskHandle, actor: string, score: number, note?: string) =>
  h.executeUpdate(reviewUpdate, { args: [{ requestId: rid('approve'), actor, decision: 'approve', score, ...(note ? { note } : {}) }] });
const requestExtension = (h: TaskHandle, deadlineAt: string, reason: string) =>
  h.executeUpdate(requestExtensionUpdate, { args: [{ requestId: rid(), actor: 'chengjian-head', deadlineAt, reason }] });
const decideExtension = (h: TaskHandle, actor: string, decision: { decision: 'approve' } | { decision: 'refuse'; reason: string }) =>
  h.executeUpdate(decideExtensionUpdate, { args: [{ requestId: rid(), actor, ...decision }] });

/** Ends a test's task by cancelling it (as HQ by default); returns the task's result. */
async function cancelAtEnd(h: TaskHandle, actor = 'hq-1') {
  await h.executeUpdate(cancelUpdate, { args: [{ requestId: rid(), actor, reason: 'test over' }] });
  return h.result();
}

/** Audit entries are complete and unique: one per timeline event, keys derived from workflow ID and seq. */
function expectAuditMatchesTimeline(workflowId: string, timeline: { seq: number; kind: string }[]): void {
  const entries = memory.audit.filter((e) => e.workflowId === workflowId);
  expect(entries.map((e) => e.idempotencyKey)).toEqual(timeline.map((t) => `${workflowId}:${t.seq}:${t.kind}`));
  expect(new Set(entries.map((e) => e.idempotencyKey)).size).toBe(entries.length);
}

describe('the task workflow', () => {
  it('approves a task reviewed before its deadline, scores it and commends the early, high-quality work', async () => {
    const input = await freshInput();
    await withTask(input, async (handle) => {
      expect(await ack(handle, 'chengjian-staff')).toMatchObject({ applied: true, status: 'acknowledged' });
      await ack(handle, 'chengguan-staff');
      await report(handle, 'chengguan-staff', 100);
      expect(await report(handle, 'chengjian-staff', 100)).toMatchObject({ status: 'in-progress', light: 'green' });
      expect(await submit(handle, 'chengjian-head')).toMatchObject({ status: 'submitted' });
      await approve(handle, 'supervisor-1', 96);
      const result = await handle.result();

      expect(result.status).toBe('approved');
      expect(result.assessment).toEqual({ reviewerScore: 96, deductions: { yellow: 0, red: 0, rungs: 0, total: 0 }, score: 96, commended: true });
      expect(result.rungsClimbed).toEqual([]);
      const state = await handle.query(taskStateQuery);
      expect(state.timeline.map((e) => e.kind)).toEqual([
        'task.assigned',
        'task.acknowledged',
        'task.acknowledged',
        'progress.reported',
        'progress.reported',
        'task.submitted',
        'review.approved',
        'task.commended',
      ]);
      expect(state.timeline.map((e) => e.actor)).toEqual([
        'system',
        'chengjian-staff',
        'chengguan-staff',
        'chengguan-staff',
        'chengjian-staff',
        'chengjian-head',
        'supervisor-1',
        'system',
      ]);
      expectAuditMatchesTimeline(handle.workflowId, state.timeline);
      expect(memory.notificationKinds(handle.workflowId)).toEqual(['assignment', 'review-requested', 'commendation']);
      // Notices carry facts, not words: the render step in activities writes them.
      const [assignment, requested, commendation] = memory.notices(handle.workflowId);
      expect(assignment).toMatchObject({
        kind: 'assignment',
        task: { planId: input.planId, planTitle: '测试计划', taskNumber: input.taskNumber, title: input.title },
        primaryLead: 'chengjian',
        assistingLeads: ['chengguan'],
        responsible: ['communities'],
        deadlineAt: state.deadlineAt,
        acknowledgementWindowMs: input.policy.acknowledgementWindowMs,
        names: { units: { chengjian: '城建办', chengguan: '城管办', communities: '各相关社区' } },
      });
      expect(requested).toMatchObject({
        kind: 'review-requested',
        submittedBy: 'chengjian-head',
        summary: '牵头汇总: all parts reported',
        reviewDueAt: state.submissions[0]?.reviewDueAt,
        names: { people: { 'chengjian-head': '城建办主任' } },
      });
      expect(commendation).toMatchObject({ kind: 'commendation', score: 96 });
      await maybeRecordHistory('approved-before-deadline', handle);
    });
  });

  it('turns red at a deadline that passes before approval, starts the ladder and deducts for both', async () => {
    await withTask(await freshInput({ deadlineInMs: 2 * DAY }), async (handle) => {
      await ack(handle, 'chengjian-staff');
      await report(handle, 'chengjian-staff', 30);
      await env.sleep(2 * DAY + HOUR);

      const late = await handle.query(taskStateQuery);
      expect(late.light).toBe('red');
      expect(late.deadlinePassed).toBe(true);
      expect(late.checks).toEqual([expect.objectContaining({ id: 'deadline', light: 'red', percent: 30 })]);
      expect(late.escalation.level).toBe(1);
      expect(late.timeline.map((e) => e.kind).slice(-3)).toEqual(['deadline.passed', 'escalation.started', 'escalation.reminder']);

      await report(handle, 'chengjian-staff', 100);
      await submit(handle, 'chengjian-staff');
      await approve(handle, 'supervisor-2', 90);
      const result = await handle.result();
      expect(result.assessment).toEqual({ reviewerScore: 90, deductions: { yellow: 0, red: 5, rungs: 1, total: 6 }, score: 84, commended: false });
      expect(result.rungsClimbed).toEqual(['reminder']);
      const state = await handle.query(taskStateQuery);
      expect(state.timeline.map((e) => e.kind).slice(-2)).toEqual(['review.approved', 'escalation.stopped']);
      expectAuditMatchesTimeline(handle.workflowId, state.timeline);
      await maybeRecordHistory('deadline-before-approval', handle);
    });
  });

  it('applies an acknowledgement sent before the workflow first ran, without a missed-window reminder', async () => {
    const input = await freshInput();
    // No worker yet: the update waits on the server and reaches the workflow in its first task.
    const handle = await start(input);
    const early = ack(handle, 'chengjian-head', 'early-ack');
    const worker = await createWorker();
    await worker.runUntil(async () => {
      expect(await early).toMatchObject({ requestId: 'early-ack', applied: true, status: 'acknowledged' });
      await env.sleep(4 * DAY);
      const state = await handle.query(taskStateQuery);
      expect(state.units[0]).toMatchObject({ unit: 'chengjian', acknowledgedBy: 'chengjian-head' });
      expect(state.timeline.map((e) => e.kind)).toEqual(['task.assigned', 'task.acknowledged']);
      expect((await cancelAtEnd(handle)).status).toBe('cancelled');
    });
  });

  it('returns work for rework with reasons, then approves the second submission', async () => {
    await withTask(await freshInput(), async (handle) => {
      await ack(handle, 'chengjian-staff');
      await report(handle, 'chengjian-staff', 80);
      await submit(handle, 'chengjian-staff');
      const returned = await handle.executeUpdate(reviewUpdate, {
        args: [{ requestId: rid(), actor: 'supervisor-1', decision: 'return', reasons: ['缺少现场照片 photos of the site are missing'] }],
      });
      expect(returned.status).toBe('in-progress');
      // Returned work cannot be reviewed again until it is resubmitted.
      await expectCode(approve(handle, 'supervisor-1', 90), TaskErrorCode.INVALID_STATE);
      await report(handle, 'chengjian-staff', 100);
      await submit(handle, 'chengjian-staff');
      await approve(handle, 'supervisor-1', 88);
      const result = await handle.result();

      expect(result.status).toBe('approved');
      expect(result.assessment?.score).toBe(88);
      const state = await handle.query(taskStateQuery);
      expect(state.submissions.map((s) => s.decision)).toEqual(['returned', 'approved']);
      expect(state.submissions[0]?.reasons).toEqual(['缺少现场照片 photos of the site are missing']);
      expect(memory.notices(handle.workflowId)).toContainEqual(expect.objectContaining({ kind: 'returned', reasons: ['缺少现场照片 photos of the site are missing'] }));
      await maybeRecordHistory('returned-then-approved', handle);
    });
  });

  it('climbs all four rungs while behind schedule, then stops escalating once the task catches up', async () => {
    await withTask(await freshInput(behindAtDay10), async (handle) => {
      await ack(handle, 'chengjian-staff');
      await report(handle, 'chengjian-staff', 10);
      await env.sleep(10 * DAY + HOUR);
      let state = await handle.query(taskStateQuery);
      expect(state.checks).toEqual([expect.objectContaining({ id: 'mid', light: 'yellow', percent: 10, expectedPercent: 50 })]);
      expect(state.escalation.level).toBe(1);

      await env.sleep(21 * DAY);
      state = await handle.query(taskStateQuery);
      expect(state.escalation.history.map((r) => r.rung)).toEqual(['reminder', 'supervision-notice', 'interview', 'accountability']);
      expect(state.escalation.level).toBe(4);
      expect(memory.notificationKinds(handle.workflowId)).toEqual(['assignment', 'reminder', 'supervision-notice', 'interview', 'accountability']);
      const accountability = memory.notifications.find((n) => n.workflowId === handle.workflowId && n.notice.kind === 'accountability');
      expect(accountability?.recipients.map((r) => r.person)).toEqual(['hq-1', 'conduct-1']);
      expect(accountability?.notice).toMatchObject({ level: 4, reasons: ['behind-schedule'], percent: 10, light: 'yellow', deadlineAt: state.deadlineAt });

      expect(await report(handle, 'chengjian-staff', 60)).toMatchObject({ light: 'green' });
      state = await handle.query(taskStateQuery);
      expect(state.escalation.level).toBe(0);
      expect(state.timeline[state.timeline.length - 1]).toMatchObject({ kind: 'escalation.stopped', details: { levelReached: 4, reason: 'caught-up' } });
      const eventsAfterCatchUp = state.timeline.length;

      await env.sleep(30 * DAY);
      state = await handle.query(taskStateQuery);
      expect(state.timeline.length).toBe(eventsAfterCatchUp);
      expect(state.escalation.history).toHaveLength(4);

      await submit(handle, 'chengjian-staff');
      // Below 100 %: approving unfinished work needs a recorded reason.
      await approve(handle, 'supervisor-1', 95, '主体完工，余量转入日常养护 main works done');
      const result = await handle.result();
      // 2 (yellow) + 1 + 2 + 3 + 5 (the rungs) deducted from 95.
      expect(result.assessment).toMatchObject({ score: 82, deductions: { yellow: 2, red: 0, rungs: 11, total: 13 } });
      await maybeRecordHistory('four-rungs-then-caught-up', handle);
    });
  });

  it('stops before the next rung when the task catches up after a reminder', async () => {
    await withTask(await freshInput(behindAtDay10), async (handle) => {
      await ack(handle, 'chengjian-staff');
      await env.sleep(11 * DAY);
      await report(handle, 'chengjian-staff', 45);
      await env.sleep(20 * DAY);
      const state = await handle.query(taskStateQuery);
      expect(state.escalation.history.map((r) => r.rung)).toEqual(['reminder']);
      expect(state.escalation.level).toBe(0);
      await cancelAtEnd(handle);
    });
  });

  it('reminds the lead unit when the assignment is not acknowledged within the window', async () => {
    await withTask(await freshInput(), async (handle) => {
      await env.sleep(3 * DAY + HOUR);
      let state = await handle.query(taskStateQuery);
      expect(state.timeline.map((e) => e.kind)).toEqual(['task.assigned', 'acknowledgement.overdue', 'escalation.started', 'escalation.reminder']);
      expect(state.timeline[2]?.details).toEqual({ reasons: ['unacknowledged'] });
      await ack(handle, 'chengjian-staff');
      state = await handle.query(taskStateQuery);
      expect(state.escalation.episodeStartedAt).toBeUndefined();
      await cancelAtEnd(handle);
    });
  });

  it('escalates the supervisors, not the unit, when a review stays undecided past the review deadline', async () => {
    await withTask(await freshInput(), async (handle) => {
      await ack(handle, 'chengjian-staff');
      await report(handle, 'chengjian-staff', 100);
      await submit(handle, 'chengjian-staff');
      await env.sleep(5 * DAY + HOUR);
      const state = await handle.query(taskStateQuery);
      expect(state.timeline[state.timeline.length - 1]?.kind).toBe('review.overdue');
      expect(state.escalation.history).toEqual([]);
      const notice = memory.notifications.filter((n) => n.workflowId === handle.workflowId && n.notice.kind === 'review-overdue');
      expect(notice).toHaveLength(1);
      expect(notice[0]?.recipients.map((r) => r.person)).toEqual(['supervisor-1', 'supervisor-2', 'dual-1', 'hq-1']);
      const submission = state.submissions[0];
      expect(notice[0]?.notice).toMatchObject({ submittedBy: 'chengjian-staff', submittedAt: submission?.submittedAt, reviewDueAt: submission?.reviewDueAt });
      await approve(handle, 'supervisor-1', 90);
      expect((await handle.result()).assessment?.score).toBe(90);
    });
  });

  it('moves the deadline for an extension HQ approves, and keeps it for one HQ refuses or one asked after the deadline', async () => {
    const input = await freshInput({ deadlineInMs: 10 * DAY });
    await withTask(input, async (handle) => {
      await ack(handle, 'chengjian-staff');
      const newDeadline = new Date(Date.parse(input.deadlineAt) + 20 * DAY).toISOString();
      await requestExtension(handle, newDeadline, '雨季施工受阻 rainy season');
      // Only HQ decides.
      await expectCode(decideExtension(handle, 'supervisor-1', { decision: 'approve' }), TaskErrorCode.WRONG_ROLE);
      expect(await decideExtension(handle, 'hq-1', { decision: 'approve' })).toMatchObject({ deadlineAt: newDeadline });
      await env.sleep(12 * DAY);
      let state = await handle.query(taskStateQuery);
      expect(state.deadlinePassed).toBe(false);
      expect(state.light).toBe('green');

      const further = new Date(Date.parse(newDeadline) + 30 * DAY).toISOString();
      await requestExtension(handle, further, 'more time');
      await expectCode(requestExtension(handle, further, 'again'), TaskErrorCode.EXTENSION_PENDING);
      await decideExtension(handle, 'hq-1', { decision: 'refuse', reason: '不予延期 no' });
      state = await handle.query(taskStateQuery);
      expect(state.deadlineAt).toBe(newDeadline);
      expect(state.extensions.map((e) => e.decision)).toEqual(['approved', 'refused']);

      await env.sleep(20 * DAY);
      await expectCode(requestExtension(handle, further, 'too late'), TaskErrorCode.DEADLINE_PASSED);
      state = await handle.query(taskStateQuery);
      expect(state.light).toBe('red');
      expect(state.timeline.filter((e) => e.kind.startsWith('extension.')).map((e) => e.kind)).toEqual([
        'extension.requested',
        'extension.approved',
        'extension.requested',
        'extension.refused',
      ]);
      expect(memory.notices(handle.workflowId).filter((n) => n.kind.startsWith('extension-'))).toEqual([
        expect.objectContaining({ kind: 'extension-requested', requestedBy: 'chengjian-head', deadlineAt: newDeadline, reason: '雨季施工受阻 rainy season', names: expect.objectContaining({ people: { 'chengjian-head': '城建办主任' } }) }),
        expect.objectContaining({ kind: 'extension-decided', decision: 'approved', deadlineAt: newDeadline }),
        expect.objectContaining({ kind: 'extension-requested', deadlineAt: further, reason: 'more time' }),
        expect.objectContaining({ kind: 'extension-decided', decision: 'refused', deadlineAt: newDeadline, reason: '不予延期 no' }),
      ]);
      await cancelAtEnd(handle);
      await maybeRecordHistory('extensions', handle);
    });
  });

  it('rejects an unknown actor, a wrong-role actor, a self-approval and malformed or untimely messages with their codes', async () => {
    await withTask(await freshInput({ policy: { requireAssistingReports: true } }), async (handle) => {
      await expectCode(ack(handle, 'nobody'), TaskErrorCode.UNKNOWN_ACTOR);
      await expectCode(ack(handle, 'supervisor-1'), TaskErrorCode.WRONG_ROLE);
      await expectCode(report(handle, 'chengjian-staff', 150), TaskErrorCode.INVALID_ARGUMENT);
      await expectCode(report(handle, 'chengjian-staff', 50), TaskErrorCode.INVALID_STATE);
      await ack(handle, 'dual-1');
      await expectCode(ack(handle, 'chengjian-head'), TaskErrorCode.INVALID_STATE);
      await report(handle, 'dual-1', 100);
      await expectCode(submit(handle, 'chengguan-staff'), TaskErrorCode.WRONG_ROLE);
      await expectCode(submit(handle, 'dual-1'), TaskErrorCode.ASSISTING_REPORTS_MISSING);
      await ack(handle, 'chengguan-staff');
      await report(handle, 'chengguan-staff', 100);
      await ack(handle, 'community-staff');
      await report(handle, 'community-staff', 100);
      await submit(handle, 'dual-1');
      await expectCode(approve(handle, 'dual-1', 90), TaskErrorCode.SELF_REVIEW);
      await expectCode(approve(handle, 'chengjian-head', 90), TaskErrorCode.WRONG_ROLE);
      await expectCode(approve(handle, 'supervisor-1', 101), TaskErrorCode.INVALID_ARGUMENT);
      await expectCode(handle.executeUpdate(cancelUpdate, { args: [{ requestId: rid(), actor: 'chengjian-head', reason: 'no' }] }), TaskErrorCode.WRONG_ROLE);
      await approve(handle, 'supervisor-1', 90);
      await handle.result();

      const state = await handle.query(taskStateQuery);
      // Rejected messages leave no trace.
      expect(state.timeline.map((e) => e.kind)).toEqual([
        'task.assigned',
        'task.acknowledged',
        'progress.reported',
        'task.acknowledged',
        'progress.reported',
        'task.acknowledged',
        'progress.reported',
        'task.submitted',
        'review.approved',
        'task.commended',
      ]);
      await maybeRecordHistory('rejections', handle);
    });
  });

  it('applies a message retried with the same request id once, also across continue-as-new', async () => {
    await withTask({ ...(await freshInput()), continueAsNewAtHistoryLength: 30 }, async (handle) => {
      const firstRunId = (await handle.describe()).runId;
      expect(await ack(handle, 'chengjian-staff', 'ack-1')).toMatchObject({ applied: true });
      expect(await ack(handle, 'chengjian-staff', 'ack-1')).toMatchObject({ applied: false, status: 'acknowledged' });
      expect(await report(handle, 'chengjian-staff', 10, 'report-1')).toMatchObject({ applied: true });
      expect(await report(handle, 'chengjian-staff', 10, 'report-1')).toMatchObject({ applied: false });
      await expectCode(submit(handle, 'chengjian-staff', 'report-1'), TaskErrorCode.REQUEST_ID_REUSED);
      for (let percent = 20; percent <= 60; percent += 10) await report(handle, 'chengjian-staff', percent);

      const description = await handle.describe();
      expect(description.runId).not.toBe(firstRunId);
      expect(await report(handle, 'chengjian-staff', 10, 'report-1')).toMatchObject({ applied: false });
      expect(await ack(handle, 'chengjian-staff', 'ack-1')).toMatchObject({ applied: false });

      const state = await handle.query(taskStateQuery);
      expect(state.percent).toBe(60);
      expect(state.timeline.filter((e) => e.kind === 'progress.reported')).toHaveLength(6);
      expect(state.timeline.map((e) => e.seq)).toEqual(state.timeline.map((_, i) => i + 1));
      expectAuditMatchesTimeline(handle.workflowId, state.timeline);
      expect((await cancelAtEnd(handle)).status).toBe('cancelled');
    });
  });

  it('checks the three seed milestones in order on seed task 15, rebased to next year', async () => {
    const nowMs = await now();
    const seed = await loadPlanFile(join(__dirname, '..', '..', 'plans', 'xihu-2020.yaml'));
    const plan = rebasePlan(seed, new Date(nowMs).getUTCFullYear() + 1);
    // Task 15 runs across both years; the seed checks it by two milestones, here by all three
    // of section 一 so that every seed milestone is exercised.
    const milestones = plan.milestones.map((m) => ({ id: m.id, dueAt: milestoneInstant(plan, m).toISO() ?? '' }));
    const input = inputFromPlan(plan, 15, { milestones, assignedAt: new Date(nowMs).toISOString() });
    expect(milestones.map((m) => m.id)).toEqual(['national-day-2020', 'new-year-2021', 'end-2021']);
    await withTask(input, async (handle) => {
      await ack(handle, 'chengjian-staff');
      await report(handle, 'chengjian-staff', 10);
      for (const [index, milestone] of milestones.entries()) {
        await env.sleep(Date.parse(milestone.dueAt) - (await now()) + HOUR);
        const state = await handle.query(taskStateQuery);
        expect(state.checks.filter((c) => c.id !== 'deadline').map((c) => c.id)).toEqual(milestones.slice(0, index + 1).map((m) => m.id));
      }
      const state = await handle.query(taskStateQuery);
      expect(state.checks.map((c) => c.id)).toEqual(['national-day-2020', 'new-year-2021', 'end-2021', 'deadline']);
      expect(state.checks.map((c) => Date.parse(c.at))).toEqual([...milestones.map((m) => Date.parse(m.dueAt)), Date.parse(input.deadlineAt)]);
      // 10 % against a linear expectation: behind at each milestone, overdue at the deadline.
      expect(state.checks.map((c) => c.light)).toEqual(['yellow', 'yellow', 'yellow', 'red']);
      const checked = state.timeline.filter((e) => e.kind === 'milestone.checked');
      expect(checked.map((e) => e.details.milestone)).toEqual(milestones.map((m) => m.id));
      for (const [i, event] of checked.entries()) expect(Date.parse(event.at)).toBeGreaterThanOrEqual(Date.parse(milestones[i]?.dueAt ?? ''));
      expect(state.escalation.history.map((r) => r.rung)).toEqual(['reminder', 'supervision-notice', 'interview', 'accountability']);
      expect((await cancelAtEnd(handle, 'hq-office-clerk')).status).toBe('cancelled');
      await maybeRecordHistory('seed-task-15-milestones', handle);
    });
  });
});
