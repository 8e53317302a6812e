/**
 * Who receives the work: the roster (people, each in a known unit), the headquarters and
 * its groups (members with the role their duty needs), sub-headquarters, and a unit head
 * for every unit given tasks, without whom nobody would receive them.
 */
import { PlanProblemCode, type PathSegment } from './problems';
import { firstUses, get, list, str, type Context } from './check-context';
import { checkActionRef } from './task-checks';
import { ASSIGNABLE_KINDS, checkUnitList, checkUnitRef } from './unit-checks';

export function collectPeople(ctx: Context, data: unknown): void {
  const first = firstUses<string>(ctx, PlanProblemCode.DUPLICATE_PERSON_ID, (id) => `Person id "${id}"`, 'Give each person their own id.');
  list(get(data, 'people')).forEach((person, index) => {
    const id = str(get(person, 'id'));
    checkUnitRef(ctx, get(person, 'unit'), ['people', index, 'unit'], `people[${index}].unit`);
    if (id === undefined || !first(id, ['people', index], ['people', index, 'id'])) return;
    const roles = list(get(person, 'roles')).filter((r): r is string => typeof r === 'string');
    ctx.people.set(id, { unit: str(get(person, 'unit')), roles });
  });
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

export function collectGroups(ctx: Context, data: unknown): void {
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

export function checkOrganization(ctx: Context, data: unknown): void {
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

export function checkHeads(ctx: Context, assigned: Set<string>): void {
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
