import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  acknowledgeUpdate,
  cancelUpdate,
  DUBAN_TASK_QUEUE,
  dubanSearchAttributes,
  statusSearchAttribute,
  taskWorkflowId,
} from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import { removeTemporaryDirectories, startDevServer, workflowBundle } from '../harness';
import { DAY, MemoryActivities, freshTaskNumber, rid, taskInput } from './fixtures';
import { eventually } from '../harness/poll';

// Search attributes need the dev server: the time-skipping server has none.
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

describe('the task workflow on the dev server', () => {
  it('keeps its typed search attributes current, so the web UI filters tasks by them', async () => {
    const nowMs = Date.now();
    const input = { ...taskInput(nowMs, { planId: 'visibility-plan', taskNumber: freshTaskNumber(), deadlineInMs: 30 * DAY }), searchAttributes: true };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: DUBAN_TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: memory.activities,
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof taskWorkflow>('taskWorkflow', {
        taskQueue: DUBAN_TASK_QUEUE,
        workflowId: taskWorkflowId(input.planId, input.taskNumber),
        args: [input],
      });
      await handle.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid(), actor: 'chengjian-staff' }] });

      // Every registered key, read back typed: a string, a number, a Date.
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect(Object.fromEntries(dubanSearchAttributes.map((key) => [key.name, attributes.get(key)]))).toEqual({
        DubanPlan: 'visibility-plan',
        DubanTaskNumber: input.taskNumber,
        DubanStatus: 'acknowledged',
        DubanLight: 'green',
        DubanEscalationLevel: 0,
        DubanPrimaryLead: 'chengjian',
        DubanNextDeadline: new Date(input.deadlineAt),
      });

      const query = `DubanPlan = 'visibility-plan' AND DubanStatus = 'acknowledged' AND DubanTaskNumber = ${input.taskNumber}`;
      const found = await eventually(
        async () => {
          const ids: string[] = [];
          for await (const execution of env.client.workflow.list({ query })) ids.push(execution.workflowId);
          return ids;
        },
        (ids) => ids.length > 0,
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(found).toEqual([handle.workflowId]);

      await handle.executeUpdate(cancelUpdate, { args: [{ requestId: rid(), actor: 'hq-1', reason: 'test over' }] });
      await handle.result();
      expect((await handle.describe()).typedSearchAttributes.get(statusSearchAttribute)).toBe('cancelled');
    });
  });
});
