/**
 * Plan amendments (计划调整): the 2021 task list the source says comes later, a moved
 * deadline, a reassigned lead unit. An amendment file is YAML, validated here against its
 * schema and cross-checked against the plan it amends; problems use the plan loader's
 * format (file, path, line, column, fix).
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
import { readFile } from 'node:fs/promises';
import { DateTime } from 'luxon';
import { isNode, type Document, type LineCounter } from 'yaml';
import { parseLocatedYaml } from './yaml-source';
import { z } from 'zod';
import { dueInstant } from './calendar';
import { formatPath, PlanProblemCode, type PathSegment, type PlanProblem } from './problems';
import { deadlineSchema, taskSchema, type Plan, type PlanTask } from './schema';

export const amendmentSchema = z.strictObject({
  plan: z.string().min(1).describe('Id of the plan this amends, e.g. xihu-2020.'),
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'Use lower-case letters, digits and hyphens, e.g. xihu-2021-tasks.')
    .describe('Stable id: the same amendment is applied once.'),
  issuedBy: z.string().min(1).describe('Person id (HQ office) who issues the amendment.'),
  reason: z.string().min(1).describe('Why, in the words of the decision, e.g. 2021年具体任务计划另行制定.'),
  addTasks: z.array(taskSchema.extend({ action: z.number().int().positive().describe('Number of the action the task belongs to.') })).default([]),
  moveDeadlines: z
    .array(z.strictObject({ task: z.number().int().positive(), deadline: deadlineSchema, reason: z.string().min(1) }))
    .default([]),
  reassign: z
    .array(
      z.strictObject({
        task: z.number().int().positive(),
        lead: z.array(z.string().min(1)).min(1).describe('New lead unit codes in order: the first is primary.'),
        reason: z.string().min(1),
      }),
    )
    .default([]),
});

export type Amendment = z.infer<typeof amendmentSchema>;
export type AmendmentTask = Amendment['addTasks'][number];

/** Codes of amendment problems: the plan's codes plus those only an amendment can have. Stable. */
export const AmendmentProblemCode = {
  ...PlanProblemCode,
  /** The amendment names another plan. */
  PLAN_MISMATCH: 'PLAN_MISMATCH',
  /** A moved or reassigned task is not in the plan (nor added by the amendment). */
  UNKNOWN_TASK: 'UNKNOWN_TASK',
  /** An added task has neither a deadline nor a milestone. */
  TASK_WITHOUT_DEADLINE: 'TASK_WITHOUT_DEADLINE',
  /** The amendment adds, moves and reassigns nothing. */
  EMPTY_AMENDMENT: 'EMPTY_AMENDMENT',
} as const;
export type AmendmentProblemCode = (typeof AmendmentProblemCode)[keyof typeof AmendmentProblemCode];

/** A plan problem whose code may also be an amendment's own. */
export type AmendmentProblem = Omit<PlanProblem, 'code'> & { code: AmendmentProblemCode };

export type AmendmentResult = { ok: true; amendment: Amendment } | { ok: false; problems: AmendmentProblem[] };

/** `file:line:column CODE path: message Fix: …`, the same one-line form as plan problems. */
export function formatAmendmentProblem(problem: AmendmentProblem): string {
  return `${problem.file}:${problem.line}:${problem.column} ${problem.code} ${problem.path === '' ? '(document)' : problem.path}: ${problem.message} Fix: ${problem.fix}`;
}

