import { Duration, type DateTime } from 'luxon';
import { DEFAULT_IDENTITY_POLICY } from '@duban/identity';
import { dueInstant, expandCollectives, findTask, PlanLookupError, taskChecks, taskSchedule, type Plan, type PlanPerson } from '@duban/plan';
import { TASK_STATE_LIMITS, type IdentitySettings, type MilestoneCheck, type Person, type TaskPolicy, type TaskWorkflowInput, type Unit } from '@duban/workflows';
import { DEFAULT_NOTICE_LANG, ErrorCode, type NoticeIssuer, type NoticeLang, type NoticeTarget } from '@duban/common';
import { DubanClientError } from './errors';
import type { Keyring } from './keys';

export interface BuildTaskInputOptions {
  /** When the task counts as assigned; the workflow's start time when omitted. */
  assignedAt?: DateTime;
  /** The plan's public keys (`KeyStore.keyring`): each person of the task gets theirs. */
  keyring?: Keyring;
  /** The language of the task's notices; the plan's (`routing.lang`) when omitted, else Chinese. */
  lang?: NoticeLang;
  /**
   * Assign the task as soon as it starts, even before the campaign's start (`duban dev`,
   * which shows a campaign at work at once). Default: the task waits for the campaign's start,
   * or for its own start (`task.start`) where that is later.
   */
  startNow?: boolean;
}

/** Who signs the plan's formal notices (督办单, 约谈): its headquarters and the headquarters' office; nobody named when the plan sets up no headquarters. */
function noticeIssuer(plan: Plan): NoticeIssuer | undefined {
  if (plan.organization === undefined) return undefined;
  const { headquarters, office } = plan.organization;
  return { headquarters: { zh: headquarters.name, en: headquarters.en }, office: { zh: office.name, en: office.en } };
}

/** The instant the plan's campaign starts: the first instant of its first day in the plan's time zone. */
export function campaignStartAt(plan: Plan): string {
  const start = dueInstant(plan.campaign.start, 'before', plan.timeZone).toISO();
  if (start === null) throw new DubanClientError(ErrorCode.INVALID_PLAN, `Plan ${plan.id} starts on ${plan.campaign.start}, which is not a date.`, { field: 'campaign.start' });
  return start;
}

/**
 * When a task may begin: the campaign's start, or the task's own (`task.start`, a later
 * phase) where that comes later. The workflow waits for it (`TaskWorkflowInput.startAt`).
 */
export function taskStartAt(plan: Plan, ownStartAt: string | undefined): string {
  const campaign = campaignStartAt(plan);
  return ownStartAt !== undefined && Date.parse(ownStartAt) > Date.parse(campaign) ? ownStartAt : campaign;
}

/**
 * A task's dated checks beyond its milestones (nodes, recurring duties, filing) as the
 * workflow takes them (`MilestoneCheck` with kind, label, duty, by; a recurring
 * occurrence also names its duty as `series`). Refused past `TASK_STATE_LIMITS.datedChecks`
 * (milestones included): every check leaves a record in the task's carried state.
 */
function datedChecks(plan: Plan, taskNumber: number): MilestoneCheck[] {
  const all = taskChecks(plan, taskNumber);
  // A dispatch duty that names nobody is the task's dispatcher's (task.dispatcher: 每月调度 by the office that dispatches the task).
  const { dispatcher } = findTask(plan, taskNumber);
  if (all.length > TASK_STATE_LIMITS.datedChecks) {
    throw new DubanClientError(
      ErrorCode.INVALID_PLAN,
      `Task ${taskNumber} of plan ${plan.id} has ${all.length} dated checks (milestones, nodes, occurrences of recurring duties, filing); a task may have at most ${TASK_STATE_LIMITS.datedChecks}: make a weekly duty monthly, or split the task.`,
      { details: { planId: plan.id, taskNumber, checks: all.length, limit: TASK_STATE_LIMITS.datedChecks } },
    );
  }
  return all
    .filter((c) => c.kind !== 'milestone')
    .map((c): MilestoneCheck => ({
      id: c.id,
      dueAt: c.dueAt,
      kind: c.kind,
      label: c.label,
      ...(c.duty !== undefined ? { duty: c.duty } : {}),
      ...(c.by !== undefined ? { by: c.by } : c.duty === 'dispatch' && dispatcher !== undefined ? { by: dispatcher } : {}),
      // `recurring:<duty>:<date>`: the occurrences of one duty share `recurring:<duty>`.
      ...(c.kind === 'recurring' ? { series: c.id.slice(0, c.id.lastIndexOf(':')) } : {}),
    }));
}

