/**
 * The task's board signal to its campaign, when no campaign run takes it. Continue-as-new
 * leaves such a moment: the time-skipping server closes the old run before it opens the
 * new one (it is not atomic), and the dev server refuses signals while a run's attempt to
 * continue as new is retried ("Workflow is closing"). The task used to log the refusal and
 * go on, so the board kept a stale line for good. Here the moment is made to last, on the
 * time-skipping server: the task changes while its campaign has no run at all, then the
 * campaign starts; the task's retries (`duban-board-signal-retry`) must bring the board up
 * to date.
 */
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import {
  acknowledgeUpdate,
  boardQuery,
  campaignWorkflowId,
  cancelUpdate,
  DUBAN_TASK_QUEUE,
  reportProgressUpdate,
  taskStateQuery,
  taskWorkflowId,
  WEEK_MS,
  type CampaignWorkflowInput,
} from '@duban/workflows';
import type { campaignWorkflow, taskWorkflow } from '@duban/workflows/workflows';
import { serverPerFile, startTimeSkipping, workflowBundle } from '../harness';
import { DAY, maybeRecordHistory, MemoryActivities, people, rid, taskInput } from './fixtures';

const env = serverPerFile(startTimeSkipping);
const memory = new MemoryActivities();

/** How many of the task's signals to the campaign failed after event `afterEventId`. */
async function failedSignalsAfter(handle: WorkflowHandle, afterEventId: number): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.filter((e) => e.signalExternalWorkflowExecutionFailedEventAttributes && Number(e.eventId) > afterEventId).length;
}

/** The event that accepted the task's latest update: its change, and the signal that tells it, come after. */
async function lastUpdateAccepted(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  return Number(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).pop()?.eventId ?? 0);
}

async function waitFor(what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('a change the campaign could not take is sent again, and the board shows it once the campaign takes signals', async () => {
  const nowMs = await env().currentTimeMs();
  const planId = `board-retry-${Date.now()}`;
  const task = taskInput(nowMs, { planId, taskNumber: 1, deadlineInMs: 30 * DAY });
  const campaign: CampaignWorkflowInput = {
    planId,
    planTitle: '测试计划',
    campaignYear: new Date(nowMs).getUTCFullYear(),
    timeZone: 'Asia/Shanghai',
    tasks: [task],
    units: task.units,
    hq: people.filter((p) => p.roles.includes('hq-office')),
    dispatch: { firstAt: new Date(nowMs + DAY).toISOString(), intervalMs: WEEK_MS },
    endAt: new Date(nowMs + 200 * DAY).toISOString(),
    searchAttributes: false,
  };
  const worker = await Worker.create({ connection: env().nativeConnection, taskQueue: DUBAN_TASK_QUEUE, workflowBundle: await workflowBundle(), activities: memory.activities });
  await worker.runUntil(async () => {
    // The task as its campaign starts it, while the campaign has no run to take a signal.
    const handle = await env().client.workflow.start<typeof taskWorkflow>('taskWorkflow', {
      taskQueue: DUBAN_TASK_QUEUE,
      workflowId: taskWorkflowId(planId, 1),
      args: [{ ...task, campaignWorkflowId: campaignWorkflowId(planId) }],
    });
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid('ack'), actor: 'chengjian-staff' }] });
    await handle.executeUpdate(reportProgressUpdate, { args: [{ requestId: rid('report'), actor: 'chengjian-staff', percent: 40, note: '绿道完成四成' }] });
    const reported = await lastUpdateAccepted(handle);
    // The summary with the report was refused too: the campaign has not heard of it.
    await waitFor('a refused signal after the report', async () => (await failedSignalsAfter(handle, reported)) >= 1, 30_000);

    // The campaign takes signals again; the task already runs, so its line starts as launched.
    const campaignHandle = await env().client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      taskQueue: DUBAN_TASK_QUEUE,
      workflowId: campaignWorkflowId(planId),
      args: [campaign],
    });
    const line = async () => (await campaignHandle.query(boardQuery)).tasks.find((t) => t.taskNumber === 1);
    // Within the round of tries (BOARD_SIGNAL_RETRY: 31 s of waits in all), in real time: the test holds time-skipping.
    await waitFor('the board to show the report', async () => (await line())?.percent === 40, 40_000);
    const state = await handle.query(taskStateQuery);
    expect(await line()).toMatchObject({ status: state.status, percent: 40, light: state.light });

    await handle.executeUpdate(cancelUpdate, { args: [{ requestId: rid('cancel'), actor: 'hq-1', reason: '测试结束' }] });
    expect((await handle.result()).status).toBe('cancelled');
    const result = await campaignHandle.result();
    expect(result.endedBy).toBe('all-finished');
    expect(result.assessment).toEqual([expect.objectContaining({ unit: 'chengjian', tasks: 1, cancelled: 1 })]);
    await maybeRecordHistory('task-board-signal-retried', handle);
  });
}, 120_000);
