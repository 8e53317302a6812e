import type { Plan } from './schema';

/**
 * Stable codes for everything that can be wrong with a plan file. Callers switch on
 * these, so a code is never renamed; new ones may be added.
 */
export const PlanProblemCode = {
  /** The file does not exist or cannot be read. */
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  /** The text is not valid YAML (including duplicate keys). */
  YAML_SYNTAX: 'YAML_SYNTAX',
  /** A value has the wrong type, is missing, or a key is not part of the format. */
  PLAN_SCHEMA: 'PLAN_SCHEMA',
  /** A policy duration is not a positive ISO-8601 duration. */
  INVALID_DURATION: 'INVALID_DURATION',
  INVALID_TIME_ZONE: 'INVALID_TIME_ZONE',
  /** The campaign ends before it starts. */
  CAMPAIGN_RANGE_INVALID: 'CAMPAIGN_RANGE_INVALID',
  /** A milestone or task deadline falls outside the campaign. */
  DEADLINE_OUTSIDE_CAMPAIGN: 'DEADLINE_OUTSIDE_CAMPAIGN',
  DUPLICATE_UNIT_CODE: 'DUPLICATE_UNIT_CODE',
  DUPLICATE_PERSON_ID: 'DUPLICATE_PERSON_ID',
  DUPLICATE_MILESTONE_ID: 'DUPLICATE_MILESTONE_ID',
  DUPLICATE_ACTION_NUMBER: 'DUPLICATE_ACTION_NUMBER',
  DUPLICATE_TASK_NUMBER: 'DUPLICATE_TASK_NUMBER',
  UNKNOWN_UNIT: 'UNKNOWN_UNIT',
  UNKNOWN_MILESTONE: 'UNKNOWN_MILESTONE',
  UNKNOWN_ACTION: 'UNKNOWN_ACTION',
  UNKNOWN_PERSON: 'UNKNOWN_PERSON',
  /** A supervision-group member is not in the roster (`people`). */
  SUPERVISOR_NOT_IN_ROSTER: 'SUPERVISOR_NOT_IN_ROSTER',
  /** A group member lacks the role the group needs (supervisor, accountability). */
  ROLE_MISSING: 'ROLE_MISSING',
  NO_LEAD_UNIT: 'NO_LEAD_UNIT',
  /** A unit appears twice in one list (lead units, responsible units). */
  DUPLICATE_UNIT_IN_LIST: 'DUPLICATE_UNIT_IN_LIST',
  /** A unit of the wrong kind in a role, e.g. an external bureau as lead unit. */
  UNIT_KIND_MISMATCH: 'UNIT_KIND_MISMATCH',
  /** A lead or responsible unit has nobody with the unit-head role to receive tasks. */
  UNIT_WITHOUT_HEAD: 'UNIT_WITHOUT_HEAD',
  /** The same date is both an extra holiday and an extra workday. */
  CALENDAR_CONFLICT: 'CALENDAR_CONFLICT',
} as const;
export type PlanProblemCode = (typeof PlanProblemCode)[keyof typeof PlanProblemCode];

export type PathSegment = string | number;

/** `['actions', 2, 'tasks', 0, 'lead', 1]` → `actions[2].tasks[0].lead[1]`. */
export function formatPath(path: readonly PathSegment[]): string {
  return path.map((seg, index) => (typeof seg === 'number' ? `[${seg}]` : index === 0 ? seg : `.${seg}`)).join('');
}

/** One thing wrong with a plan file, located precisely enough for a person to fix it. */
export interface PlanProblem {
  code: PlanProblemCode;
  /** The file name as given to the loader. */
  file: string;
  /** Path in the document, e.g. `actions[2].tasks[0].lead[1]`; empty for the whole document. */
  path: string;
  /** 1-based line of the offending node (or of its nearest existing parent). */
  line: number;
  /** 1-based column. */
  column: number;
  message: string;
  /** What to change to make the problem go away. */
  fix: string;
}

export type PlanResult<P = Plan> = { ok: true; plan: P } | { ok: false; problems: PlanProblem[] };

/** `file:line:column  CODE  path  message (fix: …)`, the one-line form used by the CLI. */
export function formatProblem(problem: PlanProblem): string {
  const where = problem.path === '' ? '(document)' : problem.path;
  return `${problem.file}:${problem.line}:${problem.column} ${problem.code} ${where}: ${problem.message} Fix: ${problem.fix}`;
}

/**
 * Thrown by `loadPlanFile` when a plan file cannot be used. `problems` lists every
 * problem found, not just the first; `parsePlan` returns the same list as data.
 */
export class PlanValidationError extends Error {
  readonly code = 'PLAN_INVALID' as const;
  constructor(
    readonly file: string,
    readonly problems: readonly PlanProblem[],
  ) {
    super(
      `${file} is not a valid plan (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'PlanValidationError';
  }
}

/**
 * Thrown when a caller asks a valid plan for something it does not contain, e.g.
 * `taskSchedule(plan, 21)` on a 20-task plan. A programming or input error, not a plan defect.
 */
export class PlanLookupError extends Error {
  readonly code = 'PLAN_LOOKUP' as const;
  constructor(
    readonly what: 'task' | 'milestone' | 'action',
    readonly key: string | number,
    readonly planId: string,
  ) {
    super(`Plan ${planId} has no ${what} ${String(key)}. Check the ${what} against \`duban plan show\`.`);
    this.name = 'PlanLookupError';
  }
}
