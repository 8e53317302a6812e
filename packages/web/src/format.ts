/** How facts become what a page shows: instants in the plan's zone, links with their host. */
import { DateTime } from 'luxon';
import type { Lang, LocalTime, SafeLink } from './models';

/** `iso` in `zone`, e.g. "2020年12月31日 23:59" or "31 Dec 2020, 23:59". */
export function localTime(iso: string, zone: string, lang: Lang): LocalTime {
  const at = DateTime.fromISO(iso, { setZone: true }).setZone(zone);
  if (!at.isValid) return { iso, text: iso };
  const text = lang === 'zh' ? at.setLocale('zh-CN').toFormat('yyyy年M月d日 HH:mm') : at.setLocale('en-GB').toFormat('d LLL yyyy, HH:mm');
  return { iso: at.toISO() ?? iso, text };
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
