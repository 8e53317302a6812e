/**
 * What people read about a plan's dates, and every dated check of a task.
 *
 * - {@link describeDue}: a due date the way the plan says it ("2021年底", "9月底前") or,
 *   without source words, "2021年12月31日前" / "by 2021-12-31": never the instant the
 *   timer fires ("2022-01-01 00:00" for `by 2021-12-31`).
 * - {@link expandCollectives}: collective units (各区县政府, 区直各部门) replaced by their members.
 * - {@link taskChecks}: a task's milestones, dated nodes, recurring duties (one check per
 *   occurrence inside the campaign) and filing, each as an instant in the plan's zone.
 *
 * Uses luxon: not for workflow code; pass the results to workflows.
 */
import { DateTime } from 'luxon';
import { campaignEndInstant, dueInstant, findTask, isWorkingDay, milestoneInstant, toIso } from './calendar';
import { PLAN_LIMITS } from './fields';
import type { DueRule, Plan, PlanRecurringDuty } from './schema';

export type DueLang = 'zh' | 'en';

/** A due date as a plan states it: the date, before or by, and the source words if any. */
export interface DueDate {
  date: string;
  rule: DueRule;
  source?: string | undefined;
}

const HOLIDAY_WORDS = '元旦|春节|清明节?|五一|劳动节|端午节?|中秋节?|国庆节?';
const SUFFIX_WORDS = '底前|底|末前|末|内|以前|之前|前|上旬前|中旬前|下旬前|上旬|中旬|下旬';
/** A date phrase in source words: 2021年底, 9月底前, 2020年国庆节前, 年内, 12月31日前. */
const DATE_PHRASE = new RegExp(`(?:(\\d{4})年)?(?:(\\d{1,2})月)?(?:(\\d{1,2})日)?(${HOLIDAY_WORDS})?(${SUFFIX_WORDS})`, 'gu');

function parts(date: string): { year: number; month: number; day: number } {
  const [year, month, day] = date.split('-').map(Number);
  return { year: year ?? NaN, month: month ?? NaN, day: day ?? NaN };
}

/**
 * The date phrase of the source words that fits `due`, with its year written out:
 * "于2020年内完成…" → "2020年内", "9月底前" (by 2021-09-30) → "2021年9月底前". Undefined
 * when the words name no date, or one that is not this date (a source quoted beside a
 * moved deadline). A phrase with another year (a plan re-dated to another year keeps its
 * source words) is given the date's year.
 */
function sourcePhrase(due: DueDate): string | undefined {
  if (due.source === undefined) return undefined;
  const date = DateTime.fromISO(due.date, { zone: 'utc' });
  // "before D" is "by the day before D": 9月底前 may be written as before 10-01.
  const previous = date.minus({ days: 1 });
  const fits = (day: DateTime, m: string | undefined, d: string | undefined) =>
    (m === undefined || Number(m) === day.month) && (d === undefined || Number(d) === day.day);
  for (const match of due.source.matchAll(DATE_PHRASE)) {
    const [, y, m, d, holiday, suffix] = match;
    if (y === undefined && m === undefined && d === undefined && holiday === undefined) {
      // A bare suffix is a date only right after 年: 年内, 年底 (the year in other words, 二〇二一年底).
      if (!/^(内|底|底前|末)$/u.test(suffix ?? '') || due.source[match.index - 1] !== '年') continue;
    }
    // The day the words name: the date itself, or for `before` the day before it.
    const named = fits(date, m, d) && !(due.rule === 'before' && m === undefined && d === undefined && holiday === undefined) ? date : fits(previous, m, d) ? previous : undefined;
    if (named === undefined) continue;
    // Month and year in digits, whether the words gave them (2021年底), wrote them otherwise
    // or left them out (9月底前, 23日前). A re-dated plan keeps its words: the date's year wins.
    const month = m ?? (d === undefined ? undefined : String(named.month));
    return `${named.year}年${month === undefined ? '' : `${month}月`}${d === undefined ? '' : `${d}日`}${holiday ?? ''}${suffix ?? ''}`;
  }
  return undefined;
}

