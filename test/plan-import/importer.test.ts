/**
 * The importer's readings, one behaviour each: the numbering styles and their nesting,
 * the ways plans give units, the ways they give dates, and what it reports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlan } from '@duban/plan';
import { taskChecks } from '@duban/plan';
import { chineseNumber, importText, readDates, readNumber, readRecurring, readSpan } from '@duban/plan-import';

describe('numbering', () => {
  it.each([
    ['一、总体要求', 'cn-comma', 1, '一、'],
    ['（十二）农贸市场', 'cn-paren', 12, '（十二）'],
    ['(三)开展行动', 'cn-paren', 3, '(三)'],
    ['㈡ 全面排查阶段', 'cn-paren', 2, '㈡'],
    ['15.城市交通场站', 'num-dot', 15, '15.'],
    ['2、工地环境', 'num-dot', 2, '2、'],
    ['（1）加强管理', 'num-paren', 1, '（1）'],
    ['③推进试点', 'circled', 3, '③'],
  ])('reads %s', (line, style, value, printed) => {
    expect(readNumber(line)).toMatchObject({ style, value, printed });
  });

  it('does not take a decimal or a year for an item number', () => {
    expect(readNumber('1.5亿元用于改造')).toBeUndefined();
    expect(readNumber('2020年对红苗小区实施改造')).toBeUndefined();
    expect(chineseNumber('二十三')).toBe(23);
  });
});

describe('dates', () => {
  it.each([
    ['9月底前完成', 2021, { date: '2021-09-30', rule: 'by', yearGuessed: true }],
    ['于2020年内完成', 2020, { date: '2020-12-31', rule: 'by', yearGuessed: false }],
    ['2021年元旦前', 2020, { date: '2021-01-01', rule: 'before', yearGuessed: false }],
    ['国庆节前完成', 2020, { date: '2020-10-01', rule: 'before', yearGuessed: true }],
    ['2022年10月底前编制', 2022, { date: '2022-10-31', rule: 'by', yearGuessed: false }],
    ['于2011年5月20日前报州环保局', 2011, { date: '2011-05-20', rule: 'by', yearGuessed: false }],
    ['在2020至2021两个年度', 2020, { date: '2021-12-31', rule: 'by', yearGuessed: false }],
    ['2021年底', 2020, { date: '2021-12-31', rule: 'by', yearGuessed: false }],
    ['8月中旬', 2026, { date: '2026-08-20', rule: 'by', yearGuessed: true }],
  ])('reads %s', (text, year, expected) => {
    expect(readDates(text, year)).toEqual([expect.objectContaining(expected)]);
  });

  it('reads recurring duties and leaves them out of the dates', () => {
    expect(readRecurring('每月23日前报送进展')).toEqual([expect.objectContaining({ every: 'month', days: [23] })]);
    expect(readRecurring('分别在每月10日、20日前报送')).toEqual([expect.objectContaining({ every: 'month', days: [10, 20] })]);
    expect(readRecurring('每季度调度一次')).toEqual([expect.objectContaining({ every: 'quarter', days: [] })]);
    expect(readDates('每月23日前报送进展', 2026)).toEqual([]);
  });

  it.each([
    ['动员部署阶段(2010年9月10日至9月17日)', 2010, { from: '2010-09-10', until: '2010-09-17', words: '2010年9月10日至9月17日', yearGuessed: false }],
    ['动员部署阶段(4月-5月中旬)', 2011, { from: '2011-04-01', until: '2011-05-20', words: '4月-5月中旬', yearGuessed: true }],
    ['全面排查和集中整治阶段(5月下旬-8月)', 2011, { from: '2011-05-21', until: '2011-08-31', words: '5月下旬-8月', yearGuessed: true }],
    ['督查阶段(9月)', 2011, { from: '2011-09-01', until: '2011-09-30', words: '9月', yearGuessed: true }],
  ] as const)('reads the span of a phase from its heading: %s', (heading, year, span) => {
    expect(readSpan(heading, year)).toEqual(span);
  });

  it('reads no span from a heading without one', () => {
    expect(readSpan('推进项目建设', 2026)).toBeUndefined();
  });
});

/** Imports a small text and loads the draft (with example heads) as duban does. */
function load(text: string) {
  const result = importText(text, 'test.txt', { id: 'test-plan', examplePeople: true });
  const parsed = parsePlan(result.yaml, 'test.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems, null, 2));
  const plan = parsed.plan;
  const names = (codes: readonly string[] | undefined) => (codes ?? []).map((c) => plan.units.find((u) => u.code === c)?.name);
  return { result, plan, names, tasks: plan.actions.flatMap((a) => a.tasks) };
}

describe('units', () => {
  it('reads （牵头单位：…；责任单位：…；配合单位：…） and keeps 各县(市、区)人民政府 whole', () => {
    const { tasks, names, plan } = load(
      '2026年重点工作\n一、重点任务\n1.推进改造。年内完成。（牵头单位：市住建局；责任单位：各县(市、区)人民政府；配合单位：市财政局、市自然资源局）',
    );
    expect(names(tasks[0]?.lead)).toEqual(['市住建局']);
    expect(names(tasks[0]?.responsible)).toEqual(['各县(市、区)人民政府']);
    expect(names(tasks[0]?.cooperating)).toEqual(['市财政局', '市自然资源局']);
    expect(plan.units.find((u) => u.name === '市住建局')?.kind).toBe('city-bureau');
    // 年内: whole-year work, due at the campaign's end.
    expect(tasks[0]?.deadline).toMatchObject({ date: '2026-12-31', rule: 'by' });
  });

  it('reads the short form "X牵头，Y按职责分工负责"', () => {
    const { tasks, names } = load('2022年工作要点\n一、优化审批\n1.实施清单管理。2022年10月底前公布清单。(市政府办公室、市审改办牵头,市级各有关部门及各县市区政府按职责分工负责)');
    expect(names(tasks[0]?.lead)).toEqual(['市政府办公室', '市审改办']);
    expect(names(tasks[0]?.responsible)).toEqual(['市级各有关部门', '各县市区政府']);
    // Two lead units and no rule on who is primary: co-leads, marked.
    expect(tasks[0]?.leadPrimary).toBe(false);
  });

  it('reads units given on lines of their own under an item', () => {
    const { tasks, names } = load('2023年重点工作\n一、主要目标\n1.地区生产总值增长6.2%左右。\n牵头单位:区发改局\n责任单位:立山经济开发区,各街道');
    expect(names(tasks[0]?.lead)).toEqual(['区发改局']);
    expect(names(tasks[0]?.responsible)).toEqual(['立山经济开发区', '各街道']);
    expect(tasks[0]?.targets).toEqual([{ description: '地区生产总值增长6.2%左右', kind: 'approx', percent: 6.2 }]);
  });

  it('gives a bracket after a run of measures to every measure, and keeps the levels', () => {
    const { tasks, plan } = load(
      '“十三五”任务\n(一)预案建设\n1.完善预案体系\n(1)加强预案管理。\n(2)推进预案精编化。\n(责任单位:市直各有关单位、各开发区管委会)\n2.健全机制\n(1)建设指挥平台。(牵头单位:市应急局)',
    );
    expect(plan.actions.map((a) => a.title.zh)).toEqual(['预案建设']);
    expect(tasks.map((t) => [t.number, t.printed, t.path?.map((p) => p.title)])).toEqual([
      [1, '1.(1)', ['完善预案体系']],
      [2, '1.(2)', ['完善预案体系']],
      [3, '2.(1)', ['健全机制']],
    ]);
    // Only 责任单位 in the bracket: the responsible units lead, as co-leads.
    expect(tasks[0]?.leadPrimary).toBe(false);
  });
});

describe('what the import reports', () => {
  it('reports a numbered item without units, units without an item, and a lunar date, with their lines', () => {
    const result = importText('牵头单位:区财政局\n2026年重点工作\n一、任务\n1.甲。〔牵头单位:区财政局〕\n2.乙。春节前完成。〔牵头单位:区商务局〕\n3.丙。', 'x.txt');
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([
      ['roster-empty', 1],
      ['units-without-item', 1],
      ['date-unread', 5],
      ['item-without-units', 6],
    ]);
  });

  it('refuses a text with no item that has units', () => {
    expect(() => importText('一、总体要求\n做好工作。', 'empty.txt')).toThrow(expect.objectContaining({ code: 'IMPORT_NO_TASKS' }));
  });

  it('reads a Markdown table of tasks', () => {
    const { tasks, names } = load(
      '# 2026年整治方案\n\n## 一、整治任务\n\n| 序号 | 工作任务 | 牵头单位 | 责任单位 | 完成时限 |\n| --- | --- | --- | --- | --- |\n| 1 | 拆除违建 | 区城管局 | 各街道 | 6月底前 |\n| 2 | 清理广告 | 区城管局 | 区市场局 | 国庆节前 |\n',
    );
    expect(tasks.map((t) => [t.number, t.title.zh, names(t.lead), t.deadline?.date, t.deadline?.rule])).toEqual([
      [1, '拆除违建', ['区城管局'], '2026-06-30', 'by'],
      [2, '清理广告', ['区城管局'], '2026-10-01', 'before'],
    ]);
  });
});

describe('a campaign in phases (real text: fixtures/campaign-2011.zh.txt)', () => {
  // Part 四 (工作安排) of a 2011 environmental campaign of an autonomous prefecture in
  // Xinjiang (its title is not in the stored page: http://fsou.com/html/text/lar/173791/17379122_3.html).
  // Its phases name no 牵头单位: who acts is the subject of the sentences.
  it('reads each phase: who acts, its dated nodes, its recurring reports, and what it cannot place', () => {
    const text = readFileSync(join(__dirname, 'fixtures', 'campaign-2011.zh.txt'), 'utf8');
    const { tasks, names, result, plan } = load(text);
    expect(tasks.map((t) => [t.number, t.title.zh, names(t.lead), t.deadline?.date])).toEqual([
      [1, '动员部署阶段(4月-5月中旬)', ['各县(市、口岸)环保专项行动领导小组'], '2011-05-20'],
      [2, '全面排查和集中整治阶段(5月下旬-8月)', ['各县(市、口岸)环保专项行动领导小组'], '2011-08-31'],
      [3, '督查阶段(9月)', ['自治州专项行动领导小组'], '2011-09-30'],
    ]);
    expect(tasks[1]?.nodes?.map((n) => [n.date, n.source])).toEqual([
      ['2011-06-10', '2011年6月10日'],
      ['2011-08-10', '8月10日前'],
    ]);
    // The reports of 每月10日、20日前 are due only during the phase (5月下旬-8月) …
    expect(tasks[1]?.recurring?.map((r) => [r.every, r.day, r.duty, r.from, r.until])).toEqual([
      ['month', 10, 'report', '2011-05-21', '2011-08-31'],
      ['month', 20, 'report', '2011-05-21', '2011-08-31'],
    ]);
    expect(taskChecks(plan, 2).filter((c) => c.kind === 'recurring').map((c) => c.id.slice(-10))).toEqual([
      '2011-06-10', '2011-06-20', '2011-07-11', '2011-07-20', '2011-08-10', '2011-08-22',
    ]);
    // … and each phase cannot begin before its first day.
    expect(tasks.map((t) => t.start)).toEqual([
      { date: '2011-04-01', source: '4月-5月中旬' },
      { date: '2011-05-21', source: '5月下旬-8月' },
      { date: '2011-09-01', source: '9月' },
    ]);
    // ㈣ names no unit that acts ("各县(市、口岸)要…" is a place, not a body): reported, not guessed.
    expect(result.findings.map((f) => [f.code, f.line])).toContainEqual(['item-without-units', 7]);
    expect(result.findings.map((f) => f.code)).toContain('campaign-guessed');
  });
});

describe('who supervises and what is filed', () => {
  it('makes every unit named to supervise (负责组织…督查) a supervisor of the other tasks, and reads several filings of one task', () => {
    const { tasks, names } = load(
      '2026年整治行动方案\n一、职责分工\n(一)区城管局。负责清理违建,将整治台帐报区整治办备案,将工作方案报区政府备案,10月底前完成。\n(二)区委督查室、区政府督查室。负责组织对整治行动进行专项督查和效能检查考核。',
    );
    expect(names(tasks[0]?.supervisor)).toEqual(['区委督查室', '区政府督查室']);
    expect(tasks[0]?.filings?.map((f) => [names([f.with])[0], f.source])).toEqual([
      ['区整治办', '将整治台帐报区整治办备案'],
      ['区政府', '将工作方案报区政府备案'],
    ]);
    expect(tasks[1]?.supervisor).toBeUndefined();
  });
});

describe('who dispatches', () => {
  it('reads a named office that dispatches every month as the dispatcher of the recurring duty', () => {
    const { tasks, names } = load('2026年重点工作\n一、任务\n1.推进项目建设。区发改局每月调度推进情况,11月底前完成。（牵头单位：区住建局）');
    expect(tasks[0]?.recurring?.map((r) => [r.every, r.duty, names([r.by ?? ''])[0]])).toEqual([['month', 'dispatch', '区发改局']]);
    expect(names([tasks[0]?.dispatcher ?? ''])).toEqual(['区发改局']);
    expect(tasks[0]?.deadline).toMatchObject({ date: '2026-11-30', rule: 'by' });
  });
});
