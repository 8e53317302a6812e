/**
 * What people read about dates (`describeDue`, `describeInstant`), collective units
 * expanded to their members, and every dated check of a task (`taskChecks`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeDue,
  describeDueInstant,
  describeInstant,
  describeTaskDeadline,
  expandCollectives,
  parsePlan,
  PlanLookupError,
  rebasePlan,
  recurringOccurrences,
  taskChecks,
  type Plan,
} from '@duban/plan';

function load(file: string): Plan {
  const result = parsePlan(readFileSync(file, 'utf8'), file);
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  return result.plan;
}
const district = load(join(__dirname, 'fixtures', 'district-v2.yaml'));
const seed = load(join(__dirname, '..', '..', 'plans', 'xihu-2020.yaml'));

describe('describeDue', () => {
  it.each([
    [{ date: '2021-12-31', rule: 'by', source: '2021年底' }, '2021年底', 'by 2021-12-31'],
    [{ date: '2021-12-31', rule: 'by' }, '2021年12月31日前', 'by 2021-12-31'],
    [{ date: '2020-10-01', rule: 'before', source: '2020年国庆节前' }, '2020年国庆节前', 'before 2020-10-01'],
    [{ date: '2021-01-01', rule: 'before', source: '2021年元旦前' }, '2021年元旦前', 'before 2021-01-01'],
    [{ date: '2020-12-31', rule: 'by', source: '于2020年内完成凉伞树路的污水管网建设' }, '2020年内', 'by 2020-12-31'],
    [{ date: '2021-08-31', rule: 'by', source: '8月底前' }, '2021年8月底前', 'by 2021-08-31'],
    [{ date: '2021-10-01', rule: 'before', source: '9月底前' }, '2021年9月底前', 'before 2021-10-01'],
    [{ date: '2020-10-01', rule: 'before' }, '2020年10月1日前', 'before 2020-10-01'],
    [{ date: '2021-01-01', rule: 'before', source: '12月底前' }, '2020年12月底前', 'before 2021-01-01'],
    [{ date: '2022-01-01', rule: 'before', source: '2021年底前完成' }, '2021年底前', 'before 2022-01-01'],
    [{ date: '2021-03-23', rule: 'before', source: '每月23日前报送' }, '2021年3月23日前', 'before 2021-03-23'],
    [{ date: '2021-12-31', rule: 'by', source: '二〇二一年底' }, '2021年底', 'by 2021-12-31'],
  ] as const)('says %o as %s (zh) and %s (en)', (due, zh, en) => {
    expect(describeDue(due, 'zh')).toBe(zh);
    expect(describeDue(due, 'en')).toBe(en);
  });

  it('never shows the instant a by-date falls due (the next day 00:00)', () => {
    for (const lang of ['zh', 'en'] as const) {
      const text = describeDue({ date: '2021-12-31', rule: 'by' }, lang);
      expect(text).not.toMatch(/2022|00:00/);
    }
  });

  it('uses the date, not the source words, when the words name another date', () => {
    expect(describeDue({ date: '2021-06-30', rule: 'by', source: '8月底前' }, 'zh')).toBe('2021年6月30日前');
    expect(describeDue({ date: '2021-06-30', rule: 'by', source: '全力推进,加快建设' }, 'zh')).toBe('2021年6月30日前');
  });

  it('gives the year of the date to source words of a plan re-dated to another year', () => {
    const rebased = rebasePlan(seed, 2027);
    const milestone = rebased.milestones[0];
    expect(milestone && describeDue({ date: milestone.due, rule: milestone.rule, source: milestone.source }, 'zh')).toBe('2027年国庆节前');
  });
});

describe('describeInstant', () => {
  it("shows an instant in the plan's zone, never in UTC", () => {
    expect(describeInstant('2026-11-20T16:00:00.000Z', 'Asia/Shanghai', 'zh')).toBe('2026年11月21日 00:00');
    expect(describeInstant('2026-11-20T16:00:00.000Z', 'Asia/Shanghai', 'en')).toBe('2026-11-21 00:00');
    expect(describeInstant(new Date('2020-09-30T16:00:00Z'), 'Asia/Shanghai', 'en')).toBe('2020-10-01 00:00');
  });
});

describe('describeTaskDeadline and describeDueInstant', () => {
  it("says a task's date as the plan does: its own deadline, else its latest milestone, else the campaign's end", () => {
    expect(describeTaskDeadline(seed, 4, 'zh')).toBe('2020年内');
    expect(describeTaskDeadline(seed, 1, 'zh')).toBe('2021年底');
    expect(describeTaskDeadline(seed, 1, 'en')).toBe('by 2021-12-31');
    expect(describeTaskDeadline(district, 4, 'zh')).toBe('2021年12月31日前');
    // Whole-year work (全年): said in the plan's word, with its year, not as the last day.
    expect(describeTaskDeadline(district, 3, 'zh')).toBe('2021年全年');
    expect(describeTaskDeadline(district, 3, 'en')).toBe('by 2021-12-31');
  });

  it('keeps the words while the running deadline is the plan\'s, and says a moved one as its by-date or local time', () => {
    expect(describeTaskDeadline(seed, 4, 'zh', '2021-01-01T00:00:00.000+08:00')).toBe('2020年内');
    expect(describeTaskDeadline(seed, 4, 'en', '2021-01-16T00:00:00.000+08:00')).toBe('by 2021-01-15');
    expect(describeTaskDeadline(seed, 4, 'zh', '2021-01-15T10:00:00.000Z')).toBe('2021年1月15日 18:00');
    // A task added by an amendment: only its running deadline is known.
    expect(describeTaskDeadline(seed, 21, 'en', '2022-01-01T00:00:00.000+08:00')).toBe('by 2021-12-31');
    expect(() => describeTaskDeadline(seed, 21, 'en')).toThrow(PlanLookupError);
  });

  it('says an instant at local midnight as the day before, by rule', () => {
    expect(describeDueInstant('2021-12-31T16:00:00.000Z', 'Asia/Shanghai', 'zh')).toBe('2021年12月31日前');
    expect(describeDueInstant('2021-12-31T16:00:00.000Z', 'Asia/Shanghai', 'en')).toBe('by 2021-12-31');
    expect(describeDueInstant('2021-12-31T17:30:00.000Z', 'Asia/Shanghai', 'en')).toBe('2022-01-01 01:30');
  });
});

describe('expandCollectives', () => {
  it('replaces collective units by their members, nested collectives too, in order and without repeats', () => {
    expect(expandCollectives(district, ['jiezhen', 'fgw', 'street-a'])).toEqual(['street-a', 'street-b', 'town-c', 'fgw']);
    expect(expandCollectives(district, ['streets'])).toEqual(['street-a', 'street-b']);
  });

  it('leaves plans without collectives as they are', () => {
    expect(expandCollectives(seed, ['chengjian', 'langonglu'])).toEqual(['chengjian', 'langonglu']);
  });

  it('stops at a cycle in a plan built by hand (the loader refuses one in a file)', () => {
    const looped: Plan = {
      ...district,
      units: district.units.map((u) => (u.code === 'streets' ? { ...u, members: ['street-a', 'jiezhen'] } : u)),
    };
    expect(expandCollectives(looped, ['jiezhen'])).toEqual(['street-a', 'town-c']);
  });
});

describe('taskChecks', () => {
  it('gives a seed task its milestones with the source words', () => {
    expect(taskChecks(seed, 1)).toEqual([
      { id: 'national-day-2020', kind: 'milestone', dueAt: '2020-10-01T00:00:00.000+08:00', label: '2020年国庆节前' },
      { id: 'end-2021', kind: 'milestone', dueAt: '2022-01-01T00:00:00.000+08:00', label: '2021年底' },
    ]);
  });

  it('gives each dated node and a dated filing a check, in time order', () => {
    expect(taskChecks(district, 2)).toEqual([
      { id: 'node:city-list', kind: 'node', dueAt: '2021-09-01T00:00:00.000+08:00', label: '2021年8月底前出台市级清单' },
      { id: 'node:district-list', kind: 'node', dueAt: '2021-10-01T00:00:00.000+08:00', label: '2021年9月底前出台区级清单' },
      { id: 'filing', kind: 'filing', dueAt: '2021-12-16T00:00:00.000+08:00', label: '报市发改委备案', by: 'shi-fgw' },
    ]);
  });

  it('expands a monthly duty to one check a month inside the campaign, moving a day off to the next working day', () => {
    const monthly = taskChecks(district, 1).filter((c) => c.id.startsWith('recurring:monthly-report:'));
    // March to December 2021: ten months.
    expect(monthly).toHaveLength(10);
    expect(monthly[0]).toEqual({
      id: 'recurring:monthly-report:2021-03-23',
      kind: 'recurring',
      dueAt: '2021-03-23T00:00:00.000+08:00',
      label: '每月23日前报送进展（2021年3月23日前）',
      duty: 'report',
    });
    // 2021-05-23 is a Sunday: due before Monday the 24th.
    expect(monthly.map((c) => c.dueAt.slice(0, 10))).toContain('2021-05-24');
    expect(monthly.map((c) => c.dueAt.slice(0, 10))).not.toContain('2021-05-23');
  });

  it('expands a quarterly duty done by a named office to the end of each quarter, naming the office', () => {
    const quarterly = taskChecks(district, 1).filter((c) => c.id.startsWith('recurring:quarterly-dispatch:'));
    // 2021-06-30 is a Wednesday, 2021-09-30 a Thursday; 2021-12-31 a Friday.
    expect(quarterly.map((c) => [c.dueAt, c.duty, c.by])).toEqual([
      ['2021-04-01T00:00:00.000+08:00', 'dispatch', 'fgw'],
      ['2021-07-01T00:00:00.000+08:00', 'dispatch', 'fgw'],
      ['2021-10-01T00:00:00.000+08:00', 'dispatch', 'fgw'],
      ['2022-01-01T00:00:00.000+08:00', 'dispatch', 'fgw'],
    ]);
  });

  it('counts every occurrence and keeps them inside the campaign', () => {
    const duty = district.actions[0]?.tasks[0]?.recurring?.[0];
    if (duty === undefined) throw new Error('fixture changed');
    const { occurrences, total } = recurringOccurrences(district, duty);
    expect(total).toBe(10);
    for (const o of occurrences) {
      expect(o.dueAt.toMillis()).toBeGreaterThan(Date.parse('2021-02-28T16:00:00Z'));
      expect(o.dueAt.toMillis()).toBeLessThanOrEqual(Date.parse('2021-12-31T16:00:00Z'));
    }
  });

  it('gives a task with no dates no checks', () => {
    expect(taskChecks(district, 4)).toEqual([]);
  });

  it('throws PlanLookupError for a task the plan does not have', () => {
    expect(() => taskChecks(district, 99)).toThrow(PlanLookupError);
  });
});
