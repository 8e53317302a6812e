/**
 * The campaign's life on the time-skipping server: weekly bulletins from a durable timer,
 * continue-as-new carrying the board, and the roll-up by unit when every task is done.
 */
import { Worker } from '@temporalio/worker';
import {
  acknowledgeUpdate,
  boardQuery,
  bulletinsQuery,
  cancelUpdate,
  campaignWorkflowId,
  DUBAN_TASK_QUEUE,
  reviewUpdate,
  submitUpdate,
  taskWorkflowId,
  WEEK_MS,
  type CampaignWorkflowInput,
} from '@duban/workflows';
import type { campaignWorkflow } from '@duban/workflows/workflows';
import { serverPerFile, startTimeSkipping, workflowBundle } from '../harness';
import { DAY, MemoryActivities, people, rid, taskInput } from '../workflows/fixtures';

const env = serverPerFile(startTimeSkipping);
const memory = new MemoryActivities();

it('sends a bulletin every week, continues as new with its board, and rolls up the assessment when every task is done', async () => {
  const nowMs = await env().currentTimeMs();
  const planId = `lifecycle-${Date.now()}`;
  const input: CampaignWorkflowInput = {
    planId,
    planTitle: '测试计划',
    campaignYear: new Date(nowMs).getUTCFullYear(),
    timeZone: 'Asia/Shanghai',
    tasks: [taskInput(nowMs, { planId, taskNumber: 1, deadlineInMs: 30 * DAY }), taskInput(nowMs, { planId, taskNumber: 2, deadlineInMs: 30 * DAY })],
    units: taskInput(nowMs).units,
    hq: people.filter((p) => p.roles.includes('hq-office')),
    dispatch: { firstAt: new Date(nowMs + DAY).toISOString(), intervalMs: WEEK_MS },
    endAt: new Date(nowMs + 200 * DAY).toISOString(),
    searchAttributes: false,
    // Small, so the campaign continues as new while the test runs.
    continueAsNewAtHistoryLength: 40,
  };
  const worker = await Worker.create({ connection: env().nativeConnection, taskQueue: DUBAN_TASK_QUEUE, workflowBundle: await workflowBundle(), activities: memory.activities });
  await worker.runUntil(async () => {
    const campaign = await env().client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', { taskQueue: DUBAN_TASK_QUEUE, workflowId: campaignWorkflowId(planId), args: [input] });
    const task = (n: number) => env().client.workflow.getHandle(taskWorkflowId(planId, n));
    await env().sleep(15 * DAY);

    const bulletins = await campaign.query(bulletinsQuery);
    expect(bulletins.kept.map((b) => b.number)).toEqual([1, 2, 3]);
    expect(bulletins.latest?.totals).toMatchObject({ tasks: 2 });
    // Unacknowledged after the window: both tasks escalated, which the first bulletin after it reports.
    expect(bulletins.kept.flatMap((b) => b.escalationsOpened).map((e) => e.taskNumber).sort()).toEqual([1, 2]);
    const sent = memory.notifications.filter((n) => n.notice.kind === 'bulletin');
    expect(sent.map((n) => n.recipients)).toEqual(Array(3).fill([{ person: 'hq-1', unit: 'chengguan', role: 'hq-office' }]));
    // The bulletin goes out as facts (the render step writes the words), with the plan's unit names.
    expect(sent.map((n) => n.notice)).toEqual(
      bulletins.kept.map((bulletin) =>
        expect.objectContaining({
          kind: 'bulletin',
          plan: { id: planId, title: '测试计划' },
          names: expect.objectContaining({ units: { chengjian: '城建办', chengguan: '城管办', communities: '各相关社区' } }),
          settings: expect.objectContaining({ timeZone: 'Asia/Shanghai' }),
          bulletin,
        }),
      ),
    );

    await task(1).executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid(), actor: 'chengjian-head' }] });
    await task(1).executeUpdate(submitUpdate, { args: [{ requestId: rid(), actor: 'chengjian-staff', summary: '绿道建成' }] });
    // Approving work reported below 100% needs a recorded reason.
    await task(1).executeUpdate(reviewUpdate, { args: [{ requestId: rid(), actor: 'supervisor-1', decision: 'approve', score: 96, note: '绿道已建成，现场验收通过' }] });
    // Approved 15 days early with a high score: commended (表扬) despite the two rungs.
    await task(2).executeUpdate(cancelUpdate, { args: [{ requestId: rid(), actor: 'hq-1', reason: '并入任务1' }] });

    const result = await campaign.result();
    expect(result.endedBy).toBe('all-finished');
    expect(result.bulletins).toBe(3);
    expect(result.assessment).toEqual([
      { unit: 'chengjian', tasks: 2, approved: 1, cancelled: 1, averageScore: expect.any(Number), yellows: 0, reds: 0, rungs: expect.any(Number), commendations: 1 },
    ]);
    expect(result.assessment[0]?.rungs).toBeGreaterThanOrEqual(2);
    const board = await campaign.query(boardQuery);
    expect(board.status).toBe('completed');
    expect(board.tasks.map((t) => t.status)).toEqual(['approved', 'cancelled']);
    // It continued as new at least once: the run that ended is not the first.
    expect((await campaign.describe()).runId).not.toBe(campaign.firstExecutionRunId);
    expect(memory.events(campaignWorkflowId(planId))).toEqual(expect.arrayContaining(['campaign.launched', 'campaign.bulletin', 'campaign.ended']));
  });
}, 300_000);
