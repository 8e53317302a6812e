/**
 * The view models, built from what the workflows answer (board, task state, bulletins,
 * assessment) and the plans: names for codes, local times, safe links, and the forms a
 * person is offered. Offering a form is for ease only; the workflow decides every act.
 */
import { createHash } from 'node:crypto';
import { supervisingBody } from '@duban/client';
import { HQ_ROLES, REVIEWER_ROLES, TERMINAL_STATUSES, WORKER_ROLES, type Bulletin, type Role, type TaskStatus } from '@duban/common';
import type { Plan } from '@duban/plan';
import type { BoardTask, CampaignBoard, Person, TaskState, TimelineEvent } from '@duban/workflows';
import type { Workspace, Who } from './context';
import { dueTime, localDate, localTime, safeLink } from './format';
import { eventSummary } from './i18n';
import type {
  AssessmentModel,
  BoardModel,
  BoardRow,
  BulletinModel,
  BulletinView,
  ExtensionRow,
  InboxItem,
  InboxModel,
  Lang,
  TaskActions,
  TaskLine,
  TaskModel,
  TimelineRow,
} from './models';

const OPEN: readonly TaskStatus[] = ['assigned', 'acknowledged', 'in-progress', 'submitted'];
const REPORTABLE: readonly TaskStatus[] = ['assigned', 'acknowledged', 'in-progress'];
const SUBMITTABLE: readonly TaskStatus[] = ['acknowledged', 'in-progress'];

const hasAny = (roles: readonly Role[], wanted: readonly Role[]) => roles.some((r) => wanted.includes(r));

export function taskHref(planId: string, taskNumber: number): string {
  return `/tasks/${encodeURIComponent(planId)}/${taskNumber}`;
}

function titleOf(title: { zh: string; en?: string | undefined }, lang: Lang): string {
  return lang === 'en' && title.en ? title.en : title.zh;
}

/** Runs `work` over `items`, at most `limit` at a time (a plan has tens of tasks, the server one shard). */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T);
      }
    }),
  );
  return out;
}

/**
 * The people a plan names as a task's supervisors (format 2, `task.supervisor`): the ones
 * the task's input carries as `supervisedBy`, so the workflow lets exactly them review.
 * Undefined when the task names nobody (then the plan-wide reviewer roles review it);
 * empty when the named body has nobody on the roster (the plan refuses to launch then).
 */
function namedSupervisors(workspace: Workspace, plan: Plan, taskNumber: number): readonly string[] | undefined {
  if ((workspace.planTask(plan, taskNumber)?.supervisor ?? []).length === 0) return undefined;
  try {
    return supervisingBody(plan, taskNumber)?.people ?? [];
  } catch {
    return [];
  }
}

/**
 * Whether the review form is for `person`: the task's named supervisors, else the
 * reviewer roles; never the submitter, nor the primary lead's unit unless the plan allows
 * it — as the workflow will decide (it alone does).
 */
function mayReview(workspace: Workspace, plan: Plan, taskNumber: number, primaryLead: string, person: Person, submittedBy: string | undefined): boolean {
  const named = namedSupervisors(workspace, plan, taskNumber);
  const allowed = named !== undefined ? named.includes(person.id) : hasAny(person.roles, REVIEWER_ROLES);
  if (!allowed || submittedBy === person.id) return false;
  return person.unit !== primaryLead || plan.policies.allowSameUnitReview;
}

// ---------------------------------------------------------------------------------------
// Inbox

/** Which units a plan task involves, and in what role (the task's units as the workflow will hold them). */
/** A board line as the inbox and the board show it: printed number, title, link, light, rung. */
function taskLine(workspace: Workspace, plan: Plan, t: BoardTask, lang: Lang): TaskLine {
  const printed = workspace.planTask(plan, t.taskNumber)?.printed;
  const rung = t.escalationLevel > 0 ? t.rungs[t.rungs.length - 1] : undefined;
  return {
    taskNumber: t.taskNumber,
    ...(printed ? { printed } : {}),
    title: titleOf(t.title, lang),
    href: taskHref(plan.id, t.taskNumber),
    status: t.status,
    light: t.light,
    percent: t.percent,
    escalationLevel: t.escalationLevel,
    ...(rung ? { rung } : {}),
  };
}

