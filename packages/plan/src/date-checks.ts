/**
 * Dates the schema cannot relate to each other: the campaign's range, every due date inside
 * it, a recurring duty's window (and whether it ever falls due there), a task's later start
 * before anything it must deliver, and a day both off and worked. Dates are compared as day
 * counts in a zone-free timeline, which is why these checks need no calendar code.
 */
import { formatPath as fmt, PlanProblemCode, type PathSegment } from './problems';
import { get, isoDate, list, num, oneOrMany, rule, str, type Context } from './check-context';

const DAY_MS = 86_400_000;

/**
 * The due instant as a day count in a zone-free timeline: comparing plan dates with each
 * other does not depend on the plan's zone, and plain Date arithmetic keeps the loader
 * fast. "before D" is the start of D, "by D" the start of D+1 (see `dueInstant`).
 */
function dateInstant(date: string, dueRule: 'before' | 'by'): number {
  const [y, m, d] = date.split('-').map(Number);
  const start = Date.UTC(y ?? NaN, (m ?? NaN) - 1, d ?? NaN);
  return dueRule === 'before' ? start : start + DAY_MS;
}

export function checkInCampaign(ctx: Context, date: unknown, dueRule: unknown, path: PathSegment[], what: string): void {
  const day = isoDate(date);
  const r = rule(dueRule) ?? 'by';
  if (day === undefined || ctx.campaign === undefined) return;
  const at = dateInstant(day, r);
  if (Number.isNaN(at)) return;
  if (at <= ctx.campaign.start || at > ctx.campaign.end) {
    ctx.findings.push({
      code: PlanProblemCode.DEADLINE_OUTSIDE_CAMPAIGN,
      path,
      message: `${what} (${r} ${day}) falls outside the campaign.`,
      fix: 'Move the date inside campaign.start … campaign.end, or widen the campaign.',
    });
  }
}

/** Periods of a recurring duty in its window of the campaign, counted generously (whole periods touched), for the cap. */
export function periodCount(every: unknown, campaign: Context['campaign']): number {
  if (campaign === undefined) return 0;
  const days = (campaign.end - campaign.start) / DAY_MS;
  switch (every) {
    case 'week':
      return Math.ceil(days / 7) + 1;
    case 'month':
      return Math.ceil(days / 28) + 1;
    case 'quarter':
      return Math.ceil(days / 90) + 1;
    case 'year':
      return Math.ceil(days / 365) + 1;
    default:
      return 0;
  }
}

/**
 * The window a recurring duty is limited to (`from` … `until`, each default the campaign's
 * end), as instants; refused when reversed, outside the campaign, or too short for the
 * duty to fall due at all. Returns the window inside the campaign, for the cap.
 */
export function checkRecurringWindow(ctx: Context, duty: unknown, at: PathSegment[], what: string): Context['campaign'] {
  const from = isoDate(get(duty, 'from'));
  const until = isoDate(get(duty, 'until'));
  if (from !== undefined) checkInCampaign(ctx, from, 'by', [...at, 'from'], `The first day of ${what.charAt(0).toLowerCase()}${what.slice(1)}`);
  if (until !== undefined) checkInCampaign(ctx, until, 'by', [...at, 'until'], `The last day of ${what.charAt(0).toLowerCase()}${what.slice(1)}`);
  if (ctx.campaign === undefined) return undefined;
  const start = from === undefined ? ctx.campaign.start : Math.max(ctx.campaign.start, dateInstant(from, 'before'));
  const end = until === undefined ? ctx.campaign.end : Math.min(ctx.campaign.end, dateInstant(until, 'by'));
  if (from !== undefined && until !== undefined && until < from) {
    ctx.findings.push({
      code: PlanProblemCode.RECURRING_WINDOW_INVALID,
      path: [...at, 'until'],
      message: `${what} recurs from ${from} until ${until}: the window ends before it begins.`,
      fix: 'Swap from and until, or correct the one that is wrong (from is the first day of the window, until its last).',
    });
    return undefined;
  }
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  const every = get(duty, 'every');
  const day = num(get(duty, 'day'));
  // A window shorter than the duty's period may hold no occurrence: a day of the month outside a window of ten days.
  if ((from !== undefined || until !== undefined) && !windowHolds(start, end, every, day)) {
    ctx.findings.push({
      code: PlanProblemCode.RECURRING_WINDOW_INVALID,
      path: [...at, from === undefined ? 'until' : 'from'],
      message: `${what} never falls due: no ${String(every)}ly day ${day ?? '(default)'} lies between ${from ?? 'the campaign start'} and ${until ?? 'the campaign end'} inside the campaign.`,
      fix: 'Widen the window (from, until), or write a single date as a dated node (nodes) instead.',
    });
  }
  return { start, end };
}

