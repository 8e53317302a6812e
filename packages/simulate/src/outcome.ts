/**
 * What a simulation shows at its end: plain data, dates in the plan's zone at day
 * resolution, everything sorted, so the same seed gives the same outcome byte for byte.
 * Built from what the real workflows hold (the campaign's board, each task's state) and
 * from the audit trail (every bulletin, not only the ones the campaign keeps).
 */
import { RUNGS, type Bulletin, type Rung, type TaskStatus, type TrafficLight } from '@duban/common';
import type { Plan } from '@duban/plan';
import type { CampaignBoard, TaskState, UnitAssessment } from '@duban/workflows';
import type { SimDays } from './days';
import type { StepKind } from './people';

export const OUTCOME_FORMAT = 'duban-simulation/1';

export type EndedBy = 'campaign-end' | 'all-finished' | 'until';

export interface OutcomeTask {
  number: number;
  title: string;
  primaryLead: string;
  status: TaskStatus;
  light: TrafficLight;
  percent: number;
  escalationLevel: number;
  /** Every rung fired, in order. */
  rungs: Rung[];
  /** The highest rung ever reached; undefined when none fired. */
  topRung?: Rung;
  /** The last day of the deadline in force. */
  deadline: string;
  submittedOn?: string;
  approvedOn?: string;
  score?: number;
  commended?: boolean;
  /** Overdue: red at its deadline, or still open past it. */
  late: boolean;
  returns: number;
  extensions: number;
}

export interface OutcomeMilestone {
  id: string;
  /** The last day of the milestone. */
  due: string;
  /** Whether its date has come by the stop. */
  reached: boolean;
  /** The tasks it concerns. */
  concerns: number;
  /** Tasks approved before it: nothing left to check. */
  doneBefore: number;
  /** The checks it made of open tasks. */
  tasks: Array<{ number: number; light: TrafficLight; percent: number; expected: number }>;
  green: number;
  yellow: number;
  red: number;
}

export interface OutcomeRung {
  on: string;
  task: number;
  unit: string;
  rung: Rung;
  level: number;
  reasons: string[];
}

export interface OutcomeUnit extends UnitAssessment {
  /** 1 = best: by average score, then approved tasks, then fewest rungs, reds, yellows. */
  rank: number;
  name: string;
  late: number;
}

export interface OutcomeBulletin {
  number: number;
  on: string;
  totals: Bulletin['totals'];
  opened: number[];
  closed: number[];
  /** The unit the bulletin ranks bottom: first among the overdue (red), else among the at-risk (yellow). */
  bottom?: string;
}

export interface OutcomeSample {
  on: string;
  approved: number;
  green: number;
  yellow: number;
  red: number;
  escalated: number;
}

export interface OutcomeRefusal {
  on: string;
  task: number;
  message: StepKind;
  actor: string;
  code: string;
}

export interface OutcomeEvent {
  on: string;
  kind: 'amend' | 'extension' | 'change';
  /** What it was about: the amendment id, `task N`, a unit code. */
  subject: string;
  applied: boolean;
  code?: string;
}

export interface SimulationOutcome {
  format: typeof OUTCOME_FORMAT;
  plan: { id: string; title: string; file: string; timeZone: string; campaignYear: number; start: string; end: string };
  scenario: { id: string; title: { zh: string; en: string }; file: string; seed: number };
  launchedOn: string;
  stoppedOn: string;
  until?: string;
  endedBy: EndedBy;
  /** Days from the launch to the stop. */
  days: number;
  totals: { tasks: number; approved: number; cancelled: number; open: number; green: number; yellow: number; red: number; escalated: number; late: number; commended: number; rungs: number };
  tasks: OutcomeTask[];
  milestones: OutcomeMilestone[];
  escalations: OutcomeRung[];
  units: OutcomeUnit[];
  bulletins: { count: number; headlines: OutcomeBulletin[] };
  /** The board once a week (Monday noon, after the dispatch). */
  timeline: OutcomeSample[];
  people: { actions: Partial<Record<StepKind, number>>; refusals: OutcomeRefusal[] };
  events: OutcomeEvent[];
  files: { directory: string; auditDb: string; notifications: string; ledger?: string; auditCsv?: string; report?: string };
}

/** A board's counts: open tasks by light, approved ones apart. */
export function sampleOf(board: CampaignBoard, on: string): OutcomeSample {
  const open = board.tasks.filter((t) => t.status !== 'approved' && t.status !== 'cancelled');
  const count = (light: TrafficLight) => open.filter((t) => t.light === light).length;
  return {
    on,
    approved: board.tasks.filter((t) => t.status === 'approved').length,
    green: count('green'),
    yellow: count('yellow'),
    red: count('red'),
    escalated: board.tasks.filter((t) => t.escalationLevel > 0).length,
  };
}

