/**
 * The simulation's calendar: days counted from the launch day in the plan's time zone, the
 * instant people act on each day, and dates as people read them (the plan's zone, day
 * resolution: a summary never shows a wall-clock instant).
 *
 * People act on day `d` at 10:00 plus `d` seconds. The plan's timers fire at instants
 * derived from the launch (08:30), from plan dates (midnight) or from earlier actions plus
 * whole policy durations, so they fall a whole number of seconds away from every action:
 * a timer and a person never arrive in the same instant, where the server's order of
 * arrival (not the seed) would decide the outcome.
 */
import { DateTime } from 'luxon';

const ACTION_HOUR = 10;
/** After the weekly dispatch (Monday 09:00): the board the bulletin saw, and the week's actions done. */
const OBSERVE_HOUR = 12;
/** Before the day's first action, away from the dispatch hour. */
const LAUNCH_TIME = { hour: 8, minute: 30 };

export class SimDays {
  /** Midnight of the launch day, in the plan's zone. */
  readonly day0: DateTime;

  constructor(
    readonly timeZone: string,
    launchDate: string,
  ) {
    this.day0 = DateTime.fromISO(launchDate, { zone: timeZone }).startOf('day');
  }

  get launchAt(): number {
    return this.day0.set(LAUNCH_TIME).toMillis();
  }

  /** When people act on day `day`. */
  actionAt(day: number): number {
    return this.day0.plus({ days: day }).set({ hour: ACTION_HOUR }).plus({ seconds: day }).toMillis();
  }

  /** When the board is looked at on day `day`. */
  observeAt(day: number): number {
    return this.day0.plus({ days: day }).set({ hour: OBSERVE_HOUR }).toMillis();
  }

  /** The day (since launch) an instant falls on, in the plan's zone. */
  dayOf(ms: number): number {
    return Math.floor(DateTime.fromMillis(ms, { zone: this.timeZone }).startOf('day').diff(this.day0, 'days').days + 0.5);
  }

  /** The first day people can act after `ms`. */
  firstActionDayAfter(ms: number): number {
    const day = this.dayOf(ms);
    return this.actionAt(day) > ms ? day : day + 1;
  }

  /** The last day people can act before the instant `dueMs` (a deadline). */
  lastActionDayBefore(dueMs: number): number {
    const day = this.dayOf(dueMs);
    return this.actionAt(day) < dueMs ? day : day - 1;
  }

  /** Whether day `day` is a Monday (the week's dispatch day). */
  isMonday(day: number): boolean {
    return this.day0.plus({ days: day }).weekday === 1;
  }

  /** `yyyy-MM-dd` of day `day`. */
  dateOfDay(day: number): string {
    return this.day0.plus({ days: day }).toFormat('yyyy-MM-dd');
  }

  /** The day of a `yyyy-MM-dd` date in the plan's zone. */
  dayOfDate(date: string): number {
    return Math.round(DateTime.fromISO(date, { zone: this.timeZone }).startOf('day').diff(this.day0, 'days').days);
  }

  /** `yyyy-MM-dd` of an instant, in the plan's zone. */
  date(iso: string | number): string {
    const at = typeof iso === 'number' ? DateTime.fromMillis(iso, { zone: this.timeZone }) : DateTime.fromISO(iso, { zone: this.timeZone });
    return at.toFormat('yyyy-MM-dd');
  }

  /** The last day before a due instant (a deadline at 00:00 is due by the end of the day before). */
  dueDate(iso: string): string {
    return DateTime.fromISO(iso, { zone: this.timeZone }).minus({ milliseconds: 1 }).toFormat('yyyy-MM-dd');
  }

  /** The end of `date` (the next day's 00:00) as an ISO instant: a deadline "by" that day. */
  endOf(date: string): string {
    const iso = DateTime.fromISO(date, { zone: this.timeZone }).plus({ days: 1 }).startOf('day').toISO();
    if (iso === null) throw new RangeError(`Not a date: ${date}`);
    return iso;
  }
}
