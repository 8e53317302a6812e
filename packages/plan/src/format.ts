/**
 * The two plan file formats and the one model they load into.
 *
 * Format 1 (no `format` key) has `actions`, each with its `tasks`: two levels. Format 2
 * (`format: 2`) has nested `sections` of any depth, each with its number as printed
 * (numbering may restart under each section), as district and city plans are written
 * (一、 › （一） › 1. › (1)). Both load into the same {@link Plan}: the top-level sections
 * are `actions`, and every task under one, at any depth, is in its `tasks` in source order,
 * with the levels between in `task.path`.
 */
import type { PathSegment } from './problems';
import { PLAN_LIMITS } from './fields';
import type { Plan, PlanFileV1, PlanFileV2, PlanTask } from './schema';
import type { FileSubsection } from './section-schema';

type FileTask = PlanFileV1['actions'][number]['tasks'][number];

/**
 * Who supervises and what is filed, as the model keeps them: `supervisor` always a list
 * (a file may give one code or several); `filing` the first filing, and `filings` every
 * one where the file lists several (a model written out keeps its `filings`).
 */
export function supervisionAndFilings(task: Pick<FileTask, 'supervisor' | 'filing' | 'filings'>): Pick<PlanTask, 'supervisor' | 'filing' | 'filings'> {
  const supervisor = task.supervisor === undefined ? undefined : typeof task.supervisor === 'string' ? [task.supervisor] : task.supervisor;
  const listed = task.filing === undefined ? [] : Array.isArray(task.filing) ? task.filing : [task.filing];
  const filings = task.filings ?? (listed.length > 1 ? listed : undefined);
  const first = listed[0] ?? filings?.[0];
  return {
    ...(supervisor === undefined ? {} : { supervisor }),
    ...(first === undefined ? {} : { filing: first }),
    ...(filings === undefined ? {} : { filings }),
  };
}

/** The task with its deadline complete: whole-year work (年内, 全年) given no date is due by the campaign's last day. */
function modelTask(task: FileTask, campaignEnd: string, path?: PlanTask['path']): PlanTask {
  const { deadline, supervisor: _supervisor, filing: _filing, filings: _filings, ...rest } = task;
  return {
    ...rest,
    ...supervisionAndFilings(task),
    ...(deadline === undefined ? {} : { deadline: { date: deadline.date ?? campaignEnd, rule: deadline.rule ?? 'by', source: deadline.source } }),
    // No levels between (a task right under its top-level section): no path, as in format 1.
    ...(path === undefined || path.length === 0 ? {} : { path }),
  };
}

/** A format-1 file as the model: the file's actions, deadlines completed. */
export function planFromV1(file: PlanFileV1): Plan {
  const { actions, format: _format, ...rest } = file;
  return {
    ...rest,
    actions: actions.map((action) => ({ ...action, tasks: action.tasks.map((task) => modelTask(task, file.campaign.end)) })),
  };
}

/** A format-2 file as the model: each top-level section an action, its tasks at any depth flattened in source order. */
export function planFromV2(file: PlanFileV2): Plan {
  const { sections, format: _format, ...rest } = file;
  // A task without lead or responsible units of its own takes the nearest section's above it.
  type Units = { lead?: string[] | undefined; responsible?: string[] | undefined };
  const collect = (section: FileSubsection, path: NonNullable<PlanTask['path']>, into: PlanTask[], above: Units): void => {
    const units: Units = { lead: section.lead ?? above.lead, responsible: section.responsible ?? above.responsible };
    for (const task of section.tasks ?? []) {
      into.push(modelTask({ ...task, lead: task.lead ?? units.lead ?? [], responsible: task.responsible ?? units.responsible ?? [] }, file.campaign.end, path));
    }
    for (const sub of section.sections ?? []) collect(sub, [...path, { printed: sub.printed ?? '', title: sub.title.zh }], into, units);
  };
  return {
    ...rest,
    actions: sections.map((section) => {
      const tasks: PlanTask[] = [];
      collect(section, [], tasks, {});
      return {
        number: section.number,
        ...(section.printed === undefined ? {} : { printed: section.printed }),
        title: section.title,
        ...(section.preamble === undefined ? {} : { preamble: section.preamble }),
        tasks,
      };
    }),
  };
}

