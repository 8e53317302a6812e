/**
 * Sections, milestones and tasks: numbers and ids used once, the units each task gives
 * work to (its own, or its section's, checked once where the section gives them), the
 * milestones it names, and its dated checks (nodes, recurring duties, filings). Returns
 * the units given work, so the roster can be checked for a head of each.
 */
import { rawActions, rawTasks } from './format';
import { formatPath as fmt, PlanProblemCode, type PathSegment } from './problems';
import { PLAN_LIMITS } from './fields';
import { firstUses, get, list, num, oneOrMany, str, type Context } from './check-context';
import { checkInCampaign, checkRecurringWindow, checkTaskStart, periodCount } from './date-checks';
import { ASSIGNABLE_KINDS, checkUnitList, checkUnitOrGroupRef, checkUnitRef, receivers } from './unit-checks';

export function collectActions(ctx: Context, data: unknown): void {
  const first = firstUses<number>(
    ctx,
    PlanProblemCode.DUPLICATE_ACTION_NUMBER,
    (n) => `Section number ${n}`,
    'Give each top-level section (action) its own number, e.g. 1, 2, 3 … in order.',
  );
  for (const { action, path } of rawActions(data)) {
    const number = num(get(action, 'number'));
    if (number !== undefined && first(number, path, [...path, 'number'])) ctx.actions.add(number);
  }
}

export function checkActionRef(ctx: Context, value: unknown, path: PathSegment[], what: string): void {
  const number = num(value);
  if (number === undefined || ctx.actions.has(number)) return;
  ctx.findings.push({
    code: PlanProblemCode.UNKNOWN_ACTION,
    path,
    message: `${what} refers to action ${number}, which the plan does not define.`,
    fix: `Use one of the action numbers under actions (${[...ctx.actions].sort((a, b) => a - b).join(', ')}).`,
  });
}

export function checkMilestones(ctx: Context, data: unknown): void {
  const first = firstUses<string>(ctx, PlanProblemCode.DUPLICATE_MILESTONE_ID, (id) => `Milestone id "${id}"`, 'Give each milestone its own id.');
  list(get(data, 'milestones')).forEach((milestone, index) => {
    const id = str(get(milestone, 'id'));
    list(get(milestone, 'focusActions')).forEach((action, i) =>
      checkActionRef(ctx, action, ['milestones', index, 'focusActions', i], `Milestone ${id ?? index}`),
    );
    checkInCampaign(ctx, get(milestone, 'due'), get(milestone, 'rule'), ['milestones', index, 'due'], `Milestone ${id ?? index}`);
    if (id !== undefined && first(id, ['milestones', index], ['milestones', index, 'id'])) ctx.milestones.add(id);
  });
}

const RECURRING_CAP = PLAN_LIMITS.recurringOccurrences;

function checkTaskChecks(ctx: Context, task: unknown, base: PathSegment[], label: string): void {
  const first = firstUses<string>(
    ctx,
    PlanProblemCode.DUPLICATE_CHECK_ID,
    (id) => `Check id "${id}" of ${label}`,
    "Give each dated node and recurring duty of the task its own id (it names the check in the task's record).",
  );
  list(get(task, 'nodes')).forEach((node, n) => {
    const at: PathSegment[] = [...base, 'nodes', n];
    const id = str(get(node, 'id'));
    if (id !== undefined) first(id, at, [...at, 'id']);
    checkInCampaign(ctx, get(node, 'date'), get(node, 'rule'), [...at, 'date'], `Node ${id ?? n} of ${label}`);
  });
  list(get(task, 'recurring')).forEach((duty, r) => {
    const at: PathSegment[] = [...base, 'recurring', r];
    const id = str(get(duty, 'id'));
    if (id !== undefined) first(id, at, [...at, 'id']);
    checkUnitRef(ctx, get(duty, 'by'), [...at, 'by'], `who does recurring duty ${id ?? r} of ${label}`);
    const every = get(duty, 'every');
    const window = checkRecurringWindow(ctx, duty, at, `Recurring duty ${id ?? r} of ${label}`);
    const count = periodCount(every, window);
    if (count > RECURRING_CAP) {
      ctx.findings.push({
        code: PlanProblemCode.LIMIT_EXCEEDED,
        path: [...at, 'every'],
        message: `Recurring duty ${id ?? r} of ${label} falls due about ${count} times in the campaign; the limit is ${RECURRING_CAP}.`,
        fix: 'Choose a longer period (month instead of week), or split a campaign of many years into several plans.',
        limit: RECURRING_CAP,
        actual: count,
      });
    }
  });
  for (const { filing, at } of oneOrMany(get(task, 'filing'), [...base, 'filing'])) {
    checkUnitRef(ctx, get(filing, 'with'), [...at, 'with'], `the body ${label} files with`);
    checkInCampaign(ctx, get(filing, 'date'), get(filing, 'rule'), [...at, 'date'], `The filing date of ${label}`);
  }
  checkUnitOrGroupRef(ctx, get(task, 'dispatcher'), [...base, 'dispatcher'], `who dispatches ${label}`);
  const supervisor = get(task, 'supervisor');
  if (Array.isArray(supervisor)) {
    const seen = new Set<string>();
    supervisor.forEach((code, i) => {
      checkUnitOrGroupRef(ctx, code, [...base, 'supervisor', i], `who supervises ${label}`);
      const name = str(code);
      if (name === undefined) return;
      if (seen.has(name)) {
        ctx.findings.push({
          code: PlanProblemCode.DUPLICATE_UNIT_IN_LIST,
          path: [...base, 'supervisor', i],
          message: `"${name}" is listed twice among who supervises ${label}.`,
          fix: 'Remove the second entry.',
        });
      }
      seen.add(name);
    });
  } else checkUnitOrGroupRef(ctx, supervisor, [...base, 'supervisor'], `who supervises ${label}`);
  checkTaskStart(ctx, task, base, label);
}

