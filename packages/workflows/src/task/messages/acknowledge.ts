/**
 * 签收 `acknowledge`: a unit of the task confirms it has taken the assignment on. Once
 * per unit; the primary lead's acknowledgement moves the task to `acknowledged`.
 */
import * as z from 'zod/mini';
import { iso } from '../../decisions';
import { fail } from '../../failure';
import { TaskErrorCode } from '../definitions';
import { actor, defineMessage, requestId, text } from './message';

export const acknowledgeArgsSchema = z.object({
  requestId,
  actor,
  note: z.optional(text),
});
export type AcknowledgeArgs = z.infer<typeof acknowledgeArgsSchema>;

export const acknowledge = defineMessage('acknowledge', acknowledgeArgsSchema, {
  validate(task, _args, person) {
    const unit = task.requireWorker(person, acknowledge.name);
    if (unit.acknowledgedAt) {
      fail(TaskErrorCode.INVALID_STATE, `Unit ${unit.unit} already acknowledged task ${task.input.taskNumber} at ${unit.acknowledgedAt}.`, {
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
