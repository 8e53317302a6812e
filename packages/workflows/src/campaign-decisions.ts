/**
 * The campaign's decisions as pure functions: the board, the rankings of a bulletin (通报),
 * the validation of an amendment and the assessment roll-up by unit. No Temporal APIs
 * here, so they are unit-tested without a server.
 */
import type {
  AmendmentResult,
  BoardTask,
  BreakGlassAct,
  Bulletin,
  BulletinTask,
  CampaignErrorCode,
  CampaignWorkflowInput,
  EscalationMove,
  PlanAmendment,
  ReassignLeads,
  TaskAmendment,
  TaskSummary,
  UnitAssessment,
  UnitCounts,
  UnitRanking,
} from './campaign-definitions';
import { amendmentRuleFindings, HQ_ROLES, isTerminal, REVIEWER_ROLES, type Role, type TrafficLight } from '@duban/common';
import { changesRoster, refuseRosterChanges } from './campaign-roster';
import { eventCount, type IdentitySettings, type Person, type TaskState, type TaskWorkflowInput, type Unit } from './task/definitions';
import type { BoardSeed } from './campaign-storage';

export function isFinished(task: Pick<BoardTask, 'status'>): boolean {
  return isTerminal(task.status);
}

/** A task's line on the board before it has reported anything. */
export function initialBoardTask(input: BoardSeed, workflowId: string, at: string): BoardTask {
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
  return applySummaryTo(board.find((t) => t.taskNumber === summary.taskNumber), summary);
}

/** {@link applySummary} on the task's line found already (a campaign of thousands of tasks keeps them by number). */
export function applySummaryTo(line: BoardTask | undefined, summary: TaskSummary): SummaryApplied {
  if (!line || summary.seq <= line.seq) return { applied: false, opened: [], closed: [] };
  const move = (): EscalationMove => ({ taskNumber: summary.taskNumber, unit: summary.primaryLead, at: summary.at });
  const opened = Array.from({ length: Math.max(0, summary.escalationsStarted - line.escalationsStarted) }, move);
  const closed = Array.from({ length: Math.max(0, summary.escalationsStopped - line.escalationsStopped) }, move);
  Object.assign(line, summary);
  return { applied: true, opened, closed };
}

/**
 * Patch of the bulletin's totals: since it, a cancelled task is counted as cancelled only,
 * not under the light it had when HQ cancelled it (before, it counted under that light,
 * mostly green). No command changes with it (the bulletin is only the input of the notify
 * and appendAudit activities, which replay does not compare), but the bulletin is the
 * details of the campaign's chained audit entry: a replay must rebuild an old bulletin as
 * it was, or the chain it computes would part from the stored one.
 */
export const BULLETIN_CANCELLED_APART_PATCH = 'duban-bulletin-cancelled-apart';

/**
 * Counts per primary lead unit, in unit code order. A cancelled task counts in `total` and
 * `cancelled` only: it has no light any more, nor a rung to be on.
 */
