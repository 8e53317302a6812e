import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlanFile, parsePlan, PlanProblemCode, PlanValidationError, type PlanProblem } from '@duban/plan';

const FILE = 'plans/broken.yaml';
const seed = readFileSync(join(__dirname, '..', '..', 'plans', 'xihu-2020.yaml'), 'utf8');

interface Edit {
  /** Unique text that starts the region to edit, e.g. the task's `- number: 4` line. */
  anchor: string;
  find: string;
  replace: string;
}

/** Applies edits to the seed; returns the text and the line/column where each replacement starts. */
function broken(...edits: Edit[]): { text: string; at: { line: number; column: number }[] } {
  let text = seed;
  const offsets: number[] = [];
  for (const edit of edits) {
    const start = text.indexOf(edit.anchor);
    if (start < 0 || text.indexOf(edit.anchor, start + 1) >= 0) throw new Error(`anchor not unique: ${edit.anchor}`);
    const pos = text.indexOf(edit.find, start);
    if (pos < 0) throw new Error(`not found after anchor: ${edit.find}`);
    text = text.slice(0, pos) + edit.replace + text.slice(pos + edit.find.length);
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

interface Case {
  name: string;
  edit: Edit;
  code: PlanProblemCode;
  path: string;
  /** Other problems the same edit legitimately causes; by default the expected one is the only one. */
  alsoAllowed?: PlanProblemCode[];
  checkColumn?: boolean;
  /** When the problem is reported somewhere other than the edit: text that starts on the expected line. */
  locatedAt?: string;
}

const cases: Case[] = [
  {
    name: 'a lead unit code that no unit has',
    edit: { anchor: task(4), find: 'chengguan]', replace: 'chengguann]' },
    code: PlanProblemCode.UNKNOWN_UNIT,
    path: 'actions[1].tasks[1].lead[1]',
    checkColumn: true,
  },
  {
    name: 'a responsible unit code that no unit has',
    edit: { anchor: task(18), find: 'example-community-c', replace: 'example-community-x' },
    code: PlanProblemCode.UNKNOWN_UNIT,
    path: 'actions[9].tasks[0].responsible[3]',
    checkColumn: true,
  },
  {
    name: 'a task with an empty lead list',
    edit: { anchor: task(8), find: '[chengguan]', replace: '[]' },
    code: PlanProblemCode.NO_LEAD_UNIT,
    path: 'actions[4].tasks[0].lead',
    checkColumn: true,
  },
  {
    name: 'two tasks with the same number',
    edit: { anchor: task(6), find: '6', replace: '5' },
    code: PlanProblemCode.DUPLICATE_TASK_NUMBER,
    path: 'actions[2].tasks[1].number',
    checkColumn: true,
  },
  {
    name: 'a task checked by a milestone that does not exist',
    edit: { anchor: task(1), find: 'end-2021]', replace: 'end-2022]' },
    code: PlanProblemCode.UNKNOWN_MILESTONE,
    path: 'actions[0].tasks[0].milestones[1]',
    checkColumn: true,
  },
  {
    name: 'a milestone focused on an action that does not exist',
    edit: { anchor: 'id: national-day-2020', find: '[1, 8]', replace: '[1, 11]' },
    code: PlanProblemCode.UNKNOWN_ACTION,
    path: 'milestones[0].focusActions[1]',
  },
  {
    name: 'a sub-headquarters for an action that does not exist',
    edit: { anchor: '{ action: 10,', find: '10', replace: '12' },
    code: PlanProblemCode.UNKNOWN_ACTION,
    path: 'organization.subHeadquarters[9].action',
    checkColumn: true,
  },
  {
    name: 'a task deadline after the campaign ends',
    edit: { anchor: task(15), find: '2021-12-31', replace: '2022-06-30' },
    code: PlanProblemCode.DEADLINE_OUTSIDE_CAMPAIGN,
    path: 'actions[7].tasks[0].deadline.date',
    checkColumn: true,
  },
  {
    name: 'a milestone before the campaign starts',
    edit: { anchor: 'id: national-day-2020', find: '2020-10-01', replace: '2019-10-01' },
    code: PlanProblemCode.DEADLINE_OUTSIDE_CAMPAIGN,
    path: 'milestones[0].due',
    checkColumn: true,
  },
  {
    name: 'a time zone that is not an IANA zone',
    edit: { anchor: 'timeZone:', find: 'Asia/Shanghai', replace: 'Asia/Beijing' },
    code: PlanProblemCode.INVALID_TIME_ZONE,
    path: 'timeZone',
    checkColumn: true,
  },
  {
    name: 'a supervision-group member who is not in the roster',
    edit: { anchor: 'code: supervision', find: 'supervisor-zhou', replace: 'supervisor-wang' },
    code: PlanProblemCode.SUPERVISOR_NOT_IN_ROSTER,
    path: 'organization.groups[1].members[1]',
    checkColumn: true,
  },
  {
    name: 'a headquarters leader who is not in the roster',
    edit: { anchor: 'leaders: [', find: 'hq-director', replace: 'hq-mayor' },
    code: PlanProblemCode.UNKNOWN_PERSON,
    path: 'organization.headquarters.leaders[1]',
    checkColumn: true,
  },
  {
    name: 'an accountability-group member without the accountability role',
    edit: { anchor: 'code: accountability', find: 'accountability-officer', replace: 'dangzheng-staff' },
    code: PlanProblemCode.ROLE_MISSING,
    path: 'organization.groups[2].members[0]',
    checkColumn: true,
  },
  {
    name: 'a task number that is not a number',
    edit: { anchor: task(12), find: '12', replace: 'twelve' },
    code: PlanProblemCode.PLAN_SCHEMA,
    path: 'actions[6].tasks[0].number',
    checkColumn: true,
  },
  {
    name: 'a misspelled key',
    edit: { anchor: task(17), find: 'responsibleSource:', replace: 'responsibleSrc:' },
    code: PlanProblemCode.PLAN_SCHEMA,
    path: 'actions[8].tasks[0].responsibleSrc',
  },
  {
    name: 'a date that does not exist',
    edit: { anchor: 'id: new-year-2021', find: '2021-01-01', replace: '2021-02-30' },
    code: PlanProblemCode.PLAN_SCHEMA,
    path: 'milestones[1].due',
    checkColumn: true,
  },
  {
    name: 'a policy duration that is not ISO-8601',
    edit: { anchor: 'reviewDeadline:', find: 'P5D', replace: '5 days' },
    code: PlanProblemCode.INVALID_DURATION,
    path: 'policies.reviewDeadline',
    checkColumn: true,
  },
  {
    name: 'an escalation rung the ladder does not know',
    edit: { anchor: '{ rung: interview', find: 'interview', replace: 'warning' },
    code: PlanProblemCode.PLAN_SCHEMA,
    path: 'policies.escalation[2].rung',
    checkColumn: true,
  },
  {
    name: 'a campaign that ends before it starts',
    edit: { anchor: '  end: 2021-12-31', find: '2021-12-31', replace: '2019-12-31' },
    code: PlanProblemCode.CAMPAIGN_RANGE_INVALID,
    path: 'campaign.end',
    checkColumn: true,
  },
  {
    name: 'an external bureau as a lead unit',
    edit: { anchor: task(13), find: '[chengjian]', replace: '[qu-chengjianju]' },
    code: PlanProblemCode.UNIT_KIND_MISMATCH,
    path: 'actions[6].tasks[1].lead[0]',
  },
  {
    name: 'the same unit twice in a lead list',
    edit: { anchor: task(11), find: 'chengguan]', replace: 'chengjian]' },
    code: PlanProblemCode.DUPLICATE_UNIT_IN_LIST,
    path: 'actions[5].tasks[0].lead[1]',
    checkColumn: true,
  },
  {
    name: 'a person in a unit that does not exist',
    edit: { anchor: 'id: jingfa-staff', find: 'unit: jingfa', replace: 'unit: jingji' },
    code: PlanProblemCode.UNKNOWN_UNIT,
    path: 'people[8].unit',
  },
  {
    name: 'a community that is given tasks but has no unit head',
    edit: { anchor: 'id: community-c-head', find: 'unit-head', replace: 'staff' },
    code: PlanProblemCode.UNIT_WITHOUT_HEAD,
    path: 'units[8]',
    locatedAt: '  - { code: example-community-c,',
  },
  {
    name: 'two milestones with the same id',
    edit: { anchor: 'id: new-year-2021', find: 'new-year-2021', replace: 'national-day-2020' },
    code: PlanProblemCode.DUPLICATE_MILESTONE_ID,
    path: 'milestones[1].id',
    alsoAllowed: [PlanProblemCode.UNKNOWN_MILESTONE],
    checkColumn: true,
  },
  {
    name: 'two units with the same code',
    edit: { anchor: '{ code: jingfa,', find: 'jingfa', replace: 'chengjian' },
    code: PlanProblemCode.DUPLICATE_UNIT_CODE,
    path: 'units[2].code',
    alsoAllowed: [PlanProblemCode.UNKNOWN_UNIT],
    checkColumn: true,
  },
  {
    name: 'a duplicate key in the YAML',
    edit: { anchor: 'timeZone: Asia/Shanghai', find: 'timeZone: Asia/Shanghai', replace: 'timeZone: Asia/Shanghai\ntimeZone: UTC' },
    code: PlanProblemCode.YAML_SYNTAX,
    path: '',
  },
];

describe('parsePlan rejects broken plans with the right code, path and line', () => {
  it.each(cases)('reports $code at $path for $name', ({ edit, code, path, alsoAllowed, checkColumn, locatedAt }) => {
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
    if (checkColumn) expect(match?.column).toBe(at[0]?.column);
    expect(match?.file).toBe(FILE);
    expect(match?.message.length).toBeGreaterThan(0);
    expect(match?.fix.length).toBeGreaterThan(0);
    const unexpected = problems.filter((p) => p !== match && !(alsoAllowed ?? []).includes(p.code));
    expect(unexpected).toEqual([]);
  });

  it('covers at least 15 distinct broken plans', () => {
    expect(new Set(cases.map((c) => `${c.code} ${c.path}`)).size).toBeGreaterThanOrEqual(15);
  });

  it('reports all three problems of a plan with three problems, in file order', () => {
    const { text, at } = broken(
      { anchor: 'timeZone:', find: 'Asia/Shanghai', replace: 'Beijing' },
      { anchor: 'code: supervision', find: 'supervisor-zhou', replace: 'supervisor-wang' },
      { anchor: task(4), find: 'chengguan]', replace: 'chengguann]' },
    );
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.code, p.path, p.line])).toEqual([
      [PlanProblemCode.INVALID_TIME_ZONE, 'timeZone', at[0]?.line],
      [PlanProblemCode.SUPERVISOR_NOT_IN_ROSTER, 'organization.groups[1].members[1]', at[1]?.line],
      [PlanProblemCode.UNKNOWN_UNIT, 'actions[1].tasks[1].lead[1]', at[2]?.line],
    ]);
  });

  it('reports a schema problem and a reference problem together', () => {
    const { text } = broken(
      { anchor: task(12), find: '12', replace: 'twelve' },
      { anchor: task(1), find: 'end-2021]', replace: 'end-2022]' },
    );
    expect(problemsOf(text).map((p) => p.code)).toEqual([PlanProblemCode.UNKNOWN_MILESTONE, PlanProblemCode.PLAN_SCHEMA]);
  });

  it('reports a missing required field at the mapping that lacks it', () => {
    const { text, at } = broken({ anchor: task(9), find: '        description:', replace: '        summary:' });
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      [PlanProblemCode.PLAN_SCHEMA, 'actions[4].tasks[1].description'],
      [PlanProblemCode.PLAN_SCHEMA, 'actions[4].tasks[1].summary'],
    ]);
    expect(problems[1]?.line).toBe(at[0]?.line);
    expect(problems[0]?.message).toMatch(/missing/);
  });

  it('quotes the wrong value, and tells it from a missing one', () => {
    const number = problemsOf(broken({ anchor: task(12), find: '12', replace: 'twelve' }).text);
    expect(number[0]?.message).toBe('Expected number, got string "twelve".');
    const date = problemsOf(broken({ anchor: 'id: new-year-2021', find: '2021-01-01', replace: '2021-02-30' }).text);
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
    const { text } = broken({ anchor: 'timeZone:', find: 'Asia/Shanghai', replace: 'UTC+8' });
    const result = parsePlan(text, FILE);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const error = new PlanValidationError(FILE, result.problems);
    expect(error.message).toContain('plans/broken.yaml:');
    expect(error.message).toContain('INVALID_TIME_ZONE');
    expect(error.message).toContain('Asia/Shanghai');
  });
});
