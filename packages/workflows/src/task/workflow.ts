/**
 * The task workflow: one durable run per task of the plan, from assignment (交办) through
 * acknowledgement (签收), progress, consolidated submission (牵头汇总) and review, with
 * milestone checks, the accountability ladder and the assessment. The state lives in a
 * {@link TaskRecord}; each message's rules and effect in `./messages/<name>.ts`; the
 * light and the ladder in `./ladder.ts`; delivery (the audit lane and the notice lane) in
 * `./outbox.ts`.
 */
import { allHandlersFinished, CancellationScope, condition, continueAsNew, patched, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
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

/**
 * Guards the trimmed bookkeeping of a run (decided once, before the first command):
 * - one timer for the next timed check, armed only when none is armed or the check comes
 *   earlier than the armed one (a timer that fires early wakes the loop, which arms the
 *   next); before, every change armed a fresh timer and cancelled the last (13 starts and
 *   13 cancels on the happy path);
 * - an update waits for its audit entry without a timer of its own: the audit lane's first
 *   delivery of each entry is bounded by `AUDIT_WAIT_MS` instead, and a lane that is
 *   failing answers at once (`auditPending`); before, every update started and cancelled
 *   a 10-second timer;
 * - search attributes upserted once per workflow task, only those that differ from the
 *   run's own (`TaskRecord.flushVisibility`);
 * - board signals to the campaign only when the board line changes (`linkCampaign`).
 * Runs recorded before it keep all of the above as they ran.
 */
export const TASK_BOOKKEEPING_PATCH = 'duban-task-bookkeeping';

/**
 * Guards what plan format 2 asks of a task (its input fields are absent in tasks launched
 * before, which never ask for it, so their histories stay as they ran):
 * - a task started before the campaign's start (`startAt`) waits for it: 交办, its notice
 *   and every window count from the start, and nothing is sent before it;
 * - dated checks beyond milestones (`checks`: nodes, recurring duties, filing) with the
 *   light and the ladder (`DatedCheckKind`);
 * - cooperating units (配合单位) acknowledge, report and hear the assignment; co-leads
 *   (`leadPrimary: false`) all hear the ladder;
 * - a launch past the deadline (`launchedPastDeadline`) is recorded (`launch.past-deadline`);
 * - a task that names who supervises it (`supervisedBy`) is reviewed by their people only
 *   (NOT_SUPERVISOR), and its review requests go to them;
 * - a recurring duty of another body (dispatch, check) whose people the input names
 *   (`dutyRecipients`) tells them when it falls due (`duty-due`).
 */
export const PLAN_V2_PATCH = 'duban-plan-v2';

/** Whether the input carries anything of plan format 2 that changes what the run does. */
function usesPlanV2(input: TaskWorkflowInput): boolean {
  return (
    input.startAt !== undefined ||
    (input.cooperating?.length ?? 0) > 0 ||
    (input.checks?.length ?? 0) > 0 ||
    input.launchedPastDeadline === true ||
    input.leadPrimary === false ||
    input.supervisedBy !== undefined ||
    input.dutyRecipients !== undefined
  );
}

/** The loop's one timer: the instant it was armed for, and whether it fired. */
interface Alarm {
  atMs: number;
  fired: boolean;
  scope: CancellationScope;
}

/** Arms a timer for `atMs`, in a scope of its own so that an alarm superseded by an earlier one can be cancelled. */
function armAlarm(atMs: number): Alarm {
  const scope = new CancellationScope();
  const alarm: Alarm = { atMs, fired: false, scope };
  scope.run(() => sleep(Math.max(atMs - Date.now(), 1))).then(
    () => {
      alarm.fired = true;
    },
    // Cancelled: superseded by an earlier alarm.
    () => undefined,
  );
  return alarm;
}

export async function taskWorkflow(input: TaskWorkflowInput): Promise<TaskWorkflowResult> {
  // Decided once, before the first command: a patch not in a replayed history would turn
  // on mid-run once replay ends. Runs recorded before them keep the single outbox and
  // unchained entries; their next run (continue-as-new) takes both.
  //
  // The newest patch first: a run that takes it started after every older patch existed,
  // so it takes them all without asking (each patch asked costs a marker and, where the
  // namespace has it, an upsert of TemporalChangeVersion: 8 history events for 4 patches).
  // A newer patch goes in front the same way: `const next = patched(NEXT); const trimmed = next || patched(...)`.
  // PLAN_V2_PATCH is asked only by tasks whose input has plan-format-2 fields.
  const planV2 = usesPlanV2(input) && patched(PLAN_V2_PATCH);
  const task = new TaskRecord(input, workflowInfo().workflowId, { planV2 });
  const { state } = task;
  const trimmed = planV2 || patched(TASK_BOOKKEEPING_PATCH);
  task.visibilityDeferred = trimmed;
  task.currentRules = trimmed;
  task.chained = trimmed || patched(AUDIT_CHAIN_PATCH);
  const lanes = trimmed || patched(DELIVERY_LANES_PATCH) ? startDeliveryLanes(task, { boundedFirstDelivery: trimmed }) : undefined;
  const outbox = lanes ?? startOutbox(task);

  // Recorded before the handlers are set: a message buffered before the first run is applied after it.
  // (A carried run has its search attributes from the run before: continue-as-new copies them.)
  if (input.carried && !trimmed) task.upsertVisibility();
  else if (!input.carried) {
    if (planV2 && input.launchedPastDeadline) task.recordLaunchedPastDeadline();
    // Before the campaign's start the task only waits (the 'start' check assigns it).
    if (planV2 && input.startAt !== undefined && Date.parse(input.startAt) > Date.now()) task.waitForStart(input.startAt);
    else task.assign();
  }
  for (const message of TASK_MESSAGES) register(task, outbox, lanes, message, trimmed);
  setHandler(taskStateQuery, () => state);

  // Only tasks started by a campaign talk to it; the patch keeps earlier histories replayable.
  const campaignLink =
    input.campaignWorkflowId !== undefined && (trimmed || patched(CAMPAIGN_LINK_PATCH))
      ? linkCampaign(input.campaignWorkflowId, () => task.version, () => taskSummary(state, input), { onlyBoardChanges: trimmed })
      : undefined;
  setHandler(amendTaskSignal, (amendment) => amendTask(task, amendment));

  let alarm: Alarm | undefined;
  for (;;) {
    processDueChecks(task);
    reconcileLadder(task);
    // Once per wake-up: everything recorded since the last one (by messages, checks or deliveries) in one upsert.
    if (trimmed) task.flushVisibility();
    if (isTerminal(state.status)) break;
    if (shouldContinueAsNew(input)) {
      // Validators send back messages that arrive while another is handled (CONTINUING_AS_NEW), so the handlers finish.
      task.continuingAsNew = true;
      await condition(() => allHandlersFinished() && outbox.drained());
      // A message may have ended the task while the run drained.
      if (isTerminal(state.status)) break;
      if (shouldContinueAsNew(input)) {
        if (trimmed) task.flushVisibility();
        await continueAsNew<typeof taskWorkflow>({ ...input, carried: task.carried() });
      }
      task.continuingAsNew = false;
    }
    // Sleep until the next timed check, or until a message or amendment changes the state.
    const seen = task.version;
    const next = upcomingChecks(state, input)[0];
    if (!trimmed) {
      if (next) await condition(() => task.version !== seen, Math.max(next.atMs - Date.now(), 1));
      else await condition(() => task.version !== seen);
      continue;
    }
    // A fired alarm is spent; one armed for a later instant than the next check is superseded.
    if (alarm?.fired) alarm = undefined;
    if (next && (alarm === undefined || next.atMs < alarm.atMs)) {
      alarm?.scope.cancel();
      alarm = armAlarm(next.atMs);
    }
    const waitingOn = alarm;
    await condition(() => task.version !== seen || waitingOn?.fired === true);
  }

  // Taken before draining: a notice that fails meanwhile records `notification.failed`, which is not the task's end.
  const completedAt = state.timeline[state.timeline.length - 1]?.at ?? iso(Date.now());
  await condition(() => allHandlersFinished() && outbox.drained());
  // A notice that failed meanwhile may have moved the next deadline.
  if (trimmed) task.flushVisibility();
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
function register(task: TaskRecord, outbox: Outbox, lanes: DeliveryLanes | undefined, message: TaskMessage, trimmed: boolean): void {
  const handler = async (raw: unknown): Promise<MessageResult> => {
    const checked = task.check(message, raw, { inValidator: false });
    const { requestId } = checked.args;
    if (checked.duplicate) return task.result(requestId, false);
    const eventSeq = task.applyMessage(message, checked);
    reconcileLadder(task);
    if (lanes) {
      // The caller hears back once the audit entries of its message are written, never
      // later than AUDIT_WAIT_MS (the store may be down: the change stands, the entries follow).
      // Since TASK_BOOKKEEPING_PATCH the bound is the audit lane's, not a timer per update.
      const written = trimmed ? await lanes.auditWrittenUnlessFailing(task.seq) : await lanes.auditWritten(task.seq, AUDIT_WAIT_MS);
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
