/**
 * `decideExtension`: HQ's office approves (possibly with another deadline) or refuses the
 * extension request that is waiting; the primary lead unit is told either way. Nobody
 * decides their own request, and no deadline goes past the campaign's end.
 */
import { HQ_ROLES, WORKER_ROLES } from '@duban/common';
import { iso, ms } from '../../decisions';
import { fail } from '../../failure';
import { TaskErrorCode } from '../definitions';
import { recomputeLight } from '../ladder';
import { literal, optional, union, type Infer } from './args';
import { defineMessage, instant, messageArgs, OPEN_STATUSES, sentBy, text } from './message';
import { requireWithinCampaign } from './request-extension';

/** The arguments' form; `decideExtensionArgsSchema` (the client's) adds their limits. */
const decideExtensionForm = union('decision', [
  messageArgs({
    decision: literal('approve'),
    /** HQ may grant a different deadline than asked; later than the current one, within the campaign. */
    deadlineAt: optional(instant),
    reason: optional(text),
  }),
  messageArgs({
    decision: literal('refuse'),
    reason: text,
  }),
]);
export type DecideExtensionArgs = Infer<typeof decideExtensionForm>;

export const decideExtension = defineMessage('decideExtension', decideExtensionForm, {
  senders: sentBy(HQ_ROLES, 'any', { en: 'while a request is pending; not its requester; a granted deadline within the campaign', zh: '有待批申请时；申请人不得自批；批准的期限不超出活动结束时间' }),
  when: OPEN_STATUSES,
  refusals: ['INVALID_STATE', 'SELF_DECISION', 'INVALID_ARGUMENT', 'EXTENSION_BEYOND_CAMPAIGN'],
  validate(task, args, person, rules) {
    const { refuse, authority } = rules;
    const { deadlineAt } = task.state;
    const pending = task.pendingExtension();
    if (!pending) return refuse('INVALID_STATE', `No extension request of task ${task.input.taskNumber} is waiting for a decision.`);
    if (authority && pending.requestedBy === person.id) {
      refuse('SELF_DECISION', `${person.name} (${person.id}) asked for this extension and cannot decide it: another member of HQ office must.`, {
        actor: person.id,
        requestId: pending.requestId,
      });
    }
    if (args.decision === 'refuse') return;
    if (args.deadlineAt !== undefined && ms(args.deadlineAt) <= ms(deadlineAt)) {
      refuse('INVALID_ARGUMENT', `The granted deadline ${args.deadlineAt} must be later than the current ${deadlineAt}.`, { deadlineAt });
    }
    requireWithinCampaign(task, args.deadlineAt ?? pending.toDeadlineAt, rules);
  },

  apply(task, args, person) {
    const { state } = task;
    const nowMs = Date.now();
    const extension = task.pendingExtension();
    if (!extension) fail(TaskErrorCode.INVALID_STATE, `No extension request of task ${task.input.taskNumber} is waiting for a decision.`);
    extension.decidedBy = person.id;
    extension.decidedAt = iso(nowMs);
    // Told after the decision: the deadline in the notice is the one in force.
    const tell = (decision: 'approved' | 'refused') =>
      task.tell(
        { kind: 'extension-decided', decision, deadlineAt: state.deadlineAt, ...(args.reason ? { reason: args.reason } : {}) },
        task.recipients({ unit: task.input.primaryLead, roles: WORKER_ROLES }),
      );
    if (args.decision === 'refuse') {
      extension.decision = 'refused';
      extension.decisionReason = args.reason;
      return task.record(person.id, 'extension.refused', { requested: extension.toDeadlineAt, reason: args.reason }, tell('refused'));
    }
    extension.decision = 'approved';
    if (args.reason) extension.decisionReason = args.reason;
    const from = state.deadlineAt;
    // Normalized to UTC like every instant the workflow writes.
    state.deadlineAt = iso(ms(args.deadlineAt ?? extension.toDeadlineAt));
    extension.toDeadlineAt = state.deadlineAt;
    state.deadlinePassed = false;
    recomputeLight(task, nowMs);
    return task.record(person.id, 'extension.approved', { from, to: state.deadlineAt, ...(args.reason ? { reason: args.reason } : {}) }, tell('approved'));
  },
});

export const decideExtensionUpdate = decideExtension.update;
