import { Worker } from '@temporalio/worker';
import { bundleWorkflows, serverPerFile, startDevServer } from '../harness';
import * as activities from './fixtures/activities';
import { proceedSignal, twoSteps } from './fixtures/workflows';

const workflowsPath = require.resolve('./fixtures/workflows');
const taskQueue = 'foundation-restart';

describe('the dev server', () => {
  const env = serverPerFile(startDevServer);

  async function createWorker(): Promise<Worker> {
    return Worker.create({
      connection: env().nativeConnection,
      taskQueue,
      workflowBundle: await bundleWorkflows(workflowsPath),
      activities,
      // A worker that keeps no cache must rebuild the workflow from history: the restart is real.
      maxCachedWorkflows: 0,
    });
  }

  it('finishes a workflow on a new worker after the first one stopped mid-way', async () => {
    const workflowId = `restart-${Date.now()}`;
    const handle = await env().client.workflow.start(twoSteps, { taskQueue, workflowId });

    const first = await createWorker();
    await first.runUntil(async () => {
      // Wait until the first step's activity has completed in history.
      for (;;) {
        const history = await handle.fetchHistory();
        if (history.events?.some((event) => event.activityTaskCompletedEventAttributes)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    expect(first.getState()).toBe('STOPPED');

    await handle.signal(proceedSignal);
    const second = await createWorker();
    const steps = await second.runUntil(handle.result());

    expect(steps).toHaveLength(2);
    expect(steps[0]).toMatch(/^first@pid\d+$/);
    expect(steps[1]).toMatch(/^second@pid\d+$/);
    const description = await handle.describe();
    expect(description.status.name).toBe('COMPLETED');
  });
});
