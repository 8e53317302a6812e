/**
 * Starting the plan's tasks (交办). A campaign launched from a stored plan has the worker
 * start them a batch at a time, two batches in flight, resuming where an earlier run
 * stopped, so a plan of thousands of tasks neither floods the worker nor outgrows a run's
 * history. Campaigns launched before, and tasks an amendment adds, are started here as
 * abandoned children: each task is its own record and outlives the campaign. Workflow code.
 */
import { condition, log, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type SearchAttributePair } from '@temporalio/common';
import { SYSTEM_ACTOR, TASK_WORKFLOW_TYPE, taskWorkflowId } from '@duban/common';
import { MAX_LISTED_ALREADY_RUNNING, type CampaignLaunchActivities, type LaunchProgress } from './campaign-definitions';
import { initialBoardTask } from './campaign-decisions';
import { addLine, release, reported } from './campaign-board';
import type { CampaignRun } from './campaign-run';
import { continueWithSnapshot, shouldContinueAsNew } from './campaign-snapshot';
import { TASK_BATCH_SIZE } from './campaign-storage';
import { iso } from './decisions';
import type { TaskWorkflowInput } from './task/definitions';
import { planSearchAttribute, primaryLeadSearchAttribute, taskNumberSearchAttribute } from './task/search-attributes';
import type { taskWorkflow } from './task/workflow';

/** Starting a batch of tasks takes a client call per task: minutes on a busy server, at worst. */
const { startTaskBatch } = proxyActivities<CampaignLaunchActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/**
 * The launch's backpressure: a batch is started once the batch before the last one has
 * reported (or after this long), so two batches are in flight and the worker is never
 * handed thousands of tasks it has not run yet.
 */
const LAUNCH_BACKPRESSURE_MS = 60_000;

export async function startTask(run: CampaignRun, task: TaskWorkflowInput): Promise<'started' | 'existing'> {
  const { input, workflowId } = run;
  const id = taskWorkflowId(input.planId, task.taskNumber);
  const typedSearchAttributes: SearchAttributePair[] = [
    { key: planSearchAttribute, value: input.planId },
    { key: taskNumberSearchAttribute, value: task.taskNumber },
    { key: primaryLeadSearchAttribute, value: task.primaryLead },
  ];
  try {
    await startChild<typeof taskWorkflow>(TASK_WORKFLOW_TYPE, {
      workflowId: id,
      args: [{ ...task, campaignWorkflowId: workflowId }],
      // Tasks outlive the campaign's run (continue-as-new) and its end: each is its own record.
      parentClosePolicy: 'ABANDON',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      ...(input.searchAttributes === false ? {} : { typedSearchAttributes }),
    });
    return 'started';
  } catch (err) {
    // Started before the campaign (e.g. `startTask`): it runs on, without board updates.
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      log.warn('Task workflow already existed; the campaign does not start it again', { workflowId: id });
      return 'existing';
    }
    throw err;
  }
}

/** Starts the stored plan's tasks a batch at a time, from where an earlier run stopped. */
export async function launchStored(run: CampaignRun): Promise<void> {
  const { input, workflowId, carried, stored, board, recentBatches } = run;
  if (stored === undefined) return;
  const progress: LaunchProgress | undefined = carried ? carried.launch : { next: 0, alreadyRunning: [], alreadyRunningCount: 0 };
  if (progress === undefined) return;
  run.launching = true;
  const { firstExecutionRunId, taskQueue } = workflowInfo();
  while (progress.next < stored.tasks) {
    if (progress.next > 0 && shouldContinueAsNew(run)) await continueWithSnapshot(run, progress);
    const beforeLast = recentBatches.length >= 2 ? recentBatches[0] : undefined;
    if (beforeLast !== undefined) await condition(() => reported(run, beforeLast), LAUNCH_BACKPRESSURE_MS);
    const count = Math.min(TASK_BATCH_SIZE, stored.tasks - progress.next);
    const batch = await startTaskBatch({
      planId: input.planId,
      plan: stored,
      from: progress.next,
      count,
      campaignWorkflowId: workflowId,
      launchId: firstExecutionRunId,
      taskQueue,
      searchAttributes: input.searchAttributes !== false,
    });
    const at = iso(Date.now());
    for (const seed of batch.tasks) addLine(run, initialBoardTask(seed, taskWorkflowId(input.planId, seed.taskNumber), at));
    recentBatches.push(batch.tasks.map((t) => t.taskNumber).filter((n) => !batch.alreadyRunning.includes(n)));
    recentBatches.splice(0, Math.max(0, recentBatches.length - 2));
    release(run);
    progress.alreadyRunning.push(...batch.alreadyRunning.slice(0, Math.max(0, MAX_LISTED_ALREADY_RUNNING - progress.alreadyRunning.length)));
    progress.alreadyRunningCount += batch.alreadyRunning.length;
    progress.next += count;
  }
  run.launching = false;
  await auditLaunched(run, board.map((t) => t.taskNumber), progress.alreadyRunning, {
    ...(progress.alreadyRunningCount > progress.alreadyRunning.length ? { alreadyRunningCount: progress.alreadyRunningCount } : {}),
    plan: { hash: stored.hash, parts: stored.parts, tasks: stored.tasks },
  });
}

/** A campaign launched before the stored plan: its first run starts every task of its input as a child. */
export async function launchChildren(run: CampaignRun): Promise<void> {
  const { input } = run;
  const at = iso(Date.now());
  for (const task of input.tasks) addLine(run, initialBoardTask(task, taskWorkflowId(input.planId, task.taskNumber), at));
  const outcomes = await Promise.all(input.tasks.map((task) => startTask(run, task)));
  await auditLaunched(
    run,
    input.tasks.map((t) => t.taskNumber),
    input.tasks.filter((_, i) => outcomes[i] === 'existing').map((t) => t.taskNumber),
  );
}

/** The one `campaign.launched` entry of either launch; its details keep the key order recorded histories hold. */
async function auditLaunched(run: CampaignRun, tasks: number[], alreadyRunning: number[], stored: Record<string, unknown> = {}): Promise<void> {
  const { input, workflowId } = run;
  await run.audit({
    ...run.base(),
    idempotencyKey: `${workflowId}:launched`,
    actor: SYSTEM_ACTOR,
    event: 'campaign.launched',
    details: { tasks, alreadyRunning, ...stored, firstDispatchAt: input.dispatch.firstAt, endAt: input.endAt },
  });
}
