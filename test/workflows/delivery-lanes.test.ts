/**
 * Delivery in two lanes, on the time-skipping server with a real webhook receiver: audit
 * entries (and so callers' answers) never wait for a notice; a notice that cannot be
 * delivered is recorded as `notification.failed`, HQ is told, and the next one goes; a
 * slow receiver sees one notice a bounded number of times.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { NOTICE_DELIVERY } from '@duban/common';
import {
  acknowledgeUpdate,
  boardQuery,
  campaignWorkflowId,
  cancelUpdate,
  DUBAN_TASK_QUEUE,
  reportProgressUpdate,
  reviewUpdate,
  submitUpdate,
  taskStateQuery,
  taskWorkflowId,
  type TaskWorkflowInput,
} from '@duban/workflows';
import type { campaignWorkflow, taskWorkflow } from '@duban/workflows/workflows';
import { serverPerFile, startTimeSkipping, workflowBundle } from '../harness';
import { campaignInput, deliveryRig, entriesOf, eventsOf, expectChained, kindOf, posted, promptly, waitUntil, type DeliveryRig } from './delivery-fixtures';
import { DAY, freshTaskNumber, maybeRecordHistory, rid, taskInput } from './fixtures';

type TaskHandle = WorkflowHandle<typeof taskWorkflow>;

const env = serverPerFile(startTimeSkipping);

/**
 * Awaits `waiting` while minding a defect of the time-skipping test server (see
 * `@duban/simulate`'s engine): after activity attempts time out it can keep one lock on
 * time skipping, and virtual time then crawls at wall-clock pace. When virtual time has
 * moved no faster than the wall clock for three checks in a row, one `unlockTimeSkipping`
 * releases that leaked lock. Only time's pace changes: what the test asserts does not.
 */
async function releasingLeakedLock<T>(waiting: Promise<T>): Promise<T> {
  let done = false;
  const settled = waiting.finally(() => {
    done = true;
  });
  let still = 0;
  let last = await env().currentTimeMs();
  while (!done) {
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    if (done) break;
    const now = await env().currentTimeMs();
    still = now - last <= 2_000 ? still + 1 : 0;
    last = now;
    if (still >= 3) {
      await env().connection.testService?.unlockTimeSkipping({});
      still = 0;
    }
  }
  return settled;
}
let rig: DeliveryRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Starts a fresh task and plays `scenario` on it while a worker with `rig`'s activities runs. */
async function withTask(using: DeliveryRig, scenario: (handle: TaskHandle) => Promise<void>, options: Partial<TaskWorkflowInput> = {}): Promise<void> {
  const input = { ...taskInput(await env().currentTimeMs(), { taskNumber: freshTaskNumber() }), ...options };
  const worker = await Worker.create({ connection: env().nativeConnection, taskQueue: DUBAN_TASK_QUEUE, workflowBundle: await workflowBundle(), activities: using.activities });
  await worker.runUntil(async () => {
    const handle = await env().client.workflow.start<typeof taskWorkflow>('taskWorkflow', {
      taskQueue: DUBAN_TASK_QUEUE,
      workflowId: taskWorkflowId(input.planId, input.taskNumber),
      args: [input],
    });
    await scenario(handle);
  });
}

const ack = (h: TaskHandle, actor: string) => h.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid('ack'), actor }] });
const report = (h: TaskHandle, actor: string, percent: number) =>
  h.executeUpdate(reportProgressUpdate, { args: [{ requestId: rid('report'), actor, percent, note: `${percent}% done` }] });
const submit = (h: TaskHandle, actor: string) => h.executeUpdate(submitUpdate, { args: [{ requestId: rid('submit'), actor, summary: '牵头汇总: all parts reported' }] });
const approve = (h: TaskHandle, actor: string, score: number) =>
  h.executeUpdate(reviewUpdate, { args: [{ requestId: rid('approve'), actor, decision: 'approve', score }] });
const cancel = (h: TaskHandle) => h.executeUpdate(cancelUpdate, { args: [{ requestId: rid('cancel'), actor: 'hq-1', reason: 'test over' }] });

const HQ = [{ person: 'hq-1', unit: 'chengguan', role: 'hq-office' }];

