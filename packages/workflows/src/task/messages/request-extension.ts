/**
 * 延期申请 `requestExtension`: the primary lead unit asks HQ for a later deadline, before
 * the current one passes and within the campaign; one request waits for a decision at a time.
 */
import { HQ_ROLES, WORKER_ROLES } from '@duban/common';
import { iso, ms } from '../../decisions';
import { TASK_STATE_LIMITS } from '../definitions';
import type { TaskRecord } from '../record';
import type { Infer } from './args';
import { defineMessage, instant, keepNewest, messageArgs, sentBy, text, type RuleContext } from './message';

/** The arguments' form; `requestExtensionArgsSchema` (the client's) adds their limits. */
const requestExtensionForm = messageArgs({
  /** The deadline asked for: later than the current one, not past the campaign's end. */
  deadlineAt: instant,
  reason: text,
});
export type RequestExtensionArgs = Infer<typeof requestExtensionForm>;

export const requestExtension = defineMessage('requestExtension', requestExtensionForm, {
  senders: sentBy(WORKER_ROLES, 'primary', { en: "before the deadline, for a later one within the campaign; one pending at a time", zh: '须在期限前申请，新期限不超出活动结束时间；同一时间仅一项待批' }),
  when: ['assigned', 'acknowledged', 'in-progress'],
  refusals: ['DEADLINE_PASSED', 'EXTENSION_PENDING', 'INVALID_ARGUMENT', 'EXTENSION_BEYOND_CAMPAIGN'],
  validate(task, args, _person, rules) {
    const { state, input } = task;
    const { deadlineAt } = state;
    const { refuse } = rules;
    if (state.deadlinePassed || Date.now() >= ms(deadlineAt)) {
      refuse('DEADLINE_PASSED', `The deadline ${deadlineAt} of task ${input.taskNumber} has passed: extensions must be requested before it.`, { deadlineAt });
    }
    if (task.pendingExtension()) refuse('EXTENSION_PENDING', `An extension request for task ${input.taskNumber} is already waiting for HQ.`);
    if (ms(args.deadlineAt) <= ms(deadlineAt)) {
      refuse('INVALID_ARGUMENT', `The requested deadline ${args.deadlineAt} must be later than the current ${deadlineAt}.`, { deadlineAt });
    }
    requireWithinCampaign(task, args.deadlineAt, rules);
  },

  apply(task, args, person) {
    const { state } = task;
    const { requestId, deadlineAt, reason } = args;
    const from = state.deadlineAt;
    state.extensions.push({ requestId, requestedBy: person.id, requestedAt: iso(Date.now()), reason, fromDeadlineAt: from, toDeadlineAt: deadlineAt });
    // The pending request is the newest: only decided ones leave.
    keepNewest(state.extensions, TASK_STATE_LIMITS.extensions);
    const notice = task.tell({ kind: 'extension-requested', requestedBy: person.id, deadlineAt, reason }, task.recipients({ roles: HQ_ROLES }));
    return task.record(person.id, 'extension.requested', { from, to: deadlineAt, reason }, notice);
  },
});

export const requestExtensionUpdate = requestExtension.update;

/** An extension (asked or granted) stays within the campaign, unless an amendment moved the campaign's end. */
export function requireWithinCampaign(task: TaskRecord, deadlineAt: string, { refuse, authority }: RuleContext<'EXTENSION_BEYOND_CAMPAIGN'>): void {
  const { campaignEndAt } = task.input;
  if (!authority || campaignEndAt === undefined || ms(deadlineAt) <= ms(campaignEndAt)) return;
  refuse(
    'EXTENSION_BEYOND_CAMPAIGN',
    `The deadline ${deadlineAt} lies past the campaign's end ${campaignEndAt}: choose a deadline by then, or ask HQ to extend the campaign first (an amendment with extendCampaignTo).`,
    { deadlineAt, campaignEndAt },
  );
}
