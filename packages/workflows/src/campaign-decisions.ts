/**
 * The campaign's decisions as pure functions: the board, the rankings of a bulletin (通报),
 * the validation of an amendment and the assessment roll-up by unit. No Temporal APIs
 * here, so they are unit-tested without a server.
 */
import type {
  AmendmentResult,
  BoardTask,
  Bulletin,
  BulletinTask,
  CampaignErrorCode,
  EscalationMove,
  PlanAmendment,
  TaskSummary,
  UnitAssessment,
  UnitCounts,
  UnitRanking,
} from './campaign-definitions';
import { amendmentRuleFindings, isTerminal, type TrafficLight } from '@duban/common';
import type { TaskState, TaskWorkflowInput } from './task/definitions';

export function isFinished(task: Pick<BoardTask, 'status'>): boolean {
  return isTerminal(task.status);
}

/** A task's line on the board before it has reported anything. */
export function initialBoardTask(input: TaskWorkflowInput, workflowId: string, at: string): BoardTask {
  return {
    taskNumber: input.taskNumber,
    workflowId,
    title: input.title,
    actionNumber: input.actionNumber,
    seq: 0,
    at,
    status: 'assigned',
    light: 'green',
    percent: 0,
    escalationLevel: 0,
    rungs: [],
    deadlineAt: input.deadlineAt,
    primaryLead: input.primaryLead,
    assistingLeads: [...input.assistingLeads],
    yellows: 0,
    reds: 0,
    escalationsStarted: 0,
    escalationsStopped: 0,
  };
}

export interface SummaryApplied {
  /** False when the summary was older than the board's line (signals may arrive coalesced or late). */
  applied: boolean;
  opened: EscalationMove[];
  closed: EscalationMove[];
}

/**
 * Puts a task's summary on the board (in place) and says which escalation episodes
 * opened or closed since the previous summary: the counters make this exact even when
 * several changes reach the campaign as one summary.
 */
export function applySummary(board: BoardTask[], summary: TaskSummary): SummaryApplied {
  const line = board.find((t) => t.taskNumber === summary.taskNumber);
  if (!line || summary.seq <= line.seq) return { applied: false, opened: [], closed: [] };
  const move = (): EscalationMove => ({ taskNumber: summary.taskNumber, unit: summary.primaryLead, at: summary.at });
  const opened = Array.from({ length: Math.max(0, summary.escalationsStarted - line.escalationsStarted) }, move);
  const closed = Array.from({ length: Math.max(0, summary.escalationsStopped - line.escalationsStopped) }, move);
  Object.assign(line, summary);
  return { applied: true, opened, closed };
}

/** Counts per primary lead unit, in unit code order. */
export function unitCounts(board: readonly BoardTask[]): UnitCounts[] {
  const byUnit = new Map<string, UnitCounts>();
  for (const task of board) {
    const counts = byUnit.get(task.primaryLead) ?? { unit: task.primaryLead, total: 0, green: 0, yellow: 0, red: 0, escalated: 0, approved: 0, cancelled: 0 };
    counts.total += 1;
    counts[task.light] += 1;
    if (task.escalationLevel > 0) counts.escalated += 1;
    if (task.status === 'approved') counts.approved += 1;
    if (task.status === 'cancelled') counts.cancelled += 1;
    byUnit.set(task.primaryLead, counts);
  }
  return [...byUnit.values()].sort((a, b) => a.unit.localeCompare(b.unit));
}

/**
 * Open tasks of one light, grouped by primary lead unit: the unit with the most such
 * tasks first (then the higher total escalation level, then the unit code), its tasks by
 * escalation level and then number. Units with equal standing share a rank.
 */
