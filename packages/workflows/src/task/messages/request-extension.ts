/**
 * 延期申请 `requestExtension`: the primary lead unit asks HQ for a later deadline, before
 * the current one passes; one request waits for a decision at a time.
 */
import * as z from 'zod/mini';
import { HQ_ROLES, WORKER_ROLES } from '@duban/common';
import { iso, ms } from '../../decisions';
import { fail } from '../../failure';
import { TaskErrorCode } from '../definitions';
import { actor, defineMessage, instant, requestId, text } from './message';

export const requestExtensionArgsSchema = z.object({
  requestId,
  actor,
  /** The deadline asked for: later than the current one. */
  deadlineAt: instant,
  reason: text,
});
export type RequestExtensionArgs = z.infer<typeof requestExtensionArgsSchema>;

export const requestExtension = defineMessage('requestExtension', requestExtensionArgsSchema, {
  validate(task, args, person) {
    const { state, input } = task;
    const { deadlineAt } = state;
    task.requireRole(person, WORKER_ROLES, requestExtension.name, input.primaryLead);
    task.requireStatus(requestExtension.name, ['assigned', 'acknowledged', 'in-progress']);
    if (state.deadlinePassed || Date.now() >= ms(deadlineAt)) {
      fail(TaskErrorCode.DEADLINE_PASSED, `The deadline ${deadlineAt} of task ${input.taskNumber} has passed: extensions must be requested before it.`, { deadlineAt });
    }
    if (task.pendingExtension()) fail(TaskErrorCode.EXTENSION_PENDING, `An extension request for task ${input.taskNumber} is already waiting for HQ.`);
    if (ms(args.deadlineAt) <= ms(deadlineAt)) {
      fail(TaskErrorCode.INVALID_ARGUMENT, `The requested deadline ${args.deadlineAt} must be later than the current ${deadlineAt}.`, { deadlineAt });
    }
  },

  apply(task, args, person) {
    const { state } = task;
    const { requestId, deadlineAt, reason } = args;
    const from = state.deadlineAt;
    state.extensions.push({ requestId, requestedBy: person.id, requestedAt: iso(Date.now()), reason, fromDeadlineAt: from, toDeadlineAt: deadlineAt });
    const notice = task.tell({ kind: 'extension-requested', requestedBy: person.id, deadlineAt, reason }, task.recipients({ roles: HQ_ROLES }));
    return task.record(person.id, 'extension.requested', { from, to: deadlineAt, reason }, notice);
  },
});

export const requestExtensionUpdate = requestExtension.update;