/**
 * A due date for people: `describeDue({date: '2021-12-31', rule: 'by', source: '2021年底'}, 'zh')`
 * → "2021年底"; without source words "2021年12月31日前"; in English "by 2021-12-31" or
 * "before 2020-10-01". The date as the plan writes it, never the next day's 00:00 at
 * which a `by` date falls due.
 */
export function describeDue(due: DueDate, lang: DueLang): string {
  if (lang === 'en') return `${due.rule} ${due.date}`;
  const phrase = sourcePhrase(due);
  if (phrase !== undefined) return phrase;
  const { year, month, day } = parts(due.date);
  // Whole-year work (全年) is due at the year's end: said as the plan says it, with its year.
  if (due.source !== undefined && /全年/u.test(due.source) && due.rule === 'by' && month === 12 && day === 31) return `${year}年全年`;
  return `${year}年${month}月${day}日前`;
}

/** A date as people in the plan's zone read it: "2020年10月1日 09:30" / "2020-10-01 09:30". */
export function describeInstant(instant: string | Date, timeZone: string, lang: DueLang): string {
  const at = (typeof instant === 'string' ? DateTime.fromISO(instant, { setZone: true }) : DateTime.fromJSDate(instant)).setZone(timeZone);
  if (!at.isValid) return String(instant);
  return lang === 'zh' ? at.toFormat("yyyy'年'M'月'd'日' HH:mm") : at.toFormat('yyyy-MM-dd HH:mm');
}

/**
 * A due instant for people, in the plan's zone: one at local midnight is the end of the
 * day before, said as a `by` date ("by 2021-12-31", never "2022-01-01 00:00"); any other
 * is the local date and time. For deadlines moved by an extension or an amendment, which
 * have no source words.
 */
export function describeDueInstant(instant: string, timeZone: string, lang: DueLang): string {
  const at = DateTime.fromISO(instant, { setZone: true }).setZone(timeZone);
  if (!at.isValid) return instant;
  if (at.hour === 0 && at.minute === 0 && at.second === 0 && at.millisecond === 0) {
    return describeDue({ date: at.minus({ days: 1 }).toISODate() ?? '', rule: 'by' }, lang);
  }
  return describeInstant(instant, timeZone, lang);
}

/**
 * The date a task is due by as the plan says it: its own deadline, else its latest
 * milestone, else the campaign's end (whole-year work), in the source's words where they
 * name it. Given the deadline a running task holds (`deadlineAt`) that differs from the
 * plan's (moved by an extension or an amendment), that one, by {@link describeDueInstant};
 * likewise for a task the plan does not have (added by an amendment). Throws
 * `PlanLookupError` for a task the plan does not have and no `deadlineAt`.
 */
export function describeTaskDeadline(plan: Plan, taskNumber: number, lang: DueLang, deadlineAt?: string): string {
  // A task added by an amendment is not in the plan file: its running deadline is all there is.
  const known = plan.actions.some((action) => action.tasks.some((t) => t.number === taskNumber));
  if (!known && deadlineAt !== undefined) return describeDueInstant(deadlineAt, plan.timeZone, lang);
  const task = findTask(plan, taskNumber);
  const latest = task.milestones
    .map((id) => plan.milestones.find((m) => m.id === id))
    .filter((m) => m !== undefined)
    .sort((a, b) => milestoneInstant(plan, a).toMillis() - milestoneInstant(plan, b).toMillis())
    .at(-1);
  const stated: DueDate = task.deadline ?? (latest ? { date: latest.due, rule: latest.rule, source: latest.source } : { date: plan.campaign.end, rule: 'by' });
  if (deadlineAt !== undefined && Date.parse(deadlineAt) !== dueInstant(stated.date, stated.rule, plan.timeZone).toMillis()) {
    return describeDueInstant(deadlineAt, plan.timeZone, lang);
  }
  return describeDue(stated, lang);
}

/**
 * The unit codes with every collective unit replaced by its members, recursively, in
 * order and without repeats: `expandCollectives(plan, ['qu-zhi-bumen', 'chengguan'])`
 * → the members of 区直各部门, then 城管办. Codes that are not collective stay; unknown
 * codes stay too (the loader has refused them in a loaded plan).
 */
