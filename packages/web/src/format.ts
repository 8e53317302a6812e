/** How facts become what a page shows: instants in the plan's zone, links with their host. */
import { DateTime } from 'luxon';
import { describeDueInstant, describeTaskDeadline, type Plan } from '@duban/plan';
import type { Lang, LocalTime, SafeLink } from './models';

/** `iso` in `zone`, e.g. "2020年12月31日 23:59" or "31 Dec 2020, 23:59". */
export function localTime(iso: string, zone: string, lang: Lang): LocalTime {
  const at = DateTime.fromISO(iso, { setZone: true }).setZone(zone);
  if (!at.isValid) return { iso, text: iso };
  const text = lang === 'zh' ? at.setLocale('zh-CN').toFormat('yyyy年M月d日 HH:mm') : at.setLocale('en-GB').toFormat('d LLL yyyy, HH:mm');
  return { iso: at.toISO() ?? iso, text };
}

/**
 * A due instant as the plan says it: a task's deadline in its source words ("2021年底"),
 * any other due instant as a date ("2021年12月31日前" / "by 2021-12-31") — never the next
 * day's 00:00 at which a `by` date falls due. With `taskNumber`, `iso` is that task's
 * deadline in force (an extension or amendment may have moved it).
 */
export function dueTime(iso: string, plan: Plan, lang: Lang, taskNumber?: number): LocalTime {
  const { iso: local } = localTime(iso, plan.timeZone, lang);
  let text: string;
  try {
    text = taskNumber === undefined ? describeDueInstant(iso, plan.timeZone, lang) : describeTaskDeadline(plan, taskNumber, lang, iso);
  } catch {
    // A task the plan file no longer has (added by an amendment): its instant is all there is.
    text = describeDueInstant(iso, plan.timeZone, lang);
  }
  return { iso: local, text };
}

/** The calendar date (YYYY-MM-DD) of `iso` in `zone`, for a date input. */
export function localDate(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { setZone: true }).setZone(zone).toISODate() ?? iso.slice(0, 10);
}

/**
 * A link someone typed, safe to show: only http(s) URLs that parse get an `href` (and
 * their host is shown beside them); `javascript:`, `data:` and the rest stay text.
 */
export function safeLink(text: string): SafeLink {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { text };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { text };
  return { text, href: url.href, host: url.host };
}

/** The lines of a textarea, trimmed, without empty ones. */
export function lines(value: string | undefined): string[] {
  return (value ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
