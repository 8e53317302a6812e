import { DateTime } from 'luxon';
import { PlanLookupError } from './problems';
import type { DueRule, Plan, PlanMilestone, PlanTask } from './schema';

/**
 * Due-date convention (also written at the top of plans/xihu-2020.yaml):
 *
 * - `before D` (国庆节前, 元旦前): due at D 00:00 in the plan's time zone, the first instant
 *   of D. The work must be done before that day starts.
 * - `by D` (年底, 年内, a year named on its own): due at the end of D, i.e. D+1 00:00 in
 *   the plan's zone. The whole of D is still available.
 *
 * Instants are exclusive upper bounds: work reported at an instant strictly earlier than
 * the due instant is on time.
 */
export function dueInstant(date: string, rule: DueRule, timeZone: string): DateTime {
  const day = DateTime.fromISO(date, { zone: timeZone }).startOf('day');
  return rule === 'before' ? day : day.plus({ days: 1 }).startOf('day');
}

export function milestoneInstant(plan: Plan, milestone: PlanMilestone | string): DateTime {
  const found = typeof milestone === 'string' ? plan.milestones.find((m) => m.id === milestone) : milestone;
  if (found === undefined) throw new PlanLookupError('milestone', String(milestone), plan.id);
  return dueInstant(found.due, found.rule, plan.timeZone);
}

/** The task's own deadline as an instant, or undefined when the source gives none. */
export function taskDeadlineInstant(plan: Plan, task: PlanTask): DateTime | undefined {
  return task.deadline === undefined ? undefined : dueInstant(task.deadline.date, task.deadline.rule, plan.timeZone);
}

/** Days off and make-up workdays (调休上班) of one year, as State Council notices publish them. */
interface OfficialYear {
  /** Inclusive ranges `[first, last]` of days off. */
  holidays: readonly (readonly [string, string])[];
  /** Weekend days that are working days. */
  workdays: readonly string[];
}

/**
 * The official schedule (国务院办公厅关于部分节假日安排的通知) for the years it is known with
 * certainty. 2020's Spring Festival is as extended on 2020-01-27 (to Feb 2, so the
 * Feb 1 make-up Saturday was cancelled). Years not listed fall back to weekends only.
 */
