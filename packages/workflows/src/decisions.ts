/**
 * The task workflow's decisions as pure functions of state, input and an instant: the
 * traffic light, the accountability ladder, the timed checks and the assessment. No
 * Temporal APIs here, so they are unit-tested without a server.
 */
import { isTerminal, type BehindReason, type TaskStatus, type TrafficLight } from '@duban/common';
import type { Assessment, CheckRecord, MilestoneCheck, RungRecord, TaskPolicy, TaskState, TaskWorkflowInput } from './task/definitions';

export function ms(iso: string): number {
  return Date.parse(iso);
}

export function iso(msSinceEpoch: number): string {
  return new Date(msSinceEpoch).toISOString();
}

/** Statuses in which the units still owe work, so the unit's ladder may climb. */
export function owesWork(status: TaskStatus): boolean {
  return status === 'assigned' || status === 'acknowledged' || status === 'in-progress';
}

/**
 * Progress the plan expects at `atMs`: the milestone's own figure when the plan gives one,
 * otherwise linear from assignment (0 %) to the deadline (100 %).
 */
export function expectedPercent(
  atMs: number,
  assignedAtMs: number,
  deadlineAtMs: number,
  milestone?: Pick<MilestoneCheck, 'expectedPercent'>,
): number {
  if (milestone?.expectedPercent !== undefined) return milestone.expectedPercent;
  if (deadlineAtMs <= assignedAtMs || atMs >= deadlineAtMs) return 100;
  if (atMs <= assignedAtMs) return 0;
  return Math.round((100 * (atMs - assignedAtMs)) / (deadlineAtMs - assignedAtMs));
}

export interface LightFacts {
  atMs: number;
  status: TaskStatus;
  percent: number;
  expectedPercent: number;
  deadlineAtMs: number;
  /** When the open (or approved) submission was made. */
  submittedAtMs?: number;
  yellowTolerance: number;
}

/**
 * Green on track, yellow behind the expected progress by more than the tolerance, red
 * overdue. Work submitted in time counts as complete while it waits for review: a slow
 * review is the reviewers' delay, not the unit's.
 */
export function trafficLight(f: LightFacts): TrafficLight {
  if (f.status === 'approved') return 'green';
  if (f.status === 'submitted' && f.submittedAtMs !== undefined && f.submittedAtMs <= f.deadlineAtMs) return 'green';
  if (f.atMs > f.deadlineAtMs) return 'red';
  if (f.status === 'submitted') return 'green';
  return f.percent + f.yellowTolerance < f.expectedPercent ? 'yellow' : 'green';
}

/** Why the task is behind right now; empty when it is on track. */
export function behindReasons(state: Pick<TaskState, 'status' | 'light' | 'acknowledgementOverdue' | 'stalled'>): BehindReason[] {
  if (isTerminal(state.status)) return [];
  const reasons: BehindReason[] = [];
  if (state.status === 'assigned' && state.acknowledgementOverdue) reasons.push('unacknowledged');
  if (owesWork(state.status) && state.stalled) reasons.push('stalled');
  if (state.light === 'yellow') reasons.push('behind-schedule');
  if (state.light === 'red') reasons.push('overdue');
  return reasons;
}

export type TimedCheck =
  | { kind: 'start'; atMs: number }
  | { kind: 'milestone'; atMs: number; milestone: MilestoneCheck }
  | { kind: 'deadline'; atMs: number }
  | { kind: 'acknowledgement-window'; atMs: number }
  | { kind: 'stall'; atMs: number }
  | { kind: 'review-overdue'; atMs: number }
  | { kind: 'rung'; atMs: number; level: number };

/**
 * Every timed check still ahead of the task, earliest first. Ties keep this order:
 * milestones and the deadline before the windows and the ladder, so a rung fired at the
 * same instant sees the light the check just recorded.
 */
