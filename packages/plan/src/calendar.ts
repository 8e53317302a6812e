import officialData from 'chinese-days/dist/chinese-days.json';
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

/** The end of the campaign's last day: when whole-year work (年内, 全年, no date at all) is due. */
export function campaignEndInstant(plan: Plan): DateTime {
  return dueInstant(plan.campaign.end, 'by', plan.timeZone);
}

/** The task's own deadline as an instant, or undefined when the source gives none. */
export function taskDeadlineInstant(plan: Plan, task: PlanTask): DateTime | undefined {
  return task.deadline === undefined ? undefined : dueInstant(task.deadline.date, task.deadline.rule, plan.timeZone);
}

/**
 * China's official calendar (国务院办公厅关于部分节假日安排的通知: days off and make-up
 * working days, 调休上班) from the `chinese-days` library, which publishes each year's
 * schedule when the State Council announces it (2004 onwards; the installed version's
 * last year is {@link OFFICIAL_SCHEDULE_YEARS}' last). 2020's Spring Festival is as
 * extended on 2020-01-27 (to Feb 2).
 *
 * Its dataset is read, not its date functions: they parse dates in the process's own
 * time zone and answer for the wrong day west of UTC, while plan dates are calendar dates
 * in the plan's zone, compared as `YYYY-MM-DD` strings here.
 */
const OFFICIAL = officialData as { holidays: Readonly<Record<string, string>>; workdays: Readonly<Record<string, string>> };

/** The years whose official schedule the library publishes; other years are weekends only. */
export const OFFICIAL_SCHEDULE_YEARS: readonly number[] = [
  ...new Set([...Object.keys(OFFICIAL.holidays), ...Object.keys(OFFICIAL.workdays)].map((day) => Number(day.slice(0, 4)))),
].sort((a, b) => a - b);

/**
 * The official schedule of a year: its days off and make-up workdays, each with the
 * library's name for it (e.g. `National Day,国庆节,3`). Empty lists for a year not published.
 */
export function officialSchedule(year: number): { holidays: { date: string; name: string }[]; workdays: { date: string; name: string }[] } {
  const of = (days: Readonly<Record<string, string>>) =>
    Object.entries(days)
      .filter(([date]) => date.startsWith(`${year}-`))
      .map(([date, name]) => ({ date, name }))
      .sort((a, b) => a.date.localeCompare(b.date));
  return { holidays: of(OFFICIAL.holidays), workdays: of(OFFICIAL.workdays) };
}

/**
 * Which days are working days: weekdays are, weekends are not, unless the official
 * schedule or the plan's own `calendar` says otherwise. Dates are `YYYY-MM-DD` in the
 * plan's zone.
 */
export interface WorkCalendar {
  readonly holidays: ReadonlySet<string>;
  readonly workdays: ReadonlySet<string>;
  /** Years whose official schedule the library publishes; other years are weekends-only. */
  readonly knownYears: ReadonlySet<number>;
}

let official: { holidays: ReadonlySet<string>; workdays: ReadonlySet<string> } | undefined;

function officialDays(): { holidays: ReadonlySet<string>; workdays: ReadonlySet<string> } {
  official ??= { holidays: new Set(Object.keys(OFFICIAL.holidays)), workdays: new Set(Object.keys(OFFICIAL.workdays)) };
  return official;
}

/**
 * The official schedule merged with extra dates. An extra date wins over the
 * official schedule: an extra holiday removes a built-in make-up workday and vice versa.
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

/** The work calendar a plan uses: the official schedule plus its `calendar` section (holidays, workdays). */
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
 * every milestone, task deadline and start, dated node, filing date and recurring duty's
 * window by the same whole number of years (recurring duties follow the campaign); month and day are kept (Feb 29 becomes
 * Feb 28 in a non-leap year), so National Day stays National Day. The source words
 * (`2020年国庆节前`) and ids are left as written; `describeDue` gives them the new year.
 *
 * The plan's extra `calendar` dates are facts about real days, not plan dates, so they
 * are not shifted. Working-day arithmetic on the result uses the official schedule where
 * the library publishes the new years (see `OFFICIAL_SCHEDULE_YEARS`) and weekends only
 * otherwise; add the year's holidays to the plan's `calendar` for exact results.
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
      tasks: action.tasks.map((task) => ({
        ...task,
        ...(task.deadline === undefined ? {} : { deadline: { ...task.deadline, date: shiftDate(task.deadline.date, years) } }),
        ...(task.nodes === undefined ? {} : { nodes: task.nodes.map((node) => ({ ...node, date: shiftDate(node.date, years) })) }),
        ...(task.filing?.date === undefined ? {} : { filing: { ...task.filing, date: shiftDate(task.filing.date, years) } }),
        ...(task.filings === undefined ? {} : { filings: task.filings.map((f) => (f.date === undefined ? f : { ...f, date: shiftDate(f.date, years) })) }),
        ...(task.start === undefined ? {} : { start: { ...task.start, date: shiftDate(task.start.date, years) } }),
        ...(task.recurring === undefined
          ? {}
          : {
              recurring: task.recurring.map((duty) => ({
                ...duty,
                ...(duty.from === undefined ? {} : { from: shiftDate(duty.from, years) }),
                ...(duty.until === undefined ? {} : { until: shiftDate(duty.until, years) }),
              })),
            }),
      })),
    })),
  };
}

/** What a task workflow needs to set its timers: ISO instants with the plan's offset. */
export interface TaskSchedule {
  taskNumber: number;
  timeZone: string;
  milestones: { id: string; dueAt: string }[];
  /**
   * The task's own deadline, else its latest milestone, else the campaign's end (whole-year
   * work). Typed as optional for callers written before every task had one.
   */
  deadlineAt: string | undefined;
  /**
   * When the task may begin, where the plan gives it its own start (a later phase): the
   * first instant of that day in the plan's zone. Absent: the task starts with the campaign.
   */
  startAt?: string;
}

export function toIso(instant: DateTime): string {
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
  // TaskSchedule stays as it was: a task's nodes, recurring duties and filing are in taskChecks.
  const task = findTask(plan, taskNumber);
  const milestones = task.milestones
    .map((id) => ({ id, instant: milestoneInstant(plan, id) }))
    .sort((a, b) => a.instant.toMillis() - b.instant.toMillis());
  const own = taskDeadlineInstant(plan, task);
  const last = milestones[milestones.length - 1];
  const deadline = own ?? last?.instant ?? campaignEndInstant(plan);
  return {
    taskNumber,
    timeZone: plan.timeZone,
    milestones: milestones.map((m) => ({ id: m.id, dueAt: toIso(m.instant) })),
    deadlineAt: toIso(deadline),
    ...(task.start === undefined ? {} : { startAt: toIso(dueInstant(task.start.date, 'before', plan.timeZone)) }),
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