export const OFFICIAL_SCHEDULE: Readonly<Record<number, OfficialYear>> = {
  2020: {
    holidays: [
      ['2020-01-01', '2020-01-01'],
      ['2020-01-24', '2020-02-02'],
      ['2020-04-04', '2020-04-06'],
      ['2020-05-01', '2020-05-05'],
      ['2020-06-25', '2020-06-27'],
      ['2020-10-01', '2020-10-08'],
    ],
    workdays: ['2020-01-19', '2020-04-26', '2020-05-09', '2020-06-28', '2020-09-27', '2020-10-10'],
  },
  2021: {
    holidays: [
      ['2021-01-01', '2021-01-03'],
      ['2021-02-11', '2021-02-17'],
      ['2021-04-03', '2021-04-05'],
      ['2021-05-01', '2021-05-05'],
      ['2021-06-12', '2021-06-14'],
      ['2021-09-19', '2021-09-21'],
      ['2021-10-01', '2021-10-07'],
    ],
    workdays: ['2021-02-07', '2021-02-20', '2021-04-25', '2021-05-08', '2021-09-18', '2021-09-26', '2021-10-09'],
  },
  2022: {
    holidays: [
      ['2022-01-01', '2022-01-03'],
      ['2022-01-31', '2022-02-06'],
      ['2022-04-03', '2022-04-05'],
      ['2022-04-30', '2022-05-04'],
      ['2022-06-03', '2022-06-05'],
      ['2022-09-10', '2022-09-12'],
      ['2022-10-01', '2022-10-07'],
    ],
    workdays: ['2022-01-29', '2022-01-30', '2022-04-02', '2022-04-24', '2022-05-07', '2022-10-08', '2022-10-09'],
  },
  2023: {
    holidays: [
      ['2022-12-31', '2023-01-02'],
      ['2023-01-21', '2023-01-27'],
      ['2023-04-05', '2023-04-05'],
      ['2023-04-29', '2023-05-03'],
      ['2023-06-22', '2023-06-24'],
      ['2023-09-29', '2023-10-06'],
    ],
    workdays: ['2023-01-28', '2023-01-29', '2023-04-23', '2023-05-06', '2023-06-25', '2023-10-07', '2023-10-08'],
  },
  2024: {
    holidays: [
      ['2024-01-01', '2024-01-01'],
      ['2024-02-10', '2024-02-17'],
      ['2024-04-04', '2024-04-06'],
      ['2024-05-01', '2024-05-05'],
      ['2024-06-10', '2024-06-10'],
      ['2024-09-15', '2024-09-17'],
      ['2024-10-01', '2024-10-07'],
    ],
    workdays: ['2024-02-04', '2024-02-18', '2024-04-07', '2024-04-28', '2024-05-11', '2024-09-14', '2024-09-29', '2024-10-12'],
  },
  2025: {
    holidays: [
      ['2025-01-01', '2025-01-01'],
      ['2025-01-28', '2025-02-04'],
      ['2025-04-04', '2025-04-06'],
      ['2025-05-01', '2025-05-05'],
      ['2025-05-31', '2025-06-02'],
      ['2025-10-01', '2025-10-08'],
    ],
    workdays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
};

/** The years for which the built-in official schedule is known. */
export const OFFICIAL_SCHEDULE_YEARS: readonly number[] = Object.keys(OFFICIAL_SCHEDULE).map(Number);

/**
 * Which days are working days: weekdays are, weekends are not, unless the official
 * schedule or the plan's own `calendar` says otherwise. Dates are `YYYY-MM-DD` in the
 * plan's zone.
 */
export interface WorkCalendar {
  readonly holidays: ReadonlySet<string>;
  readonly workdays: ReadonlySet<string>;
  /** Years whose official schedule is built in; other years are weekends-only. */
  readonly knownYears: ReadonlySet<number>;
}

const DAY_MS = 86_400_000;

// Plain Date arithmetic in UTC: these are calendar dates with no zone, and this runs for
// every day of every built-in year, where luxon is markedly slower.
function expandRange(first: string, last: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let day = Date.parse(`${first}T00:00:00Z`); day <= end; day += DAY_MS) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

let official: { holidays: ReadonlySet<string>; workdays: ReadonlySet<string> } | undefined;

function officialDays(): { holidays: ReadonlySet<string>; workdays: ReadonlySet<string> } {
  if (official === undefined) {
    const holidays = new Set<string>();
    const workdays = new Set<string>();
    for (const year of Object.values(OFFICIAL_SCHEDULE)) {
      for (const [first, last] of year.holidays) for (const day of expandRange(first, last)) holidays.add(day);
      for (const day of year.workdays) workdays.add(day);
    }
    official = { holidays, workdays };
  }
  return official;
}

/**
 * The built-in official schedule merged with extra dates. An extra date wins over the
 * built-in schedule: an extra holiday removes a built-in make-up workday and vice versa.
 */
export function buildWorkCalendar(extra?: { holidays?: readonly string[]; workdays?: readonly string[] }): WorkCalendar {
  const base = officialDays();
  const holidays = new Set(base.holidays);
  const workdays = new Set(base.workdays);
  for (const day of extra?.holidays ?? []) {
    holidays.add(day);
    workdays.delete(day);
  }
  for (const day of extra?.workdays ?? []) {
    workdays.add(day);
    holidays.delete(day);
  }
  return { holidays, workdays, knownYears: new Set(OFFICIAL_SCHEDULE_YEARS) };
}

// Plans are treated as immutable values (rebasePlan returns a new one), so a calendar
// built for a plan object stays valid for that object.
const calendars = new WeakMap<Plan, WorkCalendar>();

/** The work calendar a plan uses: the official schedule plus its `calendar` section. */
export function workCalendarFor(plan: Plan): WorkCalendar {
  let calendar = calendars.get(plan);
  if (calendar === undefined) {
    calendar = buildWorkCalendar(plan.calendar);
    calendars.set(plan, calendar);
  }
  return calendar;
}

function isPlan(value: Plan | WorkCalendar): value is Plan {
  return 'actions' in value;
}

function resolve(source: Plan | WorkCalendar, at: DateTime): { calendar: WorkCalendar; local: DateTime } {
  if (isPlan(source)) return { calendar: workCalendarFor(source), local: at.setZone(source.timeZone) };
  return { calendar: source, local: at };
}

function isWorkingDate(calendar: WorkCalendar, local: DateTime): boolean {
  const date = local.toISODate() ?? '';
  if (calendar.workdays.has(date)) return true;
  if (calendar.holidays.has(date)) return false;
  return local.weekday <= 5;
}

/**
 * Whether the calendar day containing `at` is a working day. With a plan, the day is
 * taken in the plan's time zone; with a bare calendar, in `at`'s own zone.
 */
export function isWorkingDay(source: Plan | WorkCalendar, at: DateTime): boolean {
  const { calendar, local } = resolve(source, at);
  return isWorkingDate(calendar, local);
}

/**
 * Moves `from` by `n` working days, keeping the time of day: "5 working days after
 * Monday 2020-09-28" is 2020-10-12, because Oct 1–8 are off and Saturday Oct 10 is a
 * make-up workday. The starting day itself is never counted. Negative `n` counts back.
 */
export function addWorkingDays(source: Plan | WorkCalendar, from: DateTime, n: number): DateTime {
  if (!Number.isInteger(n)) throw new RangeError(`addWorkingDays needs a whole number of days, got ${n}.`);
  const { calendar, local } = resolve(source, from);
  const step = n < 0 ? -1 : 1;
  let remaining = Math.abs(n);
  let day = local;
  while (remaining > 0) {
    day = day.plus({ days: step });
    if (isWorkingDate(calendar, day)) remaining -= 1;
  }
  return day;
}

function shiftDate(date: string, years: number): string {
  // luxon clamps Feb 29 to Feb 28 in a non-leap target year, which is the documented rule.
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ years }).toISODate() ?? date;
}