it('a webhook answering 400 holds back no audit entry: the failure is recorded, HQ is told and later notices still go out', async () => {
  rig = await deliveryRig((_, request) => (kindOf(request) === 'assignment' ? { status: 400, body: 'unknown recipient' } : { status: 200 }));
  const using = rig;
  await withTask(using, async (handle) => {
    const id = handle.workflowId;
    // Each answer comes once the message's audit entry is written, whatever the notices do.
    for (const [what, send, event] of [
      ['acknowledge', () => ack(handle, 'chengjian-staff'), 'task.acknowledged'],
      ['reportProgress', () => report(handle, 'chengjian-staff', 100), 'progress.reported'],
      ['submit', () => submit(handle, 'chengjian-head'), 'task.submitted'],
    ] as const) {
      const answer = await promptly(send(), what);
      expect(answer).toMatchObject({ applied: true });
      expect(answer.auditPending).toBeUndefined();
      expect(eventsOf(using, id)).toContain(event);
    }
    await promptly(approve(handle, 'supervisor-1', 96), 'review');
    const result = await handle.result();
    expect(result.status).toBe('approved');

    const state = await handle.query(taskStateQuery);
    const entries = entriesOf(using, id);
    // Every event is in the trail, the failure among them, in the timeline's order.
    expect(entries.map((e) => e.event)).toEqual(state.timeline.map((t) => t.kind));
    const failed = entries.filter((e) => e.event === 'notification.failed');
    expect(failed).toHaveLength(1);
    const assignment = posted(using.webhook, 'assignment');
    // A rejection is not retried: one POST, and its key is the failure's.
    expect(assignment).toHaveLength(1);
    expect(failed[0]?.details).toMatchObject({
      kind: 'assignment',
      idempotencyKey: assignment[0]?.headers['idempotency-key'],
      reason: 'rejected',
      code: 'WEBHOOK_REJECTED',
      rounds: 1,
      eventSeq: 1,
    });
    // HQ heard of it, in words, with the recipients who missed the assignment named.
    const told = posted(using.webhook, 'notification-failed');
    expect(told).toHaveLength(1);
    const notice = JSON.parse(told[0]?.body ?? '{}') as { recipients: unknown; subject: string; body: string; notice: { undelivered: { kind: string } } };
    expect(notice.recipients).toEqual(HQ);
    expect(notice.notice.undelivered.kind).toBe('assignment');
    expect(notice.subject).toContain('通知未送达');
    expect(notice.body).toContain('城建办干部');
    // The notices after the failed one went out.
    expect(using.webhook.requests.map(kindOf)).toEqual(expect.arrayContaining(['review-requested', 'commendation']));
    await maybeRecordHistory('webhook-rejected', handle);
  });
});

it('an update answers once its audit entry is written while the webhook keeps failing and is retried', async () => {
  rig = await deliveryRig(() => ({ status: 503, body: 'maintenance' }));
  const using = rig;
  await withTask(using, async (handle) => {
    const id = handle.workflowId;
    // The notice lane is busy retrying the assignment.
    await waitUntil(() => posted(using.webhook, 'assignment').length >= 2, 'the assignment to be retried');
    const answer = await promptly(ack(handle, 'chengjian-staff'), 'acknowledge');
    expect(answer).toMatchObject({ applied: true, status: 'acknowledged' });
    expect(answer.auditPending).toBeUndefined();
    expect(eventsOf(using, id)).toEqual(['task.assigned', 'task.acknowledged']);
    // Still within its bounded rounds: nothing given up yet.
    expect(posted(using.webhook, 'assignment').length).toBeLessThanOrEqual(NOTICE_DELIVERY.attemptsPerRound * NOTICE_DELIVERY.rounds);
    await handle.terminate('test over');
  });
});

it('answers applied with auditPending after a bounded wait when the audit store is down, and writes the entry once it is back', async () => {
  rig = await deliveryRig(() => ({ status: 200 }));
  const using = rig;
  await withTask(using, async (handle) => {
    const id = handle.workflowId;
    await waitUntil(() => eventsOf(using, id).includes('task.assigned'), 'the assignment entry');
    using.storeDown = true;
    const started = Date.now();
    const answer = await promptly(ack(handle, 'chengjian-staff'), 'acknowledge', 30_000);
    expect(answer).toMatchObject({ applied: true, status: 'acknowledged', auditPending: true });
    // It waited for the entry, at most the bounded wait (10 s of workflow time).
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
    expect((await handle.query(taskStateQuery)).status).toBe('acknowledged');
    using.storeDown = false;
    await waitUntil(() => eventsOf(using, id).includes('task.acknowledged'), 'the acknowledgement entry once the store is back', 60_000);
    await handle.terminate('test over');
  });
});