export function unitCounts(board: readonly BoardTask[]): UnitCounts[] {
  const byUnit = new Map<string, UnitCounts>();
  for (const task of board) {
    const counts = byUnit.get(task.primaryLead) ?? { unit: task.primaryLead, total: 0, green: 0, yellow: 0, red: 0, escalated: 0, approved: 0, cancelled: 0 };
    counts.total += 1;
    if (task.status === 'cancelled') counts.cancelled += 1;
    else {
      counts[task.light] += 1;
      if (task.escalationLevel > 0) counts.escalated += 1;
    }
    if (task.status === 'approved') counts.approved += 1;
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
  /** Break-glass acts not reported yet. */
  breakGlass?: readonly BreakGlassAct[];
  /**
   * Count a cancelled task as cancelled only, not under its last light (default true).
   * False only for bulletins of histories recorded before {@link BULLETIN_CANCELLED_APART_PATCH}.
   */
  cancelledApart?: boolean;
}

/**
 * 通报: overdue (red) and at-risk (yellow) tasks ranked by unit, and the period's
 * escalations. The totals count every task once under its light, except a cancelled task,
 * which has its own count (and, like an approved one, is in no ranking).
 */
export function buildBulletin(f: BulletinFacts): Bulletin {
  const cancelledApart = f.cancelledApart ?? true;
  const totals = { tasks: f.board.length, green: 0, yellow: 0, red: 0, approved: 0, cancelled: 0 };
  for (const task of f.board) {
    if (task.status === 'cancelled') totals.cancelled += 1;
    if (task.status !== 'cancelled' || !cancelledApart) totals[task.light] += 1;
    if (task.status === 'approved') totals.approved += 1;
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
    ...(f.breakGlass && f.breakGlass.length > 0 ? { breakGlass: [...f.breakGlass] } : {}),
    totals,
  };
}

/**
 * Collects the break-glass acts of a summary that no bulletin has named yet (in place):
 * `seen` holds per task number the highest act seq already collected, so a repeated or
 * late summary adds nothing twice and the state stays bounded by the number of tasks.
 */
export function collectBreakGlass(summary: TaskSummary, seen: Record<string, number>, pending: BreakGlassAct[]): void {
  const key = String(summary.taskNumber);
  for (const act of summary.breakGlass ?? []) {
    if (act.seq <= (seen[key] ?? 0)) continue;
    pending.push({ ...act });
    seen[key] = act.seq;
  }
}

// ---------------------------------------------------------------------------------------
// The roster of record

/** Roles that act on every task whatever its units (the rule of `buildTaskInput` in `@duban/client`). */
const PLAN_WIDE_ROLES: ReadonlySet<Role> = new Set<Role>([...REVIEWER_ROLES, ...HQ_ROLES, 'accountability']);

/**
 * The roster of record a campaign starts with: its input's, or for a campaign launched
 * before the roster existed the people of its tasks and its HQ (first entry per id wins).
 * A legacy campaign that had already continued as new has no tasks in its input any more:
 * its stand-in roster is its HQ alone, until an amendment registers keys.
 */
export function rosterOfRecord(input: Pick<CampaignWorkflowInput, 'roster' | 'tasks' | 'hq'>): Person[] {
  if (input.roster) return [...input.roster];
  const byId = new Map<string, Person>();
  for (const person of [...input.tasks.flatMap((t) => t.people), ...input.hq]) if (!byId.has(person.id)) byId.set(person.id, person);
  return [...byId.values()];
}

/**
 * A task's people, from the roster of record: everyone of the task's units, plus whoever
 * acts plan-wide (supervisors, the HQ office, the accountability group, and `planWide` —
 * the HQ leaders, who may hold none of those roles).
 */
export function taskPeopleFromRoster(roster: readonly Person[], units: readonly string[], planWide: ReadonlySet<string> = new Set()): Person[] {
  return roster.filter((p) => units.includes(p.unit) || planWide.has(p.id) || p.roles.some((r) => PLAN_WIDE_ROLES.has(r)));
}

export interface CampaignFacts {
  roster: readonly Person[];
  /** Ids of the HQ leaders and office (`CampaignWorkflowInput.hq`). */
  planWide: ReadonlySet<string>;
  /** Every unit of the plan, to name the units of the task's people. */
  units: readonly Unit[];
  identity?: IdentitySettings;
  campaignEndAt: string;
}

/**
 * A task added by an amendment as the campaign starts it: its people from the roster of
 * record (whatever the caller's file said), the campaign's identity settings and end.
 */
export function taskFromRoster(task: TaskWorkflowInput, c: CampaignFacts): TaskWorkflowInput {
  const people = taskPeopleFromRoster(c.roster, [task.primaryLead, ...task.assistingLeads, ...task.responsible], c.planWide);
  const named = new Set(task.units.map((u) => u.code));
  const units = [...task.units, ...c.units.filter((u) => !named.has(u.code) && people.some((p) => p.unit === u.code))];
  return { ...task, people, units, ...(c.identity ? { identity: c.identity } : {}), campaignEndAt: c.campaignEndAt };
}

export type TaskChange = Omit<TaskAmendment, 'amendmentId' | 'actor'>;

/**
 * The signals an amendment sends to running tasks, in order: deadline moves, then
 * reassignments, then `everyTask` (key changes, the campaign's new end) to each task in
 * `tasks`. A task takes one signal per amendment id, so with `oneSignalPerTask` the
 * changes for one task are merged into its first signal; without it (histories recorded
 * before the merge) each change is a signal of its own, as it was.
 */
export function taskChanges(
  a: PlanAmendment,
  leads: (change: ReassignLeads) => NonNullable<TaskChange['leads']>,
  everyTask: { tasks: readonly number[]; change: Omit<TaskChange, 'reason'> } | undefined,
  oneSignalPerTask: boolean,
): { taskNumber: number; change: TaskChange }[] {
  const list: { taskNumber: number; change: TaskChange }[] = [
    ...a.moveDeadlines.map((m) => ({ taskNumber: m.taskNumber, change: { reason: m.reason, deadlineAt: m.deadlineAt } })),
    ...a.reassign.map((r) => ({ taskNumber: r.taskNumber, change: { reason: r.reason, leads: leads(r) } })),
    ...(everyTask?.tasks ?? []).map((taskNumber) => ({ taskNumber, change: { reason: a.reason, ...everyTask?.change } })),
  ];
  if (!oneSignalPerTask) return list;
  const merged = new Map<number, TaskChange>();
  for (const { taskNumber, change } of list) {
    const first = merged.get(taskNumber);
    const reason = first === undefined || first.reason === change.reason ? change.reason : `${first.reason}; ${change.reason}`;
    merged.set(taskNumber, { ...first, ...change, reason });
  }
  return [...merged.entries()].map(([taskNumber, change]) => ({ taskNumber, change }));
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
  /** The roster of record key changes are judged against (none when absent). */
  roster?: readonly Person[];
  /** The campaign's current end: `extendCampaignTo` must lie after it. */
  endAtMs?: number;
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
  if (a.addTasks.length + a.moveDeadlines.length + a.reassign.length === 0 && !changesRoster(a.roster) && a.extendCampaignTo === undefined) {
    return refuse('INVALID_AMENDMENT', `Amendment ${a.amendmentId} changes nothing: add a task, move a deadline, reassign a lead, issue or revoke a key, or extend the campaign.`);
  }
  const roster = refuseRosterChanges(a.roster, ctx.roster ?? [], a.amendmentId);
  if (roster) return refuse('INVALID_AMENDMENT', roster.message, roster.details);
  if (a.extendCampaignTo !== undefined) {
    const toMs = typeof a.extendCampaignTo === 'string' ? Date.parse(a.extendCampaignTo) : NaN;
    if (!Number.isFinite(toMs) || (ctx.endAtMs !== undefined && toMs <= ctx.endAtMs)) {
      return refuse('INVALID_AMENDMENT', `Amendment ${a.amendmentId}: extendCampaignTo must be an instant after the campaign's end${ctx.endAtMs === undefined ? '' : ` (${new Date(ctx.endAtMs).toISOString()})`}.`, {
        extendCampaignTo: a.extendCampaignTo,
      });
    }
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
  // Also the events that left the bounded timeline: the campaign counts episodes from the differences.
  const count = (kind: string) => eventCount(state, kind);
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
    ...(state.breakGlass?.length ? { breakGlass: [...state.breakGlass] } : {}),
  };
}