/**
 * Re-dates a plan so its campaign starts in `campaignYear`, shifting the campaign,
 * every milestone and every task deadline by the same whole number of years; month and
 * day are kept (Feb 29 becomes Feb 28 in a non-leap year), so National Day stays
 * National Day. The source words (`2020年国庆节前`) and ids are left as written.
 *
 * The plan's extra `calendar` dates are facts about real days, not plan dates, so they
 * are not shifted. Working-day arithmetic on the result uses the built-in official
 * schedule where the new years are known (see `OFFICIAL_SCHEDULE_YEARS`) and weekends
 * only otherwise; add the year's holidays to the plan's `calendar` for exact results.
 */
export function rebasePlan(plan: Plan, campaignYear: number): Plan {
  if (!Number.isInteger(campaignYear)) throw new RangeError(`Campaign year must be a whole year, got ${campaignYear}.`);
  const years = campaignYear - DateTime.fromISO(plan.campaign.start, { zone: 'utc' }).year;
  if (years === 0) return plan;
  return {
    ...plan,
    campaign: { start: shiftDate(plan.campaign.start, years), end: shiftDate(plan.campaign.end, years) },
    milestones: plan.milestones.map((m) => ({ ...m, due: shiftDate(m.due, years) })),
    actions: plan.actions.map((action) => ({
      ...action,
      tasks: action.tasks.map((task) =>
        task.deadline === undefined ? task : { ...task, deadline: { ...task.deadline, date: shiftDate(task.deadline.date, years) } },
      ),
    })),
  };
}

/** What a task workflow needs to set its timers: ISO instants with the plan's offset. */
export interface TaskSchedule {
  taskNumber: number;
  timeZone: string;
  milestones: { id: string; dueAt: string }[];
  /** The task's own deadline, else its latest milestone; undefined when it has neither. */
  deadlineAt: string | undefined;
}

function toIso(instant: DateTime): string {
  const iso = instant.toISO();
  if (iso === null) throw new RangeError(`Invalid instant: ${instant.invalidExplanation ?? 'unknown reason'}`);
  return iso;
}

/**
 * `taskSchedule(plan, 1)` →
 * `{ milestones: [{ id: 'national-day-2020', dueAt: '2020-10-01T00:00:00.000+08:00' }, …], deadlineAt: … }`.
 * Throws `PlanLookupError` when the plan has no such task.
 */
export function taskSchedule(plan: Plan, taskNumber: number): TaskSchedule {
  const task = findTask(plan, taskNumber);
  const milestones = task.milestones
    .map((id) => ({ id, instant: milestoneInstant(plan, id) }))
    .sort((a, b) => a.instant.toMillis() - b.instant.toMillis());
  const own = taskDeadlineInstant(plan, task);
  const last = milestones[milestones.length - 1];
  const deadline = own ?? last?.instant;
  return {
    taskNumber,
    timeZone: plan.timeZone,
    milestones: milestones.map((m) => ({ id: m.id, dueAt: toIso(m.instant) })),
    deadlineAt: deadline === undefined ? undefined : toIso(deadline),
  };
}

/** Throws `PlanLookupError` when the plan has no task with this number. */
export function findTask(plan: Plan, taskNumber: number): PlanTask & { action: number } {
  for (const action of plan.actions) {
    const task = action.tasks.find((t) => t.number === taskNumber);
    if (task !== undefined) return { ...task, action: action.number };
  }
  throw new PlanLookupError('task', taskNumber, plan.id);
}
