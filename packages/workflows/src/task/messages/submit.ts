/**
 * `submit` (牵头汇总): the primary lead unit submits the consolidated work for review;
 * the supervisors are asked to review it within the plan's review deadline.
 */
import { WORKER_ROLES } from '@duban/common';
import { iso } from '../../decisions';
import { TASK_STATE_LIMITS } from '../definitions';
import { recomputeLight } from '../ladder';
import { optional, type Infer } from './args';
import { defineMessage, evidenceLinks, keepNewest, messageArgs, sentBy, text } from './message';

/** The arguments' form; `submitArgsSchema` (the client's) adds their limits. */
const submitForm = messageArgs({ summary: text, evidence: optional(evidenceLinks) });
export type SubmitArgs = Infer<typeof submitForm>;

export const submit = defineMessage('submit', submitForm, {
  senders: sentBy(WORKER_ROLES, 'primary', { en: 'with `requireAssistingReports`, after every other unit reported', zh: '计划要求时，须待其他单位均已报送进度' }),
  when: ['acknowledged', 'in-progress'],
  refusals: ['ASSISTING_REPORTS_MISSING'],
  validate(task, _args, _person, { refuse }) {
    if (!task.policy.requireAssistingReports) return;
    // Cooperating units (配合单位) may report; their reports are never required.
    const missing = task.state.units.filter((u) => u.role !== 'primary' && u.role !== 'cooperating' && u.reports === 0).map((u) => u.unit);
    if (missing.length > 0) {
      refuse('ASSISTING_REPORTS_MISSING', `Task ${task.input.taskNumber} needs a progress report from ${missing.join(', ')} before submission.`, { missing });
    }
  },

  apply(task, args, person) {
    const { state } = task;
    const nowMs = Date.now();
    const reviewDueAt = iso(nowMs + task.policy.reviewDeadlineMs);
    const evidence = args.evidence ?? [];
    state.submissions.push({ submittedBy: person.id, submittedAt: iso(nowMs), summary: args.summary, evidence, reviewDueAt, overdueNotices: 0 });
    keepNewest(state.submissions, TASK_STATE_LIMITS.submissions);
    state.status = 'submitted';
    recomputeLight(task, nowMs);
    const notice = task.tell(
      { kind: 'review-requested', submittedBy: person.id, summary: args.summary, reviewDueAt },
      task.reviewers(),
    );
    return task.record(person.id, 'task.submitted', { summary: args.summary, evidence, percent: state.percent, reviewDueAt }, notice);
  },
});

export const submitUpdate = submit.update;
