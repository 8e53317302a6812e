/**
 * Problems of plan and amendment files, and the errors that carry them. A problem's code
 * is a code of the `@duban/common` registry; `PlanProblemCode` and `AmendmentProblemCode`
 * are the views of it each file kind can raise.
 */
import { AmendmentRuleCode, codesOf, DubanError, type ErrorCode } from '@duban/common';
import type { Plan } from './schema';

/** Stable codes for everything that can be wrong with a plan file. */
export const PlanProblemCode = codesOf([
  'FILE_NOT_FOUND',
  'YAML_SYNTAX',
  'PLAN_SCHEMA',
  'INVALID_DURATION',
  'INVALID_TIME_ZONE',
  'CAMPAIGN_RANGE_INVALID',
  'DEADLINE_OUTSIDE_CAMPAIGN',
  'DUPLICATE_UNIT_CODE',
  'DUPLICATE_PERSON_ID',
  'DUPLICATE_MILESTONE_ID',
  'DUPLICATE_ACTION_NUMBER',
  'DUPLICATE_TASK_NUMBER',
  'UNKNOWN_UNIT',
  'UNKNOWN_MILESTONE',
  'UNKNOWN_ACTION',
  'UNKNOWN_PERSON',
  'SUPERVISOR_NOT_IN_ROSTER',
  'ROLE_MISSING',
  'NO_LEAD_UNIT',
  'DUPLICATE_UNIT_IN_LIST',
  'UNIT_KIND_MISMATCH',
  'UNIT_WITHOUT_HEAD',
  'CALENDAR_CONFLICT',
  'FILE_TOO_LARGE',
  'LIMIT_EXCEEDED',
  'SECRET_IN_PLAN',
  'UNKNOWN_CHANNEL',
  'CHANNEL_TYPE_MISMATCH',
  'UNKNOWN_AUDIENCE',
  'COLLECTIVE_UNIT_INVALID',
  'DUPLICATE_CHECK_ID',
  'DUPLICATE_GROUP_CODE',
  'RECURRING_WINDOW_INVALID',
  'TASK_START_INVALID',
]);
export type PlanProblemCode = keyof typeof PlanProblemCode;

/**
 * Codes of amendment problems: the plan's, the shared amendment rules' (`TASK_FINISHED`
 * and `DEADLINE_IN_PAST` only where a campaign's state is known), and an amendment's own.
 */
export const AmendmentProblemCode = codesOf([
  ...Object.values(PlanProblemCode),
  ...Object.values(AmendmentRuleCode),
  'TASK_WITHOUT_DEADLINE',
  'EMPTY_AMENDMENT',
]);
export type AmendmentProblemCode = keyof typeof AmendmentProblemCode;

export type PathSegment = string | number;

/** `['actions', 2, 'tasks', 0, 'lead', 1]` → `actions[2].tasks[0].lead[1]`. */
export function formatPath(path: readonly PathSegment[]): string {
  return path.map((seg, index) => (typeof seg === 'number' ? `[${seg}]` : index === 0 ? seg : `.${seg}`)).join('');
}

/** A problem before it is given a file name and a line: what checks return. */
export interface Finding<C extends ErrorCode = ErrorCode> {
  code: C;
  path: PathSegment[];
  message: string;
  fix: string;
  /** For a size over a cap (`FILE_TOO_LARGE`, `LIMIT_EXCEEDED`): the limit and what was found. */
  limit?: number;
  actual?: number;
}

/** One thing wrong with a file, located precisely enough for a person to fix it. */
export interface Problem<C extends ErrorCode = ErrorCode> {
  code: C;
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
  /**
   * For `FILE_TOO_LARGE` (bytes) and `LIMIT_EXCEEDED` (characters of a text, entries of a
   * list): the cap (`PLAN_LIMITS` of the schema) and the size found.
   */
  limit?: number;
  actual?: number;
}

/** One thing wrong with a plan file. */
export type PlanProblem = Problem<PlanProblemCode>;
/** One thing wrong with an amendment file. */
export type AmendmentProblem = Problem<AmendmentProblemCode>;

/** A plan read, or its problems; `format` says which file format it was in (1: `actions`, 2: `sections`), where a file was read. */
export type PlanResult<P = Plan> = { ok: true; plan: P; format?: 1 | 2 } | { ok: false; problems: PlanProblem[] };

/** `file:line:column CODE path: message Fix: …`, the one-line form the CLI prints for plan and amendment problems. */
export function formatProblem(problem: Problem): string {
  const where = problem.path === '' ? '(document)' : problem.path;
  return `${problem.file}:${problem.line}:${problem.column} ${problem.code} ${where}: ${problem.message} Fix: ${problem.fix}`;
}

/** @deprecated The same as {@link formatProblem}, kept for callers of the amendment's former formatter. */
export const formatAmendmentProblem: (problem: AmendmentProblem) => string = formatProblem;

/** A file's problems as an error: every problem, not just the first, in `problems` and in `details.problems`. */
abstract class FileProblemsError<C extends 'PLAN_INVALID' | 'AMENDMENT_INVALID', P extends Problem> extends DubanError<C> {
  constructor(
    code: C,
    what: string,
    readonly file: string,
    readonly problems: readonly P[],
  ) {
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    super(code, `${file} is not a valid ${what} (${count}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`, { details: { file, problems } });
  }
}

/** Thrown by `loadPlanFile` when a plan file cannot be used (code `PLAN_INVALID`); `parsePlan` returns the same problems as data. */
export class PlanValidationError extends FileProblemsError<'PLAN_INVALID', PlanProblem> {
  override readonly name = 'PlanValidationError';
  constructor(file: string, problems: readonly PlanProblem[]) {
    super('PLAN_INVALID', 'plan', file, problems);
  }
}

/** Thrown by `loadAmendmentFile` when the amendment cannot be applied to its plan (code `AMENDMENT_INVALID`). */
export class AmendmentValidationError extends FileProblemsError<'AMENDMENT_INVALID', AmendmentProblem> {
  override readonly name = 'AmendmentValidationError';
  constructor(file: string, problems: readonly AmendmentProblem[]) {
    super('AMENDMENT_INVALID', 'amendment', file, problems);
  }
}

/**
 * Thrown when a caller asks a valid plan for something it does not contain (code
 * `PLAN_LOOKUP`), e.g. `taskSchedule(plan, 21)` on a 20-task plan. A programming or
 * input error, not a plan defect.
 */
export class PlanLookupError extends DubanError<'PLAN_LOOKUP'> {
  override readonly name = 'PlanLookupError';
  constructor(
    readonly what: 'task' | 'milestone' | 'action',
    readonly key: string | number,
    readonly planId: string,
  ) {
    super('PLAN_LOOKUP', `Plan ${planId} has no ${what} ${String(key)}. Check the ${what} against \`duban plan show\`.`, { details: { what, key, planId } });
  }
}