function involvement(plan: Plan, board: BoardTask, unit: string, workspace: Workspace): 'primary' | 'assisting' | 'responsible' | undefined {
  if (board.primaryLead === unit) return 'primary';
  if (board.assistingLeads.includes(unit)) return 'assisting';
  const task = workspace.planTask(plan, board.taskNumber);
  return task?.responsible.includes(unit) ? 'responsible' : undefined;
}

export async function inboxModel(workspace: Workspace, who: Who, lang: Lang): Promise<InboxModel> {
  const items: InboxItem[] = [];
  const watching: InboxItem[] = [];
  const plans = workspace.plansOf(who);
  for (const plan of plans) {
    const person = await workspace.personIn(plan.id, who.person);
    if (!person) continue;
    const board = await workspace.duban.campaign(plan.id).board();
    const worker = hasAny(person.roles, WORKER_ROLES);
    const hq = hasAny(person.roles, HQ_ROLES);
    const open = board.tasks.filter((t) => OPEN.includes(t.status));
    const mine = worker ? open.filter((t) => involvement(plan, t, person.unit, workspace) !== undefined) : [];
    // The state of a task says what is left to do (acknowledged? extension pending?).
    const wanted = new Map<number, BoardTask>();
    for (const t of mine) wanted.set(t.taskNumber, t);
    if (hq) for (const t of open) wanted.set(t.taskNumber, t);
    // Work waiting for this person's review, by the task's named supervisors or the reviewer roles.
    const toReview = new Set(open.filter((t) => t.status === 'submitted' && mayReview(workspace, plan, t.taskNumber, t.primaryLead, person, undefined)).map((t) => t.taskNumber));
    for (const t of open) if (toReview.has(t.taskNumber)) wanted.set(t.taskNumber, t);
    const states = new Map<number, TaskState>();
    await mapLimited([...wanted.keys()], 4, async (n) => {
      try {
        states.set(n, await workspace.duban.task(plan.id, n).state());
      } catch {
        // A task between runs or not started yet: it shows up on the next load.
      }
    });
    for (const t of open) {
      const state = states.get(t.taskNumber);
      const role = worker ? involvement(plan, t, person.unit, workspace) : undefined;
      const item = (duty: InboxItem['duty'], dueIso: string): InboxItem => {
        return {
          planId: plan.id,
          ...taskLine(workspace, plan, t, lang),
          due: dueTime(dueIso, plan, lang),
          overdue: Date.parse(dueIso) < workspace.now(),
          duty,
          ...(role ? { unitRole: role } : {}),
        };
      };
      const due = t.nextDeadlineAt ?? t.deadlineAt;
      const submission = state?.submissions[state.submissions.length - 1];
      if (toReview.has(t.taskNumber) && submission?.submittedBy !== person.id) {
        items.push(item('review', submission?.reviewDueAt ?? due));
        continue;
      }
      const pending = state?.extensions.find((e) => e.decision === undefined);
      if (hq && pending && pending.requestedBy !== person.id) {
        items.push(item('decide-extension', pending.toDeadlineAt));
        continue;
      }
      if (!role) continue;
      const unit = state?.units.find((u) => u.unit === person.unit);
      if (state && unit && !unit.acknowledgedAt) items.push(item('acknowledge', due));
      else if (role === 'primary' && SUBMITTABLE.includes(t.status) && t.percent >= 100) items.push(item('submit', due));
      else if (REPORTABLE.includes(t.status)) items.push(item('report', due));
      else watching.push(item('watch', due));
    }
  }
  items.sort((a, b) => a.due.iso.localeCompare(b.due.iso) || a.taskNumber - b.taskNumber);
  return { plans: plans.map((p) => ({ id: p.id, title: titleOf(p.title, lang) })), items, watching };
}

// ---------------------------------------------------------------------------------------
// Task page

function eventText(details: Record<string, unknown>): string | undefined {
  const parts: string[] = [];
  for (const field of ['note', 'summary', 'reason', 'decisionReason']) {
    const value = details[field];
    if (typeof value === 'string' && value !== '') parts.push(value);
  }
  if (Array.isArray(details.reasons)) parts.push(...details.reasons.filter((r): r is string => typeof r === 'string'));
  return parts.length > 0 ? parts.join('\n') : undefined;
}

