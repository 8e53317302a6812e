/**
 * The task workflow's bookkeeping on the dev server (search attributes need it): one timer
 * for the next timed check, armed again only when it fires early or a check comes sooner,
 * no timer per update, and search attributes upserted once per workflow task with only
 * the values that changed. Windows of seconds make the timers fire in real time.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities, InMemoryAuditStore, LogAndWebhookNotifier } from '@duban/activities';
import {
  acknowledgeUpdate,
  campaignWorkflowId,
  cancelUpdate,
  DUBAN_TASK_QUEUE,
  dubanSearchAttributes,
  nextDeadlineSearchAttribute,
  planSearchAttribute,
  primaryLeadSearchAttribute,
  reportProgressUpdate,
  reviewUpdate,
  statusSearchAttribute,
  submitUpdate,
  taskNumberSearchAttribute,
  taskWorkflowId,
  type TaskWorkflowInput,
} from '@duban/workflows';
import type { campaignWorkflow, taskWorkflow } from '@duban/workflows/workflows';
import { DefaultLogger } from '@temporalio/worker';
import { campaignInput } from './delivery-fixtures';
import { removeTemporaryDirectories, startDevServer, workflowBundle } from '../harness';
import { DAY, MemoryActivities, freshTaskNumber, maybeRecordHistory, rid, taskInput, withTaskWorkflow } from './fixtures';

type TaskHandle = WorkflowHandle<typeof taskWorkflow>;

let env: TestWorkflowEnvironment;
const memory = new MemoryActivities();

beforeAll(async () => {
  env = await startDevServer({ searchAttributes: [...dubanSearchAttributes] });
  await workflowBundle();
});

afterAll(async () => {
  await env?.teardown();
  removeTemporaryDirectories();
});

interface Event {
  eventType: string;
  markerRecordedEventAttributes?: { markerName: string; details?: Record<string, { payloads?: { data?: string }[] }> };
  upsertWorkflowSearchAttributesEventAttributes?: { searchAttributes: { indexedFields: Record<string, unknown> } };
}

async function historyOf(handle: TaskHandle): Promise<Event[]> {
  return (JSON.parse(historyToJSON(await handle.fetchHistory())) as { events: Event[] }).events;
}

const count = (events: Event[], type: string) => events.filter((e) => e.eventType === `EVENT_TYPE_${type}`).length;

/** Runs `scenario` on a fresh task started as `DubanClient.startTask` starts one (plan, number and lead set at start). */
const withTask = (input: TaskWorkflowInput, scenario: (handle: TaskHandle) => Promise<void>) =>
  withTaskWorkflow(env, memory.activities, input, scenario, {
    typedSearchAttributes: [
      { key: planSearchAttribute, value: input.planId },
      { key: taskNumberSearchAttribute, value: input.taskNumber },
      { key: primaryLeadSearchAttribute, value: input.primaryLead },
    ],
  });

/**
 * Waits for the assignment's audit entry: the first workflow task, which armed the first
 * timer, is complete. (A message that reaches the task with its first workflow task is
 * applied before the loop arms anything, and the timer goes to the next check after it.)
 */
async function assigned(handle: TaskHandle): Promise<void> {
  for (let tries = 0; tries < 200 && !memory.events(handle.workflowId).includes('task.assigned'); tries += 1) await new Promise((resolve) => setTimeout(resolve, 50));
}

const send = {
  ack: (h: TaskHandle, actor: string) => h.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid('ack'), actor }] }),
  report: (h: TaskHandle, actor: string, percent: number) => h.executeUpdate(reportProgressUpdate, { args: [{ requestId: rid('report'), actor, percent, note: `${percent}%` }] }),
  submit: (h: TaskHandle) => h.executeUpdate(submitUpdate, { args: [{ requestId: rid('submit'), actor: 'chengjian-head', summary: '牵头汇总' }] }),
  approve: (h: TaskHandle) => h.executeUpdate(reviewUpdate, { args: [{ requestId: rid('approve'), actor: 'supervisor-1', decision: 'approve', score: 80 }] }),
  cancel: (h: TaskHandle) => h.executeUpdate(cancelUpdate, { args: [{ requestId: rid('cancel'), actor: 'hq-1', reason: 'test over' }] }),
};

