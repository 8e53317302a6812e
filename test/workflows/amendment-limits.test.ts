/**
 * The campaign's amendment limits (`AMENDMENT_LIMITS`), on the time-skipping server: an
 * amendment over one is refused by the campaign's validator, naming the field and the
 * limit, before anything is recorded; one within them is applied. Its reasons go into the
 * amended tasks' timelines, and the whole travels in one payload.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import {
  AMENDMENT_LIMITS,
  amendPlanUpdate,
  boardQuery,
  campaignWorkflowId,
  canonicalBytes,
  DUBAN_TASK_QUEUE,
  taskWorkflowId,
  WEEK_MS,
  type MoveDeadline,
  type PlanAmendment,
} from '@duban/workflows';
import type { campaignWorkflow } from '@duban/workflows/workflows';
import { startTimeSkipping, workflowBundle } from '../harness';
import { DAY, MemoryActivities, people, rid, taskInput } from './fixtures';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkipping();
}, 300_000);
afterAll(async () => {
  await env?.teardown();
});

/** The failure a refused update came back with. */
async function refusal(sending: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await sending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((error as WorkflowUpdateFailedError).cause).toBeInstanceOf(ApplicationFailure);
  return (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
}

it('refuses an amendment over its limits, naming the field and the limit, and applies one within them', async () => {
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: DUBAN_TASK_QUEUE, workflowBundle: await workflowBundle(), activities: new MemoryActivities().activities });
  await worker.runUntil(async () => {
    const nowMs = await env.currentTimeMs();
    const planId = `amendment-limits-${nowMs}`;
    // A campaign of one task, launched before signatures (its roster holds no keys): HQ office amends unsigned.
    const tasks = [{ ...taskInput(nowMs, { planId, taskNumber: 1, deadlineInMs: 30 * DAY }), people }];
    const handle = await env.client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      taskQueue: DUBAN_TASK_QUEUE,
      workflowId: campaignWorkflowId(planId),
      args: [
        {
          planId,
          planTitle: '修改上限',
          campaignYear: new Date(nowMs).getUTCFullYear(),
          timeZone: 'Asia/Shanghai',
          tasks,
          units: tasks[0]!.units,
          hq: people.filter((p) => p.roles.includes('hq-office')),
          dispatch: { firstAt: new Date(nowMs + 100 * DAY).toISOString(), intervalMs: WEEK_MS },
          endAt: new Date(nowMs + 200 * DAY).toISOString(),
          searchAttributes: false,
        },
      ],
    });
    const deadlineAt = new Date(nowMs + 40 * DAY).toISOString();
    const move = (reason: string): MoveDeadline => ({ taskNumber: 1, deadlineAt, reason });
    const amendment = (change: Partial<PlanAmendment>): PlanAmendment => ({ amendmentId: rid('amend'), actor: 'hq-1', reason: '计划调整', addTasks: [], moveDeadlines: [move('延后')], reassign: [], ...change });
    const amend = (a: PlanAmendment) => handle.executeUpdate(amendPlanUpdate, { args: [a] });
    const longReason = '调'.repeat(AMENDMENT_LIMITS.reason);
    // 500 moves of 1000-character reasons: within each limit, 1.5 MB together.
    const many = Array.from({ length: AMENDMENT_LIMITS.moveDeadlines }, () => move(longReason));
    const cases: [string, PlanAmendment, string][] = [
      ['its reason', amendment({ reason: `${longReason}调` }), `reason is ${AMENDMENT_LIMITS.reason + 1} characters; at most ${AMENDMENT_LIMITS.reason}`],
      ['a move’s reason', amendment({ moveDeadlines: [move('延后'), move(`${longReason}调`)] }), `moveDeadlines[1].reason is ${AMENDMENT_LIMITS.reason + 1} characters`],
      ['its moves', amendment({ moveDeadlines: [...many, move('延后')] }), `moveDeadlines is ${AMENDMENT_LIMITS.moveDeadlines + 1} entries; at most ${AMENDMENT_LIMITS.moveDeadlines}`],
      ['its id', amendment({ amendmentId: 'a'.repeat(AMENDMENT_LIMITS.amendmentId + 1) }), `amendmentId is ${AMENDMENT_LIMITS.amendmentId + 1} characters`],
      ['the whole', amendment({ moveDeadlines: many }), `bytes as canonical JSON without proof; at most ${AMENDMENT_LIMITS.bytes}`],
    ];
    for (const [what, a, says] of cases) {
      const failure = await refusal(amend(a));
      expect([what, failure.type]).toEqual([what, 'INVALID_AMENDMENT']);
      expect(failure.message).toContain(says);
    }
    expect(canonicalBytes(amendment({ moveDeadlines: many }))).toBeGreaterThan(AMENDMENT_LIMITS.bytes);
    expect((await handle.query(boardQuery)).amendments).toEqual([]);

    const within = amendment({ reason: longReason, moveDeadlines: [move(longReason)] });
    expect(await amend(within)).toMatchObject({ applied: true, moved: [1] });
    expect((await handle.query(boardQuery)).amendments.map((a) => a.amendmentId)).toEqual([within.amendmentId]);
    // The campaign and its task would run on: ended here so nothing of this test outlives it.
    await env.client.workflow.getHandle(taskWorkflowId(planId, 1)).terminate('test over');
    await handle.terminate('test over');
  });
});
