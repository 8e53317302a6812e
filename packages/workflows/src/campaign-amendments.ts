/**
 * Amendments to a running plan (计划调整): HQ adds tasks, moves deadlines, reassigns lead
 * units, issues or revokes keys and extends the campaign, by a signed update. The
 * validator judges who may amend and the amendment's rules; the handler judges the rules
 * again (another amendment may have been applied since), changes the roster, the end and
 * the board at once, then tells each task its changes and records the amendment. The
 * rules themselves are pure decisions (`campaign-decisions.ts`, `campaign-roster.ts`).
 * Workflow code.
 */
import { getExternalWorkflowHandle, log, patched, setHandler } from '@temporalio/workflow';
import { messageOf, taskWorkflowId } from '@duban/common';
import { amendmentOverLimit, amendPlanUpdate, amendTaskSignal, CampaignErrorCode, type PlanAmendment, type ReassignLeads } from './campaign-definitions';
import { amendmentOutcome, initialBoardTask, isFinished, refuseAmendment, taskChanges, taskFromRoster, taskPeopleFromRoster, type TaskChange } from './campaign-decisions';
import { addLine } from './campaign-board';
import { startTask } from './campaign-launch';
import { applyRosterChanges, changesRoster, refuseSigner } from './campaign-roster';
import type { CampaignRun } from './campaign-run';
import { iso, ms } from './decisions';
import { fail } from './failure';

/**
 * One signal per task and amendment: a task takes one signal per amendment id, so an
 * amendment that moved and reassigned the same task lost the second change. Histories
 * recorded before send the signals one per change.
 */
export const ONE_SIGNAL_PER_TASK_PATCH = 'duban-amendment-one-signal-per-task';

function requireRunning(run: CampaignRun): void {
  if (run.ended) fail(CampaignErrorCode.CAMPAIGN_ENDED, `The campaign of plan ${run.input.planId} has ended; it takes no more amendments.`, {});
}

const applied = (run: CampaignRun, amendment: PlanAmendment) => run.amendments.some((a) => a.amendmentId === amendment.amendmentId);

/** The state rules of a new amendment, judged in the validator and again in the handler (another amendment may have been applied since). */
function refusal(run: CampaignRun, amendment: PlanAmendment): void {
  const refused = refuseAmendment(amendment, { planId: run.input.planId, board: run.board, unitCodes: run.unitCodes, nowMs: Date.now(), roster: run.roster, endAtMs: run.endAtMs });
  if (refused) fail(refused.code, refused.message, refused.details);
}

/**
 * Who may amend: checked in the validator only, which does not run on replay, so
 * recorded histories replay whatever the identity rules become. The signer must be an
 * HQ office member of the roster of record, never of a file the caller holds.
 */
function validate(run: CampaignRun, amendment: PlanAmendment): void {
  const { input, workflowId, board, stored } = run;
  requireRunning(run);
  if (!run.ready || run.saving || run.launching) {
    const doing = run.launching ? `still starting its tasks (${board.length} of ${stored?.tasks ?? board.length})` : 'between two runs (continuing as new)';
    fail(CampaignErrorCode.CONTINUING_AS_NEW, `The campaign of plan ${input.planId} is ${doing}: send the same amendment again in a moment.`, {});
  }
  if (typeof amendment !== 'object' || amendment === null || typeof amendment.actor !== 'string') {
    fail(CampaignErrorCode.INVALID_AMENDMENT, 'The amendment must be an object naming its actor (the HQ office member who issues it).', {});
  }
  // A retry of an applied amendment is answered by the handler (applied: false) before
  // its proof is checked: it changes nothing, so it needs no fresh proof (its signature
  // may have aged past maxAgeMs since).
  if (applied(run, amendment)) return;
  const overLimit = amendmentOverLimit(amendment);
  if (overLimit) {
    const { message, ...details } = overLimit;
    fail(CampaignErrorCode.INVALID_AMENDMENT, `Amendment ${String(amendment.amendmentId).slice(0, 128)}: ${message} (AMENDMENT_LIMITS); split it into several amendments or shorten it.`, details);
  }
  const unauthorised = refuseSigner(amendment, { workflowId, message: amendPlanUpdate.name, roster: run.roster, identity: input.identity, nowMs: Date.now() });
  if (unauthorised) fail(unauthorised.code, unauthorised.message, unauthorised.details);
  refusal(run, amendment);
}

