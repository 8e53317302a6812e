/**
 * The audit trail's hash chain, computed in workflow code: every entry a task or a
 * campaign writes links to the one before it (across continue-as-new), its hash
 * recomputes from its fields, and the head in the state query is the last entry's.
 * Read from what the workflow handed `appendAudit`.
 */
import { Worker } from '@temporalio/worker';
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
} from '@duban/workflows';
import type { campaignWorkflow, taskWorkflow } from '@duban/workflows/workflows';
import { serverPerFile, startTimeSkipping, workflowBundle } from '../harness';
import { campaignInput, deliveryRig, entriesOf, expectChained, type DeliveryRig } from './delivery-fixtures';
import { DAY, freshTaskNumber, maybeRecordHistory, rid, taskInput } from './fixtures';

const env = serverPerFile(startTimeSkipping);
let rig: DeliveryRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function worker(using: DeliveryRig): Promise<Worker> {
  return Worker.create({ connection: env().nativeConnection, taskQueue: DUBAN_TASK_QUEUE, workflowBundle: await workflowBundle(), activities: using.activities });
}

it('links every entry of a task to the one before, across continue-as-new, and shows the head in the state query', async () => {
  rig = await deliveryRig(() => ({ status: 200 }));
  const using = rig;
  const input = { ...taskInput(await env().currentTimeMs(), { taskNumber: freshTaskNumber() }), continueAsNewAtHistoryLength: 40 };
  await (await worker(using)).runUntil(async () => {
    const handle = await env().client.workflow.start<typeof taskWorkflow>('taskWorkflow', {
      taskQueue: DUBAN_TASK_QUEUE,
      workflowId: taskWorkflowId(input.planId, input.taskNumber),
      args: [input],
    });
    const id = handle.workflowId;
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid(), actor: 'chengjian-staff' }] });
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid(), actor: 'chengguan-staff' }] });
    for (const percent of [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]) {
      await handle.executeUpdate(reportProgressUpdate, { args: [{ requestId: rid(), actor: 'chengjian-staff', percent, note: `${percent}%` }] });
      // An update answers once its entry is written: the head is the newest stored entry, mid-run too.
      const stored = entriesOf(using, id);
      expect((await handle.query(taskStateQuery)).auditChain).toEqual({ seq: stored.length, hash: stored[stored.length - 1]?.chain?.hash });
    }
    await handle.executeUpdate(submitUpdate, { args: [{ requestId: rid(), actor: 'chengjian-head', summary: '牵头汇总' }] });
    await handle.executeUpdate(reviewUpdate, { args: [{ requestId: rid(), actor: 'supervisor-1', decision: 'approve', score: 95 }] });
    await handle.result();

    // It continued as new at least once: the run that ended is not the first.
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
    const entries = entriesOf(using, id);
    const state = await handle.query(taskStateQuery);
    expect(entries.map((e) => e.event)).toEqual(state.timeline.map((t) => t.kind));
    // The chain's seq is the task's event seq, the one in each idempotency key.
    expect(entries.map((e) => e.chain?.seq)).toEqual(state.timeline.map((t) => t.seq));
    expectChained(entries);
    const last = entries[entries.length - 1];
    expect(state.auditChain).toEqual({ seq: last?.chain?.seq, hash: last?.chain?.hash });
    // The first run: it drains both lanes and carries the chain's head into the next.
    await maybeRecordHistory('chained-continue-as-new', env().client.workflow.getHandle(id, handle.firstExecutionRunId));
  });
});

it("links the campaign's own entries in one chain across continue-as-new and shows its head on the board", async () => {
  rig = await deliveryRig(() => ({ status: 200 }));
  const using = rig;
  const nowMs = await env().currentTimeMs();
  const planId = `chain-${Date.now()}`;
  const input = campaignInput(nowMs, planId);
  await (await worker(using)).runUntil(async () => {
    const campaign = await env().client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', { taskQueue: DUBAN_TASK_QUEUE, workflowId: campaignWorkflowId(planId), args: [input] });
    await env().sleep(15 * DAY);
    for (const n of [1, 2]) {
      await env().client.workflow.getHandle(taskWorkflowId(planId, n)).executeUpdate(cancelUpdate, { args: [{ requestId: rid(), actor: 'hq-1', reason: '并入其他计划' }] });
    }
    const result = await campaign.result();
    expect(result.bulletins).toBe(3);
    expect((await campaign.describe()).runId).not.toBe(campaign.firstExecutionRunId);

    const entries = entriesOf(using, campaign.workflowId);
    expect(entries.map((e) => e.event)).toEqual(['campaign.launched', 'campaign.bulletin', 'campaign.bulletin', 'campaign.bulletin', 'campaign.ended']);
    expectChained(entries);
    const last = entries[entries.length - 1];
    expect((await campaign.query(boardQuery)).auditChain).toEqual({ seq: 5, hash: last?.chain?.hash });
    // Each task keeps its own chain.
    for (const n of [1, 2]) {
      const task = entriesOf(using, taskWorkflowId(planId, n));
      expectChained(task);
      expect((await env().client.workflow.getHandle(taskWorkflowId(planId, n)).query(taskStateQuery)).auditChain?.hash).toBe(task[task.length - 1]?.chain?.hash);
    }
    await maybeRecordHistory('campaign-chained', env().client.workflow.getHandle(campaign.workflowId, campaign.firstExecutionRunId));
  });
}, 300_000);
