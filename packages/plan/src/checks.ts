import { rawActions, rawTasks } from './format';
import { formatPath as fmt, PlanProblemCode, type Finding as AnyFinding, type PathSegment } from './problems';
import { PLAN_LIMITS, unitKindSchema } from './schema';

type Finding = AnyFinding<PlanProblemCode>;

// Cross-checks read the raw document rather than the schema's output, so a plan with a
// schema error elsewhere still gets its references checked and every problem is
// reported in one pass. Anything malformed is skipped here: the schema reports it.
type Raw = Record<string, unknown>;

function isRaw(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function get(value: unknown, key: string): unknown {
  return isRaw(value) ? value[key] : undefined;
}
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
function isoDate(value: unknown): string | undefined {
  const text = str(value);
  return text !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : undefined;
}
function rule(value: unknown): 'before' | 'by' | undefined {
  return value === 'before' || value === 'by' ? value : undefined;
}

interface Context {
  findings: Finding[];
  units: Map<string, { kind: string | undefined; path: PathSegment[]; members: string[] }>;
  groups: Set<string>;
  people: Map<string, { unit: string | undefined; roles: string[] }>;
  milestones: Set<string>;
  actions: Set<number>;
  campaign: { start: number; end: number } | undefined;
}

function checkUnitRef(
  ctx: Context,
  value: unknown,
  path: PathSegment[],
  what: string,
  allowedKinds?: readonly string[],
): string | undefined {
  const code = str(value);
  if (code === undefined) return undefined;
  const unit = ctx.units.get(code);
  if (unit === undefined) {
    ctx.findings.push({
      code: PlanProblemCode.UNKNOWN_UNIT,
      path,
      message: `Unknown unit code "${code}" in ${what}.`,
      fix: `Use a code listed under units (${[...ctx.units.keys()].join(', ')}) or add a unit with code "${code}".`,
    });
    return undefined;
  }
  if (allowedKinds !== undefined && unit.kind === 'collective') {
    // A collective stands for its members: each of them takes the role.
    const barred = receivers(ctx, [code]).filter((member) => {
      const kind = ctx.units.get(member)?.kind;
      return kind !== undefined && !allowedKinds.includes(kind);
    });
    if (barred.length > 0) {
      ctx.findings.push({
        code: PlanProblemCode.UNIT_KIND_MISMATCH,
        path,
        message: `Collective unit "${code}" stands for ${barred.map((m) => `"${m}" (${ctx.units.get(m)?.kind ?? '?'})`).join(', ')}, which ${what} cannot include.`,
        fix: `Remove ${barred.join(', ')} from the members of "${code}" (list an outside body under the task's supports), or correct its kind under units.`,
      });
    }
  } else if (allowedKinds !== undefined && unit.kind !== undefined && !allowedKinds.includes(unit.kind)) {
    ctx.findings.push({
      code: PlanProblemCode.UNIT_KIND_MISMATCH,
      path,
      message: `Unit "${code}" is of kind ${unit.kind}, but ${what} cannot be.`,
      fix:
        unit.kind === 'external'
          ? `External bodies cannot be assigned work; list "${code}" under the task's supports instead, or give it the kind it is (city-bureau, district-government, …).`
          : `Use a unit of kind ${allowedKinds.join(', ')}, or correct the kind of "${code}" under units.`,
    });
  }
  return code;
}

function checkUnitList(
  ctx: Context,
  value: unknown,
  path: PathSegment[],
  what: string,
  allowedKinds?: readonly string[],
): string[] {
  const seen = new Map<string, number>();
  const codes: string[] = [];
  list(value).forEach((entry, index) => {
    const before = ctx.findings.length;
    const code = checkUnitRef(ctx, entry, [...path, index], what, allowedKinds);
    // Only units that passed the checks count as assigned, so one wrong entry is one problem.
    const accepted = ctx.findings.length === before;
    const name = str(entry);
    if (name === undefined) return;
    const first = seen.get(name);
    if (first !== undefined) {
      ctx.findings.push({
        code: PlanProblemCode.DUPLICATE_UNIT_IN_LIST,
        path: [...path, index],
        message: `Unit "${name}" is listed twice in ${what} (first at ${fmt([...path, first])}).`,
        fix: 'Remove the second entry; order matters in lead lists, so keep the one in the intended position.',
      });
      return;
    }
    seen.set(name, index);
    if (code !== undefined && accepted) codes.push(code);
  });
  return codes;
}

/**
 * Keeps the first use of each key (a unit code, a person id…) and reports later ones as
 * "used twice". Returns a function that says whether this use is the first.
 */
function firstUses<K>(ctx: Context, code: PlanProblemCode, label: (key: K) => string, fix: string) {
  const firstAt = new Map<K, PathSegment[]>();
  return (key: K, at: PathSegment[], keyPath: PathSegment[]): boolean => {
    const first = firstAt.get(key);
    if (first === undefined) {
      firstAt.set(key, at);
      return true;
    }
    ctx.findings.push({ code, path: keyPath, message: `${label(key)} is used twice (first at ${fmt(first)}).`, fix });
    return false;
  };
}

/** The kinds of unit that can be given work: all but the bodies outside the plan's organisation. */
const ASSIGNABLE_KINDS = unitKindSchema.options.filter((kind) => kind !== 'external');

const DAY_MS = 86_400_000;

/**
 * The due instant as a day count in a zone-free timeline: comparing plan dates with each
 * other does not depend on the plan's zone, and plain Date arithmetic keeps the loader
 * fast. "before D" is the start of D, "by D" the start of D+1 (see `dueInstant`).
 */
function dateInstant(date: string, dueRule: 'before' | 'by'): number {
  const [y, m, d] = date.split('-').map(Number);
  const start = Date.UTC(y ?? NaN, (m ?? NaN) - 1, d ?? NaN);
  return dueRule === 'before' ? start : start + DAY_MS;
}

function checkInCampaign(ctx: Context, date: unknown, dueRule: unknown, path: PathSegment[], what: string): void {
  const day = isoDate(date);
  const r = rule(dueRule) ?? 'by';
  if (day === undefined || ctx.campaign === undefined) return;
  const at = dateInstant(day, r);
  if (Number.isNaN(at)) return;
  if (at <= ctx.campaign.start || at > ctx.campaign.end) {
    ctx.findings.push({
      code: PlanProblemCode.DEADLINE_OUTSIDE_CAMPAIGN,
      path,
      message: `${what} (${r} ${day}) falls outside the campaign.`,
      fix: 'Move the date inside campaign.start … campaign.end, or widen the campaign.',
    });
  }
}

function collectUnits(ctx: Context, data: unknown): void {
  const first = firstUses<string>(ctx, PlanProblemCode.DUPLICATE_UNIT_CODE, (code) => `Unit code "${code}"`, 'Give each unit its own code.');
  list(get(data, 'units')).forEach((unit, index) => {
    const code = str(get(unit, 'code'));
    if (code === undefined || !first(code, ['units', index], ['units', index, 'code'])) return;
    const members = list(get(unit, 'members')).filter((m): m is string => typeof m === 'string');
    ctx.units.set(code, { kind: str(get(unit, 'kind')), path: ['units', index], members });
  });
}

/**
 * Collective units (各区县政府, 区直各部门): each has members, every member is a unit,
 * and none contains itself through its members; a unit of another kind has no members.
 */
function checkCollectives(ctx: Context, data: unknown): void {
  const invalid = (path: PathSegment[], message: string, fix: string) =>
    ctx.findings.push({ code: PlanProblemCode.COLLECTIVE_UNIT_INVALID, path, message, fix });
  list(get(data, 'units')).forEach((unit, index) => {
    const code = str(get(unit, 'code'));
    const kind = str(get(unit, 'kind'));
    const members = get(unit, 'members');
    if (kind !== 'collective') {
      if (Array.isArray(members)) {
        invalid(['units', index, 'members'], `Unit "${code ?? index}" lists members but is of kind ${kind ?? '(none)'}.`, 'Give it kind: collective, or remove its members.');
      }
      return;
    }
    if (list(members).length === 0) {
      invalid(['units', index], `Collective unit "${code ?? index}" has no members.`, 'List the codes of the units it stands for under members, e.g. members: [xihu-gov, qingshanhu-gov].');
      return;
    }
    list(members).forEach((member, m) => {
      const name = str(member);
      if (name === undefined) return;
      if (!ctx.units.has(name)) {
        invalid(['units', index, 'members', m], `Collective unit "${code ?? index}" lists "${name}", which is not a unit.`, `Add a unit with code "${name}" or correct the code.`);
      }
    });
  });
  // A cycle: a collective reachable from itself through members.
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (code: string, trail: string[]): void => {
    const unit = ctx.units.get(code);
    if (unit === undefined || unit.kind !== 'collective') return;
    if (state.get(code) === 'done') return;
    if (state.get(code) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(code)), code];
      if (!reported.has(code)) {
        reported.add(code);
        invalid([...unit.path, 'members'], `Collective unit "${code}" contains itself: ${cycle.join(' → ')}.`, 'Remove one of these memberships: a collective stands for units, never for itself.');
      }
      return;
    }
    state.set(code, 'visiting');
    for (const member of unit.members) visit(member, [...trail, code]);
    state.set(code, 'done');
  };
  for (const code of ctx.units.keys()) visit(code, []);
}

