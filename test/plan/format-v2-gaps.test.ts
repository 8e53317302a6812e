/**
 * What importing real plans found format 2 could not say, and now can: a recurring duty
 * limited to a window (每月10日、20日 only during 5月下旬–8月), several supervising bodies,
 * several filings in one task, a task that cannot begin before a date (a later phase), and
 * whole-year work said in its own word (全年). Each with its model, its checks (`taskChecks`,
 * `taskSchedule`), the loader's located problems, and re-dating.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeDue, leadsInResponsibleCollectives, parsePlan, PlanProblemCode, rebasePlan, taskChecks, taskSchedule, type Plan, type PlanProblem } from '@duban/plan';

const districtText = readFileSync(join(__dirname, 'fixtures', 'district-v2.yaml'), 'utf8');
const C = PlanProblemCode;

function load(text: string): Plan {
  const result = parsePlan(text, 'plan.yaml');
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.code} ${p.path}: ${p.message}`).join('\n'));
  return result.plan;
}
function problemsOf(text: string): PlanProblem[] {
  const result = parsePlan(text, 'broken.yaml');
  if (result.ok) throw new Error('expected the plan to be rejected');
  return result.problems;
}
/** The fixture with `find` (unique) replaced. */
function edited(find: string, replace: string, text = districtText): string {
  const at = text.indexOf(find);
  if (at < 0 || text.indexOf(find, at + 1) >= 0) throw new Error(`not unique: ${find}`);
  return text.slice(0, at) + replace + text.slice(at + find.length);
}
const lineOf = (text: string, find: string) => text.slice(0, text.indexOf(find)).split('\n').length;
const days = (plan: Plan, task: number, prefix: string) => taskChecks(plan, task).filter((c) => c.id.startsWith(prefix)).map((c) => c.dueAt.slice(0, 10));

// Task 1's monthly report limited to a phase: 每月10日、20日前 from 5月下旬 (21 May) to the end of August.
const MONTHLY = '              - { id: monthly-report, every: month, day: 23, rule: before, duty: report, source: 每月23日前报送进展 }\n';
const PHASED =
  '              - { id: report-10, every: month, day: 10, rule: by, duty: report, source: 每月10日前报送进展, from: 2021-05-21, until: 2021-08-31 }\n' +
  '              - { id: report-20, every: month, day: 20, rule: by, duty: report, source: 每月20日前报送进展, from: 2021-05-21, until: 2021-08-31 }\n';
const phasedText = edited(MONTHLY, PHASED);

describe('a recurring duty limited to a window (from … until)', () => {
  const plan = load(phasedText);

  it('falls due only inside its window: 10 and 20 June, July and August, none in May before the 21st or after August', () => {
    // 2021-06-20 is a Sunday (→ Monday 21), 2021-07-10 a Saturday (→ Monday 12).
    expect(days(plan, 1, 'recurring:report-10:')).toEqual(['2021-06-11', '2021-07-13', '2021-08-11']);
    expect(days(plan, 1, 'recurring:report-20:')).toEqual(['2021-06-22', '2021-07-21', '2021-08-21']);
    expect(plan.actions[0]?.tasks[0]?.recurring?.[0]).toMatchObject({ from: '2021-05-21', until: '2021-08-31' });
  });

  it('moves a day at the window\'s end that is a day off past the window, and keeps it due', () => {
    const monthEnd = load(edited('day: 10, rule: by, duty: report, source: 每月10日前报送进展, from: 2021-05-21, until: 2021-08-31', 'day: 31, rule: by, duty: report, source: 每月底前报送进展, from: 2021-05-21, until: 2021-07-31', phasedText));
    // 31 May (Monday), 30 June (Wednesday), 31 July (Saturday → Monday 2 August).
    expect(days(monthEnd, 1, 'recurring:report-10:')).toEqual(['2021-06-01', '2021-07-01', '2021-08-03']);
  });

  it('without a window falls due all campaign long, as before', () => {
    const open = load(edited('from: 2021-05-21, until: 2021-08-31 }\n              - { id: report-20', '}\n              - { id: report-20', phasedText));
    expect(days(open, 1, 'recurring:report-10:')).toHaveLength(10);
  });

  it('is re-dated with its plan', () => {
    const duty = rebasePlan(plan, 2027).actions[0]?.tasks[0]?.recurring?.[0];
    expect(duty).toMatchObject({ from: '2027-05-21', until: '2027-08-31' });
  });

  it.each([
    ['a window that ends before it begins', 'until: 2021-08-31 }\n              - { id: report-20', 'until: 2021-05-01 }\n              - { id: report-20', C.RECURRING_WINDOW_INVALID, 'until'],
    ['a window that holds no day of the duty', 'from: 2021-05-21, until: 2021-08-31 }\n              - { id: report-20', 'from: 2021-05-11, until: 2021-05-19 }\n              - { id: report-20', C.RECURRING_WINDOW_INVALID, 'from'],
    ['a window that opens before the campaign', 'from: 2021-05-21, until: 2021-08-31 }\n              - { id: report-20', 'from: 2021-01-21, until: 2021-08-31 }\n              - { id: report-20', C.DEADLINE_OUTSIDE_CAMPAIGN, 'from'],
  ] as const)('refuses %s, located at the duty, with a fix', (_name, find, replace, code, key) => {
    const text = edited(find, replace, phasedText);
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.code, p.path])).toEqual([[code, `sections[0].sections[0].tasks[0].recurring[0].${key}`]]);
    expect(problems[0]?.line).toBe(lineOf(text, '{ id: report-10'));
    expect(problems[0]?.fix).not.toBe('');
  });
});