/** Thrown by `loadAmendmentFile` when the amendment cannot be applied to the plan. */
export class AmendmentValidationError extends Error {
  readonly code = 'AMENDMENT_INVALID' as const;
  constructor(
    readonly file: string,
    readonly problems: readonly AmendmentProblem[],
  ) {
    super(`${file} is not a valid amendment (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${formatAmendmentProblem(p)}`).join('\n')}`);
    this.name = 'AmendmentValidationError';
  }
}

interface Finding {
  code: AmendmentProblemCode;
  path: PathSegment[];
  message: string;
  fix: string;
}

function locate(doc: Document, lines: LineCounter, path: readonly PathSegment[]): { line: number; column: number } {
  // A missing key has no node: point at the nearest ancestor, where the key belongs.
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

function schemaFindings(issues: readonly z.core.$ZodIssue[]): Finding[] {
  return issues.flatMap((issue): Finding[] => {
    const path = issue.path.filter((seg): seg is PathSegment => typeof seg !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        code: PlanProblemCode.PLAN_SCHEMA,
        path: [...path, key],
        message: `Unknown key "${key}".`,
        fix: 'Remove it or correct its spelling; an amendment has plan, id, issuedBy, reason, addTasks, moveDeadlines and reassign.',
      }));
    }
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    return [
      {
        code: PlanProblemCode.PLAN_SCHEMA,
        path,
        message: missing ? `Required value is missing (expected ${issue.expected}).` : issue.message,
        fix: missing ? 'Add this field.' : issue.code === 'invalid_format' ? 'Write the date as YYYY-MM-DD, e.g. 2021-06-30.' : 'Correct the value; see the example amendment under plans/amendments/.',
      },
    ];
  });
}

function planTasks(plan: Plan): Array<PlanTask & { action: number }> {
  return plan.actions.flatMap((a) => a.tasks.map((t) => ({ ...t, action: a.number })));
}

/** Cross-checks a schema-valid amendment against the plan it amends. */
export function amendmentFindings(amendment: Amendment, plan: Plan): Finding[] {
  const findings: Finding[] = [];
  const add = (code: AmendmentProblemCode, path: PathSegment[], message: string, fix: string) => findings.push({ code, path, message, fix });
  const unitCodes = new Set(plan.units.map((u) => u.code));
  const milestoneIds = new Set(plan.milestones.map((m) => m.id));
  const existing = new Set(planTasks(plan).map((t) => t.number));
  const added = new Set<number>();
  const endAt = dueInstant(plan.campaign.end, 'by', plan.timeZone);
  const checkUnits = (units: readonly string[], path: PathSegment[]) =>
    units.forEach((code, j) => {
      if (!unitCodes.has(code)) add(AmendmentProblemCode.UNKNOWN_UNIT, [...path, j], `No unit "${code}" in plan ${plan.id}.`, `Use one of: ${[...unitCodes].join(', ')}.`);
    });
  const checkDeadline = (deadline: { date: string; rule: 'before' | 'by' }, path: PathSegment[]) => {
    if (dueInstant(deadline.date, deadline.rule, plan.timeZone) > endAt) {
      add(AmendmentProblemCode.DEADLINE_OUTSIDE_CAMPAIGN, [...path, 'date'], `${deadline.date} is after the campaign's end (${plan.campaign.end}).`, `Give a date no later than ${plan.campaign.end}.`);
    }
  };

  if (amendment.plan !== plan.id) {
    add(AmendmentProblemCode.PLAN_MISMATCH, ['plan'], `This amendment is for plan ${amendment.plan}, not ${plan.id}.`, `Apply it to plan ${amendment.plan}, or write plan: ${plan.id}.`);
  }
  const issuer = plan.people.find((p) => p.id === amendment.issuedBy);
  if (!issuer) {
    add(AmendmentProblemCode.UNKNOWN_PERSON, ['issuedBy'], `No person "${amendment.issuedBy}" in the plan's roster.`, 'Name a person of the HQ office from the plan (people).');
  } else if (!issuer.roles.includes('hq-office')) {
    add(AmendmentProblemCode.ROLE_MISSING, ['issuedBy'], `${issuer.name} (${issuer.id}) is not in the HQ office: only HQ amends the plan.`, 'Name a person with the hq-office role.');
  }
  if (amendment.addTasks.length + amendment.moveDeadlines.length + amendment.reassign.length === 0) {
    add(AmendmentProblemCode.EMPTY_AMENDMENT, [], 'The amendment changes nothing.', 'Add tasks (addTasks), move a deadline (moveDeadlines) or reassign a lead (reassign).');
  }
  amendment.addTasks.forEach((task, i) => {
    const path: PathSegment[] = ['addTasks', i];
    if (existing.has(task.number) || added.has(task.number)) {
      add(AmendmentProblemCode.DUPLICATE_TASK_NUMBER, [...path, 'number'], `Task number ${task.number} is already used.`, `Number it after the plan's last task (${Math.max(...existing, ...added)}).`);
    }
    added.add(task.number);
    if (!plan.actions.some((a) => a.number === task.action)) {
      add(AmendmentProblemCode.UNKNOWN_ACTION, [...path, 'action'], `Plan ${plan.id} has no action ${task.action}.`, `Use one of: ${plan.actions.map((a) => a.number).join(', ')}.`);
    }
    if (task.lead.length === 0) add(AmendmentProblemCode.NO_LEAD_UNIT, [...path, 'lead'], 'The task names no lead unit (牵头单位).', 'List at least one lead unit; the first is primary.');
    checkUnits(task.lead, [...path, 'lead']);
    checkUnits(task.responsible, [...path, 'responsible']);
    task.milestones.forEach((id, j) => {
      if (!milestoneIds.has(id)) add(AmendmentProblemCode.UNKNOWN_MILESTONE, [...path, 'milestones', j], `No milestone "${id}" in plan ${plan.id}.`, `Use one of: ${[...milestoneIds].join(', ')}.`);
    });
    if (task.deadline === undefined && task.milestones.length === 0) {
      add(AmendmentProblemCode.TASK_WITHOUT_DEADLINE, path, `Added task ${task.number} has neither a deadline nor a milestone.`, 'Give it a deadline (date, rule, source) or a milestone.');
    }
    if (task.deadline) checkDeadline(task.deadline, [...path, 'deadline']);
  });
  const known = (n: number) => existing.has(n) || added.has(n);
  amendment.moveDeadlines.forEach((move, i) => {
    if (!known(move.task)) add(AmendmentProblemCode.UNKNOWN_TASK, ['moveDeadlines', i, 'task'], `Plan ${plan.id} has no task ${move.task}.`, `Use a task number of the plan (${[...existing].join(', ')}).`);
    checkDeadline(move.deadline, ['moveDeadlines', i, 'deadline']);
  });
  amendment.reassign.forEach((change, i) => {
    if (!known(change.task)) add(AmendmentProblemCode.UNKNOWN_TASK, ['reassign', i, 'task'], `Plan ${plan.id} has no task ${change.task}.`, `Use a task number of the plan (${[...existing].join(', ')}).`);
    checkUnits(change.lead, ['reassign', i, 'lead']);
  });
  return findings;
}

