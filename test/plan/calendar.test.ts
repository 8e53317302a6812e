import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import {
  addWorkingDays,
  buildWorkCalendar,
  isWorkingDay,
  loadPlanFile,
  milestoneInstant,
  officialSchedule,
  OFFICIAL_SCHEDULE_YEARS,
  rebasePlan,
  taskDeadlineInstant,
  taskSchedule,
  workCalendarFor,
  PlanLookupError,
  type Plan,
} from '@duban/plan';

let plan: Plan;
beforeAll(async () => {
  plan = await loadPlanFile(join(__dirname, '..', '..', 'plans', 'xihu-2020.yaml'));
});

const shanghai = (iso: string) => DateTime.fromISO(iso, { zone: 'Asia/Shanghai' });
const task = (n: number) => {
  const found = plan.actions.flatMap((a) => a.tasks).find((t) => t.number === n);
  if (!found) throw new Error(`no task ${n}`);
  return found;
};

describe('milestone and deadline instants', () => {
  it('resolves the three milestones to exact instants in Asia/Shanghai', () => {
    expect(plan.milestones.map((m) => milestoneInstant(plan, m).toISO())).toEqual([
      '2020-10-01T00:00:00.000+08:00', // 2020年国庆节前: before National Day starts
      '2021-01-01T00:00:00.000+08:00', // 2021年元旦前: before New Year's Day starts
      '2022-01-01T00:00:00.000+08:00', // 2021年底: the whole of 2021-12-31 is available
    ]);
    expect(milestoneInstant(plan, 'national-day-2020').toUTC().toISO()).toBe('2020-09-30T16:00:00.000Z');
  });

  it('resolves a task deadline "by" a date to the end of that day, and gives none when the source has none', () => {
    expect(taskDeadlineInstant(plan, task(4))?.toISO()).toBe('2021-01-01T00:00:00.000+08:00');
    expect(taskDeadlineInstant(plan, task(15))?.toISO()).toBe('2022-01-01T00:00:00.000+08:00');
    expect(taskDeadlineInstant(plan, task(1))).toBeUndefined();
  });

  it('schedules a task with its milestones in order and its own deadline', () => {
    expect(taskSchedule(plan, 4)).toEqual({
      taskNumber: 4,
      timeZone: 'Asia/Shanghai',
      milestones: [{ id: 'end-2021', dueAt: '2022-01-01T00:00:00.000+08:00' }],
      deadlineAt: '2021-01-01T00:00:00.000+08:00',
    });
  });

  it('falls back to the last milestone when a task has no deadline of its own', () => {
    expect(taskSchedule(plan, 1)).toEqual({
      taskNumber: 1,
      timeZone: 'Asia/Shanghai',
      milestones: [
        { id: 'national-day-2020', dueAt: '2020-10-01T00:00:00.000+08:00' },
        { id: 'end-2021', dueAt: '2022-01-01T00:00:00.000+08:00' },
      ],
      deadlineAt: '2022-01-01T00:00:00.000+08:00',
    });
  });

  it('throws PlanLookupError for a task the plan does not have', () => {
    expect(() => taskSchedule(plan, 21)).toThrow(PlanLookupError);
  });
});

