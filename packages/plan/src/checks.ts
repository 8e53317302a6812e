import { formatPath as fmt, PlanProblemCode, type Finding as AnyFinding, type PathSegment } from './problems';

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
  units: Map<string, { kind: string | undefined; path: PathSegment[] }>;
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
  if (allowedKinds !== undefined && unit.kind !== undefined && !allowedKinds.includes(unit.kind)) {
    ctx.findings.push({
      code: PlanProblemCode.UNIT_KIND_MISMATCH,
      path,
      message: `Unit "${code}" is of kind ${unit.kind}, but ${what} must be ${allowedKinds.join(' or ')}.`,
      fix:
        unit.kind === 'external'
          ? `External bodies cannot be assigned work; list "${code}" under the task's supports instead.`
          : `Use a unit of kind ${allowedKinds.join(' or ')}, or correct the kind of "${code}" under units.`,
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
    ctx.units.set(code, { kind: str(get(unit, 'kind')), path: ['units', index] });
  });
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
  const first = firstUses<number>(ctx, PlanProblemCode.DUPLICATE_ACTION_NUMBER, (n) => `Action number ${n}`, 'Number the actions 1, 2, 3 … without repeats.');
  list(get(data, 'actions')).forEach((action, index) => {
    const number = num(get(action, 'number'));
    if (number !== undefined && first(number, ['actions', index], ['actions', index, 'number'])) ctx.actions.add(number);
  });
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

function checkTasks(ctx: Context, data: unknown): Set<string> {
  const assigned = new Set<string>();
  const firstTask = firstUses<number>(
    ctx,
    PlanProblemCode.DUPLICATE_TASK_NUMBER,
    (n) => `Task number ${n}`,
    'Give each task its own number; the source numbers tasks 1–20 across all actions.',
  );
  list(get(data, 'actions')).forEach((action, a) => {
    list(get(action, 'tasks')).forEach((task, t) => {
      const base: PathSegment[] = ['actions', a, 'tasks', t];
      const number = num(get(task, 'number'));
      const label = number === undefined ? fmt(base) : `task ${number}`;
      if (number !== undefined) firstTask(number, base, [...base, 'number']);
      const lead = get(task, 'lead');
      if (Array.isArray(lead) && lead.length === 0) {
        ctx.findings.push({
          code: PlanProblemCode.NO_LEAD_UNIT,
          path: [...base, 'lead'],
          message: `${label} has no lead unit (牵头单位).`,
          fix: 'List at least one lead unit code; the first one listed is the primary lead.',
        });
      }
      for (const [key, what] of [['lead', 'lead units'], ['responsible', 'responsible units']] as const) {
        const units = checkUnitList(ctx, get(task, key), [...base, key], `the ${what} of ${label}`, ['office', 'community']);
        for (const code of units) assigned.add(code);
      }
      checkUnitList(ctx, get(task, 'supports'), [...base, 'supports'], `the supported bodies of ${label}`, ['external']);
      list(get(task, 'milestones')).forEach((value, m) => {
        const id = str(value);
        if (id === undefined || ctx.milestones.has(id)) return;
        ctx.findings.push({
          code: PlanProblemCode.UNKNOWN_MILESTONE,
          path: [...base, 'milestones', m],
          message: `${label} refers to milestone "${id}", which the plan does not define.`,
          fix: `Use a milestone id listed under milestones (${[...ctx.milestones].join(', ')}).`,
        });
      });
      const deadline = get(task, 'deadline');
      checkInCampaign(ctx, get(deadline, 'date'), get(deadline, 'rule'), [...base, 'deadline', 'date'], `The deadline of ${label}`);
    });
  });
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

const GROUP_ROLE: Readonly<Record<string, string>> = { supervision: 'supervisor', accountability: 'accountability' };

function checkOrganization(ctx: Context, data: unknown): void {
  const org = get(data, 'organization');
  list(get(get(org, 'headquarters'), 'leaders')).forEach((id, i) =>
    checkPersonRef(ctx, id, ['organization', 'headquarters', 'leaders', i], 'The headquarters'),
  );
  checkUnitRef(ctx, get(get(org, 'office'), 'hostUnit'), ['organization', 'office', 'hostUnit'], 'the host of the headquarters office', [
    'office',
  ]);
  list(get(org, 'groups')).forEach((group, g) => {
    const code = str(get(group, 'code')) ?? String(g);
    list(get(group, 'members')).forEach((id, i) =>
      checkPersonRef(ctx, id, ['organization', 'groups', g, 'members', i], `The ${code} group`, GROUP_ROLE[code]),
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
    people: new Map(),
    milestones: new Set(),
    actions: new Set(),
    campaign: undefined,
  };
  checkCampaign(ctx, data);
  collectUnits(ctx, data);
  collectPeople(ctx, data);
  collectActions(ctx, data);
  checkMilestones(ctx, data);
  const assigned = checkTasks(ctx, data);
  checkOrganization(ctx, data);
  checkHeads(ctx, assigned);
  checkCalendar(ctx, data);
  return ctx.findings;
}