export function expandCollectives(plan: Plan, codes: readonly string[]): string[] {
  const units = new Map(plan.units.map((unit) => [unit.code, unit]));
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (code: string, path: ReadonlySet<string>): void => {
    const unit = units.get(code);
    if (unit?.kind === 'collective') {
      // The loader refuses cycles; the guard keeps a hand-built plan from looping.
      if (path.has(code)) return;
      const inner = new Set(path).add(code);
      for (const member of unit.members ?? []) visit(member, inner);
      return;
    }
    if (seen.has(code)) return;
    seen.add(code);
    out.push(code);
  };
  for (const code of codes) visit(code, new Set());
  return out;
}

/** A task's lead unit that is also a member of a collective the task names responsible (各区直部门 with 区发改局 leading). */
export interface LeadInCollective {
  task: number;
  /** The lead unit's code. */
  lead: string;
  /** The code of the responsible collective that contains it. */
  collective: string;
}

/**
 * Where a task's responsible collective contains one of its own lead units: that unit
 * leads, and is not also one of the responsible units the collective expands to (the task
 * input drops it). Listed so people can see it (`duban plan validate` prints each as a
 * note) rather than find a lead missing from the responsible units.
 */
export function leadsInResponsibleCollectives(plan: Plan): LeadInCollective[] {
  const collectives = new Set(plan.units.filter((u) => u.kind === 'collective').map((u) => u.code));
  const out: LeadInCollective[] = [];
  for (const task of plan.actions.flatMap((action) => action.tasks)) {
    const leads = new Set(expandCollectives(plan, task.lead));
    for (const code of task.responsible.filter((c) => collectives.has(c))) {
      for (const member of expandCollectives(plan, [code])) if (leads.has(member)) out.push({ task: task.number, lead: member, collective: code });
    }
  }
  return out;
}

/** One dated check of a task. `dueAt` is an ISO instant with the plan's offset. */
export interface TaskCheck {
  /** Unique in the task: a milestone's id, `node:<id>`, `recurring:<id>:<date>`, `filing` (one filing) or `filing:<n>` (the n-th of several, from 1). */
  id: string;
  kind: 'milestone' | 'node' | 'recurring' | 'filing';
  dueAt: string;
  /** The plan's words for it, e.g. 2020年国庆节前, 8月底前出台市级清单, 每月23日前报送（2021年3月23日前）. */
  label: string;
  /** For a recurring duty: what is due. */
  duty?: PlanRecurringDuty['duty'];
  /** Unit code of who does it, where the plan names one (a recurring duty's `by`, the body a filing goes to). */
  by?: string;
}

/** Occurrences of one recurring duty a task may have inside its campaign; the loader refuses more (LIMIT_EXCEEDED). */
export const RECURRING_LIMIT = PLAN_LIMITS.recurringOccurrences;

/** The period starts (in the plan's zone) a duty recurs in, from the campaign's first period to its last. */
function periodDates(duty: PlanRecurringDuty, start: DateTime, end: DateTime): DateTime[] {
  const unit = duty.every === 'week' ? 'week' : duty.every === 'quarter' ? 'quarter' : duty.every === 'year' ? 'year' : 'month';
  const dates: DateTime[] = [];
  for (let period = start.startOf(unit); period <= end && dates.length <= RECURRING_LIMIT + 1; period = period.plus({ [`${unit}s`]: 1 })) {
    let date: DateTime;
    if (duty.every === 'week') date = period.plus({ days: Math.min(duty.day ?? 5, 7) - 1 });
    else {
      // Quarter: a day of its last month; year: a day of December; month: of the month.
      const month = duty.every === 'quarter' ? period.plus({ months: 2 }) : duty.every === 'year' ? period.set({ month: 12 }) : period;
      date = month.set({ day: Math.min(duty.day ?? month.daysInMonth ?? 28, month.daysInMonth ?? 28) });
    }
    dates.push(date);
  }
  return dates;
}

/**
 * The occurrences of a recurring duty inside the campaign and its window (`from` …
 * `until`, a phase such as 5月下旬至8月), after `notBefore` (the task's own start) when
 * given, as due instants in the plan's zone. A day that is not a working day (a weekend,
 * an official holiday, the plan's extra holidays) moves to the next working day
 * (遇节假日顺延), past the window's last day if need be (not past the campaign's): the
 * window says which days are due, not when the work may be handed in. `total` counts them
 * all; at most {@link RECURRING_LIMIT} are returned.
 */
