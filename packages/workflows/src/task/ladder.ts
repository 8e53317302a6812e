/**
 * The traffic light and the accountability ladder (催办 → 督办单 → 约谈 → 问责) of one
 * task: the light recomputed after each change, escalation episodes started and ended,
 * and the timed checks (milestones, deadline, windows, rungs) applied when due. The
 * decisions themselves are pure functions in `../decisions.ts`; this file applies them
 * to a {@link TaskRecord}. No Temporal API: messages import it too.
 */
import { HQ_ROLES, SYSTEM_ACTOR, WORKER_ROLES, type BehindReason, type Rung } from '@duban/common';
import type { NotificationRecipient } from '@duban/activities';
import { behindReasons, expectedPercent, iso, ms, openSubmission, trafficLight, upcomingChecks, type TimedCheck } from '../decisions';
import type { Outgoing, TaskRecord } from './record';

/** What the schedule expects now: the figure of the last milestone checked (0 before any). */
export function currentExpectation(task: TaskRecord): number {
  const milestoneChecks = task.state.checks.filter((c) => c.id !== 'deadline');
  return milestoneChecks[milestoneChecks.length - 1]?.expectedPercent ?? 0;
}

/** The light at `atMs` against the `expected` percent; `expected` defaults to the last milestone's. */
export function recomputeLight(task: TaskRecord, atMs: number, expected = currentExpectation(task)): void {
  const { state } = task;
  const submission = state.submissions[state.submissions.length - 1];
  state.light = trafficLight({
    atMs,
    status: state.status,
    percent: state.percent,
    expectedPercent: expected,
    deadlineAtMs: ms(state.deadlineAt),
    ...(state.status === 'submitted' && submission ? { submittedAtMs: ms(submission.submittedAt) } : {}),
    yellowTolerance: task.policy.yellowTolerance,
  });
}

/** Starts an escalation episode when the task falls behind; ends it when it catches up. */
export function reconcileLadder(task: TaskRecord): void {
  const { state } = task;
  const reasons = behindReasons(state);
  const esc = state.escalation;
  const now = iso(Date.now());
  if (reasons.length > 0 && esc.episodeStartedAt === undefined) {
    esc.episodeStartedAt = now;
    esc.lastStepAt = now;
    esc.level = 0;
    task.record(SYSTEM_ACTOR, 'escalation.started', { reasons });
  } else if (reasons.length === 0 && esc.episodeStartedAt !== undefined) {
    const levelReached = esc.level;
    const startedAt = esc.episodeStartedAt;
    delete esc.episodeStartedAt;
    delete esc.lastStepAt;
    esc.level = 0;
    const why = state.status === 'approved' ? 'approved' : state.status === 'cancelled' ? 'cancelled' : 'caught-up';
    task.record(SYSTEM_ACTOR, 'escalation.stopped', { levelReached, startedAt, reason: why });
  }
}

/** Applies every timed check that is due, in order, re-planning after each. */
export function processDueChecks(task: TaskRecord): void {
  for (;;) {
    const next = upcomingChecks(task.state, task.input)[0];
    if (!next || next.atMs > Date.now()) return;
    applyTimedCheck(task, next);
    reconcileLadder(task);
  }
}