/** Whether a duty's day recurs inside [start, end) (instants in the zone-free timeline), ignoring the moves past days off. */
function windowHolds(start: number, end: number, every: unknown, day: number | undefined): boolean {
  for (let at = start; at < end; at += DAY_MS) {
    const date = new Date(at);
    const [y, m, d, wd] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCDay()];
    const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    const monthly = d === Math.min(day ?? last, last);
    if (every === 'week' ? (wd === 0 ? 7 : wd) === Math.min(day ?? 5, 7) : every === 'month' ? monthly : every === 'quarter' ? m % 3 === 2 && monthly : every === 'year' ? m === 11 && monthly : true) return true;
  }
  return false;
}

/**
 * A task's start (not before this date): inside the campaign, before the task is due, and
 * not after any of its dated nodes or its filing date, which could not be met otherwise.
 */
export function checkTaskStart(ctx: Context, task: unknown, base: PathSegment[], label: string): void {
  const start = get(task, 'start');
  const date = isoDate(get(start, 'date'));
  if (date === undefined || ctx.campaign === undefined) return;
  const at = [...base, 'start', 'date'];
  const begins = dateInstant(date, 'before');
  if (Number.isNaN(begins)) return;
  if (begins < ctx.campaign.start || begins >= ctx.campaign.end) {
    ctx.findings.push({
      code: PlanProblemCode.DEADLINE_OUTSIDE_CAMPAIGN,
      path: at,
      message: `The start of ${label} (${date}) falls outside the campaign.`,
      fix: 'Move the start inside campaign.start … campaign.end, or remove it if the task starts with the campaign.',
    });
    return;
  }
  const dues: { what: string; date: string; due: number; path: PathSegment[] }[] = [];
  const add = (value: unknown, dueRule: unknown, what: string, path: PathSegment[]) => {
    const day = isoDate(value);
    if (day !== undefined) dues.push({ what, date: day, due: dateInstant(day, rule(dueRule) ?? 'by'), path });
  };
  const deadline = get(task, 'deadline');
  add(get(deadline, 'date'), get(deadline, 'rule'), 'its deadline', [...base, 'deadline', 'date']);
  list(get(task, 'nodes')).forEach((node, n) => add(get(node, 'date'), get(node, 'rule'), `its node ${str(get(node, 'id')) ?? n}`, [...base, 'nodes', n, 'date']));
  for (const { filing, at: path } of oneOrMany(get(task, 'filing'), [...base, 'filing'])) add(get(filing, 'date'), get(filing, 'rule'), 'its filing', [...path, 'date']);
  for (const due of dues) {
    if (due.due > begins) continue;
    ctx.findings.push({
      code: PlanProblemCode.TASK_START_INVALID,
      path: at,
      message: `${label} cannot begin before ${date}, but ${due.what} falls due by ${due.date}, before it can begin.`,
      fix: `Move the start earlier than ${due.date}, or correct the date at ${fmt(due.path)}.`,
    });
    return;
  }
}

export function checkCampaign(ctx: Context, data: unknown): void {
  const campaign = get(data, 'campaign');
  const start = isoDate(get(campaign, 'start'));
  const end = isoDate(get(campaign, 'end'));
  if (start === undefined || end === undefined) return;
  const startAt = dateInstant(start, 'before');
  const endAt = dateInstant(end, 'by');
  if (Number.isNaN(startAt) || Number.isNaN(endAt)) return;
  if (end < start) {
    ctx.findings.push({
      code: PlanProblemCode.CAMPAIGN_RANGE_INVALID,
      path: ['campaign', 'end'],
      message: `The campaign ends (${end}) before it starts (${start}).`,
      fix: 'Make campaign.end the same as or later than campaign.start.',
    });
    return;
  }
  ctx.campaign = { start: startAt, end: endAt };
}

export function checkCalendar(ctx: Context, data: unknown): void {
  const calendar = get(data, 'calendar');
  const holidays = new Set(list(get(calendar, 'holidays')).map(str));
  list(get(calendar, 'workdays')).forEach((day, i) => {
    const date = str(day);
    if (date === undefined || !holidays.has(date)) return;
    ctx.findings.push({
      code: PlanProblemCode.CALENDAR_CONFLICT,
      path: ['calendar', 'workdays', i],
      message: `${date} is listed both as a holiday and as a workday.`,
      fix: 'Keep the date in only one of calendar.holidays and calendar.workdays.',
    });
  });
}