export function rankByUnit(board: readonly BoardTask[], light: TrafficLight): UnitRanking[] {
  const groups = new Map<string, BulletinTask[]>();
  for (const task of board) {
    if (isFinished(task) || task.light !== light) continue;
    const entry: BulletinTask = {
      taskNumber: task.taskNumber,
      title: task.title.zh,
      light: task.light,
      percent: task.percent,
      deadlineAt: task.deadlineAt,
      escalationLevel: task.escalationLevel,
    };
    groups.set(task.primaryLead, [...(groups.get(task.primaryLead) ?? []), entry]);
  }
  const weight = (tasks: BulletinTask[]) => tasks.reduce((n, t) => n + t.escalationLevel, 0);
  const sorted = [...groups.entries()]
    .map(([unit, tasks]) => ({ unit, tasks: tasks.sort((a, b) => b.escalationLevel - a.escalationLevel || a.taskNumber - b.taskNumber) }))
    .sort((a, b) => b.tasks.length - a.tasks.length || weight(b.tasks) - weight(a.tasks) || a.unit.localeCompare(b.unit));
  const ranked: UnitRanking[] = [];
  sorted.forEach((group, index) => {
    const previous = ranked[index - 1];
    const prevGroup = sorted[index - 1];
    const tie = previous !== undefined && prevGroup !== undefined && prevGroup.tasks.length === group.tasks.length && weight(prevGroup.tasks) === weight(group.tasks);
    ranked.push({ rank: tie && previous ? previous.rank : index + 1, unit: group.unit, tasks: group.tasks });
  });
  return ranked;
}

export interface BulletinFacts {
  board: readonly BoardTask[];
  number: number;
  at: string;
  periodStart: string;
  opened: readonly EscalationMove[];
  closed: readonly EscalationMove[];
}

/** 通报: overdue (red) and at-risk (yellow) tasks ranked by unit, and the period's escalations. */
export function buildBulletin(f: BulletinFacts): Bulletin {
  const totals = { tasks: f.board.length, green: 0, yellow: 0, red: 0, approved: 0, cancelled: 0 };
  for (const task of f.board) {
    totals[task.light] += 1;
    if (task.status === 'approved') totals.approved += 1;
    if (task.status === 'cancelled') totals.cancelled += 1;
  }
  return {
    number: f.number,
    at: f.at,
    periodStart: f.periodStart,
    periodEnd: f.at,
    overdue: rankByUnit(f.board, 'red'),
    atRisk: rankByUnit(f.board, 'yellow'),
    escalationsOpened: [...f.opened],
    escalationsClosed: [...f.closed],
    totals,
  };
}

/** The assessment by primary lead unit, in unit code order. */
export function rollUp(board: readonly BoardTask[]): UnitAssessment[] {
  const byUnit = new Map<string, UnitAssessment & { scoreSum: number; scored: number }>();
  for (const task of board) {
    const a = byUnit.get(task.primaryLead) ?? {
      unit: task.primaryLead,
      tasks: 0,
      approved: 0,
      cancelled: 0,
      averageScore: null,
      yellows: 0,
      reds: 0,
      rungs: 0,
      commendations: 0,
      scoreSum: 0,
      scored: 0,
    };
    a.tasks += 1;
    if (task.status === 'approved') a.approved += 1;
    if (task.status === 'cancelled') a.cancelled += 1;
    if (task.status === 'approved' && task.score !== undefined) {
      a.scoreSum += task.score;
      a.scored += 1;
    }
    a.yellows += task.yellows;
    a.reds += task.reds;
    a.rungs += task.rungs.length;
    if (task.commended) a.commendations += 1;
    byUnit.set(task.primaryLead, a);
  }
  return [...byUnit.values()]
    .sort((x, y) => x.unit.localeCompare(y.unit))
    .map(({ scoreSum, scored, ...a }) => ({ ...a, averageScore: scored === 0 ? null : Math.round((scoreSum / scored) * 100) / 100 }));
}

/** The first dispatch instant after `nowMs` on the schedule `firstAtMs + k × intervalMs`. */
export function nextDispatchAtMs(firstAtMs: number, intervalMs: number, nowMs: number): number {
  if (nowMs < firstAtMs) return firstAtMs;
  const periods = Math.floor((nowMs - firstAtMs) / intervalMs) + 1;
  return firstAtMs + periods * intervalMs;
}

export interface AmendmentRefusal {
  code: CampaignErrorCode;
  message: string;
  details: Record<string, unknown>;
}

export interface AmendmentContext {
  planId: string;
  board: readonly BoardTask[];
  unitCodes: ReadonlySet<string>;
  nowMs: number;
}