describe('several supervising bodies', () => {
  it('keeps a list in the model, and one code written alone as a list of one', () => {
    const plan = load(edited('supervisor: ducha', 'supervisor: [ducha, fgw]'));
    expect(plan.actions[0]?.tasks[0]?.supervisor).toEqual(['ducha', 'fgw']);
    expect(load(districtText).actions[0]?.tasks[0]?.supervisor).toEqual(['ducha']);
  });

  it('locates an unknown body in the list, and a body listed twice', () => {
    expect(problemsOf(edited('supervisor: ducha', 'supervisor: [ducha, duchaa]')).map((p) => [p.code, p.path])).toEqual([
      [C.UNKNOWN_UNIT, 'sections[0].sections[0].tasks[0].supervisor[1]'],
    ]);
    expect(problemsOf(edited('supervisor: ducha', 'supervisor: [ducha, ducha]')).map((p) => [p.code, p.path])).toEqual([
      [C.DUPLICATE_UNIT_IN_LIST, 'sections[0].sections[0].tasks[0].supervisor[1]'],
    ]);
  });
});

describe('several filings in one task', () => {
  const FILING = '                filing: { with: shi-fgw, source: 报市发改委备案, date: 2021-12-15, rule: by }\n';
  const TWO =
    '                filing:\n' +
    '                  - { with: shi-fgw, source: 将入库清单报市发改委备案, date: 2021-12-15, rule: by }\n' +
    '                  - { with: sheng-fgw, source: 将年度计划报省发改委备案, date: 2021-12-20, rule: by }\n';
  const text = edited(FILING, TWO);
  const plan = load(text);

  it('keeps every filing (and the first as `filing`, for readers of one), each a check of its own', () => {
    const task = plan.actions[0]?.tasks[1];
    expect(task?.filings?.map((f) => f.with)).toEqual(['shi-fgw', 'sheng-fgw']);
    expect(task?.filing?.with).toBe('shi-fgw');
    expect(taskChecks(plan, 2).filter((c) => c.kind === 'filing')).toEqual([
      { id: 'filing:1', kind: 'filing', dueAt: '2021-12-16T00:00:00.000+08:00', label: '将入库清单报市发改委备案', by: 'shi-fgw' },
      { id: 'filing:2', kind: 'filing', dueAt: '2021-12-21T00:00:00.000+08:00', label: '将年度计划报省发改委备案', by: 'sheng-fgw' },
    ]);
  });

  it('keeps one filing as it was: `filing`, its check named filing', () => {
    const one = load(districtText).actions[0]?.tasks[1];
    expect(one?.filings).toBeUndefined();
    expect(taskChecks(load(districtText), 2).filter((c) => c.kind === 'filing').map((c) => c.id)).toEqual(['filing']);
  });

  it('loads back into the same plan when the model is written out (as campaigns store it), and re-dates every filing', () => {
    expect(load(JSON.stringify(plan))).toEqual(plan);
    expect(rebasePlan(plan, 2027).actions[0]?.tasks[1]?.filings?.map((f) => f.date)).toEqual(['2027-12-15', '2027-12-20']);
  });

  it('locates a problem in the second filing', () => {
    const broken = edited('with: sheng-fgw, source: 将年度计划报省发改委备案, date: 2021-12-20', 'with: sheng-fgww, source: 将年度计划报省发改委备案, date: 2022-12-20', text);
    expect(problemsOf(broken).map((p) => [p.code, p.path])).toEqual([
      [C.UNKNOWN_UNIT, 'sections[0].sections[0].sections[0].tasks[0].filing[1].with'],
      [C.DEADLINE_OUTSIDE_CAMPAIGN, 'sections[0].sections[0].sections[0].tasks[0].filing[1].date'],
    ]);
  });
});

