import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlanFile, parsePlan, PlanProblemCode, PlanValidationError, type PlanProblem } from '@duban/plan';

const FILE = 'plans/broken.yaml';
const seed = readFileSync(join(__dirname, '..', '..', 'plans', 'xihu-2020.yaml'), 'utf8');

/**
 * [anchor, find, replace]: replaces the first `find` after `anchor`, unique text that starts
 * the region to edit (e.g. the task's `- number: 4` line).
 */
type Edit = [anchor: string, find: string, replace: string];

/** Applies edits to the seed; returns the text and the line/column where each replacement starts. */
function broken(...edits: Edit[]): { text: string; at: { line: number; column: number }[] } {
  let text = seed;
  const offsets: number[] = [];
  for (const [anchor, find, replace] of edits) {
    const start = text.indexOf(anchor);
    if (start < 0 || text.indexOf(anchor, start + 1) >= 0) throw new Error(`anchor not unique: ${anchor}`);
    const pos = text.indexOf(find, start);
    if (pos < 0) throw new Error(`not found after anchor: ${find}`);
    text = text.slice(0, pos) + replace + text.slice(pos + find.length);
    offsets.push(pos);
  }
  const at = offsets.map((offset) => {
    const before = text.slice(0, offset);
    return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
  });
  return { text, at };
}

function problemsOf(text: string): PlanProblem[] {
  const result = parsePlan(text, FILE);
  if (result.ok) throw new Error('expected the plan to be rejected');
  return result.problems;
}

const task = (n: number) => `      - number: ${n}\n`;

const C = PlanProblemCode;

interface CaseOptions {
  /** Other problems the same edit legitimately causes; by default the expected one is the only one. */
  alsoAllowed?: PlanProblemCode[];
  /** The problem's column is the edit's unless this is false. */
  column?: false;
  /** When the problem is reported somewhere other than the edit: text that starts on the expected line. */
  locatedAt?: string;
}

/** [what is broken, the edit that breaks the seed, the problem's code, its path, options]. */
type Case = [name: string, edit: Edit, code: PlanProblemCode, path: string, options?: CaseOptions];