describe('working days', () => {
  it('counts 5 working days after 2020-09-28 across the National Day holiday, counting make-up Saturday Oct 10', () => {
    const result = addWorkingDays(plan, shanghai('2020-09-28T09:00'), 5);
    // Sep 29, Sep 30, (Oct 1–8 off), Oct 9, Oct 10 (Saturday, make-up workday), Oct 12.
    expect(result.toISO()).toBe('2020-10-12T09:00:00.000+08:00');
  });

  it('knows the 2020 National Day schedule: Oct 1–8 off, Sunday Sep 27 and Saturday Oct 10 worked', () => {
    for (let day = 1; day <= 8; day += 1) expect(isWorkingDay(plan, shanghai(`2020-10-0${day}`))).toBe(false);
    expect(isWorkingDay(plan, shanghai('2020-09-27'))).toBe(true);
    expect(isWorkingDay(plan, shanghai('2020-10-10'))).toBe(true);
    expect(isWorkingDay(plan, shanghai('2020-10-11'))).toBe(false);
  });

  it('knows the 2021 Spring Festival and its make-up days', () => {
    expect(isWorkingDay(plan, shanghai('2021-02-11'))).toBe(false);
    expect(isWorkingDay(plan, shanghai('2021-02-17'))).toBe(false);
    expect(isWorkingDay(plan, shanghai('2021-02-07'))).toBe(true);
    expect(isWorkingDay(plan, shanghai('2021-02-20'))).toBe(true);
  });

  it("judges the day in the plan's zone, not the zone of the instant given", () => {
    // 2020-09-30 18:00 UTC is already Oct 1 in Shanghai.
    expect(isWorkingDay(plan, DateTime.fromISO('2020-09-30T18:00:00Z', { zone: 'utc' }))).toBe(false);
  });

  it('counts backwards for a negative number of days', () => {
    expect(addWorkingDays(plan, shanghai('2020-10-12T09:00'), -5).toISODate()).toBe('2020-09-28');
  });

  it("lets the plan's calendar add holidays and workdays over the official schedule", () => {
    const custom = buildWorkCalendar({ holidays: ['2020-09-29'], workdays: ['2020-10-08'] });
    expect(isWorkingDay(custom, shanghai('2020-09-29'))).toBe(false);
    expect(isWorkingDay(custom, shanghai('2020-10-08'))).toBe(true);
    const withExtra: Plan = { ...plan, calendar: { holidays: ['2020-09-29'], workdays: [] } };
    expect(addWorkingDays(withExtra, shanghai('2020-09-28T09:00'), 1).toISODate()).toBe('2020-09-30');
    expect(workCalendarFor(withExtra).holidays.has('2020-09-29')).toBe(true);
  });

  it('treats years the library has not published as weekends only', () => {
    expect(OFFICIAL_SCHEDULE_YEARS).not.toContain(2027);
    expect(isWorkingDay(plan, shanghai('2027-10-01'))).toBe(true); // a Friday; 2027 is not published (chinese-days 1.5.7)
    expect(isWorkingDay(plan, shanghai('2027-10-02'))).toBe(false); // a Saturday
  });
});

