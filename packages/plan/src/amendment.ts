/**
 * Plan amendments (计划调整): the 2021 task list the source says comes later, a moved
 * deadline, a reassigned lead unit. An amendment file is YAML, validated here against its
 * schema and cross-checked against the plan it amends, through the same pipeline as a plan
 * file (`pipeline.ts`); problems have the same form (file, path, line, column, fix).
 *
 * ```yaml
 * plan: xihu-2020
 * id: xihu-2021-tasks
 * issuedBy: hq-office-clerk
 * reason: 2021年具体任务计划另行制定
 * addTasks:
 *   - { action: 10, number: 21, title: { zh: …, en: … }, description: …, lead: [dangzheng], responsible: [langonglu], milestones: [end-2021] }
 * moveDeadlines:
 *   - { task: 7, deadline: { date: 2021-06-30, rule: by, source: … }, reason: … }
 * reassign:
 *   - { task: 9, lead: [jingfa, chengguan], reason: … }
 * ```
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { amendmentRuleFindings } from '@duban/common';
import { dueInstant } from './calendar';
import { parseDocumentText, readDocumentFile, type DocumentKind, type DocumentResult } from './pipeline';
import { AmendmentValidationError, type AmendmentProblem, type AmendmentProblemCode, type Finding, type PathSegment } from './problems';
import { PLAN_LIMITS } from './fields';
import { deadlineSchema, taskSchema } from './task-schema';
import type { Plan } from './schema';
import { supervisionAndFilings } from './format';

// The caps of plan files (PLAN_LIMITS) hold here too: added tasks become workflow inputs.
const L = PLAN_LIMITS;

export const amendmentSchema = z.strictObject({
  plan: z.string().min(1).max(L.idLength).describe('Id of the plan this amends, e.g. xihu-2020.'),
  id: z
    .string()
    .max(L.idLength)
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'Use lower-case letters, digits and hyphens, e.g. xihu-2021-tasks.')
    .describe('Stable id: the same amendment is applied once.'),
  issuedBy: z.string().min(1).max(L.idLength).describe('Person id (HQ office) who issues the amendment.'),
  reason: z.string().min(1).max(L.noteLength).describe('Why, in the words of the decision, e.g. 2021年具体任务计划另行制定.'),
  addTasks: z
    .array(
      taskSchema.extend({
        action: z.number().int().positive().describe('Number of the action the task belongs to.'),
        // An added task comes after the plan was written: its deadline is dated.
        deadline: deadlineSchema.optional(),
      }),
    )
    .max(L.tasks)
    .default([]),
  moveDeadlines: z
    .array(z.strictObject({ task: z.number().int().positive(), deadline: deadlineSchema, reason: z.string().min(1).max(L.noteLength) }))
    .max(L.tasks)
    .default([]),
  reassign: z
    .array(
      z.strictObject({
        task: z.number().int().positive(),
        lead: z.array(z.string().min(1).max(L.idLength)).min(1).max(L.units).describe('New lead unit codes in order: the first is primary.'),
        reason: z.string().min(1).max(L.noteLength),
      }),
    )
    .max(L.tasks)
    .default([]),
});

export type Amendment = z.infer<typeof amendmentSchema>;
export type AmendmentTask = Amendment['addTasks'][number];

export type AmendmentResult = { ok: true; amendment: Amendment } | { ok: false; problems: AmendmentProblem[] };

/**
 * Cross-checks a schema-valid amendment against the plan it amends: the amendment rules
 * shared with the campaign workflow (`@duban/common`), then what only a file can get
 * wrong (issuer, actions, milestones, deadlines inside the campaign).
 */
export function amendmentFindings(amendment: Amendment, plan: Plan): Finding<AmendmentProblemCode>[] {
  const tasks = new Map(plan.actions.flatMap((a) => a.tasks.map((t) => [t.number, undefined] as const)));
  const shared = amendmentRuleFindings(
    {
      plan: amendment.plan,
      addTasks: amendment.addTasks.map((t) => ({ number: t.number, lead: t.lead, responsible: t.responsible })),
      moveDeadlines: amendment.moveDeadlines,
      reassign: amendment.reassign,
    },
    { planId: plan.id, unitCodes: new Set(plan.units.map((u) => u.code)), tasks, addedTasksKnown: true },
  );
  const findings: Finding<AmendmentProblemCode>[] = shared.map(({ code, path, message, fix }) => ({ code, path, message, fix }));
  const add = (code: AmendmentProblemCode, path: PathSegment[], message: string, fix: string) => findings.push({ code, path, message, fix });
  const milestoneIds = new Set(plan.milestones.map((m) => m.id));
  const endAt = dueInstant(plan.campaign.end, 'by', plan.timeZone);
  const checkDeadline = (deadline: { date: string; rule: 'before' | 'by' }, path: PathSegment[]) => {
    if (dueInstant(deadline.date, deadline.rule, plan.timeZone) > endAt) {
      add('DEADLINE_OUTSIDE_CAMPAIGN', [...path, 'date'], `${deadline.date} is after the campaign's end (${plan.campaign.end}).`, `Give a date no later than ${plan.campaign.end}.`);
    }
  };

  const issuer = plan.people.find((p) => p.id === amendment.issuedBy);
  if (!issuer) {
    add('UNKNOWN_PERSON', ['issuedBy'], `No person "${amendment.issuedBy}" in the plan's roster.`, 'Name a person of the HQ office from the plan (people).');
  } else if (!issuer.roles.includes('hq-office')) {
    add('ROLE_MISSING', ['issuedBy'], `${issuer.name} (${issuer.id}) is not in the HQ office: only HQ amends the plan.`, 'Name a person with the hq-office role.');
  }
  if (amendment.addTasks.length + amendment.moveDeadlines.length + amendment.reassign.length === 0) {
    add('EMPTY_AMENDMENT', [], 'The amendment changes nothing.', 'Add tasks (addTasks), move a deadline (moveDeadlines) or reassign a lead (reassign).');
  }
  amendment.addTasks.forEach((task, i) => {
    const path: PathSegment[] = ['addTasks', i];
    if (!plan.actions.some((a) => a.number === task.action)) {
      add('UNKNOWN_ACTION', [...path, 'action'], `Plan ${plan.id} has no action ${task.action}.`, `Use one of: ${plan.actions.map((a) => a.number).join(', ')}.`);
    }
    if (task.lead.length === 0) add('NO_LEAD_UNIT', [...path, 'lead'], 'The task names no lead unit (牵头单位).', 'List at least one lead unit; the first is primary.');
    task.milestones.forEach((id, j) => {
      if (!milestoneIds.has(id)) add('UNKNOWN_MILESTONE', [...path, 'milestones', j], `No milestone "${id}" in plan ${plan.id}.`, `Use one of: ${[...milestoneIds].join(', ')}.`);
    });
    if (task.deadline === undefined && task.milestones.length === 0) {
      add('TASK_WITHOUT_DEADLINE', path, `Added task ${task.number} has neither a deadline nor a milestone.`, 'Give it a deadline (date, rule, source) or a milestone.');
    }
    if (task.deadline) checkDeadline(task.deadline, [...path, 'deadline']);
  });
  amendment.moveDeadlines.forEach((move, i) => checkDeadline(move.deadline, ['moveDeadlines', i, 'deadline']));
  return findings;
}