export function recurringOccurrences(
  plan: Plan,
  duty: PlanRecurringDuty,
  options: { notBefore?: DateTime } = {},
): { occurrences: { date: string; dueAt: DateTime }[]; total: number } {
  const zone = plan.timeZone;
  const campaignStart = DateTime.fromISO(plan.campaign.start, { zone }).startOf('day');
  // The duty's window (a phase, 5月下旬至8月) inside the campaign; a task's own start cuts it too.
  const windowStart = duty.from === undefined ? undefined : DateTime.fromISO(duty.from, { zone }).startOf('day');
  let start: DateTime = campaignStart;
  for (const later of [windowStart, options.notBefore]) if (later !== undefined && later > start) start = later;
  const campaignEnd = campaignEndInstant(plan);
  const windowEnd = duty.until === undefined ? undefined : dueInstant(duty.until, 'by', zone);
  const end = windowEnd === undefined ? campaignEnd : DateTime.min(campaignEnd, windowEnd);
  const all: { date: string; dueAt: DateTime }[] = [];
  for (let day of periodDates(duty, start, end)) {
    // A day of the period outside the window (5月10日 for a window from 5月21日) is not due, even if it moves into it.
    if ((windowStart !== undefined && day < windowStart) || (windowEnd !== undefined && day >= windowEnd)) continue;
    // Bounded: a year has no run of more than a few weeks without a working day.
    for (let step = 0; step < 60 && !isWorkingDay(plan, day); step += 1) day = day.plus({ days: 1 });
    const date = day.toISODate() ?? '';
    const dueAt = dueInstant(date, duty.rule, zone);
    if (dueAt > start && dueAt <= campaignEnd) all.push({ date, dueAt });
  }
  return { occurrences: all.slice(0, RECURRING_LIMIT), total: all.length };
}

/**
 * Every dated check of a task, in time order: its milestones, its dated nodes, each
 * occurrence of its recurring duties inside the campaign and the duty's window (none
 * before the task's own `start`), and each filing the plan dates. Throws `PlanLookupError` when the plan has no such task.
 */
export function taskChecks(plan: Plan, taskNumber: number): TaskCheck[] {
  const task = findTask(plan, taskNumber);
  const notBefore = task.start === undefined ? undefined : dueInstant(task.start.date, 'before', plan.timeZone);
  const checks: TaskCheck[] = [];
  for (const id of task.milestones) {
    const milestone = plan.milestones.find((m) => m.id === id);
    checks.push({ id, kind: 'milestone', dueAt: toIso(milestoneInstant(plan, id)), label: milestone?.source ?? id });
  }
  for (const node of task.nodes ?? []) {
    const label = node.what === undefined ? describeDue(node, 'zh') : `${describeDue(node, 'zh')}${node.what}`;
    checks.push({ id: `node:${node.id}`, kind: 'node', dueAt: toIso(dueInstant(node.date, node.rule, plan.timeZone)), label });
  }
  for (const duty of task.recurring ?? []) {
    for (const { date, dueAt } of recurringOccurrences(plan, duty, notBefore === undefined ? {} : { notBefore }).occurrences) {
      checks.push({
        id: `recurring:${duty.id}:${date}`,
        kind: 'recurring',
        dueAt: toIso(dueAt),
        label: `${duty.source}（${describeDue({ date, rule: duty.rule }, 'zh')}）`,
        duty: duty.duty,
        ...(duty.by === undefined ? {} : { by: duty.by }),
      });
    }
  }
  const filings = task.filings ?? (task.filing === undefined ? [] : [task.filing]);
  filings.forEach((filing, i) => {
    if (filing.date === undefined) return;
    const id = filings.length === 1 ? 'filing' : `filing:${i + 1}`;
    checks.push({ id, kind: 'filing', dueAt: toIso(dueInstant(filing.date, filing.rule ?? 'by', plan.timeZone)), label: filing.source, by: filing.with });
  });
  return checks.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.id.localeCompare(b.id));
}