export function registerAmendments(run: CampaignRun): void {
  const { input, workflowId, board, lines, amendments, hqIds } = run;
  setHandler(
    amendPlanUpdate,
    async (amendment) => {
      if (applied(run, amendment)) return amendmentOutcome(amendment, false);
      requireRunning(run);
      refusal(run, amendment);
      const outcome = amendmentOutcome(amendment, true);
      const at = iso(Date.now());
      // Roster, end and board change at once, so a concurrent amendment is judged against them.
      const keys = changesRoster(amendment.roster) && amendment.roster ? applyRosterChanges(run.roster, amendment.roster, at) : undefined;
      if (keys) run.roster = keys.roster;
      const endedAt = iso(run.endAtMs);
      if (amendment.extendCampaignTo !== undefined) run.endAtMs = ms(amendment.extendCampaignTo);
      const proof = amendment.proof;
      amendments.push({
        amendmentId: amendment.amendmentId,
        at,
        actor: amendment.actor,
        reason: amendment.reason,
        added: outcome.added,
        moved: outcome.moved,
        reassigned: outcome.reassigned,
        ...(proof ? { signedBy: { signer: proof.signer, keyId: proof.keyId } } : {}),
        ...(keys ? { keys: { issued: keys.issued, revoked: keys.revoked } } : {}),
        ...(amendment.extendCampaignTo !== undefined ? { extendedTo: iso(run.endAtMs) } : {}),
      });
      const facts = { roster: run.roster, planWide: hqIds, units: run.units, campaignEndAt: iso(run.endAtMs), ...(input.identity ? { identity: input.identity } : {}) };
      const added = amendment.addTasks.map((task) => taskFromRoster(task, facts));
      for (const task of added) addLine(run, initialBoardTask(task, taskWorkflowId(input.planId, task.taskNumber), at));
      const sends: Promise<unknown>[] = added.map((task) => startTask(run, task));
      const tell = (taskNumber: number, change: TaskChange) =>
        getExternalWorkflowHandle(taskWorkflowId(input.planId, taskNumber)).signal(amendTaskSignal, {
          amendmentId: amendment.amendmentId,
          actor: amendment.actor,
          ...change,
        }).catch((err: unknown) => {
          // The board may lag: a task that finished meanwhile takes no amendment, and the
          // others must still get theirs, so a failed signal is logged, not thrown.
          log.warn('Could not deliver an amendment to a task', { taskNumber, amendmentId: amendment.amendmentId, error: messageOf(err) });
        });
      for (const move of amendment.moveDeadlines) {
        const line = lines.get(move.taskNumber);
        if (line) line.deadlineAt = move.deadlineAt;
      }
      for (const change of amendment.reassign) {
        const line = lines.get(change.taskNumber);
        if (line) {
          line.primaryLead = change.primaryLead;
          line.assistingLeads = [...change.assistingLeads];
        }
      }
      // The new lead units' people come from the roster of record, never from the request.
      const leads = (change: ReassignLeads) => {
        const leadUnits = [change.primaryLead, ...change.assistingLeads];
        return {
          primaryLead: change.primaryLead,
          assistingLeads: change.assistingLeads,
          people: taskPeopleFromRoster(run.roster, leadUnits, hqIds),
          units: run.units.filter((u) => leadUnits.includes(u.code)),
        };
      };
      const everyTaskChange = {
        ...(keys ? { roster: keys.changed } : {}),
        ...(amendment.extendCampaignTo !== undefined ? { campaignEndAt: iso(run.endAtMs) } : {}),
      };
      const running = board.filter((t) => !isFinished(t) && !outcome.added.includes(t.taskNumber)).map((t) => t.taskNumber);
      const everyTask = Object.keys(everyTaskChange).length > 0 ? { tasks: running, change: everyTaskChange } : undefined;
      const signals = taskChanges(amendment, leads, everyTask, patched(ONE_SIGNAL_PER_TASK_PATCH));
      sends.push(...signals.map(({ taskNumber, change }) => tell(taskNumber, change)));
      await Promise.all(sends);
      await run.audit({
        ...run.base(),
        idempotencyKey: `${workflowId}:amendment:${amendment.amendmentId}`,
        actor: amendment.actor,
        event: 'campaign.amended',
        details: {
          amendmentId: amendment.amendmentId,
          reason: amendment.reason,
          added: added.map((t) => ({ taskNumber: t.taskNumber, title: t.title, primaryLead: t.primaryLead, deadlineAt: t.deadlineAt })),
          moved: amendment.moveDeadlines,
          reassigned: amendment.reassign.map(({ people: _people, ...r }) => r),
          // Key ids only: public keys are in the roster, private keys never leave their holders.
          ...(keys ? { keys: { issued: keys.issued, revoked: keys.revoked } } : {}),
          ...(amendment.extendCampaignTo !== undefined ? { campaignEnd: { from: endedAt, to: iso(run.endAtMs) } } : {}),
          // The record proves who amended: signer, key and signature.
          ...(proof ? { proof } : {}),
        },
      });
      return outcome;
    },
    { validator: (amendment) => validate(run, amendment) },
  );
}