async function timelineRow(workspace: Workspace, plan: Plan, event: TimelineEvent, lang: Lang): Promise<TimelineRow> {
  const text = eventText(event.details);
  const evidence = Array.isArray(event.details.evidence) ? event.details.evidence.filter((e): e is string => typeof e === 'string') : [];
  return {
    seq: event.seq,
    at: localTime(event.at, plan.timeZone, lang),
    ...(event.actor === 'system' ? {} : { actor: await workspace.personRef(plan.id, event.actor) }),
    kind: event.kind,
    summary: eventSummary(event.kind, event.details, lang),
    ...(text !== undefined ? { text } : {}),
    links: evidence.map(safeLink),
  };
}

/** The forms `person` is offered on the task, from their roles and the task's state (for ease: the workflow decides). */
function offeredActions(workspace: Workspace, plan: Plan, state: TaskState, person: Person | undefined, maxScore: number): TaskActions {
  const actions: TaskActions = { base: taskHref(plan.id, state.taskNumber) };
  if (!person) return actions;
  const unit = state.units.find((u) => u.unit === person.unit);
  const worker = hasAny(person.roles, WORKER_ROLES);
  if (worker && unit) {
    if (!unit.acknowledgedAt && OPEN.includes(state.status) && state.status !== 'submitted') actions.acknowledge = true;
    if (unit.acknowledgedAt && REPORTABLE.includes(state.status)) actions.report = { percent: unit.percent };
    if (unit.role === 'primary' && SUBMITTABLE.includes(state.status)) actions.submit = true;
    const pending = state.extensions.some((e) => e.decision === undefined);
    if (unit.role === 'primary' && REPORTABLE.includes(state.status) && !pending && !state.deadlinePassed) {
      actions.requestExtension = { currentDate: localDate(state.deadlineAt, plan.timeZone), latestDate: plan.campaign.end };
    }
  }
  const primaryLead = state.units.find((u) => u.role === 'primary')?.unit ?? workspace.planTask(plan, state.taskNumber)?.lead[0] ?? '';
  const submittedBy = state.submissions[state.submissions.length - 1]?.submittedBy;
  if (state.status === 'submitted' && mayReview(workspace, plan, state.taskNumber, primaryLead, person, submittedBy)) actions.review = { maxScore, noteRequired: state.percent < 100 };
  return actions;
}

