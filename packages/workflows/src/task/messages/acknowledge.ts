/**
 * 签收 `acknowledge`: a unit of the task confirms it has taken the assignment on. Once
 * per unit; the primary lead's acknowledgement moves the task to `acknowledged`.
 */
import { WORKER_ROLES } from '@duban/common';
import { iso } from '../../decisions';
import { optional, type Infer } from './args';
import { defineMessage, messageArgs, OPEN_STATUSES, sentBy, text } from './message';

/** The arguments' form; `acknowledgeArgsSchema` (the client's) adds their limits. */
const acknowledgeForm = messageArgs({ note: optional(text) });
export type AcknowledgeArgs = Infer<typeof acknowledgeForm>;

export const acknowledge = defineMessage('acknowledge', acknowledgeForm, {
  senders: sentBy(WORKER_ROLES, 'involved', { en: 'once per unit', zh: '每个单位签收一次' }),
  when: OPEN_STATUSES,
  refusals: ['INVALID_STATE'],
  validate(task, _args, person, { refuse }) {
    const unit = task.unitOf(person.unit);
    if (unit.acknowledgedAt) {
      refuse('INVALID_STATE', `Unit ${unit.unit} already acknowledged task ${task.input.taskNumber} at ${unit.acknowledgedAt}.`, {
        unit: unit.unit,
        acknowledgedAt: unit.acknowledgedAt,
      });
    }
  },

  apply(task, args, person) {
    const { state } = task;
    const now = iso(Date.now());
    const unit = task.unitOf(person.unit);
    unit.acknowledgedAt = now;
    unit.acknowledgedBy = person.id;
    if (unit.role === 'primary') {
      if (state.status === 'assigned') state.status = 'acknowledged';
      state.lastActivityAt = now;
    }
    return task.record(person.id, 'task.acknowledged', { unit: unit.unit, role: unit.role, ...(args.note ? { note: args.note } : {}) });
  },
});

export const acknowledgeUpdate = acknowledge.update;
