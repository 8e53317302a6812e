/**
 * Scenario files through the plans' one pipeline (read → YAML with positions → zod →
 * checks → problems located by line and column), checked against the plan they play:
 * unit codes, task numbers, event dates within the campaign, and the amendment files the
 * events name (whose own problems are reported with their own file and line).
 */
import { dirname, relative, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { codesOf, DubanError, type CodeOf } from '@duban/common';
import {
  planTaskNumbers,
} from '@duban/client';
import {
  formatProblem,
  parseDocumentText,
  readAmendmentFile,
  readDocumentFile,
  type Amendment,
  type DocumentKind,
  type Finding,
  type Plan,
  type Problem,
} from '@duban/plan';
import { scenarioSchema, type Scenario } from './scenario';

/** The codes a scenario's own checks raise (the pipeline adds YAML_SYNTAX, PLAN_SCHEMA, INVALID_DURATION, FILE_NOT_FOUND, …). */
export const ScenarioProblemCode = codesOf(['UNKNOWN_UNIT', 'TASK_NOT_IN_PLAN', 'EVENT_OUTSIDE_CAMPAIGN', 'PLAN_MISMATCH', 'PLAN_SCHEMA']);
export type ScenarioProblemCode = CodeOf<typeof ScenarioProblemCode>;

/** Scenario files are short: a larger one is not a scenario. */
const MAX_SCENARIO_BYTES = 1024 * 1024;

/** A scenario ready to play: the file's content and the amendment files its events name, loaded. */
export interface LoadedScenario {
  scenario: Scenario;
  /** The file as given (for messages and the summary). */
  file: string;
  /** By the event's index: the amendment it issues. */
  amendments: Map<number, Amendment>;
}

export type ScenarioResult = { ok: true; loaded: LoadedScenario } | { ok: false; problems: Problem[] };

/** Thrown by {@link loadScenarioFile} (code `SCENARIO_INVALID`): every problem, each located. */
export class ScenarioValidationError extends DubanError<'SCENARIO_INVALID'> {
  override readonly name = 'ScenarioValidationError';
  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
  ) {
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    super('SCENARIO_INVALID', `${file} is not a valid scenario (${count}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`, { details: { file, problems } });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The checks the schema cannot express, on the raw document (so they run even when the schema fails). */
function scenarioChecks(raw: unknown, plan: Plan): Finding<ScenarioProblemCode>[] {
  if (!isRecord(raw)) return [];
  const findings: Finding<ScenarioProblemCode>[] = [];
  const units = new Set(plan.units.map((u) => u.code));
  const unitList = plan.units.map((u) => u.code).join(', ');
  const tasks = new Set(planTaskNumbers(plan));
  const taskList = planTaskNumbers(plan).join(', ');
  const unknownUnit = (path: (string | number)[], code: unknown): void => {
    if (typeof code === 'string' && !units.has(code)) {
      findings.push({ code: 'UNKNOWN_UNIT', path, message: `Plan ${plan.id} has no unit "${code}".`, fix: `Use one of the plan's unit codes: ${unitList}.` });
    }
  };
  const unknownTask = (path: (string | number)[], n: unknown): void => {
    if (typeof n === 'number' && !tasks.has(n)) {
      findings.push({ code: 'TASK_NOT_IN_PLAN', path, message: `Plan ${plan.id} has no task ${n}.`, fix: `Use one of the plan's task numbers: ${taskList}.` });
    }
  };
  if (typeof raw.plan === 'string' && raw.plan !== plan.id) {
    findings.push({ code: 'PLAN_MISMATCH', path: ['plan'], message: `The scenario is written for plan "${raw.plan}", not ${plan.id}.`, fix: `Simulate plan ${raw.plan}, or set plan: ${plan.id}.` });
  }
  if (isRecord(raw.units)) for (const code of Object.keys(raw.units)) unknownUnit(['units', code], code);
  if (isRecord(raw.tasks)) {
    for (const key of Object.keys(raw.tasks)) {
      if (/^[1-9]\d*$/.test(key)) unknownTask(['tasks', key], Number(key));
      else findings.push({ code: 'TASK_NOT_IN_PLAN', path: ['tasks', key], message: `"${key}" is not a task number.`, fix: `Key the entries by task number: ${taskList}.` });
    }
  }
  const start = DateTime.fromISO(plan.campaign.start, { zone: plan.timeZone });
  const end = DateTime.fromISO(plan.campaign.end, { zone: plan.timeZone });
  const within = `${plan.campaign.start} … ${plan.campaign.end}`;
  if (Array.isArray(raw.events)) {
    raw.events.forEach((event: unknown, i) => {
      if (!isRecord(event)) return;
      const actions = ['amend', 'extension', 'change'].filter((key) => event[key] !== undefined);
      if (actions.length !== 1) {
        findings.push({
          code: 'PLAN_SCHEMA',
          path: ['events', i],
          message: actions.length === 0 ? 'The event does nothing.' : `The event has ${actions.join(' and ')}: one event does one thing.`,
          fix: 'Give each event exactly one of amend, extension, change (write two events for two things).',
        });
      }
      if (typeof event.on === 'string') {
        const on = DateTime.fromISO(event.on, { zone: plan.timeZone });
        if (on.isValid && (on < start || on > end)) {
          findings.push({ code: 'EVENT_OUTSIDE_CAMPAIGN', path: ['events', i, 'on'], message: `${event.on} lies outside the campaign (${within}).`, fix: `Date the event within ${within}, in the plan file's years.` });
        }
      }
      if (isRecord(event.extension)) {
        unknownTask(['events', i, 'extension', 'task'], event.extension.task);
        if (typeof event.extension.to === 'string' && typeof event.on === 'string' && event.extension.to <= event.on) {
          findings.push({ code: 'PLAN_SCHEMA', path: ['events', i, 'extension', 'to'], message: `The new deadline ${event.extension.to} is not after the event's date ${event.on}.`, fix: 'Give a deadline after the date the extension is asked for.' });
        }
      }
      if (isRecord(event.change)) {
        unknownUnit(['events', i, 'change', 'unit'], event.change.unit);
        unknownTask(['events', i, 'change', 'task'], event.change.task);
        if (event.change.unit === undefined && event.change.task === undefined) {
          findings.push({ code: 'PLAN_SCHEMA', path: ['events', i, 'change'], message: 'The change names neither a unit nor a task.', fix: 'Add unit: CODE (every task of the unit) or task: N (that task\'s primary lead).' });
        }
      }
    });
  }
  return findings;
}

function scenarioKind(plan: Plan): DocumentKind<Scenario, ScenarioProblemCode> {
  return {
    noun: 'scenario',
    usualPlace: 'scenarios/, e.g. scenarios/default.yaml',
    keysHint: 'scenarios/scenario.schema.json lists the allowed keys',
    formatHint: 'scenarios/scenario.schema.json describes the format',
    maxBytes: MAX_SCENARIO_BYTES,
    schema: scenarioSchema,
    checks: (raw) => scenarioChecks(raw, plan),
  };
}

/**
 * Loads the amendment files a valid scenario's events name, against the plan; their
 * problems keep their own file and line, so the scenario's reader finds them.
 */
async function withAmendments(scenario: Scenario, file: string, path: string, plan: Plan, cwd: string): Promise<ScenarioResult> {
  const amendments = new Map<number, Amendment>();
  const problems: Problem[] = [];
  for (const [i, event] of (scenario.events ?? []).entries()) {
    if (event.amend === undefined) continue;
    const at = resolve(dirname(path), event.amend);
    const result = await readAmendmentFile(at, plan, { displayName: relative(cwd, at) || at });
    if (result.ok) amendments.set(i, result.amendment);
    else problems.push(...result.problems);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, loaded: { scenario, file, amendments } };
}

/** Parses scenario text played against `plan`; `path` locates the amendment files its events name. */
export async function parseScenario(text: string, path: string, plan: Plan, options: { displayName?: string; cwd?: string } = {}): Promise<ScenarioResult> {
  const file = options.displayName ?? path;
  const parsed = parseDocumentText(text, file, scenarioKind(plan));
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  return withAmendments(parsed.value, file, path, plan, options.cwd ?? process.cwd());
}

/** Reads and checks a scenario file against `plan`; problems as data. */
export async function readScenarioFile(path: string, plan: Plan, options: { displayName?: string; cwd?: string } = {}): Promise<ScenarioResult> {
  const file = options.displayName ?? path;
  const parsed = await readDocumentFile(path, scenarioKind(plan), { displayName: file });
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  return withAmendments(parsed.value, file, path, plan, options.cwd ?? process.cwd());
}

/**
 * Reads and checks a scenario file against `plan`.
 *
 * @throws ScenarioValidationError (`SCENARIO_INVALID`) listing every problem.
 */
export async function loadScenarioFile(path: string, plan: Plan): Promise<LoadedScenario> {
  const result = await readScenarioFile(path, plan);
  if (!result.ok) throw new ScenarioValidationError(path, result.problems);
  return result.loaded;
}
