/** 任务撤销 `cancel`: HQ's office cancels a task that is still open; its units are told. */
import { HQ_ROLES } from '@duban/common';
import { iso } from '../../decisions';
import type { Infer } from './args';
import { defineMessage, messageArgs, OPEN_STATUSES, sentBy, text } from './message';

/** The arguments' form; `cancelArgsSchema` (the client's) adds their limits. */
const cancelForm = messageArgs({ reason: text });
export type CancelArgs = Infer<typeof cancelForm>;

export const cancel = defineMessage('cancel', cancelForm, {
  senders: sentBy(HQ_ROLES, 'any', { en: 'with a reason', zh: '须说明理由' }),
  when: OPEN_STATUSES,
  refusals: [],
  validate() {
    // Sender and status say it all.
  },

  apply(task, args, person) {
    const { state } = task;
    state.status = 'cancelled';
    state.cancelled = { by: person.id, at: iso(Date.now()), reason: args.reason };
    const notice = task.tell({ kind: 'cancelled', reason: args.reason }, task.involvedUnits.flatMap((unit) => task.recipients({ unit, roles: ['unit-head'] })));
    return task.record(person.id, 'task.cancelled', { reason: args.reason }, notice);
  },
});

export const cancelUpdate = cancel.update;