export async function taskModel(workspace: Workspace, who: Who, plan: Plan, state: TaskState, lang: Lang): Promise<TaskModel> {
  const planTask = workspace.planTask(plan, state.taskNumber);
  const person = await workspace.personIn(plan.id, who.person);
  const zone = plan.timeZone;
  const at = (iso: string) => localTime(iso, zone, lang);
  const ref = (id: string) => workspace.personRef(plan.id, id);
  const extensions: ExtensionRow[] = await Promise.all(
    state.extensions.map(async (e) => ({
      requestedBy: await ref(e.requestedBy),
      requestedAt: at(e.requestedAt),
      reason: e.reason,
      from: dueTime(e.fromDeadlineAt, plan, lang),
      to: dueTime(e.toDeadlineAt, plan, lang),
      ...(e.decision ? { decision: e.decision } : {}),
      ...(e.decidedBy ? { decidedBy: await ref(e.decidedBy) } : {}),
      ...(e.decidedAt ? { decidedAt: at(e.decidedAt) } : {}),
      ...(e.decisionReason ? { decisionReason: e.decisionReason } : {}),
    })),
  );
  const actions = offeredActions(workspace, plan, state, person, plan.policies.scoring.base);
  const pendingIndex = state.extensions.findIndex((e) => e.decision === undefined);
  const pending = extensions[pendingIndex];
  if (person && hasAny(person.roles, HQ_ROLES) && pending && state.extensions[pendingIndex]?.requestedBy !== person.id && OPEN.includes(state.status)) {
    actions.decideExtension = { pending, latestDate: plan.campaign.end };
  }
  const rung = state.escalation.level > 0 ? state.escalation.history[state.escalation.history.length - 1]?.rung : undefined;
  const primary = state.units.find((u) => u.role === 'primary')?.unit ?? planTask?.lead[0] ?? '';
  return {
    plan: { id: plan.id, title: titleOf(plan.title, lang) },
    taskNumber: state.taskNumber,
    ...(planTask?.printed ? { printed: planTask.printed } : {}),
    title: planTask ? titleOf(planTask.title, lang) : String(state.taskNumber),
    path: planTask ? [planTask.actionTitle, ...(planTask.path ?? []).map((p) => `${p.printed}${p.title}`)] : [],
    status: state.status,
    light: state.light,
    percent: state.percent,
    deadline: dueTime(state.deadlineAt, plan, lang, state.taskNumber),
    ...(planTask?.deadline?.source ? { deadlineWords: planTask.deadline.source } : {}),
    ...(state.nextDeadlineAt ? { nextDeadline: dueTime(state.nextDeadlineAt, plan, lang) } : {}),
    escalation: { level: state.escalation.level, ...(rung ? { rung } : {}), rungs: state.escalation.history.map((h) => h.rung) },
    primaryLead: workspace.unitRef(plan, primary),
    units: await Promise.all(
      state.units.map(async (u) => ({
        unit: workspace.unitRef(plan, u.unit),
        role: u.role,
        ...(u.acknowledgedAt ? { acknowledgedAt: at(u.acknowledgedAt) } : {}),
        ...(u.acknowledgedBy ? { acknowledgedBy: await ref(u.acknowledgedBy) } : {}),
        percent: u.percent,
        ...(u.lastReportAt ? { lastReportAt: at(u.lastReportAt) } : {}),
        reports: u.reports,
      })),
    ),
    submissions: await Promise.all(
      state.submissions.map(async (s) => ({
        submittedBy: await ref(s.submittedBy),
        submittedAt: at(s.submittedAt),
        summary: s.summary,
        evidence: s.evidence.map(safeLink),
        reviewDueAt: at(s.reviewDueAt),
        ...(s.decision ? { decision: s.decision } : {}),
        ...(s.reviewedBy ? { reviewedBy: await ref(s.reviewedBy) } : {}),
        ...(s.reviewedAt ? { reviewedAt: at(s.reviewedAt) } : {}),
        ...(s.score !== undefined ? { score: s.score } : {}),
        reasons: s.reasons ?? [],
      })),
    ),
    extensions,
    timeline: await Promise.all([...state.timeline].reverse().map((e) => timelineRow(workspace, plan, e, lang))),
    earlierEvents: state.earlierEvents?.count ?? 0,
    ...(state.assessment
      ? { assessment: { score: state.assessment.score, reviewerScore: state.assessment.reviewerScore, deductions: state.assessment.deductions.total, commended: state.assessment.commended } }
      : {}),
    ...(state.cancelled ? { cancelled: { by: await ref(state.cancelled.by), at: at(state.cancelled.at), reason: state.cancelled.reason } } : {}),
    actions,
  };
}

// ---------------------------------------------------------------------------------------
// Board

/** A fingerprint of what the board shows: a live update is sent only when it changes. */
export function boardVersion(board: CampaignBoard): string {
  const hash = createHash('sha256');
  hash.update(board.status);
  for (const t of board.tasks) hash.update(`|${t.taskNumber}:${t.seq}:${t.status}:${t.light}:${t.percent}:${t.escalationLevel}`);
  return hash.digest('hex').slice(0, 16);
}

export interface BoardFilters {
  light?: 'green' | 'yellow' | 'red';
  unit?: string;
}

export function boardFilters(query: Record<string, unknown>): BoardFilters {
  const filters: BoardFilters = {};
  if (query.light === 'green' || query.light === 'yellow' || query.light === 'red') filters.light = query.light;
  if (typeof query.unit === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(query.unit)) filters.unit = query.unit;
  return filters;
}

