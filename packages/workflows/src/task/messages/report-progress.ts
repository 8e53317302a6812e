/**
 * `reportProgress`: a unit reports its percent on its part. The primary lead's figure is
 * the task's consolidated progress (牵头汇总), which sets the traffic light.
 */
import { WORKER_ROLES } from '@duban/common';
import { iso } from '../../decisions';
import { recomputeLight } from '../ladder';
import { number, optional, type Infer } from './args';
import { defineMessage, evidenceLinks, messageArgs, sentBy, text } from './message';

/** The arguments' form; `reportProgressArgsSchema` (the client's) adds their limits. */
const reportProgressForm = messageArgs({
  /** Progress of the actor's unit on its part, 0–100. For the primary lead: the consolidated task progress. */
  percent: number({ int: true, min: 0, max: 100 }),
  note: text,
  evidence: optional(evidenceLinks),
});
export type ReportProgressArgs = Infer<typeof reportProgressForm>;

export const reportProgress = defineMessage('reportProgress', reportProgressForm, {
  senders: sentBy(WORKER_ROLES, 'involved', { en: "after the unit acknowledged; the primary lead's percent is the task's", zh: '本单位签收后；牵头单位的进度即任务进度' }),
  when: ['assigned', 'acknowledged', 'in-progress'],
  refusals: ['INVALID_STATE'],
  validate(task, _args, person, { refuse }) {
    const unit = task.unitOf(person.unit);
    if (!unit.acknowledgedAt) {
      refuse('INVALID_STATE', `Unit ${unit.unit} must acknowledge (签收) task ${task.input.taskNumber} before reporting.`, { unit: unit.unit });
    }
  },

  apply(task, args, person) {
    const { state } = task;
    const now = iso(Date.now());
    const unit = task.unitOf(person.unit);
    unit.percent = args.percent;
    unit.reports += 1;
    unit.lastReportAt = now;
    if (unit.role === 'primary') {
      state.percent = args.percent;
      if (state.status === 'acknowledged') state.status = 'in-progress';
    }
    state.lastActivityAt = now;
    state.stalled = false;
    recomputeLight(task, Date.now());
    const { percent, note, evidence = [] } = args;
    return task.record(person.id, 'progress.reported', { unit: unit.unit, role: unit.role, percent, note, evidence });
  },
});

export const reportProgressUpdate = reportProgress.update;