test('the happy path arms one timer, cancels none, and upserts only the search attributes that changed', async () => {
  const input = { ...taskInput(Date.now(), { planId: 'bookkeeping', taskNumber: freshTaskNumber(), deadlineInMs: 60 * DAY }), searchAttributes: true };
  await withTask(input, async (handle) => {
    await assigned(handle);
    for (const actor of ['chengjian-staff', 'chengguan-staff', 'community-staff']) await send.ack(handle, actor);
    await send.report(handle, 'chengjian-staff', 50);
    await send.report(handle, 'chengguan-staff', 100);
    await send.report(handle, 'chengjian-staff', 100);
    await send.submit(handle);
    await send.approve(handle);
    expect(await handle.result()).toMatchObject({ status: 'approved' });

    const events = await historyOf(handle);
    // The acknowledgement window's timer, armed at assignment and never re-armed: every
    // later check came after it, and the task ended first. Before, 9 timers started and 9
    // were cancelled here, plus a 10-second timer per update.
    expect(count(events, 'TIMER_STARTED')).toBe(1);
    expect(count(events, 'TIMER_CANCELED')).toBe(0);
    expect(count(events, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED')).toBe(8);
    const markers = events.flatMap((e) => Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((p) => (p.payloads ?? []).map((d) => Buffer.from(d.data ?? '', 'base64').toString())));
    expect(markers.some((m) => m.includes('duban-task-bookkeeping'))).toBe(true);

    // Plan, number and lead came with the start; each upsert holds only what changed.
    const upserts = events.flatMap((e) => {
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes.indexedFields;
      return fields ? [Object.keys(fields).sort()] : [];
    });
    expect(upserts).toEqual([
      // The SDK's, for the one patch the run asks (it takes the older ones with it).
      ['TemporalChangeVersion'],
      ['DubanEscalationLevel', 'DubanLight', 'DubanNextDeadline', 'DubanStatus'],
      ['DubanStatus'], // acknowledged
      ['DubanStatus'], // in-progress
      ['DubanNextDeadline', 'DubanStatus'], // submitted: the review is due before the deadline
      ['DubanNextDeadline', 'DubanStatus'], // approved: nothing is due any more
    ]);
    const attributes = (await handle.describe()).typedSearchAttributes;
    expect(attributes.get(statusSearchAttribute)).toBe('approved');
    expect(attributes.get(nextDeadlineSearchAttribute)).toBeUndefined();
    await maybeRecordHistory('task-bookkeeping', handle);
  });
});

test('a timer that fires before anything is due arms the next check, which fires on time', async () => {
  const base = taskInput(Date.now(), { planId: 'bookkeeping', taskNumber: freshTaskNumber(), deadlineInMs: 60 * DAY });
  const input = { ...base, searchAttributes: true, policy: { ...base.policy, acknowledgementWindowMs: 3_000, stallWindowMs: 5_000 } };
  await withTask(input, async (handle) => {
    // Once the first workflow task armed the window's timer, the primary lead acknowledges: the armed timer is no longer due.
    await assigned(handle);
    await send.ack(handle, 'chengjian-staff');
    expect(memory.events(handle.workflowId)).not.toContain('acknowledgement.overdue');
    const deadline = Date.now() + 30_000;
    while (!memory.events(handle.workflowId).includes('task.stalled') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await send.cancel(handle);
    await handle.result();

    const acknowledged = memory.audit.find((e) => e.workflowId === handle.workflowId && e.event === 'task.acknowledged');
    const stalled = memory.audit.find((e) => e.workflowId === handle.workflowId && e.event === 'task.stalled');
    expect(stalled).toBeDefined();
    // Checked when due (five seconds without activity), not when the first timer fired.
    expect(Date.parse(stalled?.at ?? '') - Date.parse(acknowledged?.at ?? '')).toBeGreaterThanOrEqual(5_000);
    const events = await historyOf(handle);
    // The window's timer fired early and the stall check's fired on time; nothing was cancelled.
    expect(count(events, 'TIMER_FIRED')).toBe(2);
    expect(count(events, 'TIMER_CANCELED')).toBe(0);
    // And one more timer for the reminder rung the stall started.
    expect(count(events, 'TIMER_STARTED')).toBe(3);
    await maybeRecordHistory('task-timer-fired-early', handle);
  });
});

test('a task launched by a campaign signals the board only when its line on the board changes', async () => {
  const planId = `board-signals-${Date.now()}`;
  const auditStore = new InMemoryAuditStore();
  const activities = createActivities({ auditStore, notifier: new LogAndWebhookNotifier({ logger: new DefaultLogger('ERROR') }) });
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: DUBAN_TASK_QUEUE, workflowBundle: await workflowBundle(), activities });
  await worker.runUntil(async () => {
    const campaign = await env.client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      taskQueue: DUBAN_TASK_QUEUE,
      workflowId: campaignWorkflowId(planId),
      args: [campaignInput(Date.now(), planId)],
    });
    const task = env.client.workflow.getHandle<typeof taskWorkflow>(taskWorkflowId(planId, 1));
    const other = env.client.workflow.getHandle<typeof taskWorkflow>(taskWorkflowId(planId, 2));
    // The task's first workflow task done (its assignment written, its first summary sent), so each message below is a change of its own.
    for (let tries = 0; tries < 200 && (await auditStore.count({ workflowId: task.workflowId, event: 'task.assigned' })) === 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The primary lead's acknowledgement moves the task's status; the others' change nothing the board shows.
    for (const actor of ['chengjian-staff', 'chengguan-staff', 'community-staff']) await send.ack(task, actor);
    await send.cancel(task);
    await send.cancel(other);
    await task.result();
    await campaign.result();

    const signals = (await historyOf(task)).filter((e) => e.eventType === 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED');
    // Assigned, acknowledged, cancelled: three lines, of five changes.
    expect(signals).toHaveLength(3);
  });
});