describe('the official calendar from chinese-days', () => {
  it('covers 2004 to 2026, the latest year chinese-days 1.5.7 publishes', () => {
    expect(OFFICIAL_SCHEDULE_YEARS[0]).toBe(2004);
    expect(OFFICIAL_SCHEDULE_YEARS.at(-1)).toBe(2026);
    expect(OFFICIAL_SCHEDULE_YEARS).toEqual(expect.arrayContaining([2020, 2021, 2025, 2026]));
  });

  it('pins 2020: Spring Festival extended to Feb 2, National Day Oct 1–8, make-up Saturday Oct 10', () => {
    const year = officialSchedule(2020);
    const days = year.holidays.map((d) => d.date);
    expect(days).toEqual(expect.arrayContaining(['2020-01-24', '2020-01-31', '2020-02-02', '2020-10-01', '2020-10-08']));
    expect(days).not.toContain('2020-02-03');
    expect(year.workdays.map((d) => d.date)).toEqual(['2020-01-19', '2020-04-26', '2020-05-09', '2020-06-28', '2020-09-27', '2020-10-10']);
    expect(isWorkingDay(plan, shanghai('2020-02-01'))).toBe(false); // the make-up Saturday the extension cancelled
  });

  it('pins 2021: Spring Festival Feb 11–17 with make-up Sunday Feb 7 and Saturday Feb 20, National Day Oct 1–7', () => {
    const year = officialSchedule(2021);
    const days = year.holidays.map((d) => d.date);
    for (let day = 11; day <= 17; day += 1) expect(days).toContain(`2021-02-${day}`);
    for (let day = 1; day <= 7; day += 1) expect(days).toContain(`2021-10-0${day}`);
    expect(year.workdays.map((d) => d.date)).toEqual(expect.arrayContaining(['2021-02-07', '2021-02-20', '2021-09-26', '2021-10-09']));
  });

  it('pins 2026, the latest published year: Spring Festival Feb 15–23 with make-up Feb 14 and 28, National Day from Oct 1, make-up Oct 10', () => {
    const year = officialSchedule(2026);
    const days = year.holidays.map((d) => d.date);
    for (let day = 15; day <= 23; day += 1) expect(days).toContain(`2026-02-${day}`);
    expect(days).toEqual(expect.arrayContaining(['2026-01-01', '2026-10-01', '2026-10-07']));
    expect(year.workdays.map((d) => d.date)).toEqual(expect.arrayContaining(['2026-01-04', '2026-02-14', '2026-02-28', '2026-09-20', '2026-10-10']));
    const in2026 = rebasePlan(plan, 2026);
    expect(isWorkingDay(in2026, shanghai('2026-02-16'))).toBe(false); // a Monday of Spring Festival
    expect(isWorkingDay(in2026, shanghai('2026-02-14'))).toBe(true); // a make-up Saturday
  });

  it("merges the plan's own holidays and workdays over the library's days", () => {
    // 2026-10-10 is an official make-up Saturday; 2026-10-05 an official day off.
    const custom = buildWorkCalendar({ holidays: ['2026-10-10'], workdays: ['2026-10-05'] });
    expect(isWorkingDay(custom, shanghai('2026-10-10'))).toBe(false);
    expect(isWorkingDay(custom, shanghai('2026-10-05'))).toBe(true);
    expect(isWorkingDay(custom, shanghai('2026-10-06'))).toBe(false);
  });

  it("answers for the plan's day whatever the zone of the process (the library's own date functions do not)", () => {
    // A process west of UTC: chinese-days' isWorkday('2020-10-10') answers for Oct 9 there.
    const script = `
      const { DateTime } = require('luxon');
      const { isWorkingDay, buildWorkCalendar } = require('@duban/plan');
      const calendar = buildWorkCalendar();
      const day = (d) => isWorkingDay(calendar, DateTime.fromISO(d, { zone: 'Asia/Shanghai' }));
      process.stdout.write(JSON.stringify([new Date(2020, 9, 10).getTimezoneOffset() > 0, day('2020-10-10'), day('2020-10-08'), day('2020-10-09')]));`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: __dirname, env: { ...process.env, TZ: 'America/Los_Angeles' }, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([true, true, false, true]);
  });

  it('shifts task deadlines by the same number of years and leaves the source words alone', () => {
    const rebased = rebasePlan(plan, 2027);
    const deadline = rebased.actions.flatMap((a) => a.tasks).find((t) => t.number === 15)?.deadline;
    expect(deadline).toEqual({ date: '2028-12-31', rule: 'by', source: '在2020至2021两个年度' });
    expect(plan.milestones[0]?.due).toBe('2020-10-01');
  });

  it('uses the official schedule of the new year where it is built in', () => {
    const rebased = rebasePlan(plan, 2024);
    // 5 working days after Saturday 2024-09-28: Sep 29 (Sunday make-up), Sep 30, (Oct 1–7 off), Oct 8, 9, 10.
    expect(addWorkingDays(rebased, shanghai('2024-09-28T09:00'), 5).toISODate()).toBe('2024-10-10');
  });

  it('clamps Feb 29 to Feb 28 when the new year is not a leap year', () => {
    const leap: Plan = { ...plan, milestones: [{ ...plan.milestones[0]!, due: '2020-02-29' }] };
    expect(rebasePlan(leap, 2021).milestones[0]?.due).toBe('2021-02-28');
  });
});