/**
 * Who supervises a task, where the plan names it (`task.supervisor`: unit or group codes):
 * the codes and the ids of their people, a unit's people on the roster and a group's
 * members, in roster order. Undefined when the task names nobody (the plan-wide
 * supervisors review it). Refused with INVALID_PLAN when a named body has nobody on the
 * roster: nobody could review the task.
 */
export function supervisingBody(plan: Plan, taskNumber: number): { codes: string[]; people: string[] } | undefined {
  const codes = findTask(plan, taskNumber).supervisor ?? [];
  if (codes.length === 0) return undefined;
  const groups = plan.organization?.groups ?? [];
  const ids = new Set<string>();
  for (const code of codes) {
    const group = groups.find((g) => g.code === code);
    const members = group ? group.members.filter((id) => plan.people.some((p) => p.id === id)) : plan.people.filter((p) => p.unit === code).map((p) => p.id);
    if (members.length === 0) {
      throw new DubanClientError(
        ErrorCode.INVALID_PLAN,
        `Task ${taskNumber} of plan ${plan.id} names ${code} as who supervises it (supervisor), but nobody of ${code} is on the roster, so nobody could review it: add a person of that unit (or a member of that group) under people, or remove it from supervisor.`,
        { details: { planId: plan.id, taskNumber, supervisor: code } },
      );
    }
    for (const id of members) ids.add(id);
  }
  return { codes: [...codes], people: plan.people.filter((p) => ids.has(p.id)).map((p) => p.id) };
}

/**
 * The people of each body that carries out a recurring duty of the task other than
 * reporting (每月调度 by the dispatching office, a check): a unit's people on the roster, a
 * group's members. A body with nobody on the roster is left out (its duty is recorded, told to nobody).
 */
function dutyRecipients(plan: Plan, checks: MilestoneCheck[]): NonNullable<TaskWorkflowInput['dutyRecipients']> {
  const bodies = new Set(checks.filter((c) => c.kind === 'recurring' && c.duty !== 'report' && c.by !== undefined).map((c) => c.by as string));
  const groups = plan.organization?.groups ?? [];
  const told: NonNullable<TaskWorkflowInput['dutyRecipients']> = {};
  for (const code of bodies) {
    const group = groups.find((g) => g.code === code);
    const people = group ? plan.people.filter((p) => group.members.includes(p.id)) : plan.people.filter((p) => p.unit === code);
    // A group is no unit: its notice carries its name.
    if (people.length > 0) told[code] = { ...(group ? { name: { zh: group.name, en: group.en } } : {}), people: people.map((p) => ({ person: p.id, unit: p.unit })) };
  }
  return told;
}

/** A task's targets as its notices carry them: the plan's words and the kind of each. */
function noticeTargets(targets: NonNullable<ReturnType<typeof findTask>['targets']>): NoticeTarget[] {
  return targets.map((t) => ({
    description: t.description,
    ...(t.kind !== undefined ? { kind: t.kind } : {}),
    ...(t.quantity !== undefined ? { quantity: t.quantity } : {}),
    ...(t.unit !== undefined ? { unit: t.unit } : {}),
    ...(t.percent !== undefined ? { percent: t.percent } : {}),
    ...(t.relation !== undefined ? { relation: t.relation } : {}),
  }));
}

/** What every launch since signatures asks of its workflows: signed instructions, fresh ones. */
export const REQUIRED_IDENTITY: IdentitySettings = { required: true, ...DEFAULT_IDENTITY_POLICY };

/** The instant the plan's campaign ends: the end of its last day in the plan's time zone. */
export function campaignEndAt(plan: Plan): string {
  const end = dueInstant(plan.campaign.end, 'by', plan.timeZone).toISO();
  if (end === null) throw new DubanClientError(ErrorCode.INVALID_PLAN, `Plan ${plan.id} ends on ${plan.campaign.end}, which is not a date.`, { field: 'campaign.end' });
  return end;
}

/** Every person of the plan as the roster of record holds them: roles and, from the keyring, public keys. */
export function rosterPeople(plan: Plan, keyring: Keyring = {}): Person[] {
  return plan.people.map((p) => personOf(p, keyring));
}

function personOf(p: PlanPerson, keyring: Keyring): Person {
  const keys = keyring[p.id];
  return { id: p.id, name: p.name, unit: p.unit, roles: [...p.roles], ...(keys && keys.length > 0 ? { keys: keys.map((k) => ({ ...k })) } : {}) };
}