/** Which format a raw document is in: 1 without `format` (or with `format: 1`), else 2 (a value other than 2 the schema then refuses). */
export function rawFormat(data: unknown): 1 | 2 {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !('format' in data)) return 1;
  return data.format === 1 ? 1 : 2;
}

/** A task of a raw document, where it is, and the top-level section it is under. */
export interface RawTask {
  task: unknown;
  path: PathSegment[];
  /** The number of the top-level section (action) it is under, if the document gives one. */
  action: number | undefined;
  /** Format 2: the lead and responsible units of the nearest section above that gives them, with where it gives them. */
  inherited?: { lead?: { value: unknown; path: PathSegment[] }; responsible?: { value: unknown; path: PathSegment[] } };
}

const MAX_DEPTH = PLAN_LIMITS.sectionDepth;

/**
 * Every task of a raw (not yet validated) document in source order, in either format, with
 * its path in the document, so cross-checks locate problems in format 1 and 2 alike.
 * Malformed parts are skipped: the schema reports them.
 */
export function rawTasks(data: unknown): RawTask[] {
  const get = (value: unknown, key: string): unknown =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
  const out: RawTask[] = [];
  if (rawFormat(data) === 1) {
    list(get(data, 'actions')).forEach((action, a) => {
      list(get(action, 'tasks')).forEach((task, t) => out.push({ task, path: ['actions', a, 'tasks', t], action: num(get(action, 'number')) }));
    });
    return out;
  }
  // Depth is capped (the loader refuses deeper sections, `tooDeep`) so a hostile file cannot exhaust the stack.
  type Inherited = NonNullable<RawTask['inherited']>;
  const walk = (section: unknown, at: PathSegment[], action: number | undefined, depth: number, above: Inherited): void => {
    if (depth >= MAX_DEPTH) return;
    const own = (key: 'lead' | 'responsible') => (get(section, key) === undefined ? above[key] : { value: get(section, key), path: [...at, key] });
    const inherited: Inherited = { ...(own('lead') ? { lead: own('lead') } : {}), ...(own('responsible') ? { responsible: own('responsible') } : {}) };
    list(get(section, 'tasks')).forEach((task, t) => out.push({ task, path: [...at, 'tasks', t], action, inherited }));
    list(get(section, 'sections')).forEach((sub, s) => walk(sub, [...at, 'sections', s], action, depth + 1, inherited));
  };
  list(get(data, 'sections')).forEach((section, s) => walk(section, ['sections', s], num(get(section, 'number')), 0, {}));
  return out;
}

/** The first section nested deeper than `PLAN_LIMITS.sectionDepth` levels, with its depth, if any. */
export function tooDeep(data: unknown): { path: PathSegment[]; depth: number } | undefined {
  if (rawFormat(data) === 1) return undefined;
  const sections = (value: unknown): unknown[] => {
    const list = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)['sections'] : undefined;
    return Array.isArray(list) ? list : [];
  };
  const find = (value: unknown, at: PathSegment[], depth: number): { path: PathSegment[]; depth: number } | undefined => {
    if (depth > MAX_DEPTH) return { path: at, depth };
    for (const [index, sub] of sections(value).entries()) {
      const found = find(sub, [...at, 'sections', index], depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return find(data, [], 0);
}

/** The top-level sections of a raw document (format 1: actions) with their paths. */
export function rawActions(data: unknown): { action: unknown; path: PathSegment[] }[] {
  const key = rawFormat(data) === 1 ? 'actions' : 'sections';
  const value = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[key] : undefined;
  return (Array.isArray(value) ? value : []).map((action, index) => ({ action, path: [key, index] }));
}