/**
 * Why an amendment cannot be applied, or undefined when it can. Checks shape first, so
 * the synchronous update validator can refuse a malformed payload without a schema library.
 */
export function refuseAmendment(a: PlanAmendment, ctx: AmendmentContext): AmendmentRefusal | undefined {
  const refuse = (code: CampaignErrorCode, message: string, details: Record<string, unknown> = {}): AmendmentRefusal => ({ code, message, details });
  if (typeof a !== 'object' || a === null) return refuse('INVALID_AMENDMENT', 'The amendment must be an object.');
  if (typeof a.amendmentId !== 'string' || a.amendmentId.trim() === '') return refuse('INVALID_AMENDMENT', 'The amendment needs an id (amendmentId).');
  if (typeof a.reason !== 'string' || a.reason.trim() === '') return refuse('INVALID_AMENDMENT', `Amendment ${a.amendmentId} needs a reason.`);
  if (!Array.isArray(a.addTasks) || !Array.isArray(a.moveDeadlines) || !Array.isArray(a.reassign)) {
    return refuse('INVALID_AMENDMENT', `Amendment ${a.amendmentId} needs the lists addTasks, moveDeadlines and reassign (empty where unused).`);
  }
  if (a.addTasks.length + a.moveDeadlines.length + a.reassign.length === 0) {
    return refuse('INVALID_AMENDMENT', `Amendment ${a.amendmentId} changes nothing: add a task, move a deadline or reassign a lead.`);
  }
  // The rules shared with the plan's amendment checks; the first finding is the refusal.
  const [finding] = amendmentRuleFindings(
    {
      plan: ctx.planId,
      addTasks: a.addTasks.map((t) => ({ number: t.taskNumber, plan: t.planId, lead: [t.primaryLead, ...t.assistingLeads], responsible: t.responsible, deadlineAt: t.deadlineAt })),
      moveDeadlines: a.moveDeadlines.map((m) => ({ task: m.taskNumber, deadlineAt: m.deadlineAt })),
      reassign: a.reassign.map((r) => ({ task: r.taskNumber, lead: [r.primaryLead, ...r.assistingLeads] })),
    },
    { planId: ctx.planId, unitCodes: ctx.unitCodes, tasks: new Map(ctx.board.map((t) => [t.taskNumber, t.status])), nowMs: ctx.nowMs },
  );
  return finding === undefined ? undefined : refuse(finding.code, finding.message, finding.details);
}

/** What an amendment changes, for its record and its result. */
export function amendmentOutcome(a: PlanAmendment, applied: boolean): AmendmentResult {
  return {
    amendmentId: a.amendmentId,
    applied,
    added: a.addTasks.map((t) => t.taskNumber),
    moved: a.moveDeadlines.map((m) => m.taskNumber),
    reassigned: a.reassign.map((r) => r.taskNumber),
  };
}

/** The compact summary a task sends its campaign; `seq` is the task's latest event. */
export function taskSummary(state: TaskState, leads: Pick<TaskWorkflowInput, 'primaryLead' | 'assistingLeads'>): TaskSummary {
  const count = (kind: string) => state.timeline.filter((e) => e.kind === kind).length;
  return {
    taskNumber: state.taskNumber,
    seq: state.timeline[state.timeline.length - 1]?.seq ?? 0,
    at: state.timeline[state.timeline.length - 1]?.at ?? state.assignedAt,
    status: state.status,
    light: state.light,
    percent: state.percent,
    escalationLevel: state.escalation.level,
    rungs: state.escalation.history.map((r) => r.rung),
    deadlineAt: state.deadlineAt,
    ...(state.nextDeadlineAt !== undefined ? { nextDeadlineAt: state.nextDeadlineAt } : {}),
    ...(state.assessment ? { score: state.assessment.score, commended: state.assessment.commended } : {}),
    primaryLead: leads.primaryLead,
    assistingLeads: [...leads.assistingLeads],
    yellows: state.checks.filter((c) => c.light === 'yellow').length,
    reds: state.checks.filter((c) => c.light === 'red').length,
    escalationsStarted: count('escalation.started'),
    escalationsStopped: count('escalation.stopped'),
  };
}