const cases: Case[] = [
  ['a lead unit code that no unit has', [task(4), 'chengguan]', 'chengguann]'], C.UNKNOWN_UNIT, 'sections[1].tasks[1].lead[1]'],
  ['a responsible unit code that no unit has', [task(18), 'example-community-c', 'example-community-x'], C.UNKNOWN_UNIT, 'sections[9].tasks[0].responsible[3]'],
  ['a task with an empty lead list', [task(8), '[chengguan]', '[]'], C.NO_LEAD_UNIT, 'sections[4].tasks[0].lead'],
  ['two tasks with the same number', [task(6), '6', '5'], C.DUPLICATE_TASK_NUMBER, 'sections[2].tasks[1].number'],
  ['a task checked by a milestone that does not exist', [task(1), 'end-2021]', 'end-2022]'], C.UNKNOWN_MILESTONE, 'sections[0].tasks[0].milestones[1]'],
  ['a milestone focused on an action that does not exist', ['id: national-day-2020', '[1, 8]', '[1, 11]'], C.UNKNOWN_ACTION, 'milestones[0].focusActions[1]', { column: false }],
  ['a sub-headquarters for an action that does not exist', ['{ action: 10,', '10', '12'], C.UNKNOWN_ACTION, 'organization.subHeadquarters[9].action'],
  ['a task deadline after the campaign ends', [task(15), '2021-12-31', '2022-06-30'], C.DEADLINE_OUTSIDE_CAMPAIGN, 'sections[7].tasks[0].deadline.date'],
  ['a milestone before the campaign starts', ['id: national-day-2020', '2020-10-01', '2019-10-01'], C.DEADLINE_OUTSIDE_CAMPAIGN, 'milestones[0].due'],
  ['a time zone that is not an IANA zone', ['timeZone:', 'Asia/Shanghai', 'Asia/Beijing'], C.INVALID_TIME_ZONE, 'timeZone'],
  ['a supervision-group member who is not in the roster', ['code: supervision', 'supervisor-zhou', 'supervisor-wang'], C.SUPERVISOR_NOT_IN_ROSTER, 'organization.groups[1].members[1]'],
  ['a headquarters leader who is not in the roster', ['leaders: [', 'hq-director', 'hq-mayor'], C.UNKNOWN_PERSON, 'organization.headquarters.leaders[1]'],
  ['an accountability-group member without the accountability role', ['code: accountability', 'accountability-officer', 'dangzheng-staff'], C.ROLE_MISSING, 'organization.groups[2].members[0]'],
  ['a task number that is not a number', [task(12), '12', 'twelve'], C.PLAN_SCHEMA, 'sections[6].tasks[0].number'],
  ['a misspelled key', [task(17), 'responsibleSource:', 'responsibleSrc:'], C.PLAN_SCHEMA, 'sections[8].tasks[0].responsibleSrc', { column: false }],
  ['a date that does not exist', ['id: new-year-2021', '2021-01-01', '2021-02-30'], C.PLAN_SCHEMA, 'milestones[1].due'],
  ['a policy duration that is not ISO-8601', ['reviewDeadline:', 'P5D', '5 days'], C.INVALID_DURATION, 'policies.reviewDeadline'],
  ['an escalation rung the ladder does not know', ['{ rung: interview', 'interview', 'warning'], C.PLAN_SCHEMA, 'policies.escalation[2].rung'],
  ['a campaign that ends before it starts', ['  end: 2021-12-31', '2021-12-31', '2019-12-31'], C.CAMPAIGN_RANGE_INVALID, 'campaign.end'],
  ['an external bureau as a lead unit', [task(13), '[chengjian]', '[qu-chengjianju]'], C.UNIT_KIND_MISMATCH, 'sections[6].tasks[1].lead[0]', { column: false }],
  ['the same unit twice in a lead list', [task(11), 'chengguan]', 'chengjian]'], C.DUPLICATE_UNIT_IN_LIST, 'sections[5].tasks[0].lead[1]'],
  ['a person in a unit that does not exist', ['id: jingfa-staff', 'unit: jingfa', 'unit: jingji'], C.UNKNOWN_UNIT, 'people[8].unit', { column: false }],
  ['a community that is given tasks but has no unit head', ['id: community-c-head', 'unit-head', 'staff'], C.UNIT_WITHOUT_HEAD, 'units[8]', { column: false, locatedAt: '  - { code: example-community-c,' }],
  ['two milestones with the same id', ['id: new-year-2021', 'new-year-2021', 'national-day-2020'], C.DUPLICATE_MILESTONE_ID, 'milestones[1].id', { alsoAllowed: [C.UNKNOWN_MILESTONE] }],
  ['two working groups with the same code', ['code: supervision', 'supervision', 'publicity'], C.DUPLICATE_GROUP_CODE, 'organization.groups[1].code'],
  ['two units with the same code', ['{ code: jingfa,', 'jingfa', 'chengjian'], C.DUPLICATE_UNIT_CODE, 'units[2].code', { alsoAllowed: [C.UNKNOWN_UNIT] }],
  ['a duplicate key in the YAML', ['timeZone: Asia/Shanghai', 'timeZone: Asia/Shanghai', 'timeZone: Asia/Shanghai\ntimeZone: UTC'], C.YAML_SYNTAX, '', { column: false }],
];

