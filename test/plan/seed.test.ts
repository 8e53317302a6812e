import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planSummary } from '@duban/plan';
import { SEED_PLAN_PATH, seedPlanPerFile } from '../harness';

const sourceLines = readFileSync(join(__dirname, 'fixtures', 'plan-2020.zh.txt'), 'utf8').split('\n');
const CHINESE_NUMERALS = '一二三四五六七八九十';

/** The task list of section 三, parsed from the source text independently of the plan. */
function sourceTasks(): { action: number; heading: string; line: string; number: number }[] {
  const start = sourceLines.indexOf('三、主要任务');
  const end = sourceLines.indexOf('四、保障措施');
  const tasks: { action: number; heading: string; line: string; number: number }[] = [];
  let action = 0;
  let heading = '';
  for (const line of sourceLines.slice(start + 1, end)) {
    const actionMatch = /^\(([一二三四五六七八九十])\)(.+)$/.exec(line);
    if (actionMatch) {
      action = CHINESE_NUMERALS.indexOf(actionMatch[1] ?? '') + 1;
      heading = line;
      continue;
    }
    const taskMatch = /^(\d+)\./.exec(line);
    if (taskMatch) tasks.push({ action, heading, line, number: Number(taskMatch[1]) });
  }
  return tasks;
}

const plan = seedPlanPerFile();

describe('the seed plan plans/xihu-2020.yaml', () => {
  it('loads without problems and has 10 actions, 20 tasks and 3 milestones', () => {
    const summary = planSummary(plan());
    expect(summary.actions).toHaveLength(10);
    expect(summary.tasks).toHaveLength(20);
    expect(summary.milestones.map((m) => m.id)).toEqual(['national-day-2020', 'new-year-2021', 'end-2021']);
  });

  it('rebuilds every task line of the source word for word from number, title, description, lead units and responsible words', () => {
    const unitName = new Map(plan().units.map((u) => [u.code, u.name]));
    const rebuilt = plan().actions.flatMap((action) =>
      action.tasks.map((task) => {
        const leads = task.lead.map((code) => unitName.get(code)).join('、');
        return `${task.number}.${task.title.zh}。${task.description}〔牵头单位:${leads},责任单位:${task.responsibleSource ?? ''}〕`;
      }),
    );
    expect(rebuilt).toEqual(sourceTasks().map((t) => t.line));
  });

  it('puts every task under the action the source lists it under, with the source heading', () => {
    const expected = sourceTasks().map((t) => ({ number: t.number, action: t.action, heading: t.heading }));
    const actual = plan().actions.flatMap((action) =>
      action.tasks.map((task) => ({
        number: task.number,
        action: action.number,
        heading: `(${CHINESE_NUMERALS[action.number - 1] ?? ''})${action.title.zh}`,
      })),
    );
    expect(actual).toEqual(expected);
  });

  it('prints every section and task number as the source does: (一) … (十), 1. … 20.', () => {
    const headings = sourceTasks().map((t) => t.heading);
    const actual = plan().actions.flatMap((action) => action.tasks.map((task) => `${action.printed ?? ''}${action.title.zh} ${task.printed ?? ''}`));
    expect(actual).toEqual(sourceTasks().map((t, i) => `${headings[i] ?? ''} ${/^\d+\./.exec(t.line)?.[0] ?? ''}`));
  });

  it('names the primary lead first, as the source orders it (task 3 is led by 城管办, assisted by 城建办)', () => {
    const row = planSummary(plan()).tasks.find((t) => t.number === 3);
    expect(row?.primaryLead).toBe('chengguan');
    expect(row?.assistingLeads).toEqual(['chengjian']);
  });

  it('keeps the source words of the three milestones and their dates', () => {
    const general = sourceLines.find((l) => l.startsWith('按照“精心规划')) ?? '';
    for (const milestone of plan().milestones) expect(general).toContain(milestone.source);
    expect(plan().milestones.map((m) => [m.id, m.due, m.rule, m.focusActions])).toEqual([
      ['national-day-2020', '2020-10-01', 'before', [1, 8]],
      ['new-year-2021', '2021-01-01', 'before', [4]],
      ['end-2021', '2021-12-31', 'by', [6, 10]],
    ]);
  });

  it('gives the task deadlines the source states, each quoting its source words', () => {
    const deadlines = plan().actions
      .flatMap((a) => a.tasks)
      .filter((t) => t.deadline !== undefined)
      .map((t) => [t.number, t.deadline?.date, t.deadline?.rule]);
    expect(deadlines).toEqual([
      [4, '2020-12-31', 'by'],
      [7, '2020-12-31', 'by'],
      [8, '2020-12-31', 'by'],
      [10, '2020-12-31', 'by'],
      [15, '2021-12-31', 'by'],
    ]);
    for (const task of plan().actions.flatMap((a) => a.tasks)) {
      if (task.deadline) expect(task.description).toContain(task.deadline.source);
    }
  });

  it("records task 8's district target of 30 public toilets", () => {
    const task8 = plan().actions.flatMap((a) => a.tasks).find((t) => t.number === 8);
    expect(task8?.targets).toEqual([{ description: '2020年在西湖区新建设公厕', quantity: 30, unit: '座', scope: 'district' }]);
  });

  it('lists 兰宫路社区 among the responsible units of task 10 and marks invented communities as examples', () => {
    const task10 = plan().actions.flatMap((a) => a.tasks).find((t) => t.number === 10);
    expect(task10?.responsible).toContain('langonglu');
    const communities = plan().units.filter((u) => u.kind === 'community');
    expect(communities.filter((u) => u.example !== true).map((u) => u.name)).toEqual(['兰宫路社区']);
    expect(communities.length).toBeGreaterThanOrEqual(5);
  });

  it('models the external bodies the street assists as external units', () => {
    const external = plan().units.filter((u) => u.kind === 'external').map((u) => u.name);
    expect(external).toEqual(expect.arrayContaining(['区城建局', '城管局', '区城投']));
  });

  it('has the organization of section 四: HQ office in 城管办, three groups and one sub-headquarters per action', () => {
    expect(plan().organization?.office.hostUnit).toBe('chengguan');
    expect(plan().organization?.groups.map((g) => g.code)).toEqual(['publicity', 'supervision', 'accountability']);
    expect(plan().organization?.subHeadquarters.map((s) => s.action)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('has a roster with HQ leaders, a head and staff per office, HQ office staff, supervisors and an accountability officer, all marked as examples', () => {
    const roles = (role: string) => plan().people.filter((p) => p.roles.some((r) => r === role));
    for (const office of plan().units.filter((u) => u.kind === 'office')) {
      const members = plan().people.filter((p) => p.unit === office.code);
      expect(members.some((p) => p.roles.includes('unit-head'))).toBe(true);
      expect(members.some((p) => p.roles.includes('staff'))).toBe(true);
    }
    expect(roles('hq-office').length).toBeGreaterThan(0);
    expect(roles('accountability').length).toBeGreaterThan(0);
    expect(plan().organization?.headquarters.leaders.length).toBeGreaterThan(0);
    expect(plan().people.every((p) => p.example === true)).toBe(true);
  });

  it('declares the JSON Schema for editors on its first line', () => {
    expect(readFileSync(SEED_PLAN_PATH, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./plan.schema.json');
  });
});