describe('a task that cannot begin before a date (a later phase)', () => {
  const START = '            cooperating: [kfq]\n';
  const text = edited(START, `${START}            start: { date: 2021-06-01, source: 第二阶段(6月至12月) }\n`);
  const plan = load(text);

  it('gives the task its start in the model and its schedule, and no recurring check before it', () => {
    expect(plan.actions[0]?.tasks[0]?.start).toEqual({ date: '2021-06-01', source: '第二阶段(6月至12月)' });
    expect(taskSchedule(plan, 1).startAt).toBe('2021-06-01T00:00:00.000+08:00');
    expect(taskSchedule(plan, 2).startAt).toBeUndefined();
    // The monthly report from June: seven months, not ten.
    expect(days(plan, 1, 'recurring:monthly-report:')[0]).toBe('2021-06-23');
    expect(days(plan, 1, 'recurring:monthly-report:')).toHaveLength(7);
    expect(rebasePlan(plan, 2027).actions[0]?.tasks[0]?.start?.date).toBe('2027-06-01');
  });

  it('refuses a start after a dated node of the task, or outside the campaign, located at the start', () => {
    const node = edited('                lead: [fgw]\n', '                lead: [fgw]\n                start: { date: 2021-09-15, source: 9月中旬起 }\n');
    const problems = problemsOf(node);
    expect(problems.map((p) => [p.code, p.path, p.line])).toEqual([[C.TASK_START_INVALID, 'sections[0].sections[0].sections[0].tasks[0].start.date', lineOf(node, 'start: { date: 2021-09-15')]]);
    expect(problems[0]?.message).toContain('node city-list');
    const outside = edited('date: 2021-06-01, source', 'date: 2022-06-01, source', text);
    expect(problemsOf(outside).map((p) => [p.code, p.path])).toEqual([[C.DEADLINE_OUTSIDE_CAMPAIGN, 'sections[0].sections[0].tasks[0].start.date']]);
  });
});

describe('whole-year work in its own word', () => {
  it.each([
    [{ date: '2021-12-31', rule: 'by', source: '全年' }, '2021年全年'],
    [{ date: '2021-12-31', rule: 'by', source: '年内' }, '2021年内'],
    // 全年 beside another date is not the year's end: the date is said.
    [{ date: '2021-11-30', rule: 'by', source: '全年' }, '2021年11月30日前'],
  ] as const)('says %o as %s', (due, zh) => {
    expect(describeDue(due, 'zh')).toBe(zh);
  });
});

describe('lead and responsible units given once for a section', () => {
  // Section （二） gives its units; its task 3 names none of its own, so it takes them.
  const SECTION = "      - printed: （二）\n        title: { zh: 做好统计监测 }\n";
  const TASK3 = '            lead: [tjj]\n            responsible: [town-c]\n';
  const text = edited(TASK3, '', edited(SECTION, `${SECTION}        lead: [tjj, fgw]\n        responsible: [town-c]\n`));

  it('gives every task under the section that names no units of its own the section\'s, and leaves the others theirs', () => {
    const plan = load(text);
    const task3 = plan.actions[0]?.tasks.find((t) => t.number === 3);
    expect([task3?.lead, task3?.responsible]).toEqual([['tjj', 'fgw'], ['town-c']]);
    expect(plan.actions[0]?.tasks[0]?.lead).toEqual(['fgw', 'zjj']);
  });

  it('reports an unknown unit once, where the section gives it, and a task with no lead anywhere at the task', () => {
    expect(problemsOf(edited('lead: [tjj, fgw]', 'lead: [tjj, fgww]', text)).map((p) => [p.code, p.path])).toEqual([[C.UNKNOWN_UNIT, 'sections[0].sections[1].lead[1]']]);
    expect(problemsOf(edited('        lead: [tjj, fgw]\n', '', text)).map((p) => [p.code, p.path])).toEqual([[C.NO_LEAD_UNIT, 'sections[0].sections[1].tasks[0]']]);
  });
});

describe('a lead unit that is also a member of the task\'s responsible collective', () => {
  it('is listed, naming the task, the lead and the collective (the real Lishan plan: 区发改局 leads task 3, 区直各部门 is responsible)', () => {
    const lishan = load(readFileSync(join(__dirname, '..', '..', 'plans', 'lishan-2023.yaml'), 'utf8'));
    expect(leadsInResponsibleCollectives(lishan)).toEqual([{ task: 3, lead: 'fagai', collective: 'quzhi-bumen' }]);
  });

  it('is not listed where no responsible collective contains a lead', () => {
    expect(leadsInResponsibleCollectives(load(districtText))).toEqual([]);
    // 各街道 (streets) made the lead of task 2 whose responsible collective is the same 各街道: both of its members.
    const both = load(edited('                lead: [fgw]\n                responsible: [streets]', '                lead: [street-a]\n                responsible: [streets]'));
    expect(leadsInResponsibleCollectives(both)).toEqual([{ task: 2, lead: 'street-a', collective: 'streets' }]);
  });
});