describe('parsePlan rejects broken plans with the right code, path and line', () => {
  const table = cases.map(([name, edit, code, path, options]) => ({ name, edit, code, path, ...options }));
  it.each(table)('reports $code at $path for $name', ({ edit, code, path, alsoAllowed, column, locatedAt }) => {
    const { text, at } = broken(edit);
    const problems = problemsOf(text);
    const match = problems.find((p) => p.code === code && p.path === path);
    expect(match).toBeDefined();
    const expectedLine =
      locatedAt !== undefined
        ? text.slice(0, text.indexOf(locatedAt)).split('\n').length
        : code === PlanProblemCode.YAML_SYNTAX
          ? (at[0]?.line ?? 0) + 1
          : at[0]?.line;
    expect(match?.line).toBe(expectedLine);
    if (column !== false) expect(match?.column).toBe(at[0]?.column);
    expect(match?.file).toBe(FILE);
    expect(match?.message.length).toBeGreaterThan(0);
    expect(match?.fix.length).toBeGreaterThan(0);
    const unexpected = problems.filter((p) => p !== match && !(alsoAllowed ?? []).includes(p.code));
    expect(unexpected).toEqual([]);
  });

  it('covers at least 15 distinct broken plans', () => {
    expect(new Set(table.map((c) => `${c.code} ${c.path}`)).size).toBeGreaterThanOrEqual(15);
  });

  it('reports all three problems of a plan with three problems, in file order', () => {
    const { text, at } = broken(
      ['timeZone:', 'Asia/Shanghai', 'Beijing'],
      ['code: supervision', 'supervisor-zhou', 'supervisor-wang'],
      [task(4), 'chengguan]', 'chengguann]'],
    );
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.code, p.path, p.line])).toEqual([
      [PlanProblemCode.INVALID_TIME_ZONE, 'timeZone', at[0]?.line],
      [PlanProblemCode.SUPERVISOR_NOT_IN_ROSTER, 'organization.groups[1].members[1]', at[1]?.line],
      [PlanProblemCode.UNKNOWN_UNIT, 'sections[1].tasks[1].lead[1]', at[2]?.line],
    ]);
  });

  it('reports a schema problem and a reference problem together', () => {
    const { text } = broken(
      [task(12), '12', 'twelve'],
      [task(1), 'end-2021]', 'end-2022]'],
    );
    expect(problemsOf(text).map((p) => p.code)).toEqual([PlanProblemCode.UNKNOWN_MILESTONE, PlanProblemCode.PLAN_SCHEMA]);
  });

  it('reports a missing required field at the mapping that lacks it', () => {
    const { text, at } = broken([task(9), '        description:', '        summary:']);
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      [PlanProblemCode.PLAN_SCHEMA, 'sections[4].tasks[1].description'],
      [PlanProblemCode.PLAN_SCHEMA, 'sections[4].tasks[1].summary'],
    ]);
    expect(problems[1]?.line).toBe(at[0]?.line);
    expect(problems[0]?.message).toMatch(/missing/);
  });

  it('quotes the wrong value, and tells it from a missing one', () => {
    const number = problemsOf(broken([task(12), '12', 'twelve']).text);
    expect(number[0]?.message).toBe('Expected number, got string "twelve".');
    const date = problemsOf(broken(['id: new-year-2021', '2021-01-01', '2021-02-30']).text);
    expect(date[0]?.message).toBe('Not a real calendar date: "2021-02-30".');
  });

  it('rejects an empty document and a document that is a list, pointing at line 1', () => {
    for (const text of ['', '- a\n- b\n']) {
      const problems = problemsOf(text);
      expect(problems).toEqual([expect.objectContaining({ code: PlanProblemCode.PLAN_SCHEMA, path: '', line: 1 })]);
    }
  });

  it('never throws, whatever single value of the seed is replaced by null, a number, a list or a mapping', () => {
    const lines = seed.split('\n');
    const values = ['null', '7', '[x]', '{}'];
    for (let i = 0; i < lines.length; i += 1) {
      const line = lines[i] ?? '';
      const colon = line.indexOf(': ');
      if (line.trimStart().startsWith('#') || colon < 0) continue;
      // One replacement per line, cycling through the kinds, keeps the run short.
      for (const value of [values[i % values.length] ?? 'null']) {
        const mutated = [...lines.slice(0, i), `${line.slice(0, colon)}: ${value}`, ...lines.slice(i + 1)].join('\n');
        const result = parsePlan(mutated, FILE);
        if (!result.ok) {
          for (const p of result.problems) expect(p.line).toBeGreaterThanOrEqual(1);
        }
      }
    }
  });
});

describe('loadPlanFile', () => {
  it('throws PlanValidationError with code PLAN_INVALID listing a FILE_NOT_FOUND problem for a missing file', async () => {
    const error: unknown = await loadPlanFile(join(__dirname, 'fixtures', 'no-such-plan.yaml')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanValidationError);
    const validation = error as PlanValidationError;
    expect(validation.code).toBe('PLAN_INVALID');
    expect(validation.problems.map((p) => p.code)).toEqual([PlanProblemCode.FILE_NOT_FOUND]);
  });

  it('puts every problem with its fix into the error message', async () => {
    const { text } = broken(['timeZone:', 'Asia/Shanghai', 'UTC+8']);
    const result = parsePlan(text, FILE);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const error = new PlanValidationError(FILE, result.problems);
    expect(error.message).toContain('plans/broken.yaml:');
    expect(error.message).toContain('INVALID_TIME_ZONE');
    expect(error.message).toContain('Asia/Shanghai');
  });
});