export function checkTasks(ctx: Context, data: unknown): Set<string> {
  const assigned = new Set<string>();
  const firstTask = firstUses<number>(
    ctx,
    PlanProblemCode.DUPLICATE_TASK_NUMBER,
    (n) => `Task number ${n}`,
    "Give each task its own number, unique across the whole plan (it is duban's key for the task); the number as printed goes in printed.",
  );
  // A section's units are checked once, where the section gives them, however many tasks take them.
  const sectionLists = new Map<string, string[]>();
  for (const { task, path: base, inherited } of rawTasks(data)) {
    const number = num(get(task, 'number'));
    const label = number === undefined ? fmt(base) : `task ${number}`;
    if (number !== undefined) firstTask(number, base, [...base, 'number']);
    const own = get(task, 'lead');
    const lead = own ?? inherited?.lead?.value;
    if (Array.isArray(lead) && lead.length === 0) {
      ctx.findings.push({
        code: PlanProblemCode.NO_LEAD_UNIT,
        path: own === undefined && inherited?.lead !== undefined ? inherited.lead.path : [...base, 'lead'],
        message: `${label} has no lead unit (牵头单位).`,
        fix: 'List at least one lead unit code; the first one listed is the primary lead (or submits for co-leads, leadPrimary: false).',
      });
    } else if (lead === undefined && inherited !== undefined) {
      ctx.findings.push({
        code: PlanProblemCode.NO_LEAD_UNIT,
        path: base,
        message: `${label} has no lead unit (牵头单位), and no section above it gives one.`,
        fix: 'Give the task a lead list, or give the section it stands in a lead list for all its tasks.',
      });
    }
    for (const [key, what] of [
      ['lead', 'lead units'],
      ['responsible', 'responsible units'],
      ['cooperating', 'cooperating units'],
    ] as const) {
      const given = key === 'cooperating' || get(task, key) !== undefined ? undefined : inherited?.[key];
      if (given === undefined) {
        const units = checkUnitList(ctx, get(task, key), [...base, key], `the ${what} of ${label}`, ASSIGNABLE_KINDS);
        for (const code of receivers(ctx, units)) assigned.add(code);
        continue;
      }
      const at = fmt(given.path);
      const units = sectionLists.get(at) ?? checkUnitList(ctx, given.value, given.path, `the ${what} of section ${fmt(given.path.slice(0, -1))}`, ASSIGNABLE_KINDS);
      sectionLists.set(at, units);
      for (const code of receivers(ctx, units)) assigned.add(code);
    }
    checkUnitList(ctx, get(task, 'supports'), [...base, 'supports'], `the supported bodies of ${label}`);
    list(get(task, 'milestones')).forEach((value, m) => {
      const id = str(value);
      if (id === undefined || ctx.milestones.has(id)) return;
      const known = ctx.milestones.size === 0 ? 'the plan defines none; add it under milestones' : `use a milestone id listed under milestones (${[...ctx.milestones].join(', ')})`;
      ctx.findings.push({
        code: PlanProblemCode.UNKNOWN_MILESTONE,
        path: [...base, 'milestones', m],
        message: `${label} refers to milestone "${id}", which the plan does not define.`,
        fix: `Correct the id: ${known}.`,
      });
    });
    const deadline = get(task, 'deadline');
    checkInCampaign(ctx, get(deadline, 'date'), get(deadline, 'rule'), [...base, 'deadline', 'date'], `The deadline of ${label}`);
    checkTaskChecks(ctx, task, base, label);
  }
  return assigned;
}
