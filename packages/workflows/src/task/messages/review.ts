/**
 * `review`: a supervisor (or HQ office) decides on the submitted work. Approval scores
 * it, ends the task and may commend it (表扬); a return sends it back for rework
 * (退回整改) with reasons. Nobody reviews work they submitted, nor (unless the plan allows
 * it) work of their own unit; approving unfinished work needs a recorded reason.
 */
import { HQ_ROLES, REVIEWER_ROLES, SYSTEM_ACTOR, WORKER_ROLES } from '@duban/common';
import { assess, iso, ms } from '../../decisions';
import { fail } from '../../failure';
import { TaskErrorCode, type SubmissionRecord } from '../definitions';
import { recomputeLight } from '../ladder';
import type { TaskRecord } from '../record';
import { list, literal, number, optional, union, type Infer } from './args';
import { defineMessage, messageArgs, sentBy, text } from './message';

/** The arguments' form; `reviewArgsSchema` (the client's) adds their limits. */
const reviewForm = union('decision', [
  messageArgs({
    decision: literal('approve'),
    /** Between 0 and the plan policy's scoring base. */
    score: number({ min: 0 }),
    /** Required when the task's percent is below 100: why unfinished work is approved. */
    note: optional(text),
  }),
  messageArgs({
    decision: literal('return'),
    reasons: list(text, { minItems: 1, maxItems: 50 }),
  }),
]);
export type ReviewArgs = Infer<typeof reviewForm>;

export const review = defineMessage('review', reviewForm, {
  senders: {
    ...sentBy(REVIEWER_ROLES, 'any', {
      en: "where the task names who supervises it (`supervisedBy`), their people only, whatever their roles (`NOT_SUPERVISOR`); not the submitter; not of the primary lead's unit unless `policy.allowSameUnitReview`; score ≤ `policy.scoring.base`; approving below 100% needs a `note`",
      zh: '任务明确督导单位的，仅由该单位（工作组）人员审核；提交人不得自审；牵头单位人员不得审核本单位工作（计划允许除外）；评分不超过满分；进度未达100%予以通过须写明理由',
    }),
    // A task whose plan names its supervisor (督导单位) is reviewed by that body's people only.
    supervising: true,
  },
  when: ['submitted'],
  refusals: ['SELF_REVIEW', 'CONFLICT_OF_INTEREST', 'INVALID_ARGUMENT', 'REASON_REQUIRED'],
  validate(task, args, person, { refuse, authority }) {
    const { policy, input, state } = task;
    const { base } = policy.scoring;
    if (task.openSubmission()?.submittedBy === person.id) {
      refuse('SELF_REVIEW', `${person.name} (${person.id}) submitted this work and cannot review it; ask another reviewer.`, { actor: person.id });
    }
    if (authority && person.unit === input.primaryLead && !policy.allowSameUnitReview) {
      refuse(
        'CONFLICT_OF_INTEREST',
        `${person.name} (${person.id}) belongs to ${person.unit}, the primary lead unit of task ${input.taskNumber}, and cannot review its work: ask a reviewer from another unit.`,
        { actor: person.id, unit: person.unit },
      );
    }
    if (args.decision !== 'approve') return;
    if (args.score > base) refuse('INVALID_ARGUMENT', `Score ${args.score} exceeds the plan's base of ${base}.`, { score: args.score, base });
    if (authority && state.percent < 100 && !args.note) {
      refuse(
        'REASON_REQUIRED',
        `Task ${input.taskNumber} is at ${state.percent}%: approving unfinished work needs a note saying why (it is recorded), or return the work instead.`,
        { percent: state.percent },
      );
    }
  },

  apply(task, args, person) {
    const nowMs = Date.now();
    const submission = task.openSubmission();
    if (!submission) fail(TaskErrorCode.INVALID_STATE, `Task ${task.input.taskNumber} has no submission waiting for review.`);
    submission.reviewedBy = person.id;
    submission.reviewedAt = iso(nowMs);
    return args.decision === 'approve' ? approve(task, submission, args, person.id) : giveBack(task, submission, args, person.id, nowMs);
  },
});

export const reviewUpdate = review.update;

type Approval = Extract<ReviewArgs, { decision: 'approve' }>;
type Return = Extract<ReviewArgs, { decision: 'return' }>;

/** Approved: scored against the plan's deductions, and commended when early and good. */
function approve(task: TaskRecord, submission: SubmissionRecord, args: Approval, reviewer: string): number {
  const { state, policy } = task;
  submission.decision = 'approved';
  submission.score = args.score;
  state.status = 'approved';
  state.light = 'green';
  const assessment = assess({
    reviewerScore: args.score,
    checks: state.checks,
    rungs: state.escalation.history,
    scoring: policy.scoring,
    submittedAtMs: ms(submission.submittedAt),
    deadlineAtMs: ms(state.deadlineAt),
  });
  state.assessment = assessment;
  const reviewSeq = task.record(reviewer, 'review.approved', { ...assessment, ...(args.note ? { note: args.note } : {}) });
  if (!assessment.commended) return reviewSeq;
  const lead = task.input.primaryLead;
  const notice = task.tell(
    { kind: 'commendation', score: assessment.score },
    [...task.recipients({ unit: lead, roles: ['unit-head'] }), ...task.recipients({ roles: HQ_ROLES })],
  );
  return task.record(SYSTEM_ACTOR, 'task.commended', { score: assessment.score, submittedAt: submission.submittedAt, deadlineAt: state.deadlineAt }, notice);
}

/** Returned for rework: the unit owes work again, and the ladder's wait restarts with it. */
function giveBack(task: TaskRecord, submission: SubmissionRecord, args: Return, reviewer: string, nowMs: number): number {
  const { state } = task;
  submission.decision = 'returned';
  submission.reasons = args.reasons;
  state.status = 'in-progress';
  state.lastActivityAt = iso(nowMs);
  state.stalled = false;
  // The review time was not the unit's.
  if (state.escalation.episodeStartedAt !== undefined) state.escalation.lastStepAt = iso(nowMs);
  recomputeLight(task, nowMs);
  const notice = task.tell({ kind: 'returned', reasons: args.reasons }, task.recipients({ unit: task.input.primaryLead, roles: WORKER_ROLES }));
  return task.record(reviewer, 'review.returned', { reasons: args.reasons }, notice);
}