/** Roles that act on every task regardless of unit: reviewers, HQ and the accountability group. */
const PLAN_WIDE_ROLES = new Set<PlanPerson['roles'][number]>(['supervisor', 'hq-office', 'accountability']);

function durationMs(iso: string, field: string): number {
  const duration = Duration.fromISO(iso);
  // The plan loader already refuses these; a plan built in code may not have been loaded.
  if (!duration.isValid || duration.toMillis() <= 0) {
    throw new DubanClientError(ErrorCode.INVALID_PLAN, `Policy ${field} is ${JSON.stringify(iso)}, not a positive ISO-8601 duration such as P3D.`, {
      field,
    });
  }
  return duration.toMillis();
}

function policyOf(plan: Plan): TaskPolicy {
  const p = plan.policies;
  return {
    acknowledgementWindowMs: durationMs(p.acknowledgementWindow, 'policies.acknowledgementWindow'),
    reminderCadenceMs: durationMs(p.reminderCadence, 'policies.reminderCadence'),
    stallWindowMs: durationMs(p.stallWindow, 'policies.stallWindow'),
    reviewDeadlineMs: durationMs(p.reviewDeadline, 'policies.reviewDeadline'),
    requireAssistingReports: p.requireAssistingReports,
    allowSameUnitReview: p.allowSameUnitReview,
    yellowTolerance: p.progressExpectation.yellowTolerance,
    escalation: p.escalation.map((step, index) => ({ rung: step.rung, waitMs: durationMs(step.wait, `policies.escalation[${index}].wait`) })),
    scoring: {
      base: p.scoring.base,
      deductions: {
        yellow: p.scoring.deductions.yellow,
        red: p.scoring.deductions.red,
        rungs: { ...p.scoring.deductions.rungs },
      },
      commendation: {
        minScore: p.scoring.commendation.minScore,
        earlyByMs: durationMs(p.scoring.commendation.earlyBy, 'policies.scoring.commendation.earlyBy'),
      },
    },
  };
}

function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}

/**
 * The one place a plan task becomes the task workflow's input. The first lead unit is
 * primary and the others assist (牵头单位以排名在前的为主,在后的积极协助配合); the roster
 * is cut down to the people of the task's units plus everyone who acts plan-wide
 * (supervisors, the HQ office, the accountability group, HQ leaders), so the workflow can
 * judge every actor without the whole plan.
 *
 * @example
 * ```ts
 * const plan = await loadPlanFile('plans/xihu-2020.yaml');
 * const input = buildTaskInput(plan, 3);
 * input.primaryLead;   // 'chengguan' (城管办)
 * input.assistingLeads; // ['chengjian']
 * ```
 *
 * @throws DubanClientError `TASK_NOT_IN_PLAN` when the plan has no such task,
 *   `INVALID_PLAN` when the task has no lead unit, no deadline or a bad policy duration.
 */
