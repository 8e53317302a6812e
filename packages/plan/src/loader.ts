/** Plan files through the one pipeline: the plan's schema, its time zone and its cross-checks. */
import { IANAZone } from 'luxon';
import { crossCheck } from './checks';
import { routingFindings } from './routing-checks';
import { parseDocumentText, readDocumentFile, type DocumentKind, type DocumentResult } from './pipeline';
import { PlanValidationError, type Finding, type PlanProblemCode, type PlanResult } from './problems';
import { planFromV1, planFromV2, rawFormat, rawTasks, tooDeep } from './format';
import { PLAN_LIMITS } from './fields';
import { planFileV1Schema, planFileV2Schema, type Plan } from './schema';

let canonicalZones: ReadonlySet<string> | undefined;

/**
 * Whether `zone` is an IANA time zone, as luxon decides it. A canonical zone name (the
 * runtime's own list: Asia/Shanghai) is answered from that list; luxon asks by building an
 * `Intl.DateTimeFormat`, whose first construction in a process loads the locale data
 * (about 10 ms of every `duban plan validate`), so only the rest (aliases such as UTC,
 * and wrong names) go to it.
 */
function isValidZone(zone: string): boolean {
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  return canonicalZones.has(zone) || IANAZone.isValidZone(zone);
}

function timeZoneFindings(data: unknown): Finding<PlanProblemCode>[] {
  if (typeof data !== 'object' || data === null || !('timeZone' in data)) return [];
  const zone = data.timeZone;
  if (typeof zone !== 'string' || isValidZone(zone)) return [];
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
  const actual = rawTasks(data).length;
  const limit = PLAN_LIMITS.tasks;
  if (actual <= limit) return [];
  const count = (n: number) => n.toLocaleString('en');
  const where = rawFormat(data) === 1 ? 'actions' : 'sections';
  return [
    {
      code: 'LIMIT_EXCEEDED',
      path: [where],
      message: `The ${where} hold ${count(actual)} tasks together; the limit is ${count(limit)}.`,
      fix: `Keep a plan to at most ${count(limit)} tasks; split a larger one into several plans.`,
      limit,
      actual,
    },
  ];
}

/** Sections nested deeper than `PLAN_LIMITS.sectionDepth`, located at the first too deep. */
function depthFindings(data: unknown): Finding<PlanProblemCode>[] {
  const deep = tooDeep(data);
  if (deep === undefined) return [];
  const limit = PLAN_LIMITS.sectionDepth;
  return [
    {
      code: 'LIMIT_EXCEEDED',
      path: deep.path,
      message: `Sections are nested ${deep.depth} levels deep here; the limit is ${limit}.`,
      fix: `Keep to at most ${limit} levels (一、 › （一） › 1. › (1) is four); write deeper points into the task's description.`,
      limit,
      actual: deep.depth,
    },
  ];
}

/** A loaded plan and the format its file was in (people read "sections" in format 2, "actions" in 1). */
interface LoadedPlan {
  plan: Plan;
  format: 1 | 2;
}

const planV1 = planFileV1Schema.transform((file): LoadedPlan => ({ plan: planFromV1(file), format: 1 }));
const planV2 = planFileV2Schema.transform((file): LoadedPlan => ({ plan: planFromV2(file), format: 2 }));

const planKind: DocumentKind<LoadedPlan, PlanProblemCode> = {
  noun: 'plan',
  usualPlace: 'plans/, e.g. plans/xihu-2020.yaml',
  keysHint: 'plans/plan.schema.json lists the allowed keys',
  formatHint: 'plans/plan.schema.json describes the format',
  maxBytes: PLAN_LIMITS.fileBytes,
  // A file without `format` is format 1 and loads as before; `format: 2` (or a wrong
  // value, which the literal refuses with the allowed one) selects format 2.
  schema: (raw) => (rawFormat(raw) === 1 ? planV1 : planV2),
  // Cross-checks read the raw document, so they run (and report) even when the schema fails.
  checks: (raw) => [...timeZoneFindings(raw), ...depthFindings(raw), ...taskCountFindings(raw), ...crossCheck(raw), ...routingFindings(raw)],
};

function planResult(result: DocumentResult<LoadedPlan, PlanProblemCode>): PlanResult<Plan> {
  return result.ok ? { ok: true, plan: result.value.plan, format: result.value.format } : result;
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
