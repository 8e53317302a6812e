/**
 * Units: each code once, a collective's members real units and never itself, and every
 * reference to a unit (or to an organization group, where either may do the work) known
 * and of a kind that can take the role. A collective stands for its members, so the checks
 * and the assignment of work both see through it (`receivers`).
 */
import { formatPath as fmt, PlanProblemCode, type PathSegment } from './problems';
import { unitKindSchema } from './unit-schema';
import { firstUses, get, list, str, type Context } from './check-context';

export function checkUnitRef(
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

export function checkUnitList(
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

/** The kinds of unit that can be given work: all but the bodies outside the plan's organisation. */
export const ASSIGNABLE_KINDS = unitKindSchema.options.filter((kind) => kind !== 'external');

export function collectUnits(ctx: Context, data: unknown): void {
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
export function checkCollectives(ctx: Context, data: unknown): void {
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
export function receivers(ctx: Context, codes: readonly string[]): string[] {
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

/** Whether `code` names a unit or an organization group: who dispatches or supervises may be either. */
export function checkUnitOrGroupRef(ctx: Context, value: unknown, path: PathSegment[], what: string): void {
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
