import {
  assess,
  behindReasons,
  expectedPercent,
  nextRungAtMs,
  trafficLight,
  upcomingChecks,
  type TaskState,
} from '@duban/workflows';
import { DAY, bareTaskState, policy } from './fixtures';

const t0 = Date.parse('2030-01-01T00:00:00Z');

const state = (overrides: Partial<TaskState> = {}): TaskState => bareTaskState(t0, { status: 'in-progress', ...overrides });

describe('the expected progress', () => {
  it('is linear from assignment to the deadline when the milestone gives no figure', () => {
    expect(expectedPercent(t0 + 25 * DAY, t0, t0 + 100 * DAY)).toBe(25);
    expect(expectedPercent(t0 - DAY, t0, t0 + 100 * DAY)).toBe(0);
    expect(expectedPercent(t0 + 200 * DAY, t0, t0 + 100 * DAY)).toBe(100);
  });

  it('is the milestone own figure when the plan gives one', () => {
    expect(expectedPercent(t0 + 25 * DAY, t0, t0 + 100 * DAY, { expectedPercent: 60 })).toBe(60);
  });
});

describe('the traffic light', () => {
  const base = { atMs: t0 + 50 * DAY, status: 'in-progress' as const, deadlineAtMs: t0 + 100 * DAY, yellowTolerance: 10 };

  it('is green within the tolerance of the expected progress', () => {
    expect(trafficLight({ ...base, percent: 41, expectedPercent: 50 })).toBe('green');
  });

  it('is yellow behind the expected progress by more than the tolerance', () => {
    expect(trafficLight({ ...base, percent: 39, expectedPercent: 50 })).toBe('yellow');
  });

  it('is red past the deadline whatever the progress', () => {
    expect(trafficLight({ ...base, atMs: t0 + 101 * DAY, percent: 99, expectedPercent: 100 })).toBe('red');
  });

  it('is green for work submitted in time that waits for review past the deadline', () => {
    expect(
      trafficLight({ ...base, status: 'submitted', atMs: t0 + 101 * DAY, submittedAtMs: t0 + 99 * DAY, percent: 80, expectedPercent: 100 }),
    ).toBe('green');
  });

  it('is red for work submitted after the deadline', () => {
    expect(
      trafficLight({ ...base, status: 'submitted', atMs: t0 + 102 * DAY, submittedAtMs: t0 + 101 * DAY, percent: 100, expectedPercent: 100 }),
    ).toBe('red');
  });
});

describe('falling behind', () => {
  it('counts an unacknowledged assignment, a stall and a non-green light', () => {
    expect(behindReasons(state({ status: 'assigned', acknowledgementOverdue: true }))).toEqual(['unacknowledged']);
    expect(behindReasons(state({ stalled: true, light: 'yellow' }))).toEqual(['stalled', 'behind-schedule']);
    expect(behindReasons(state({ light: 'red' }))).toEqual(['overdue']);
  });

  it('never holds for an approved or cancelled task', () => {
    expect(behindReasons(state({ status: 'approved', light: 'red', stalled: true }))).toEqual([]);
    expect(behindReasons(state({ status: 'cancelled', light: 'yellow' }))).toEqual([]);
  });
});

describe('the ladder', () => {
  const p = policy();

  it('waits for each rung after the previous one, from the start of the episode', () => {
    const start = new Date(t0).toISOString();
    expect(nextRungAtMs(state({ escalation: { level: 0, episodeStartedAt: start, lastStepAt: start, history: [] } }), p)).toBe(t0);
    expect(nextRungAtMs(state({ escalation: { level: 1, episodeStartedAt: start, lastStepAt: start, history: [] } }), p)).toBe(t0 + 7 * DAY);
  });

  it('stops at the top rung and outside an episode', () => {
    const start = new Date(t0).toISOString();
    expect(nextRungAtMs(state({ escalation: { level: 4, episodeStartedAt: start, lastStepAt: start, history: [] } }), p)).toBeUndefined();
    expect(nextRungAtMs(state(), p)).toBeUndefined();
  });

  it('pauses while the work waits for review', () => {
    const start = new Date(t0).toISOString();
    expect(nextRungAtMs(state({ status: 'submitted', escalation: { level: 1, episodeStartedAt: start, lastStepAt: start, history: [] } }), p)).toBeUndefined();
  });
});

describe('the timed checks', () => {
  it('come earliest first, milestones before the ladder at the same instant', () => {
    const start = new Date(t0 + 10 * DAY).toISOString();
    const checks = upcomingChecks(
      state({ escalation: { level: 0, episodeStartedAt: start, lastStepAt: start, history: [] } }),
      { milestones: [{ id: 'm2', dueAt: new Date(t0 + 30 * DAY).toISOString() }, { id: 'm1', dueAt: start }], policy: policy() },
    );
    expect(checks.map((c) => c.kind + ('milestone' in c ? `:${c.milestone.id}` : ''))).toEqual([
      'milestone:m1',
      'rung',
      'milestone:m2',
      'stall',
      'deadline',
    ]);
  });

  it('skip milestones already checked and end with the task', () => {
    const dueAt = new Date(t0 + 30 * DAY).toISOString();
    const checked = state({ checks: [{ id: 'm1', at: dueAt, light: 'green', percent: 50, expectedPercent: 30 }] });
    expect(upcomingChecks(checked, { milestones: [{ id: 'm1', dueAt }], policy: policy() }).map((c) => c.kind)).toEqual(['stall', 'deadline']);
    expect(upcomingChecks(state({ status: 'approved' }), { milestones: [{ id: 'm1', dueAt }], policy: policy() })).toEqual([]);
  });
});

describe('the assessment', () => {
  const scoring = policy().scoring;

  it('deducts each yellow, red and rung from the reviewer score', () => {
    const a = assess({
      reviewerScore: 95,
      checks: [
        { id: 'm1', at: '', light: 'yellow', percent: 0, expectedPercent: 0 },
        { id: 'deadline', at: '', light: 'red', percent: 0, expectedPercent: 0 },
        { id: 'm2', at: '', light: 'green', percent: 0, expectedPercent: 0 },
      ],
      rungs: [
        { rung: 'reminder', at: '', reasons: [] },
        { rung: 'supervision-notice', at: '', reasons: [] },
      ],
      scoring,
      submittedAtMs: t0,
      deadlineAtMs: t0 + 100 * DAY,
    });
    expect(a.deductions).toEqual({ yellow: 2, red: 5, rungs: 3, total: 10 });
    expect(a.score).toBe(85);
    expect(a.commended).toBe(false);
  });

  it('commends a high score submitted early enough, and not one submitted late', () => {
    const common = { reviewerScore: 96, checks: [], rungs: [], scoring, deadlineAtMs: t0 + 100 * DAY };
    expect(assess({ ...common, submittedAtMs: t0 + 80 * DAY }).commended).toBe(true);
    expect(assess({ ...common, submittedAtMs: t0 + 95 * DAY }).commended).toBe(false);
  });

  it('never goes below zero', () => {
    const rungs = Array.from({ length: 30 }, () => ({ rung: 'accountability' as const, at: '', reasons: [] }));
    expect(assess({ reviewerScore: 50, checks: [], rungs, scoring, submittedAtMs: t0, deadlineAtMs: t0 }).score).toBe(0);
  });
});