function topRung(rungs: readonly Rung[]): Rung | undefined {
  let top = -1;
  for (const r of rungs) top = Math.max(top, RUNGS.indexOf(r));
  return top < 0 ? undefined : RUNGS[top];
}

function taskOf(state: TaskState, board: CampaignBoard, days: SimDays, stopMs: number): OutcomeTask {
  const line = board.tasks.find((t) => t.taskNumber === state.taskNumber);
  const approved = state.status === 'approved' ? state.submissions.find((s) => s.decision === 'approved') : undefined;
  const lastSubmission = state.submissions[state.submissions.length - 1];
  const rungs = state.escalation.history.map((r) => r.rung);
  const finished = state.status === 'approved' || state.status === 'cancelled';
  const redAtDeadline = state.checks.some((c) => c.id === 'deadline' && c.light === 'red');
  const top = topRung(rungs);
  return {
    number: state.taskNumber,
    title: line?.title.zh ?? String(state.taskNumber),
    primaryLead: state.units.find((u) => u.role === 'primary')?.unit ?? line?.primaryLead ?? '',
    status: state.status,
    light: state.light,
    percent: state.percent,
    escalationLevel: state.escalation.level,
    rungs,
    ...(top ? { topRung: top } : {}),
    deadline: days.dueDate(state.deadlineAt),
    ...(lastSubmission ? { submittedOn: days.date(lastSubmission.submittedAt) } : {}),
    ...(approved?.reviewedAt ? { approvedOn: days.date(approved.reviewedAt) } : {}),
    ...(state.assessment ? { score: state.assessment.score, commended: state.assessment.commended } : {}),
    late: redAtDeadline || (!finished && stopMs >= Date.parse(state.deadlineAt)),
    returns: state.submissions.filter((s) => s.decision === 'returned').length,
    extensions: state.extensions.filter((e) => e.decision === 'approved').length,
  };
}

/** Best first: a higher average score, more approved, fewer rungs, reds and yellows; equal standing shares a rank. */
export function rankUnits(assessment: readonly UnitAssessment[], names: ReadonlyMap<string, string>, lateByUnit: ReadonlyMap<string, number>): OutcomeUnit[] {
  const key = (u: UnitAssessment) => [-(u.averageScore ?? -1), -u.approved, u.rungs, u.reds, u.yellows];
  const compare = (a: UnitAssessment, b: UnitAssessment) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i += 1) if (ka[i] !== kb[i]) return (ka[i] ?? 0) - (kb[i] ?? 0);
    return 0;
  };
  const sorted = [...assessment].sort((a, b) => compare(a, b) || a.unit.localeCompare(b.unit));
  const ranked: OutcomeUnit[] = [];
  sorted.forEach((u, i) => {
    const before = sorted[i - 1];
    const previous = ranked[i - 1];
    const rank = before !== undefined && previous !== undefined && compare(before, u) === 0 ? previous.rank : i + 1;
    ranked.push({ ...u, rank, name: names.get(u.unit) ?? u.unit, late: lateByUnit.get(u.unit) ?? 0 });
  });
  return ranked;
}

export function headlineOf(bulletin: Bulletin, days: SimDays): OutcomeBulletin {
  const bottom = bulletin.overdue[0]?.unit ?? bulletin.atRisk[0]?.unit;
  return {
    number: bulletin.number,
    on: days.date(bulletin.at),
    totals: bulletin.totals,
    opened: [...new Set(bulletin.escalationsOpened.map((m) => m.taskNumber))].sort((a, b) => a - b),
    closed: [...new Set(bulletin.escalationsClosed.map((m) => m.taskNumber))].sort((a, b) => a - b),
    ...(bottom !== undefined ? { bottom } : {}),
  };
}

export interface OutcomeFacts {
  plan: Plan;
  /** The plan as launched (re-dated). */
  launched: Plan;
  planFile: string;
  scenario: SimulationOutcome['scenario'];
  campaignYear: number;
  days: SimDays;
  stopMs: number;
  endedBy: EndedBy;
  until?: string;
  board: CampaignBoard;
  states: TaskState[];
  assessment: UnitAssessment[];
  bulletins: Bulletin[];
  timeline: OutcomeSample[];
  actions: Partial<Record<StepKind, number>>;
  refusals: OutcomeRefusal[];
  events: OutcomeEvent[];
  milestoneDueAt: ReadonlyMap<string, string>;
  /** By task number: the milestones that check it. */
  milestonesOf: ReadonlyMap<number, readonly string[]>;
  files: SimulationOutcome['files'];
}

