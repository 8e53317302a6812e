/**
 * Plan format 2: nested sections flattened into the model, the new task fields, its
 * cross-checks located in nested sections, format 1 still loading, and `migratePlanText`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migratePlanText, parsePlan, PlanProblemCode, planSummary, type Plan, type PlanProblem } from '@duban/plan';

const fixtures = join(__dirname, 'fixtures');
const districtText = readFileSync(join(fixtures, 'district-v2.yaml'), 'utf8');
const seedV1Text = readFileSync(join(fixtures, 'xihu-2020.v1.yaml'), 'utf8');
const seedText = readFileSync(join(__dirname, '..', '..', 'plans', 'xihu-2020.yaml'), 'utf8');

function load(text: string, file = 'plan.yaml'): Plan {
  const result = parsePlan(text, file);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.code} ${p.path}: ${p.message}`).join('\n'));
  return result.plan;
}

function problemsOf(text: string): PlanProblem[] {
  const result = parsePlan(text, 'broken.yaml');
  if (result.ok) throw new Error('expected the plan to be rejected');
  return result.problems;
}

/** The fixture with `find` (unique) replaced, and the line where the replacement starts. */
function edit(find: string, replace: string, text = districtText): { text: string; line: number } {
  const at = text.indexOf(find);
  if (at < 0 || text.indexOf(find, at + 1) >= 0) throw new Error(`not unique: ${find}`);
  return { text: text.slice(0, at) + replace + text.slice(at + find.length), line: text.slice(0, at).split('\n').length };
}
const edited = (find: string, replace: string, text = districtText): string => edit(find, replace, text).text;

const lineOf = (text: string, find: string) => text.slice(0, text.indexOf(find)).split('\n').length;

describe('a format-2 plan', () => {
  const plan = load(districtText, 'district-v2.yaml');

  it('flattens sections of any depth into actions, tasks in source order, each with its printed number and the headings above it', () => {
    expect(plan.actions.map((a) => [a.number, a.printed, a.title.zh, a.tasks.map((t) => t.number)])).toEqual([
      [1, '一、', '稳增长', [1, 2, 3]],
      [2, '二、', '优环境', [4]],
    ]);
    const tasks = plan.actions.flatMap((a) => a.tasks);
    expect(tasks.map((t) => [t.number, t.printed, t.path])).toEqual([
      [1, '1.', [{ printed: '（一）', title: '扩大有效投资' }]],
      [2, '(1)', [{ printed: '（一）', title: '扩大有效投资' }, { printed: '2.', title: '项目储备' }]],
      // Numbering restarts under （二）: printed 1. again, duban's number stays unique.
      [3, '1.', [{ printed: '（二）', title: '做好统计监测' }]],
      [4, '1.', undefined],
    ]);
  });

  it('needs no English gloss, no organization and no milestones', () => {
    expect(plan.organization).toBeUndefined();
    expect(plan.milestones).toEqual([]);
    expect(plan.actions[0]?.title.en).toBeUndefined();
    expect(plan.actions[1]?.title.en).toBe('Better environment');
  });

  it("dates a whole-year deadline (全年) to the campaign's last day, by rule, and keeps its words", () => {
    const task3 = plan.actions[0]?.tasks.find((t) => t.number === 3);
    expect(task3?.deadline).toEqual({ date: '2021-12-31', rule: 'by', source: '全年' });
  });

  it('keeps co-leads, cooperating units, dispatcher, supervisor, filing and every kind of target', () => {
    const [task1, task2] = plan.actions[0]?.tasks ?? [];
    // One supervising body written as a code: a list of one in the model.
    expect(task1).toMatchObject({ lead: ['fgw', 'zjj'], leadPrimary: false, cooperating: ['kfq'], dispatcher: 'fgw', supervisor: ['ducha'] });
    expect(task1?.targets).toEqual([
      { description: '固定资产投资增长6.2%左右', kind: 'approx', percent: 6.2 },
      { description: '增速不低于全市平均水平', kind: 'relative', relation: '不低于全市平均水平' },
    ]);
    expect(task2?.filing).toEqual({ with: 'shi-fgw', source: '报市发改委备案', date: '2021-12-15', rule: 'by' });
    expect(planSummary(plan).tasks[0]).toMatchObject({ number: 1, printed: '1.', leadPrimary: false, cooperating: ['kfq'], primaryLead: 'fgw' });
  });

  it('writes out as a format-1 file that loads into the same plan (campaigns store plans so)', () => {
    expect(load(JSON.stringify(plan))).toEqual(plan);
  });

  it('widens unit kinds and keeps collective units with their members', () => {
    expect(plan.units.find((u) => u.code === 'jiezhen')).toMatchObject({ kind: 'collective', members: ['streets', 'town-c'] });
    expect(plan.units.find((u) => u.code === 'tjj')?.kind).toBe('vertical-bureau');
  });
});

