/**
 * The task workflow: one durable run per task of the plan, from assignment (交办) through
 * acknowledgement (签收), progress, consolidated submission (牵头汇总) and review, with
 * milestone checks, the accountability ladder and the assessment. The state lives in a
 * {@link TaskRecord}; each message's rules and effect in `./messages/<name>.ts`; the
 * light and the ladder in `./ladder.ts`; delivery (the audit lane and the notice lane) in
 * `./outbox.ts`.
 */
import { allHandlersFinished, condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { isTerminal } from '@duban/common';
import { amendTaskSignal } from '../campaign-definitions';
import { taskSummary } from '../campaign-decisions';
import { AUDIT_CHAIN_PATCH } from '../audit-chain';
import { CAMPAIGN_LINK_PATCH, linkCampaign } from '../campaign-link';
import { iso, upcomingChecks } from '../decisions';
import { taskStateQuery, type MessageResult, type TaskWorkflowInput, type TaskWorkflowResult } from './definitions';
import { amendTask } from './amend';
import { processDueChecks, reconcileLadder } from './ladder';
import { TASK_MESSAGES, type TaskMessage } from './messages';
import { AUDIT_WAIT_MS, DELIVERY_LANES_PATCH, startDeliveryLanes, startOutbox, type DeliveryLanes, type Outbox } from './outbox';
import { TaskRecord } from './record';

export async function taskWorkflow(input: TaskWorkflowInput): Promise<TaskWorkflowResult> {
  const task = new TaskRecord(input, workflowInfo().workflowId);
  const { state } = task;
  // Decided once, before the first command: a patch not in a replayed history would turn
  // on mid-run once replay ends. Runs recorded before them keep the single outbox and
  // unchained entries; their next run (continue-as-new) takes both.
  task.chained = patched(AUDIT_CHAIN_PATCH);
  const lanes = patched(DELIVERY_LANES_PATCH) ? startDeliveryLanes(task) : undefined;
  const outbox = lanes ?? startOutbox(task);

  // Recorded before the handlers are set: a message buffered before the first run is applied after it.
  if (input.carried) task.upsertVisibility();
  else task.assign();
  for (const message of TASK_MESSAGES) register(task, outbox, lanes, message);
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
      // Validators send back messages that arrive while another is handled (CONTINUING_AS_NEW), so the handlers finish.
      task.continuingAsNew = true;
      await condition(() => allHandlersFinished() && outbox.drained());
      // A message may have ended the task while the run drained.
      if (isTerminal(state.status)) break;
      if (shouldContinueAsNew(input)) await continueAsNew<typeof taskWorkflow>({ ...input, carried: task.carried() });
      task.continuingAsNew = false;
    }
    // Sleep until the next timed check, or until a message or amendment changes the state.
    const seen = task.version;
    const next = upcomingChecks(state, input)[0];
    if (next) await condition(() => task.version !== seen, Math.max(next.atMs - Date.now(), 1));
    else await condition(() => task.version !== seen);
  }

  // Taken before draining: a notice that fails meanwhile records `notification.failed`, which is not the task's end.
  const completedAt = state.timeline[state.timeline.length - 1]?.at ?? iso(Date.now());
  await condition(() => allHandlersFinished() && outbox.drained());
  await campaignLink?.flush();
  await outbox.close();
  return {
    planId: input.planId,
    taskNumber: input.taskNumber,
    status: state.status === 'approved' ? 'approved' : 'cancelled',
    completedAt,
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
function register(task: TaskRecord, outbox: Outbox, lanes: DeliveryLanes | undefined, message: TaskMessage): void {
  const handler = async (raw: unknown): Promise<MessageResult> => {
    const checked = task.check(message, raw, { inValidator: false });
    const { requestId } = checked.args;
    if (checked.duplicate) return task.result(requestId, false);
    const eventSeq = task.applyMessage(message, checked);
    reconcileLadder(task);
    if (lanes) {
      // The caller hears back once the audit entries of its message are written, never
      // later than AUDIT_WAIT_MS (the store may be down: the change stands, the entries follow).
      const written = await lanes.auditWritten(task.seq, AUDIT_WAIT_MS);
      return written ? task.result(requestId, true) : { ...task.result(requestId, true), auditPending: true };
    }
    // The caller hears back once the audit entry is written (and, here, every notice before it).
    await outbox.deliveredThrough(eventSeq);
    return task.result(requestId, true);
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