/**
 * Parses and validates amendment text against the plan it amends. Every problem is
 * reported at once, located in the file.
 */
export function parseAmendment(text: string, fileName: string, plan: Plan): AmendmentResult {
  const source = parseLocatedYaml(text, fileName);
  if (!source.ok) return source;
  const { doc, lines } = source;
  const parsed = amendmentSchema.safeParse(doc.toJS());
  const findings = parsed.success ? amendmentFindings(parsed.data, plan) : schemaFindings(parsed.error.issues);
  if (parsed.success && findings.length === 0) return { ok: true, amendment: parsed.data };
  return {
    ok: false,
    problems: findings
      .map((f) => ({ code: f.code, file: fileName, path: formatPath(f.path), ...locate(doc, lines, f.path), message: f.message, fix: f.fix }))
      .sort((a, b) => a.line - b.line || a.column - b.column),
  };
}

/** Like `loadAmendmentFile`, but returns problems as data; a missing file is a `FILE_NOT_FOUND` problem. */
export async function readAmendmentFile(path: string, plan: Plan, options: { displayName?: string } = {}): Promise<AmendmentResult> {
  const file = options.displayName ?? path;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    return {
      ok: false,
      problems: [
        { code: AmendmentProblemCode.FILE_NOT_FOUND, file, path: '', line: 1, column: 1, message: `Cannot read the amendment file (${reason}).`, fix: 'Check the path; amendments are usually under plans/amendments/.' },
      ],
    };
  }
  return parseAmendment(text, file, plan);
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
    addTasks: amendment.addTasks.map((t) => (t.deadline ? { ...t, deadline: shiftDeadline(t.deadline) } : t)),
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
        ...amendment.addTasks.filter((t) => t.action === action.number).map(({ action: _action, ...task }) => task),
      ].map((task) => {
        const deadline = moved.get(task.number);
        const lead = leads.get(task.number);
        return { ...task, ...(deadline ? { deadline: { ...deadline } } : {}), ...(lead ? { lead: [...lead] } : {}) };
      }),
    })),
  };
}