describe('format 1 still loads', () => {
  it('loads the seed as it was before format 2 into the same plan as the migrated seed, but for the printed numbers the seed now gives', () => {
    const v1 = load(seedV1Text, 'xihu-2020.v1.yaml');
    const v2 = load(seedText, 'plans/xihu-2020.yaml');
    const unprinted = (plan: Plan) => plan.actions.map(({ printed: _p, ...action }) => ({ ...action, tasks: action.tasks.map(({ printed: _q, ...task }) => task) }));
    expect(unprinted(v1)).toEqual(unprinted(v2));
    expect(v2.actions[0]?.printed).toBe('(一)');
    expect(v2.actions[0]?.tasks[0]?.printed).toBe('1.');
    const { actions: _a1, ...rest1 } = v1;
    const { actions: _a2, ...rest2 } = v2;
    expect(rest1).toEqual(rest2);
  });

  it('locates format-1 problems under actions[…] as before', () => {
    const broken = edited("        lead: [chengguan, chengjian]   # 城管办、城建办\n        responsible: [langonglu, example-community-a, example-community-b, example-community-c, example-community-d, example-community-e]   # example expansion of 各相关社区\n        responsibleSource: 各相关社区\n        supports: [qu-chengjianju]\n        milestones: [end-2021]\n      - number: 4", "        lead: [chengguan, chengjiann]\n        responsible: [langonglu]\n        responsibleSource: 各相关社区\n        supports: [qu-chengjianju]\n        milestones: [end-2021]\n      - number: 4", seedV1Text);
    expect(problemsOf(broken).map((p) => [p.code, p.path])).toEqual([[PlanProblemCode.UNKNOWN_UNIT, 'actions[1].tasks[0].lead[1]']]);
  });

  it('accepts format: 1 written out, and refuses a format it does not know, naming the one it does', () => {
    expect(load(`format: 1\n${seedV1Text}`).id).toBe('xihu-2020');
    const problems = problemsOf(edited('format: 2', 'format: 3'));
    expect(problems[0]).toMatchObject({ code: PlanProblemCode.PLAN_SCHEMA, path: 'format', line: lineOf(districtText, 'format: 2') });
    expect(problems[0]?.fix).toContain('2');
  });

  it('refuses actions in a format-2 file, pointing at the key', () => {
    const problems = problemsOf(`format: 2\n${seedV1Text}`);
    expect(problems.map((p) => [p.code, p.path])).toEqual(
      expect.arrayContaining([
        [PlanProblemCode.PLAN_SCHEMA, 'actions'],
        [PlanProblemCode.PLAN_SCHEMA, 'sections'],
      ]),
    );
  });
});

/** [what is broken, find, replace, code, path]: each edit of the fixture gives exactly this problem. */
type Case = [name: string, find: string, replace: string, code: PlanProblemCode, path: string];

