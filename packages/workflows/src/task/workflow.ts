/**
 * The task workflow: one durable run per task of the plan, from assignment (交办) through
 * acknowledgement (签收), progress, consolidated submission (牵头汇总) and review, with
 * milestone checks, the accountability ladder and the assessment. The state lives in a
 * {@link TaskRecord}; each message's rules and effect in `./messages/<name>.ts`; the
 * light and the ladder in `./ladder.ts`; delivery in `./outbox.ts`.
 */
import { allHandlersFinished, condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { isTerminal } from '@duban/common';
import { amendTaskSignal } from '../campaign-definitions';
import { taskSummary } from '../campaign-decisions';
import { CAMPAIGN_LINK_PATCH, linkCampaign } from '../campaign-link';
import { iso, upcomingChecks } from '../decisions';
import { taskStateQuery, type MessageResult, type TaskWorkflowInput, type TaskWorkflowResult } from './definitions';
import { amendTask } from './amend';
import { processDueChecks, reconcileLadder } from './ladder';
import { TASK_MESSAGES, type TaskMessage } from './messages';
import { startOutbox, type Outbox } from './outbox';
import { TaskRecord } from './record';

export async function taskWorkflow(input: TaskWorkflowInput): Promise<TaskWorkflowResult> {
  const task = new TaskRecord(input, workflowInfo().workflowId);
  const { state } = task;
  const outbox = startOutbox(task);

  // Recorded before the handlers are set: a message buffered before the first run is applied after it.
  if (input.carried) task.upsertVisibility();
  else task.assign();
  for (const message of TASK_MESSAGES) register(task, outbox, message);
  setHandler(taskStateQuery, () => state);

  // Only tasks started by a campaign talk to it; the patch keeps earlier histories replayable.
  const campaignLink =
    input.campaignWorkflowId !== undefined && patched(CAMPAIGN_LINK_PATCH)
      ? linkCampaign(input.campaignWorkflowId, () => task.version, () => taskSummary(state, input))
      : undefined;
  setHandler(amendTaskSignal, (amendment) => amendTask(task, amendment));

  for (;;) {
    processDueChecks(task);
    reconcileLadder(task);
    if (isTerminal(state.status)) break;
    if (shouldContinueAsNew(input)) {
      await condition(() => allHandlersFinished() && outbox.drained());
      // A message may have ended the task while the run drained.
      if (isTerminal(state.status)) break;
      if (shouldContinueAsNew(input)) await continueAsNew<typeof taskWorkflow>({ ...input, carried: task.carried() });
    }
    // Sleep until the next timed check, or until a message or amendment changes the state.
    const seen = task.version;
    const next = upcomingChecks(state, input)[0];
    if (next) await condition(() => task.version !== seen, Math.max(next.atMs - Date.now(), 1));
    else await condition(() => task.version !== seen);
  }

  await condition(() => allHandlersFinished() && outbox.drained());
  await campaignLink?.flush();
  await outbox.close();
  return {
    planId: input.planId,
    taskNumber: input.taskNumber,
    status: state.status === 'approved' ? 'approved' : 'cancelled',
    completedAt: state.timeline[state.timeline.length - 1]?.at ?? iso(Date.now()),
    light: state.light,
    ...(state.assessment ? { assessment: state.assessment } : {}),
    rungsClimbed: state.escalation.history.map((r) => r.rung),
  };
}

/**
 * One update handler per message: the validator checks the proof and the rules before
 * anything is recorded; the handler checks the rules again (not the proof: validators do
 * not run on replay), then applies the effect.
 */
function register(task: TaskRecord, outbox: Outbox, message: TaskMessage): void {
  const handler = async (raw: unknown): Promise<MessageResult> => {
    const checked = task.check(message, raw, { inValidator: false });
    if (checked.duplicate) return task.result(checked.args.requestId, false);
    const eventSeq = task.applyMessage(message, checked);
    reconcileLadder(task);
    // The caller hears back once the audit entry is written.
    await outbox.deliveredThrough(eventSeq);
    return task.result(checked.args.requestId, true);
  };
  const validator = (raw: unknown): void => {
    task.check(message, raw, { inValidator: true });
  };
  setHandler(message.update, handler, { validator });
}

function shouldContinueAsNew(input: TaskWorkflowInput): boolean {
  const info = workflowInfo();
  const limit = input.continueAsNewAtHistoryLength;
  return info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
}