function applyTimedCheck(task: TaskRecord, check: TimedCheck): void {
  const { state, policy } = task;
  switch (check.kind) {
    case 'milestone': {
      const expected = expectedPercent(check.atMs, ms(state.assignedAt), ms(state.deadlineAt), check.milestone);
      recomputeLight(task, check.atMs, expected);
      state.checks.push({ id: check.milestone.id, at: iso(check.atMs), light: state.light, percent: state.percent, expectedPercent: expected });
      const { id: milestone, dueAt } = check.milestone;
      task.record(SYSTEM_ACTOR, 'milestone.checked', { milestone, dueAt, light: state.light, percent: state.percent, expectedPercent: expected });
      return;
    }
    case 'deadline': {
      state.deadlinePassed = true;
      // Just past the deadline: work not yet submitted in time is overdue.
      recomputeLight(task, check.atMs + 1, 100);
      state.checks.push({ id: 'deadline', at: iso(check.atMs), light: state.light, percent: state.percent, expectedPercent: 100 });
      task.record(SYSTEM_ACTOR, 'deadline.passed', { deadlineAt: state.deadlineAt, light: state.light, percent: state.percent });
      return;
    }
    case 'acknowledgement-window': {
      state.acknowledgementOverdue = true;
      task.record(SYSTEM_ACTOR, 'acknowledgement.overdue', { assignedAt: state.assignedAt, windowMs: policy.acknowledgementWindowMs });
      return;
    }
    case 'stall': {
      state.stalled = true;
      task.record(SYSTEM_ACTOR, 'task.stalled', { lastActivityAt: state.lastActivityAt, windowMs: policy.stallWindowMs });
      return;
    }
    case 'review-overdue': {
      const submission = openSubmission(state);
      if (!submission) return;
      submission.overdueNotices += 1;
      const { submittedAt, submittedBy, reviewDueAt } = submission;
      const notice = task.tell(
        { kind: 'review-overdue', submittedBy, submittedAt, reviewDueAt },
        [...task.recipients({ roles: ['supervisor'] }), ...task.recipients({ roles: HQ_ROLES })],
      );
      task.record(SYSTEM_ACTOR, 'review.overdue', { submittedAt, submittedBy, reviewDueAt }, notice);
      return;
    }
    case 'rung': {
      const step = policy.escalation[check.level];
      if (!step) return;
      const esc = state.escalation;
      const nowMs = Date.now();
      esc.level = check.level + 1;
      esc.lastStepAt = iso(nowMs);
      const reasons = behindReasons(state);
      esc.history.push({ rung: step.rung, at: iso(nowMs), reasons });
      const details = { rung: step.rung, level: esc.level, reasons, light: state.light };
      task.record(SYSTEM_ACTOR, `escalation.${step.rung}`, details, rungNotice(task, step.rung, reasons));
      return;
    }
  }
}

/** Who hears of each rung: the higher the rung, the higher up it reaches. */
function rungRecipients(task: TaskRecord, rung: Rung): NotificationRecipient[] {
  const unit = task.input.primaryLead;
  switch (rung) {
    case 'reminder':
      return task.recipients({ unit, roles: WORKER_ROLES });
    case 'supervision-notice':
      return [...task.recipients({ unit, roles: ['unit-head'] }), ...task.recipients({ roles: HQ_ROLES })];
    case 'interview':
      return [...task.recipients({ roles: ['accountability'] }), ...task.recipients({ unit, roles: ['unit-head'] })];
    case 'accountability':
      return [...task.recipients({ roles: HQ_ROLES }), ...task.recipients({ roles: ['accountability'] })];
  }
}

/**
 * The rung's notice with the facts behind it, so a 督办单 can say why (expected progress,
 * assignment, last activity), carry its number (the how-many-th of its rung on the task)
 * and the deadline to reply: when the next rung fires unless the task catches up, as
 * `nextRungAtMs` plans it. Absent on the last rung.
 */
function rungNotice(task: TaskRecord, rung: Rung, reasons: BehindReason[]): Outgoing {
  const { state, policy } = task;
  const esc = state.escalation;
  const next = policy.escalation[esc.level];
  const facts = {
    kind: rung,
    level: esc.level,
    reasons,
    percent: state.percent,
    light: state.light,
    deadlineAt: state.deadlineAt,
    ordinal: esc.history.filter((r) => r.rung === rung).length,
    ...(reasons.includes('behind-schedule') ? { expectedPercent: currentExpectation(task) } : {}),
    assignedAt: state.assignedAt,
    lastActivityAt: state.lastActivityAt,
    ...(next && esc.lastStepAt !== undefined ? { replyBy: iso(ms(esc.lastStepAt) + next.waitMs) } : {}),
  };
  return task.tell(facts, rungRecipients(task, rung));
}
