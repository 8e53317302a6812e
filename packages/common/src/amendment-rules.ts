/**
 * The rules an amendment (计划调整) must keep, written once for both places that judge
 * one: the plan package, when it reads an amendment file against its plan, and the
 * campaign workflow, when HQ's amendment reaches the running campaign. Each side turns
 * what it holds into the small facts below; the rules return findings as data. The plan
 * loader locates every finding in the file; the campaign refuses with the first.
 *
 * Plain TypeScript without dependencies: this runs in the workflow sandbox.
 *
 * @example
 * ```ts
 * const [first] = amendmentRuleFindings(
 *   { plan: 'xihu-2020', addTasks: [], moveDeadlines: [{ task: 42 }], reassign: [] },
 *   { planId: 'xihu-2020', unitCodes: new Set(['chengguan']), tasks: new Map([[1, 'in-progress']]) },
 * );
 * // first: { code: 'UNKNOWN_TASK', path: ['moveDeadlines', 0, 'task'], message: 'Plan xihu-2020 has no task 42.', … }
 * ```
 */
import { codesOf } from './errors';
import { isTerminal, type TaskStatus } from './vocabulary';

/** The codes these rules can find; all are codes of the registry. */
export const AmendmentRuleCode = codesOf(['PLAN_MISMATCH', 'DUPLICATE_TASK_NUMBER', 'UNKNOWN_UNIT', 'UNKNOWN_TASK', 'TASK_FINISHED', 'DEADLINE_IN_PAST']);
export type AmendmentRuleCode = keyof typeof AmendmentRuleCode;

/** One broken rule. `path` is in the amendment file's terms, e.g. `['reassign', 0, 'lead', 1]`. */
export interface AmendmentFinding {
  code: AmendmentRuleCode;
  path: (string | number)[];
  /** What is wrong, complete in itself: the campaign's refusal says only this. */
  message: string;
  /** What to change to make the finding go away. */
  fix: string;
  /** The facts behind the finding, for callers and logs. */
  details: Record<string, unknown>;
}

/** What an amendment changes, reduced to what the rules judge. */
export interface AmendmentChanges {
  /** The plan the amendment names. */
  plan: string;
  addTasks: readonly {
    number: number;
    /** The plan this task names, where it names one of its own (the campaign's task inputs do). */
    plan?: string;
    /** Lead units in order (the first is primary), then responsible units. */
    lead: readonly string[];
    responsible: readonly string[];
    /** The deadline as an ISO instant, where it is known. */
    deadlineAt?: string;
  }[];
  moveDeadlines: readonly { task: number; deadlineAt?: string }[];
  reassign: readonly { task: number; lead: readonly string[] }[];
}

/** What the amendment is judged against. */
export interface AmendmentFacts {
  planId: string;
  unitCodes: ReadonlySet<string>;
  /** The tasks the plan (or the campaign) has before the amendment, with their status where it is known. */
  tasks: ReadonlyMap<number, TaskStatus | undefined>;
  /**
   * Whether a move or reassignment may name a task the same amendment adds. True for a
   * file, which is applied to the plan as a whole; false in the campaign, which knows a
   * task once it runs.
   */
  addedTasksKnown?: boolean;
  /** Now, in ms: when given, new deadlines must lie after it. A file read without a campaign has no now. */
  nowMs?: number;
}

type Path = AmendmentFinding['path'];
type Found = AmendmentFinding | undefined;

/** The amendment, or a task it adds, names another plan. */
export function planMismatch(path: Path, named: string, planId: string, what: string): Found {
  if (named === planId) return undefined;
  return {
    code: 'PLAN_MISMATCH',
    path,
    message: `${what} is for plan ${named}, not ${planId}.`,
    fix: `Apply it to plan ${named}, or name plan ${planId}.`,
    details: { planId, named },
  };
}

/** An added task takes a number the plan, or an earlier added task, already uses. */
export function duplicateTaskNumber(path: Path, taskNumber: number, used: ReadonlySet<number>): Found {
  if (!used.has(taskNumber)) return undefined;
  return {
    code: 'DUPLICATE_TASK_NUMBER',
    path,
    message: `Task number ${taskNumber} is already used.`,
    fix: `Give the added task a new number, after the plan's last task (${Math.max(...used)}).`,
    details: { taskNumber },
  };
}

