/** Plan files through the one pipeline: the plan's schema, its time zone and its cross-checks. */
import { IANAZone } from 'luxon';
import { crossCheck } from './checks';
import { routingFindings } from './routing-checks';
import { parseDocumentText, readDocumentFile, type DocumentKind, type DocumentResult } from './pipeline';
import { PlanValidationError, type Finding, type PlanProblemCode, type PlanResult } from './problems';
import { PLAN_LIMITS, planSchema, type Plan } from './schema';

function timeZoneFindings(data: unknown): Finding<PlanProblemCode>[] {
  if (typeof data !== 'object' || data === null || !('timeZone' in data)) return [];
  const zone = data.timeZone;
  if (typeof zone !== 'string' || IANAZone.isValidZone(zone)) return [];
  return [
    {
      code: 'INVALID_TIME_ZONE',
      path: ['timeZone'],
      message: `"${zone}" is not an IANA time zone.`,
      fix: 'Use an IANA zone name such as Asia/Shanghai (not UTC+8 or Beijing).',
    },
  ];
}

/**
 * The tasks of all actions together over `PLAN_LIMITS.tasks`: a cap the schema cannot
 * express (it caps each action's list), located at `actions`.
 */
function taskCountFindings(data: unknown): Finding<PlanProblemCode>[] {
  if (typeof data !== 'object' || data === null || !('actions' in data) || !Array.isArray(data.actions)) return [];
  const actual = data.actions.reduce<number>((n, action: unknown) => {
    const tasks = typeof action === 'object' && action !== null && 'tasks' in action ? action.tasks : undefined;
    return n + (Array.isArray(tasks) ? tasks.length : 0);
  }, 0);
  const limit = PLAN_LIMITS.tasks;
  if (actual <= limit) return [];
  const count = (n: number) => n.toLocaleString('en');
  return [
    {
      code: 'LIMIT_EXCEEDED',
      path: ['actions'],
      message: `The actions hold ${count(actual)} tasks together; the limit is ${count(limit)}.`,
      fix: `Keep a plan to at most ${count(limit)} tasks; split a larger one into several plans.`,
      limit,
      actual,
    },
  ];
}

const planKind: DocumentKind<Plan, PlanProblemCode> = {
  noun: 'plan',
  usualPlace: 'plans/, e.g. plans/xihu-2020.yaml',
  keysHint: 'plans/plan.schema.json lists the allowed keys',
  formatHint: 'plans/plan.schema.json describes the format',
  maxBytes: PLAN_LIMITS.fileBytes,
  schema: planSchema,
  // Cross-checks read the raw document, so they run (and report) even when the schema fails.
  checks: (raw) => [...timeZoneFindings(raw), ...taskCountFindings(raw), ...crossCheck(raw), ...routingFindings(raw)],
};

function planResult(result: DocumentResult<Plan, PlanProblemCode>): PlanResult<Plan> {
  return result.ok ? { ok: true, plan: result.value } : result;
}

/**
 * Parses and validates plan text. Every problem is reported at once: YAML syntax errors
 * stop there (nothing else can be located reliably), otherwise schema problems and
 * cross-reference problems are reported together, because cross-checks read the raw
 * document and do not need it to pass the schema first.
 */
export function parsePlan(text: string, fileName: string): PlanResult<Plan> {
  return planResult(parseDocumentText(text, fileName, planKind));
}

/**
 * Like `loadPlanFile`, but returns problems as data instead of throwing. `displayName`
 * is the file name problems carry (e.g. the path as the user typed it), default `path`.
 */
export async function readPlanFile(path: string, options: { displayName?: string } = {}): Promise<PlanResult<Plan>> {
  return planResult(await readDocumentFile(path, planKind, options));
}

/**
 * Reads, parses and validates a plan file. Throws `PlanValidationError` (code
 * `PLAN_INVALID`) listing every problem; a missing file is reported as a
 * `FILE_NOT_FOUND` problem in the same error.
 */
export async function loadPlanFile(path: string): Promise<Plan> {
  const result = await readPlanFile(path);
  if (!result.ok) throw new PlanValidationError(path, result.problems);
  return result.plan;
}
