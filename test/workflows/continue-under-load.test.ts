/**
 * Continue-as-new under a steady stream of messages, on the dev server with the duban
 * worker. A run continues as new once its handlers have finished; with several senders at
 * once some handler was always running, so the run never did, and Temporal terminated the
 * task at its 50 MB history limit (`pnpm soak`, 4 at a time: 1,462 reports, 18,532 events).
 * Now a message arriving while the run waits to continue and another is still handled is
 * sent back (CONTINUING_AS_NEW) to be sent again.
 */
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DubanClient } from '@duban/client';
import { acknowledgeUpdate, cancelUpdate, DUBAN_TASK_QUEUE, eventCount, reportProgressUpdate, taskStateQuery, taskWorkflowId } from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import { serverPerFile, startDevServerWithWorker, temporaryDirectory } from '../harness';
import { freshTaskNumber, rid, taskInput } from './fixtures';

const env = serverPerFile(() => startDevServerWithWorker(join(temporaryDirectory('duban-load-'), 'audit.sqlite')));

it('continues as new under reports sent four at a time, each applied once', async () => {
  // Unsigned (a task from before signatures): the senders' keys are not what this is about.
  const input = { ...taskInput(Date.now(), { planId: 'load-plan', taskNumber: freshTaskNumber() }), searchAttributes: true, continueAsNewAtHistoryLength: 150 };
  const workflowId = taskWorkflowId(input.planId, input.taskNumber);
  const handle = await env().client.workflow.start<typeof taskWorkflow>('taskWorkflow', { taskQueue: DUBAN_TASK_QUEUE, workflowId, args: [input] });
  await handle.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid('ack'), actor: 'chengjian-staff' }] });

  let sentAgain = 0;
  const report = async (n: number) => {
    const args = { requestId: rid('report'), actor: 'chengjian-staff', percent: n % 100, note: `第${n}次报送` };
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await handle.executeUpdate(reportProgressUpdate, { args: [args] });
      } catch (error) {
        const continuing = error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === 'CONTINUING_AS_NEW';
        if (!continuing || attempt >= 20) throw error;
        sentAgain += 1;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  };
  const reports = 200;
  let next = 1;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next <= reports) {
        const n = next;
        next += 1;
        await report(n);
      }
    }),
  );

  let continued = 0;
  let runId = handle.firstExecutionRunId;
  for (;;) {
    const events = (await env().client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    const next = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) break;
    continued += 1;
    runId = next;
  }
  // About 12 history events a report: 200 reports fill a 150-event run many times over.
  expect(continued).toBeGreaterThanOrEqual(5);
  const state = await handle.query(taskStateQuery);
  expect(eventCount(state, 'progress.reported')).toBe(reports);
  process.stdout.write(`${reports} reports 4 at a time: ${continued} continue-as-new, ${sentAgain} sent again after CONTINUING_AS_NEW\n`);
  await handle.executeUpdate(cancelUpdate, { args: [{ requestId: rid('cancel'), actor: 'hq-1', reason: '测试结束' }] });
  expect((await handle.result()).status).toBe('cancelled');
});

it('DubanClient sends a message refused with CONTINUING_AS_NEW again by itself, and it is applied once', async () => {
  const input = { ...taskInput(Date.now(), { planId: 'load-plan', taskNumber: freshTaskNumber() }), searchAttributes: true, continueAsNewAtHistoryLength: 120 };
  const workflowId = taskWorkflowId(input.planId, input.taskNumber);
  const handle = await env().client.workflow.start<typeof taskWorkflow>('taskWorkflow', { taskQueue: DUBAN_TASK_QUEUE, workflowId, args: [input] });
  const task = new DubanClient(env().client).task(input.planId, input.taskNumber);
  await task.acknowledge({ actor: 'chengjian-staff' });
  const reports = 80;
  let next = 1;
  // Four senders at once through the client: without its resending, some would fail with CONTINUING_AS_NEW.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next <= reports) {
        const n = next;
        next += 1;
        await task.reportProgress({ actor: 'chengjian-staff', percent: n % 100, note: `客户端第${n}次报送` });
      }
    }),
  );
  const state = await handle.query(taskStateQuery);
  expect(eventCount(state, 'progress.reported')).toBe(reports);
  expect(state.auditChain?.seq).toBeGreaterThan(reports);
  await task.cancel({ actor: 'hq-1', reason: '测试结束' });
  expect((await handle.result()).status).toBe('cancelled');
});