/** Every unit code of `units` the plan does not have, one finding each, at `[...path, index]`. */
export function unknownUnits(path: Path, units: readonly string[], taskNumber: number, facts: Pick<AmendmentFacts, 'planId' | 'unitCodes'>): AmendmentFinding[] {
  return units.flatMap((unit, index) =>
    facts.unitCodes.has(unit)
      ? []
      : [
          {
            code: 'UNKNOWN_UNIT' as const,
            path: [...path, index],
            message: `Task ${taskNumber} names unit "${unit}", which plan ${facts.planId} does not have.`,
            fix: `Use one of: ${[...facts.unitCodes].join(', ')}.`,
            details: { taskNumber, unit },
          },
        ],
  );
}

/** A move or reassignment names a task that is not there (`known` says which are). */
export function unknownTask(path: Path, taskNumber: number, known: ReadonlySet<number>, planId: string): Found {
  if (known.has(taskNumber)) return undefined;
  return {
    code: 'UNKNOWN_TASK',
    path,
    message: `Plan ${planId} has no task ${taskNumber}.`,
    fix: `Use a task number of the plan (${[...known].sort((a, b) => a - b).join(', ')}).`,
    details: { taskNumber },
  };
}

/** A move or reassignment names an approved or cancelled task, whose record is final. */
export function taskFinished(path: Path, taskNumber: number, status: TaskStatus | undefined, change: string): Found {
  if (status === undefined || !isTerminal(status)) return undefined;
  return {
    code: 'TASK_FINISHED',
    path,
    message: `Cannot ${change} task ${taskNumber}: it is ${status} and its record is final.`,
    fix: 'Leave finished tasks out of the amendment.',
    details: { taskNumber, status },
  };
}

/** A new deadline is not after now (an unreadable instant counts as not after). */
export function deadlineInPast(path: Path, taskNumber: number, deadlineAt: string, nowMs: number): Found {
  const at = Date.parse(deadlineAt);
  if (Number.isFinite(at) && at > nowMs) return undefined;
  return {
    code: 'DEADLINE_IN_PAST',
    path,
    message: `The deadline ${deadlineAt} of task ${taskNumber} is not in the future.`,
    fix: 'Give a deadline that lies ahead.',
    details: { taskNumber, deadlineAt },
  };
}

/**
 * Every rule over every change, in the amendment's order: the plan it names; each added
 * task (its plan, its number, its units, its deadline); each moved deadline (task known,
 * not finished, deadline ahead); each reassignment (task known, not finished, units known).
 * The campaign refuses with the first finding, so this order is part of its behaviour.
 */
export function amendmentRuleFindings(changes: AmendmentChanges, facts: AmendmentFacts): AmendmentFinding[] {
  const findings: AmendmentFinding[] = [];
  const add = (...found: Found[]) => {
    for (const f of found) if (f !== undefined) findings.push(f);
  };
  const used = new Set(facts.tasks.keys());
  const pastDeadline = (path: Path, taskNumber: number, deadlineAt: string | undefined) =>
    facts.nowMs === undefined || deadlineAt === undefined ? undefined : deadlineInPast(path, taskNumber, deadlineAt, facts.nowMs);

  add(planMismatch(['plan'], changes.plan, facts.planId, 'This amendment'));
  changes.addTasks.forEach((task, i) => {
    if (task.plan !== undefined) add(planMismatch(['addTasks', i, 'plan'], task.plan, facts.planId, `Added task ${task.number}`));
    add(duplicateTaskNumber(['addTasks', i, 'number'], task.number, used));
    used.add(task.number);
    add(...unknownUnits(['addTasks', i, 'lead'], task.lead, task.number, facts));
    add(...unknownUnits(['addTasks', i, 'responsible'], task.responsible, task.number, facts));
    add(pastDeadline(['addTasks', i, 'deadline'], task.number, task.deadlineAt));
  });
  const known = facts.addedTasksKnown === true ? used : new Set(facts.tasks.keys());
  const existing = (path: Path, taskNumber: number, change: string): Found =>
    unknownTask(path, taskNumber, known, facts.planId) ?? taskFinished(path, taskNumber, facts.tasks.get(taskNumber), change);
  changes.moveDeadlines.forEach((move, i) => {
    add(existing(['moveDeadlines', i, 'task'], move.task, 'move the deadline of'));
    add(pastDeadline(['moveDeadlines', i, 'deadline'], move.task, move.deadlineAt));
  });
  changes.reassign.forEach((change, i) => {
    add(existing(['reassign', i, 'task'], change.task, 'reassign'));
    add(...unknownUnits(['reassign', i, 'lead'], change.lead, change.task, facts));
  });
  return findings;
}