it('a webhook slower than the attempt timeout sees a notice a bounded number of times, then the failure is recorded and HQ told', async () => {
  rig = await deliveryRig((_, request) => (kindOf(request) === 'assignment' ? 'hang' : { status: 200 }), { timeoutMs: 300 });
  const using = rig;
  await withTask(using, async (handle) => {
    const id = handle.workflowId;
    await waitUntil(() => posted(using.webhook, 'assignment').length >= 1, 'the first attempt');
    // Cancelling is answered at once, though the assignment is still being tried.
    await promptly(cancel(handle), 'cancel');
    // The task ends only when every notice is delivered or recorded failed (time skips the waits between rounds).
    const result = await promptly(releasingLeakedLock(handle.result()), 'the task', 120_000);
    expect(result.status).toBe('cancelled');

    const assignment = posted(using.webhook, 'assignment');
    expect(assignment).toHaveLength(NOTICE_DELIVERY.attemptsPerRound * NOTICE_DELIVERY.rounds);
    // Every repeat carries the one key, for the receiver to drop.
    expect(new Set(assignment.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    const failed = entriesOf(using, id).filter((e) => e.event === 'notification.failed');
    expect(failed.map((e) => e.details)).toEqual([
      expect.objectContaining({ kind: 'assignment', reason: 'unavailable', code: 'WEBHOOK_UNAVAILABLE', rounds: NOTICE_DELIVERY.rounds }),
    ]);
    expect(posted(using.webhook, 'notification-failed').map((r) => JSON.parse(r.body).recipients)).toEqual([HQ]);
    expect(posted(using.webhook, 'cancelled')).toHaveLength(1);
  });
});

it('tells HQ once: a notice of a failure that fails itself is recorded, not told again', async () => {
  rig = await deliveryRig(() => ({ status: 410, body: 'gone' }));
  const using = rig;
  await withTask(using, async (handle) => {
    const id = handle.workflowId;
    await promptly(cancel(handle), 'cancel');
    const result = await promptly(handle.result(), 'the task', 60_000);
    expect(result.status).toBe('cancelled');
    const failed = entriesOf(using, id).filter((e) => e.event === 'notification.failed').map((e) => e.details.kind);
    // assignment and cancelled failed, each told HQ; HQ's two notices failed and were only recorded.
    expect(failed.sort()).toEqual(['assignment', 'cancelled', 'notification-failed', 'notification-failed']);
    expect(using.webhook.requests.map(kindOf).sort()).toEqual(['assignment', 'cancelled', 'notification-failed', 'notification-failed']);
  });
});

it('a campaign whose bulletin the webhook rejects records notification.failed in its chain and runs on', async () => {
  rig = await deliveryRig((_, request) => (kindOf(request) === 'bulletin' ? { status: 400, body: 'no such hook' } : { status: 200 }));
  const using = rig;
  const planId = `rejected-bulletin-${Date.now()}`;
  const worker = await Worker.create({ connection: env().nativeConnection, taskQueue: DUBAN_TASK_QUEUE, workflowBundle: await workflowBundle(), activities: using.activities });
  await worker.runUntil(async () => {
    const campaign = await env().client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      taskQueue: DUBAN_TASK_QUEUE,
      workflowId: campaignWorkflowId(planId),
      args: [campaignInput(await env().currentTimeMs(), planId)],
    });
    await env().sleep(2 * DAY);
    expect((await campaign.query(boardQuery)).status).toBe('running');
    for (const n of [1, 2]) {
      await env().client.workflow.getHandle(taskWorkflowId(planId, n)).executeUpdate(cancelUpdate, { args: [{ requestId: rid(), actor: 'hq-1', reason: 'test over' }] });
    }
    expect(await campaign.result()).toMatchObject({ endedBy: 'all-finished', bulletins: 1 });

    const entries = entriesOf(using, campaign.workflowId);
    expect(entries.map((e) => e.event)).toEqual(['campaign.launched', 'notification.failed', 'campaign.bulletin', 'campaign.ended']);
    const bulletin = posted(using.webhook, 'bulletin');
    // Rejected: posted once, not retried.
    expect(bulletin).toHaveLength(1);
    expect(entries[1]?.details).toMatchObject({ kind: 'bulletin', idempotencyKey: bulletin[0]?.headers['idempotency-key'], reason: 'rejected', code: 'WEBHOOK_REJECTED' });
    expectChained(entries);
  });
});