function amendmentKind(plan: Plan): DocumentKind<Amendment, AmendmentProblemCode> {
  return {
    noun: 'amendment',
    usualPlace: 'plans/amendments/',
    keysHint: 'an amendment has plan, id, issuedBy, reason, addTasks, moveDeadlines and reassign',
    formatHint: 'see the example amendment under plans/amendments/',
    maxBytes: PLAN_LIMITS.fileBytes,
    schema: amendmentSchema,
    checks: (_raw, amendment) => (amendment === undefined ? [] : amendmentFindings(amendment, plan)),
  };
}

function amendmentResult(result: DocumentResult<Amendment, AmendmentProblemCode>): AmendmentResult {
  return result.ok ? { ok: true, amendment: result.value } : result;
}

/**
 * Parses and validates amendment text against the plan it amends. Every problem is
 * reported at once, located in the file.
 */
export function parseAmendment(text: string, fileName: string, plan: Plan): AmendmentResult {
  return amendmentResult(parseDocumentText(text, fileName, amendmentKind(plan)));
}

/** Like `loadAmendmentFile`, but returns problems as data; a missing file is a `FILE_NOT_FOUND` problem. */
export async function readAmendmentFile(path: string, plan: Plan, options: { displayName?: string } = {}): Promise<AmendmentResult> {
  return amendmentResult(await readDocumentFile(path, amendmentKind(plan), options));
}

/**
 * Reads an amendment file and validates it against `plan`.
 *
 * @throws AmendmentValidationError (code `AMENDMENT_INVALID`) listing every problem.
 */
export async function loadAmendmentFile(path: string, plan: Plan): Promise<Amendment> {
  const result = await readAmendmentFile(path, plan);
  if (!result.ok) throw new AmendmentValidationError(path, result.problems);
  return result.amendment;
}

/** Shifts every date of an amendment by whole years, as `rebasePlan` does for its plan. */
export function rebaseAmendment(amendment: Amendment, years: number): Amendment {
  if (years === 0) return amendment;
  const shift = (date: string) => DateTime.fromISO(date, { zone: 'utc' }).plus({ years }).toISODate() ?? date;
  const shiftDeadline = <D extends { date: string }>(d: D): D => ({ ...d, date: shift(d.date) });
  return {
    ...amendment,
    addTasks: amendment.addTasks.map((t) => ({
      ...t,
      ...(t.deadline ? { deadline: shiftDeadline(t.deadline) } : {}),
      ...(t.start ? { start: shiftDeadline(t.start) } : {}),
    })),
    moveDeadlines: amendment.moveDeadlines.map((m) => ({ ...m, deadline: shiftDeadline(m.deadline) })),
  };
}

/**
 * The plan as amended: added tasks appended to their actions, deadlines moved, leads
 * reassigned. Task inputs for the amended tasks are built from it like any plan task's.
 */
export function applyAmendment(plan: Plan, amendment: Amendment): Plan {
  const moved = new Map(amendment.moveDeadlines.map((m) => [m.task, m.deadline]));
  const leads = new Map(amendment.reassign.map((r) => [r.task, r.lead]));
  return {
    ...plan,
    actions: plan.actions.map((action) => ({
      ...action,
      tasks: [
        ...action.tasks,
        // An added task as the model keeps it: who supervises as a list, filings as from a plan file.
        ...amendment.addTasks
          .filter((t) => t.action === action.number)
          .map(({ action: _action, supervisor: _supervisor, filing: _filing, ...task }) => ({ ...task, ...supervisionAndFilings({ supervisor: _supervisor, filing: _filing }) })),
      ].map((task) => {
        const deadline = moved.get(task.number);
        const lead = leads.get(task.number);
        return { ...task, ...(deadline ? { deadline: { ...deadline } } : {}), ...(lead ? { lead: [...lead] } : {}) };
      }),
    })),
  };
}