const C = PlanProblemCode;
const deep = 'sections[0].sections[0].sections[0].tasks[0]';
const cases: Case[] = [
  ['a cooperating unit that does not exist', 'cooperating: [kfq]', 'cooperating: [kfqq]', C.UNKNOWN_UNIT, 'sections[0].sections[0].tasks[0].cooperating[0]'],
  ['an outside body as a cooperating unit', 'cooperating: [kfq]', 'cooperating: [sheng-fgw]', C.UNIT_KIND_MISMATCH, 'sections[0].sections[0].tasks[0].cooperating[0]'],
  ['a collective member that is not a unit', 'members: [street-a, street-b]', 'members: [street-a, street-x]', C.COLLECTIVE_UNIT_INVALID, 'units[7].members[1]'],
  ['a collective that contains itself', 'members: [street-a, street-b]', 'members: [street-a, jiezhen]', C.COLLECTIVE_UNIT_INVALID, 'units[7].members'],
  ['a collective without members', ', kind: collective, members: [streets, town-c] }', ', kind: collective }', C.COLLECTIVE_UNIT_INVALID, 'units[8]'],
  ['members on a unit that is not collective', 'kind: street }\n  - { code: street-b', 'kind: street, members: [street-b] }\n  - { code: street-b', C.COLLECTIVE_UNIT_INVALID, 'units[4].members'],
  ['a dated node after the campaign', 'date: 2021-09-30, rule: by, source: 9月底前', 'date: 2022-09-30, rule: by, source: 9月底前', C.DEADLINE_OUTSIDE_CAMPAIGN, `${deep}.nodes[1].date`],
  ['two nodes with one id', '{ id: district-list,', '{ id: city-list,', C.DUPLICATE_CHECK_ID, `${deep}.nodes[1].id`],
  ['a dispatcher that is neither unit nor group', 'dispatcher: fgw', 'dispatcher: fgww', C.UNKNOWN_UNIT, 'sections[0].sections[0].tasks[0].dispatcher'],
  ['a filing with an unknown body', 'with: shi-fgw', 'with: sheng-fgww', C.UNKNOWN_UNIT, `${deep}.filing.with`],
  ['a filing date before the campaign', 'date: 2021-12-15', 'date: 2021-01-15', C.DEADLINE_OUTSIDE_CAMPAIGN, `${deep}.filing.date`],
  ['a recurring duty done by an unknown unit', 'duty: dispatch, by: fgw', 'duty: dispatch, by: fgv', C.UNKNOWN_UNIT, 'sections[0].sections[0].tasks[0].recurring[1].by'],
  ['two tasks with one number in different sections', '          - number: 3', '          - number: 2', C.DUPLICATE_TASK_NUMBER, 'sections[0].sections[1].tasks[0].number'],
  ['two top-level sections with one number', '  - number: 2\n    printed: 二、', '  - number: 1\n    printed: 二、', C.DUPLICATE_ACTION_NUMBER, 'sections[1].number'],
  ['a misspelled key four levels down', '                deadline: {', '                dedline: {', C.PLAN_SCHEMA, `${deep}.dedline`],
  ['a rate target without a description', '{ description: 统计数据上报及时率100%, kind: rate, percent: 100 }', '{ kind: rate, percent: 100 }', C.PLAN_SCHEMA, 'sections[0].sections[1].tasks[0].targets[0].description'],
];