export function upcomingChecks(state: TaskState, input: Pick<TaskWorkflowInput, 'milestones' | 'policy' | 'checks'>): TimedCheck[] {
  if (isTerminal(state.status)) return [];
  // Before the campaign's start nothing else is due: every window counts from it.
  if (state.startsAt !== undefined) return [{ kind: 'start', atMs: ms(state.startsAt) }];
  const { policy } = input;
  const checks: TimedCheck[] = [];
  const checked = new Set(state.checks.map((c) => c.id));
  for (const milestone of input.milestones) {
    if (!checked.has(milestone.id)) checks.push({ kind: 'milestone', atMs: ms(milestone.dueAt), milestone });
  }
  // The dated checks of plan format 2 (nodes, recurring duties, filing) are timed as milestones
  // are; those due before the task was assigned (launched mid-campaign) are not its to answer for.
  const assignedAtMs = ms(state.assignedAt);
  for (const check of input.checks ?? []) {
    const atMs = ms(check.dueAt);
    if (!checked.has(check.id) && atMs > assignedAtMs) checks.push({ kind: 'milestone', atMs, milestone: check });
  }
  if (!state.deadlinePassed) checks.push({ kind: 'deadline', atMs: ms(state.deadlineAt) });
  if (state.status === 'assigned' && !state.acknowledgementOverdue) {
    checks.push({ kind: 'acknowledgement-window', atMs: ms(state.assignedAt) + policy.acknowledgementWindowMs });
  }
  if ((state.status === 'acknowledged' || state.status === 'in-progress') && !state.stalled) {
    checks.push({ kind: 'stall', atMs: ms(state.lastActivityAt) + policy.stallWindowMs });
  }
  const submission = openSubmission(state);
  // Without a cadence the supervisors are told once per submission.
  if (state.status === 'submitted' && submission && (policy.reminderCadenceMs > 0 || submission.overdueNotices === 0)) {
    checks.push({
      kind: 'review-overdue',
      atMs: ms(submission.reviewDueAt) + submission.overdueNotices * policy.reminderCadenceMs,
    });
  }
  const rungAt = nextRungAtMs(state, policy);
  if (rungAt !== undefined) checks.push({ kind: 'rung', atMs: rungAt, level: state.escalation.level });
  const order: TimedCheck['kind'][] = ['start', 'milestone', 'deadline', 'acknowledgement-window', 'stall', 'review-overdue', 'rung'];
  return checks.sort((a, b) => a.atMs - b.atMs || order.indexOf(a.kind) - order.indexOf(b.kind));
}

/** When the next rung fires: only during an episode, while the units owe work, below the top rung. */
export function nextRungAtMs(state: Pick<TaskState, 'status' | 'escalation'>, policy: Pick<TaskPolicy, 'escalation'>): number | undefined {
  const { escalation } = state;
  if (escalation.episodeStartedAt === undefined || escalation.lastStepAt === undefined) return undefined;
  if (!owesWork(state.status)) return undefined;
  const step = policy.escalation[escalation.level];
  if (!step) return undefined;
  return ms(escalation.lastStepAt) + step.waitMs;
}

export function openSubmission(state: Pick<TaskState, 'submissions'>) {
  const last = state.submissions[state.submissions.length - 1];
  return last && last.decision === undefined ? last : undefined;
}

/** The earliest upcoming milestone check, deadline or review deadline, for people and search. */
export function nextDeadlineAtMs(state: TaskState, input: Pick<TaskWorkflowInput, 'milestones' | 'policy' | 'checks'>): number | undefined {
  // A task waiting for the campaign's start has its dates all the same.
  const dated = upcomingChecks(state.startsAt === undefined ? state : { ...state, startsAt: undefined }, input).filter(
    (c) => c.kind === 'milestone' || c.kind === 'deadline' || c.kind === 'review-overdue',
  );
  return dated[0]?.atMs;
}

/**
 * The task's score: the reviewer's score minus the plan's deductions for every yellow and
 * red check and every rung climbed, never below zero. Commended (表扬) when the score is
 * high enough and the approved work was submitted early enough.
 */
export function assess(args: {
  reviewerScore: number;
  checks: CheckRecord[];
  rungs: RungRecord[];
  scoring: TaskPolicy['scoring'];
  submittedAtMs: number;
  deadlineAtMs: number;
}): Assessment {
  const { deductions } = args.scoring;
  // A duty of another unit (a dispatch by a named office) is not the task's units' to answer for.
  const own = args.checks.filter((c) => c.kind !== 'duty');
  const yellow = own.filter((c) => c.light === 'yellow').length * deductions.yellow;
  const red = own.filter((c) => c.light === 'red').length * deductions.red;
  const rungs = args.rungs.reduce((sum, r) => sum + deductions.rungs[r.rung], 0);
  const total = yellow + red + rungs;
  const score = Math.max(0, args.reviewerScore - total);
  const commended =
    score >= args.scoring.commendation.minScore &&
    args.submittedAtMs <= args.deadlineAtMs - args.scoring.commendation.earlyByMs;
  return { reviewerScore: args.reviewerScore, deductions: { yellow, red, rungs, total }, score, commended };
}
