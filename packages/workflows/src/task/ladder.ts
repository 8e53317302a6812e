/**
 * The traffic light and the accountability ladder (催办 → 督办单 → 约谈 → 问责) of one
 * task: the light recomputed after each change, escalation episodes started and ended,
 * and the timed checks (milestones, deadline, windows, rungs) applied when due. The
 * decisions themselves are pure functions in `../decisions.ts`; this file applies them
 * to a {@link TaskRecord}. No Temporal API: messages import it too.
 */
import { HQ_ROLES, SYSTEM_ACTOR, WORKER_ROLES, type BehindReason, type Role, type Rung } from '@duban/common';
import type { NotificationRecipient } from '@duban/activities';
import { behindReasons, expectedPercent, iso, ms, openSubmission, trafficLight, upcomingChecks, type TimedCheck } from '../decisions';
import type { MilestoneCheck } from './definitions';
import type { Outgoing, TaskRecord } from './record';

/** What the schedule expects now: the figure of the last milestone checked (0 before any). */
export function currentExpectation(task: TaskRecord): number {
  // Dated checks of plan format 2 record the expectation they judged by, so they count alike.
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
    case 'start': {
      // The campaign starts: 交办 now, and every window counts from here.
      delete state.startsAt;
      if (ms(state.lastActivityAt) < check.atMs) state.lastActivityAt = state.assignedAt;
      task.assign();
      return;
    }
    case 'milestone': {
      if (check.milestone.kind !== undefined && check.milestone.kind !== 'milestone') {
        applyDatedCheck(task, check.atMs, check.milestone);
        return;
      }
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
        [...task.reviewers(), ...task.recipients({ roles: HQ_ROLES })],
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

/**
 * A dated check of plan format 2 (see `DatedCheckKind` for what each kind means): the light
 * at its instant, one check record and one event; the ladder follows from the light.
 */
function applyDatedCheck(task: TaskRecord, atMs: number, check: MilestoneCheck): void {
  const { state } = task;
  const base = { check: check.id, dueAt: check.dueAt, ...(check.label !== undefined ? { label: check.label } : {}) };
  if (check.kind === 'recurring' && check.duty !== 'report') {
    // Another unit's duty (每月调度 by a named office): recorded with the light as it stands
    // (not recomputed: a missed report stays yellow), and not scored.
    const expected = currentExpectation(task);
    state.checks.push({ id: check.id, kind: 'duty', at: iso(atMs), light: state.light, percent: state.percent, expectedPercent: expected });
    const duty = check.duty ?? 'check';
    // The body that carries the duty out hears of it (the dispatching office: 调度提醒), where the input names its people.
    const told = task.planV2 && check.by !== undefined ? task.input.dutyRecipients?.[check.by] : undefined;
    const notice =
      told !== undefined && told.people.length > 0 && check.by !== undefined
        ? task.tell(
            {
              kind: 'duty-due',
              check: check.id,
              duty,
              by: check.by,
              ...(told.name !== undefined ? { byName: told.name } : {}),
              dueAt: check.dueAt,
              ...(check.label !== undefined ? { label: check.label } : {}),
            },
            told.people.map((r) => ({ person: r.person, unit: r.unit })),
          )
        : undefined;
    task.record(SYSTEM_ACTOR, 'duty.due', { ...base, duty, ...(check.by !== undefined ? { by: check.by } : {}), light: state.light }, notice);
    return;
  }
  if (check.kind === 'recurring') {
    // A report is due at every occurrence: missed when no lead unit reported since the previous one.
    const since = previousOccurrence(task, check) ?? state.assignedAt;
    const leads = new Set([task.input.primaryLead, ...task.input.assistingLeads]);
    const reported = state.units.some((u) => leads.has(u.unit) && u.lastReportAt !== undefined && ms(u.lastReportAt) > ms(since));
    const expected = currentExpectation(task);
    recomputeLight(task, atMs, expected);
    // Yellow until the next report recomputes the light (red, past the deadline, stays red).
    const missed = !reported && state.status !== 'submitted';
    if (missed && state.light === 'green') state.light = 'yellow';
    state.checks.push({ id: check.id, kind: 'recurring', at: iso(atMs), light: state.light, percent: state.percent, expectedPercent: expected, ...(missed ? { missed: true as const } : {}) });
    task.record(SYSTEM_ACTOR, 'report.checked', { ...base, since, reported, light: state.light, percent: state.percent });
    return;
  }
  // A node or a filing: met when the task is submitted or its progress keeps pace with the schedule.
  const kind = check.kind === 'filing' ? 'filing' : 'node';
  const expected = expectedPercent(atMs, ms(state.assignedAt), ms(state.deadlineAt), check);
  recomputeLight(task, atMs, expected);
  state.checks.push({ id: check.id, kind, at: iso(atMs), light: state.light, percent: state.percent, expectedPercent: expected });
  task.record(SYSTEM_ACTOR, `${kind}.checked`, { ...base, light: state.light, percent: state.percent, expectedPercent: expected });
}

/** The dueAt of the occurrence of the same recurring duty just before `check`, if any. */
function previousOccurrence(task: TaskRecord, check: MilestoneCheck): string | undefined {
  const atMs = ms(check.dueAt);
  let previous: string | undefined;
  for (const other of task.input.checks ?? []) {
    if (other.kind !== 'recurring' || other.series !== check.series || other.id === check.id) continue;
    const otherMs = ms(other.dueAt);
    if (otherMs < atMs && (previous === undefined || otherMs > ms(previous))) previous = other.dueAt;
  }
  return previous;
}

/**
 * The lead units the ladder's lower rungs reach: the primary lead, or every lead unit
 * where the plan states no primary (co-leads, `leadPrimary: false`).
 */
function ladderUnits(task: TaskRecord): string[] {
  const { input } = task;
  return input.leadPrimary === false ? [input.primaryLead, ...input.assistingLeads] : [input.primaryLead];
}

/** Who hears of each rung: the higher the rung, the higher up it reaches. */
function rungRecipients(task: TaskRecord, rung: Rung): NotificationRecipient[] {
  const units = ladderUnits(task);
  const of = (roles: readonly Role[]) => units.flatMap((unit) => task.recipients({ unit, roles }));
  switch (rung) {
    case 'reminder':
      return of(WORKER_ROLES);
    case 'supervision-notice':
      return [...of(['unit-head']), ...task.recipients({ roles: HQ_ROLES })];
    case 'interview':
      return [...task.recipients({ roles: ['accountability'] }), ...of(['unit-head'])];
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
