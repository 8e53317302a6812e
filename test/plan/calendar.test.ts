import { join } from 'node:path';
import { DateTime } from 'luxon';
import {
  addWorkingDays,
  buildWorkCalendar,
  isWorkingDay,
  loadPlanFile,
  milestoneInstant,
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

  it('treats years without a built-in schedule as weekends only', () => {
    expect(isWorkingDay(plan, shanghai('2027-10-01'))).toBe(true); // a Friday; 2027 is not built in
    expect(isWorkingDay(plan, shanghai('2027-10-02'))).toBe(false); // a Saturday
  });
});

describe('rebasePlan', () => {
  it('moves the campaign to the new year and keeps every milestone on the same month and day', () => {
    const rebased = rebasePlan(plan, 2027);
    expect(rebased.campaign).toEqual({ start: '2027-01-01', end: '2028-12-31' });
    expect(rebased.milestones.map((m) => m.due)).toEqual(['2027-10-01', '2028-01-01', '2028-12-31']);
    for (const [index, milestone] of rebased.milestones.entries()) {
      expect(milestone.due.slice(5)).toBe(plan.milestones[index]?.due.slice(5));
    }
    expect(milestoneInstant(rebased, 'national-day-2020').toISO()).toBe('2027-10-01T00:00:00.000+08:00');
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