/** The codes with collective units replaced by their members (cycles cut), for who actually receives work. */
function receivers(ctx: Context, codes: readonly string[]): string[] {
  const out = new Set<string>();
  const visit = (code: string, seen: Set<string>): void => {
    const unit = ctx.units.get(code);
    if (unit?.kind !== 'collective') {
      out.add(code);
      return;
    }
    if (seen.has(code)) return;
    seen.add(code);
    for (const member of unit.members) visit(member, seen);
  };
  for (const code of codes) visit(code, new Set());
  return [...out];
}

function collectPeople(ctx: Context, data: unknown): void {
  const first = firstUses<string>(ctx, PlanProblemCode.DUPLICATE_PERSON_ID, (id) => `Person id "${id}"`, 'Give each person their own id.');
  list(get(data, 'people')).forEach((person, index) => {
    const id = str(get(person, 'id'));
    checkUnitRef(ctx, get(person, 'unit'), ['people', index, 'unit'], `people[${index}].unit`);
    if (id === undefined || !first(id, ['people', index], ['people', index, 'id'])) return;
    const roles = list(get(person, 'roles')).filter((r): r is string => typeof r === 'string');
    ctx.people.set(id, { unit: str(get(person, 'unit')), roles });
  });
}

function collectActions(ctx: Context, data: unknown): void {
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

function checkActionRef(ctx: Context, value: unknown, path: PathSegment[], what: string): void {
  const number = num(value);
  if (number === undefined || ctx.actions.has(number)) return;
  ctx.findings.push({
    code: PlanProblemCode.UNKNOWN_ACTION,
    path,
    message: `${what} refers to action ${number}, which the plan does not define.`,
    fix: `Use one of the action numbers under actions (${[...ctx.actions].sort((a, b) => a - b).join(', ')}).`,
  });
}

function checkMilestones(ctx: Context, data: unknown): void {
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

/** Whether `code` names a unit or an organization group: who dispatches or supervises may be either. */
function checkUnitOrGroupRef(ctx: Context, value: unknown, path: PathSegment[], what: string): void {
  const code = str(value);
  if (code === undefined || ctx.units.has(code) || ctx.groups.has(code)) return;
  const groups = ctx.groups.size === 0 ? '' : `, or a group under organization.groups (${[...ctx.groups].join(', ')})`;
  ctx.findings.push({
    code: PlanProblemCode.UNKNOWN_UNIT,
    path,
    message: `Unknown unit or group code "${code}" in ${what}.`,
    fix: `Use a code listed under units${groups}, or add a unit with code "${code}".`,
  });
}

/** Periods of a recurring duty in its window of the campaign, counted generously (whole periods touched), for the cap. */
function periodCount(every: unknown, campaign: Context['campaign']): number {
  if (campaign === undefined) return 0;
  const days = (campaign.end - campaign.start) / DAY_MS;
  switch (every) {
    case 'week':
      return Math.ceil(days / 7) + 1;
    case 'month':
      return Math.ceil(days / 28) + 1;
    case 'quarter':
      return Math.ceil(days / 90) + 1;
    case 'year':
      return Math.ceil(days / 365) + 1;
    default:
      return 0;
  }
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

/** A value a file may give as one entry or a list of them (`filing`), each with its path. */
function oneOrMany(value: unknown, path: PathSegment[]): { filing: unknown; at: PathSegment[] }[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map((filing, i) => ({ filing, at: [...path, i] })) : [{ filing: value, at: path }];
}

/**
 * The window a recurring duty is limited to (`from` … `until`, each default the campaign's
 * end), as instants; refused when reversed, outside the campaign, or too short for the
 * duty to fall due at all. Returns the window inside the campaign, for the cap.
 */
function checkRecurringWindow(ctx: Context, duty: unknown, at: PathSegment[], what: string): Context['campaign'] {
  const from = isoDate(get(duty, 'from'));
  const until = isoDate(get(duty, 'until'));
  if (from !== undefined) checkInCampaign(ctx, from, 'by', [...at, 'from'], `The first day of ${what.charAt(0).toLowerCase()}${what.slice(1)}`);
  if (until !== undefined) checkInCampaign(ctx, until, 'by', [...at, 'until'], `The last day of ${what.charAt(0).toLowerCase()}${what.slice(1)}`);
  if (ctx.campaign === undefined) return undefined;
  const start = from === undefined ? ctx.campaign.start : Math.max(ctx.campaign.start, dateInstant(from, 'before'));
  const end = until === undefined ? ctx.campaign.end : Math.min(ctx.campaign.end, dateInstant(until, 'by'));
  if (from !== undefined && until !== undefined && until < from) {
    ctx.findings.push({
      code: PlanProblemCode.RECURRING_WINDOW_INVALID,
      path: [...at, 'until'],
      message: `${what} recurs from ${from} until ${until}: the window ends before it begins.`,
      fix: 'Swap from and until, or correct the one that is wrong (from is the first day of the window, until its last).',
    });
    return undefined;
  }
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  const every = get(duty, 'every');
  const day = num(get(duty, 'day'));
  // A window shorter than the duty's period may hold no occurrence: a day of the month outside a window of ten days.
  if ((from !== undefined || until !== undefined) && !windowHolds(start, end, every, day)) {
    ctx.findings.push({
      code: PlanProblemCode.RECURRING_WINDOW_INVALID,
      path: [...at, from === undefined ? 'until' : 'from'],
      message: `${what} never falls due: no ${String(every)}ly day ${day ?? '(default)'} lies between ${from ?? 'the campaign start'} and ${until ?? 'the campaign end'} inside the campaign.`,
      fix: 'Widen the window (from, until), or write a single date as a dated node (nodes) instead.',
    });
  }
  return { start, end };
}

/** Whether a duty's day recurs inside [start, end) (instants in the zone-free timeline), ignoring the moves past days off. */
function windowHolds(start: number, end: number, every: unknown, day: number | undefined): boolean {
  for (let at = start; at < end; at += DAY_MS) {
    const date = new Date(at);
    const [y, m, d, wd] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCDay()];
    const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    const monthly = d === Math.min(day ?? last, last);
    if (every === 'week' ? (wd === 0 ? 7 : wd) === Math.min(day ?? 5, 7) : every === 'month' ? monthly : every === 'quarter' ? m % 3 === 2 && monthly : every === 'year' ? m === 11 && monthly : true) return true;
  }
  return false;
}

/**
 * A task's start (not before this date): inside the campaign, before the task is due, and
 * not after any of its dated nodes or its filing date, which could not be met otherwise.
 */
function checkTaskStart(ctx: Context, task: unknown, base: PathSegment[], label: string): void {
  const start = get(task, 'start');
  const date = isoDate(get(start, 'date'));
  if (date === undefined || ctx.campaign === undefined) return;
  const at = [...base, 'start', 'date'];
  const begins = dateInstant(date, 'before');
  if (Number.isNaN(begins)) return;
  if (begins < ctx.campaign.start || begins >= ctx.campaign.end) {
    ctx.findings.push({
      code: PlanProblemCode.DEADLINE_OUTSIDE_CAMPAIGN,
      path: at,
      message: `The start of ${label} (${date}) falls outside the campaign.`,
      fix: 'Move the start inside campaign.start … campaign.end, or remove it if the task starts with the campaign.',
    });
    return;
  }
  const dues: { what: string; date: string; due: number; path: PathSegment[] }[] = [];
  const add = (value: unknown, dueRule: unknown, what: string, path: PathSegment[]) => {
    const day = isoDate(value);
    if (day !== undefined) dues.push({ what, date: day, due: dateInstant(day, rule(dueRule) ?? 'by'), path });
  };
  const deadline = get(task, 'deadline');
  add(get(deadline, 'date'), get(deadline, 'rule'), 'its deadline', [...base, 'deadline', 'date']);
  list(get(task, 'nodes')).forEach((node, n) => add(get(node, 'date'), get(node, 'rule'), `its node ${str(get(node, 'id')) ?? n}`, [...base, 'nodes', n, 'date']));
  for (const { filing, at: path } of oneOrMany(get(task, 'filing'), [...base, 'filing'])) add(get(filing, 'date'), get(filing, 'rule'), 'its filing', [...path, 'date']);
  for (const due of dues) {
    if (due.due > begins) continue;
    ctx.findings.push({
      code: PlanProblemCode.TASK_START_INVALID,
      path: at,
      message: `${label} cannot begin before ${date}, but ${due.what} falls due by ${due.date}, before it can begin.`,
      fix: `Move the start earlier than ${due.date}, or correct the date at ${fmt(due.path)}.`,
    });
    return;
  }
}

function checkTasks(ctx: Context, data: unknown): Set<string> {
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

function checkPersonRef(ctx: Context, value: unknown, path: PathSegment[], what: string, needsRole?: string): void {
  const id = str(value);
  if (id === undefined) return;
  const person = ctx.people.get(id);
  if (person === undefined) {
    const supervisor = needsRole === 'supervisor';
    ctx.findings.push({
      code: supervisor ? PlanProblemCode.SUPERVISOR_NOT_IN_ROSTER : PlanProblemCode.UNKNOWN_PERSON,
      path,
      message: `${what} lists "${id}", who is not in the roster (people).`,
      fix: `Add a person with id "${id}"${supervisor ? ' and the supervisor role' : ''} under people, or use an existing id.`,
    });
    return;
  }
  if (needsRole !== undefined && !person.roles.includes(needsRole)) {
    ctx.findings.push({
      code: PlanProblemCode.ROLE_MISSING,
      path,
      message: `${what} lists "${id}", who does not have the ${needsRole} role.`,
      fix: `Add ${needsRole} to the roles of "${id}" under people, or list someone who has it.`,
    });
  }
}

/** The role a group's members need for its duty (default the code, for format-1 groups). */
const GROUP_ROLE: Readonly<Record<string, string>> = { supervision: 'supervisor', accountability: 'accountability' };

function collectGroups(ctx: Context, data: unknown): void {
  const first = firstUses<string>(
    ctx,
    PlanProblemCode.DUPLICATE_GROUP_CODE,
    (code) => `Group code "${code}"`,
    'Give each working group its own code: routes (group:<code>) and tasks (dispatcher, supervisor) name a group by it.',
  );
  list(get(get(data, 'organization'), 'groups')).forEach((group, g) => {
    const code = str(get(group, 'code'));
    const at: PathSegment[] = ['organization', 'groups', g];
    if (code !== undefined && first(code, at, [...at, 'code'])) ctx.groups.add(code);
  });
}

function checkOrganization(ctx: Context, data: unknown): void {
  const org = get(data, 'organization');
  list(get(get(org, 'headquarters'), 'leaders')).forEach((id, i) =>
    checkPersonRef(ctx, id, ['organization', 'headquarters', 'leaders', i], 'The headquarters'),
  );
  checkUnitRef(
    ctx,
    get(get(org, 'office'), 'hostUnit'),
    ['organization', 'office', 'hostUnit'],
    'the host of the headquarters office',
    ASSIGNABLE_KINDS.filter((kind) => kind !== 'collective'),
  );
  list(get(org, 'groups')).forEach((group, g) => {
    const code = str(get(group, 'code')) ?? String(g);
    const duty = str(get(group, 'duty')) ?? code;
    list(get(group, 'members')).forEach((id, i) =>
      checkPersonRef(ctx, id, ['organization', 'groups', g, 'members', i], `The ${code} group`, GROUP_ROLE[duty]),
    );
  });
  list(get(org, 'subHeadquarters')).forEach((sub, s) => {
    checkActionRef(ctx, get(sub, 'action'), ['organization', 'subHeadquarters', s, 'action'], `Sub-headquarters ${s}`);
    checkUnitList(ctx, get(sub, 'leads'), ['organization', 'subHeadquarters', s, 'leads'], `the leads of sub-headquarters ${s}`);
  });
}

function checkHeads(ctx: Context, assigned: Set<string>): void {
  const headed = new Set<string>();
  for (const person of ctx.people.values()) {
    if (person.unit !== undefined && person.roles.includes('unit-head')) headed.add(person.unit);
  }
  for (const code of assigned) {
    const unit = ctx.units.get(code);
    if (unit === undefined || headed.has(code)) continue;
    ctx.findings.push({
      code: PlanProblemCode.UNIT_WITHOUT_HEAD,
      path: unit.path,
      message: `Unit "${code}" is given tasks but nobody in the roster is its unit head, so nobody receives them.`,
      fix: `Add a person with unit "${code}" and the unit-head role under people.`,
    });
  }
}

function checkCampaign(ctx: Context, data: unknown): void {
  const campaign = get(data, 'campaign');
  const start = isoDate(get(campaign, 'start'));
  const end = isoDate(get(campaign, 'end'));
  if (start === undefined || end === undefined) return;
  const startAt = dateInstant(start, 'before');
  const endAt = dateInstant(end, 'by');
  if (Number.isNaN(startAt) || Number.isNaN(endAt)) return;
  if (end < start) {
    ctx.findings.push({
      code: PlanProblemCode.CAMPAIGN_RANGE_INVALID,
      path: ['campaign', 'end'],
      message: `The campaign ends (${end}) before it starts (${start}).`,
      fix: 'Make campaign.end the same as or later than campaign.start.',
    });
    return;
  }
  ctx.campaign = { start: startAt, end: endAt };
}

function checkCalendar(ctx: Context, data: unknown): void {
  const calendar = get(data, 'calendar');
  const holidays = new Set(list(get(calendar, 'holidays')).map(str));
  list(get(calendar, 'workdays')).forEach((day, i) => {
    const date = str(day);
    if (date === undefined || !holidays.has(date)) return;
    ctx.findings.push({
      code: PlanProblemCode.CALENDAR_CONFLICT,
      path: ['calendar', 'workdays', i],
      message: `${date} is listed both as a holiday and as a workday.`,
      fix: 'Keep the date in only one of calendar.holidays and calendar.workdays.',
    });
  });
}

/** Reference and consistency checks the schema cannot express. */
export function crossCheck(data: unknown): Finding[] {
  const ctx: Context = {
    findings: [],
    units: new Map(),
    groups: new Set(),
    people: new Map(),
    milestones: new Set(),
    actions: new Set(),
    campaign: undefined,
  };
  checkCampaign(ctx, data);
  collectUnits(ctx, data);
  checkCollectives(ctx, data);
  collectGroups(ctx, data);
  collectPeople(ctx, data);
  collectActions(ctx, data);
  checkMilestones(ctx, data);
  const assigned = checkTasks(ctx, data);
  checkOrganization(ctx, data);
  checkHeads(ctx, assigned);
  checkCalendar(ctx, data);
  return ctx.findings;
}