export function boardModel(workspace: Workspace, plan: Plan, board: CampaignBoard, filters: BoardFilters, lang: Lang): BoardModel {
  const zone = plan.timeZone;
  const rows: BoardRow[] = board.tasks
    .filter((t) => (filters.light === undefined || t.light === filters.light) && (filters.unit === undefined || t.primaryLead === filters.unit || t.assistingLeads.includes(filters.unit)))
    .sort((a, b) => a.taskNumber - b.taskNumber)
    .map((t) => {
      return {
        ...taskLine(workspace, plan, t, lang),
        primaryLead: workspace.unitRef(plan, t.primaryLead),
        deadline: dueTime(t.deadlineAt, plan, lang, t.taskNumber),
        ...(t.nextDeadlineAt ? { nextDeadline: dueTime(t.nextDeadlineAt, plan, lang) } : {}),
        ...(t.score !== undefined ? { score: t.score } : {}),
      };
    });
  const totals = { tasks: board.tasks.length, green: 0, yellow: 0, red: 0, approved: 0, cancelled: 0 };
  for (const t of board.tasks) {
    if (t.status === 'approved') totals.approved += 1;
    else if (t.status === 'cancelled') totals.cancelled += 1;
    else totals[t.light] += 1;
  }
  const query = new URLSearchParams();
  if (filters.light) query.set('light', filters.light);
  if (filters.unit) query.set('unit', filters.unit);
  const qs = query.toString();
  return {
    plan: { id: plan.id, title: titleOf(plan.title, lang) },
    campaignYear: board.campaignYear,
    status: board.status,
    updatedAt: localTime(board.updatedAt, zone, lang),
    filters,
    units: [...new Set(board.tasks.map((t) => t.primaryLead))].map((code) => workspace.unitRef(plan, code)),
    counts: board.counts.map((c) => ({ ...c, unit: workspace.unitRef(plan, c.unit) })),
    tasks: rows,
    totals,
    eventsUrl: `/board/${encodeURIComponent(plan.id)}/events${qs ? `?${qs}` : ''}`,
    version: boardVersion(board),
  };
}

// ---------------------------------------------------------------------------------------
// Bulletin, assessment

async function bulletinView(workspace: Workspace, plan: Plan, b: Bulletin, lang: Lang): Promise<BulletinView> {
  const zone = plan.timeZone;
  const at = (iso: string) => localTime(iso, zone, lang);
  const ranking = (r: Bulletin['overdue']) =>
    r.map((u) => ({
      rank: u.rank,
      unit: workspace.unitRef(plan, u.unit),
      tasks: u.tasks.map((t) => ({ taskNumber: t.taskNumber, title: t.title, href: taskHref(plan.id, t.taskNumber), light: t.light, percent: t.percent, deadline: dueTime(t.deadlineAt, plan, lang, t.taskNumber), escalationLevel: t.escalationLevel })),
    }));
  const moves = (m: Bulletin['escalationsOpened']) => m.map((e) => ({ taskNumber: e.taskNumber, unit: workspace.unitRef(plan, e.unit), at: at(e.at) }));
  return {
    number: b.number,
    at: at(b.at),
    periodStart: at(b.periodStart),
    periodEnd: at(b.periodEnd),
    overdue: ranking(b.overdue),
    atRisk: ranking(b.atRisk),
    escalationsOpened: moves(b.escalationsOpened),
    escalationsClosed: moves(b.escalationsClosed),
    breakGlass: await Promise.all(
      (b.breakGlass ?? []).map(async (g) => ({ taskNumber: g.taskNumber, at: at(g.at), signer: await workspace.personRef(plan.id, g.signer), actor: await workspace.personRef(plan.id, g.actor), message: g.message, reason: g.reason })),
    ),
    totals: b.totals,
  };
}

export async function bulletinModel(workspace: Workspace, plan: Plan, lang: Lang): Promise<BulletinModel> {
  const bulletins = await workspace.duban.campaign(plan.id).bulletins();
  const zone = plan.timeZone;
  const earlier = bulletins.headlines ?? bulletins.kept.map((b) => ({ number: b.number, at: b.at, totals: b.totals }));
  return {
    plan: { id: plan.id, title: titleOf(plan.title, lang) },
    ...(bulletins.latest ? { latest: await bulletinView(workspace, plan, bulletins.latest, lang) } : {}),
    preview: await bulletinView(workspace, plan, bulletins.preview, lang),
    earlier: earlier
      .filter((h) => h.number !== bulletins.latest?.number)
      .map((h) => ({ number: h.number, at: localTime(h.at, zone, lang), totals: h.totals }))
      .reverse(),
  };
}

export async function assessmentModel(workspace: Workspace, plan: Plan, lang: Lang): Promise<AssessmentModel> {
  const campaign = workspace.duban.campaign(plan.id);
  const [rows, board] = await Promise.all([campaign.assessment(), campaign.board()]);
  return {
    plan: { id: plan.id, title: titleOf(plan.title, lang) },
    final: board.status === 'completed',
    rows: rows.map((r) => ({ ...r, unit: workspace.unitRef(plan, r.unit) })),
    ledgerHref: `/ledger/${encodeURIComponent(plan.id)}.csv`,
  };
}

/** Whether a task status is final. */
export function isFinal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