export function buildTaskInput(plan: Plan, taskNumber: number, options: BuildTaskInputOptions = {}): TaskWorkflowInput {
  let task: ReturnType<typeof findTask>;
  let schedule: ReturnType<typeof taskSchedule>;
  try {
    task = findTask(plan, taskNumber);
    schedule = taskSchedule(plan, taskNumber);
  } catch (error) {
    if (error instanceof PlanLookupError) {
      throw new DubanClientError(
        ErrorCode.TASK_NOT_IN_PLAN,
        `Plan ${plan.id} has no task ${taskNumber}; its tasks are ${planTaskNumbers(plan).join(', ')}.`,
        { details: { planId: plan.id, taskNumber }, cause: error },
      );
    }
    throw error;
  }

  // Collective units (各社区, 区直各部门) stand for their members: each member acknowledges and reports.
  const [primaryLead, ...assistingLeads] = expandCollectives(plan, task.lead);
  if (primaryLead === undefined) {
    throw new DubanClientError(ErrorCode.INVALID_PLAN, `Task ${taskNumber} of plan ${plan.id} names no lead unit (牵头单位); add one under lead.`, {
      details: { planId: plan.id, taskNumber },
    });
  }
  if (schedule.deadlineAt === undefined) {
    throw new DubanClientError(
      ErrorCode.INVALID_PLAN,
      `Task ${taskNumber} of plan ${plan.id} has neither a deadline nor a milestone; give it one so the workflow knows when it is due.`,
      { details: { planId: plan.id, taskNumber } },
    );
  }

  const leads = new Set([primaryLead, ...assistingLeads]);
  const responsible = expandCollectives(plan, task.responsible).filter((unit) => !leads.has(unit));
  const taken = new Set([...leads, ...responsible]);
  const cooperating = expandCollectives(plan, task.cooperating ?? []).filter((unit) => !taken.has(unit));
  const involved = unique([primaryLead, ...assistingLeads, ...responsible, ...cooperating]);
  const org = plan.organization;
  // A group's duty says what it does (group codes are free in format 2); without one, its code.
  const supervisedBy = supervisingBody(plan, taskNumber);
  const planWideIds = new Set([
    ...(org?.headquarters.leaders ?? []),
    // The body the task names as its supervisor reviews it, whatever its people's roles.
    ...(supervisedBy?.people ?? []),
    ...(org?.groups ?? []).filter((g) => ['supervision', 'accountability'].includes(g.duty ?? g.code)).flatMap((g) => g.members),
  ]);
  const people: Person[] = plan.people
    .filter((p) => involved.includes(p.unit) || planWideIds.has(p.id) || p.roles.some((r) => PLAN_WIDE_ROLES.has(r)))
    .map((p) => personOf(p, options.keyring ?? {}));

  // Units the workflow may name in notices: the task's own, the bodies it supports, and
  // the units of everyone on its roster.
  // The collectives the task names too, so a notice can say 各社区 where it names the collective.
  const collectives = [...task.lead, ...task.responsible, ...(task.cooperating ?? [])].filter((code) => plan.units.some((u) => u.code === code && u.kind === 'collective'));
  const unitCodes = unique([...involved, ...collectives, ...(task.supports ?? []), ...people.map((p) => p.unit)]);
  const units: Unit[] = unitCodes.flatMap((code) => {
    const unit = plan.units.find((u) => u.code === code);
    return unit ? [{ code: unit.code, name: unit.name, en: unit.en }] : [];
  });

  const assignedAt = options.assignedAt?.toISO();
  const checks = datedChecks(plan, taskNumber);
  const toldOfDuties = dutyRecipients(plan, checks);
  // The units notices name beyond the task's own (who supervises, who dispatches); a group is named in its notice (`byName`).
  for (const code of unique([...Object.keys(toldOfDuties), ...(supervisedBy?.codes ?? [])])) {
    const unit = plan.units.find((u) => u.code === code);
    if (unit && !units.some((u) => u.code === code)) units.push({ code, name: unit.name, en: unit.en });
  }
  const issuer = noticeIssuer(plan);
  const { deadline } = task;
  return {
    planId: plan.id,
    planTitle: plan.title.zh,
    taskNumber,
    // A format-2 plan may have no English gloss: English notices then show the source words.
    title: { zh: task.title.zh, en: task.title.en ?? task.title.zh },
    actionNumber: task.action,
    primaryLead,
    assistingLeads,
    responsible,
    units,
    people,
    milestones: schedule.milestones.map((m) => ({ id: m.id, dueAt: m.dueAt })),
    deadlineAt: schedule.deadlineAt,
    ...(assignedAt ? { assignedAt } : {}),
    policy: policyOf(plan),
    identity: { ...REQUIRED_IDENTITY },
    campaignEndAt: campaignEndAt(plan),
    // For the render step: notices show dates in the plan's zone, in its language, signed by its office.
    timeZone: plan.timeZone,
    lang: options.lang ?? plan.routing?.lang ?? DEFAULT_NOTICE_LANG,
    ...(issuer ? { issuer } : {}),
    // Plan format 2: the task waits for the campaign's start or its own later one (unless `startNow`), and its
    // cooperating units, co-leads, deadline words and dated checks.
    ...(options.startNow ? {} : { startAt: taskStartAt(plan, schedule.startAt) }),
    ...(cooperating.length > 0 ? { cooperating } : {}),
    ...(task.leadPrimary === false ? { leadPrimary: false as const } : {}),
    ...(deadline ? { deadline: { date: deadline.date, rule: deadline.rule, source: deadline.source } } : {}),
    ...(checks.length > 0 ? { checks } : {}),
    ...(supervisedBy ? { supervisedBy } : {}),
    ...(Object.keys(toldOfDuties).length > 0 ? { dutyRecipients: toldOfDuties } : {}),
    ...(task.targets && task.targets.length > 0 ? { targets: noticeTargets(task.targets) } : {}),
  };
}

/** Every task number of the plan, in plan order. */
export function planTaskNumbers(plan: Plan): number[] {
  return plan.actions.flatMap((a) => a.tasks.map((t) => t.number));
}