describe('cross-checks of a format-2 plan, located in nested sections', () => {
  it.each(cases.map(([name, find, replace, code, path]) => ({ name, find, replace, code, path })))('reports $code at $path for $name', ({ find, replace, code, path }) => {
    const { text, line } = edit(find, replace);
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.code, p.path])).toEqual([[code, path]]);
    const [problem] = problems;
    expect(problem?.line).toBe(line);
    expect(problem?.message.length).toBeGreaterThan(0);
    expect(problem?.fix.length).toBeGreaterThan(0);
  });

  it('refuses a collective that stands for an outside body where it is given work, naming the member', () => {
    const text = edited('members: [streets, town-c]', 'members: [streets, sheng-fgw]');
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.code, p.path, p.line])).toEqual([[C.UNIT_KIND_MISMATCH, 'sections[0].sections[0].tasks[0].responsible[0]', lineOf(text, 'responsible: [jiezhen]')]]);
    expect(problems[0]?.message).toContain('"sheng-fgw" (external)');
  });

  it('refuses a recurring duty that would fall due more often than the cap in its campaign, saying how often', () => {
    const weekly = edit('every: month, day: 23', 'every: week, day: 3', edited('start: 2021-03-01', 'start: 2017-03-01'));
    const problems = problemsOf(weekly.text);
    expect(problems).toEqual([
      expect.objectContaining({ code: C.LIMIT_EXCEEDED, path: 'sections[0].sections[0].tasks[0].recurring[0].every', line: weekly.line, limit: 200 }),
    ]);
    expect(problems[0]?.actual).toBeGreaterThan(200);
  });

  it('refuses sections nested deeper than the limit, at the first section too deep, and loads ten levels', () => {
    const nested = (levels: number) => {
      let inner = '{ printed: "(a)", title: { zh: 最深 }, tasks: [{ number: 99, title: { zh: 深处任务 }, description: 说明, lead: [fgw], responsible: [] }] }';
      for (let i = 1; i < levels; i += 1) inner = `{ printed: "${i}", title: { zh: 第${i}层 }, sections: [${inner}] }`;
      return edited('    title: { zh: 优环境, en: Better environment }\n', `    title: { zh: 优环境, en: Better environment }\n    sections: [${inner}]\n`);
    };
    // The top-level section and nine levels under it: ten.
    const ten = load(nested(9));
    expect(ten.actions[1]?.tasks.find((t) => t.number === 99)?.path).toHaveLength(9);
    const problems = problemsOf(nested(10));
    expect(problems).toEqual([expect.objectContaining({ code: C.LIMIT_EXCEEDED, limit: 10, actual: 11 })]);
    expect(problems[0]?.path).toBe(`sections[1]${'.sections[0]'.repeat(10)}`);
  });

  it('gives no fix text that assumes the seed plan', () => {
    const text = edited('          - number: 3', '          - number: 2');
    const [problem] = problemsOf(text);
    expect(problem?.fix).not.toMatch(/1–20|xihu|seed/);
    expect(problem?.fix).toContain('printed');
  });

  it('names a task without milestones in a plan that has none, and says there are none', () => {
    const [problem] = problemsOf(edited('        lead: [kfq]', '        lead: [kfq]\n        milestones: [end-2021]'));
    expect(problem).toMatchObject({ code: C.UNKNOWN_MILESTONE, path: 'sections[1].tasks[0].milestones[0]' });
    expect(problem?.fix).toContain('defines none');
  });
});

describe('migratePlanText', () => {
  it('upgrades a format-1 file by adding format: 2 and renaming actions, keeping every other line and every comment', () => {
    const result = migratePlanText(seedV1Text, 'xihu-2020.v1.yaml');
    if (!result.ok) throw new Error(`not migrated: ${result.reason}`);
    const before = seedV1Text.split('\n');
    const after = result.text.split('\n');
    expect(after.filter((l) => l === 'format: 2')).toHaveLength(1);
    expect(after.filter((l) => l !== 'format: 2').map((l) => (l === 'sections:' ? 'actions:' : l))).toEqual(before);
    expect(result.changes).toEqual([
      { kind: 'format-added', line: lineOf(result.text, 'format: 2') },
      { kind: 'actions-renamed', line: lineOf(result.text, 'sections:'), sections: 10, tasks: 20 },
    ]);
    expect(result.plan).toEqual(load(seedV1Text));
  });

  it('puts format: 2 below the header comments, above the first key', () => {
    const result = migratePlanText(seedV1Text, 'xihu-2020.v1.yaml');
    if (!result.ok) throw new Error('not migrated');
    expect(result.text.startsWith('# yaml-language-server: $schema=./plan.schema.json\n')).toBe(true);
    expect(result.text).toContain('\nformat: 2\nid: xihu-2020\n');
  });

  it('raises a written-out format: 1, and upgrades a plan written as JSON', () => {
    const raised = migratePlanText(`format: 1\n${seedV1Text}`, 'p.yaml');
    expect(raised.ok && raised.changes[0]).toEqual({ kind: 'format-raised', line: 1 });
    const json = JSON.stringify(load(seedV1Text));
    const fromJson = migratePlanText(json, 'p.json');
    if (!fromJson.ok) throw new Error('not migrated');
    expect(fromJson.text.startsWith('{"format": 2, "id":"xihu-2020"')).toBe(true);
    expect(load(fromJson.text)).toEqual(load(json));
  });

  it('refuses a file already in format 2, and a file that does not load, with its problems', () => {
    expect(migratePlanText(districtText, 'd.yaml')).toEqual({ ok: false, reason: 'current', format: 2 });
    const invalid = migratePlanText(seedV1Text.replace('timeZone: Asia/Shanghai', 'timeZone: Beijing'), 'p.yaml');
    expect(invalid).toMatchObject({ ok: false, reason: 'invalid', problems: [expect.objectContaining({ code: C.INVALID_TIME_ZONE })] });
  });
});