/** The outcome from the workflows' own records at the stop. */
export function buildOutcome(f: OutcomeFacts): SimulationOutcome {
  const { days } = f;
  const tasks = [...f.states].sort((a, b) => a.taskNumber - b.taskNumber).map((s) => taskOf(s, f.board, days, f.stopMs));
  const escalations: OutcomeRung[] = f.states
    .flatMap((s) => {
      const unit = s.units.find((u) => u.role === 'primary')?.unit ?? '';
      return s.escalation.history.map((r, i) => ({
        on: days.date(r.at),
        task: s.taskNumber,
        unit,
        rung: r.rung,
        // The level the rung stands for on the ladder (1 = reminder).
        level: RUNGS.indexOf(r.rung) + 1,
        reasons: [...r.reasons].sort(),
        order: i,
      }));
    })
    .sort((a, b) => a.on.localeCompare(b.on) || a.task - b.task || a.order - b.order)
    .map(({ order: _order, ...r }) => r);
  const milestones: OutcomeMilestone[] = f.launched.milestones.map((m) => {
    const checks = f.states
      .flatMap((s) => s.checks.filter((c) => c.id === m.id).map((c) => ({ number: s.taskNumber, light: c.light, percent: c.percent, expected: c.expectedPercent })))
      .sort((a, b) => a.number - b.number);
    const dueAt = f.milestoneDueAt.get(m.id) ?? '';
    const dueMs = Date.parse(dueAt);
    const concerned = f.states.filter((s) => f.milestonesOf.get(s.taskNumber)?.includes(m.id) ?? false);
    const doneBefore = concerned.filter((s) => {
      const approved = s.submissions.find((x) => x.decision === 'approved')?.reviewedAt;
      return s.status === 'approved' && approved !== undefined && Date.parse(approved) < dueMs;
    });
    return {
      id: m.id,
      due: days.dueDate(dueAt),
      reached: f.stopMs >= dueMs,
      concerns: concerned.length,
      doneBefore: doneBefore.length,
      tasks: checks,
      green: checks.filter((c) => c.light === 'green').length,
      yellow: checks.filter((c) => c.light === 'yellow').length,
      red: checks.filter((c) => c.light === 'red').length,
    };
  });
  const names = new Map(f.plan.units.map((u) => [u.code, u.name]));
  const lateByUnit = new Map<string, number>();
  for (const t of tasks) if (t.late) lateByUnit.set(t.primaryLead, (lateByUnit.get(t.primaryLead) ?? 0) + 1);
  const finished = (t: OutcomeTask) => t.status === 'approved' || t.status === 'cancelled';
  const open = tasks.filter((t) => !finished(t));
  return {
    format: OUTCOME_FORMAT,
    plan: {
      id: f.plan.id,
      title: f.plan.title.zh,
      file: f.planFile,
      timeZone: f.plan.timeZone,
      campaignYear: f.campaignYear,
      start: f.launched.campaign.start,
      end: f.launched.campaign.end,
    },
    scenario: f.scenario,
    launchedOn: days.dateOfDay(0),
    stoppedOn: days.date(f.stopMs),
    ...(f.until !== undefined ? { until: f.until } : {}),
    endedBy: f.endedBy,
    days: days.dayOf(f.stopMs),
    totals: {
      tasks: tasks.length,
      approved: tasks.filter((t) => t.status === 'approved').length,
      cancelled: tasks.filter((t) => t.status === 'cancelled').length,
      open: open.length,
      green: open.filter((t) => t.light === 'green').length,
      yellow: open.filter((t) => t.light === 'yellow').length,
      red: open.filter((t) => t.light === 'red').length,
      escalated: tasks.filter((t) => t.escalationLevel > 0).length,
      late: tasks.filter((t) => t.late).length,
      commended: tasks.filter((t) => t.commended === true).length,
      rungs: escalations.length,
    },
    tasks,
    milestones,
    escalations,
    units: rankUnits(f.assessment, names, lateByUnit),
    bulletins: { count: f.bulletins.length, headlines: [...f.bulletins].sort((a, b) => a.number - b.number).map((b) => headlineOf(b, days)) },
    timeline: f.timeline,
    people: {
      actions: Object.fromEntries(Object.entries(f.actions).sort(([a], [b]) => a.localeCompare(b))),
      // Tasks act side by side: the order of arrival is the server's, the order shown is not.
      refusals: [...f.refusals].sort((a, b) => a.on.localeCompare(b.on) || a.task - b.task || a.message.localeCompare(b.message) || a.actor.localeCompare(b.actor) || a.code.localeCompare(b.code)),
    },
    events: f.events,
    files: f.files,
  };
}
