/**
 * When a routed message goes out: at once, after the plan's quiet hours, or in the
 * person's daily digest. Times of day are the plan's local time (its IANA zone), so
 * 22:00 means 22:00 in Nanchang whatever the worker's own zone.
 */
import type { NoticeKind } from '@duban/common';
import { DateTime } from 'luxon';
import type { ChannelType } from '../channels';
import { DEFAULT_DIGEST_AT, type RoutingSettings } from './types';

/**
 * Kinds that reach people at once, whatever the hour and whatever their digest choice:
 * - `supervision-notice` (督办单), `interview` (约谈), `accountability` (问责): formal
 *   notices from headquarters with a time to reply or appear; holding one overnight (or
 *   to tomorrow's digest) takes that time from the unit, and a unit head must not learn
 *   of a 问责 from a colleague before the notice arrives.
 * - `notification-failed`: HQ is asked to reach people another way, now.
 *
 * Everything else can wait for the morning or the digest: 交办 and 催办 give days to act
 * (the acknowledgement window is 72 h), reviews and extensions are decided in office
 * hours, commendations, cancellations, amendments and bulletins are informative.
 */
export const URGENT_KINDS: ReadonlySet<NoticeKind> = new Set<NoticeKind>(['supervision-notice', 'interview', 'accountability', 'notification-failed']);

export function isUrgent(kind: NoticeKind): boolean {
  return URGENT_KINDS.has(kind);
}

/** Minutes since local midnight of `HH:MM`. */
function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The first instant after `now` at which the local clock reads `time` (today or tomorrow). */
export function nextLocalTime(now: DateTime, time: string): DateTime {
  const minutes = minutesOf(time);
  const today = now.startOf('day').plus({ minutes });
  return today > now ? today : now.startOf('day').plus({ days: 1, minutes });
}

/** Whether `now` (local) falls inside `from`–`to`, which may wrap past midnight (22:00–07:30). */
export function inQuietHours(now: DateTime, quiet: { from: string; to: string }): boolean {
  const t = now.hour * 60 + now.minute;
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (from === to) return false;
  return from < to ? t >= from && t < to : t >= from || t < to;
}

/** What happens to one delivery: out now, or held until `sendAfter` (alone, or in a digest batch). */
export type Hold = { until: 'now' } | { until: 'quiet-hours-end'; sendAfterMs: number } | { until: 'digest'; sendAfterMs: number; batch: string };

export interface HoldQuestion {
  kind: NoticeKind;
  type: ChannelType;
  /** The digest choice of the person a delivery is addressed to alone (email), when it is. */
  digest?: 'daily' | undefined;
  nowMs: number;
  timeZone: string;
  routing: Pick<RoutingSettings, 'quietHours' | 'digest'>;
}

/**
 * The hold of one delivery. Urgent kinds and machine receivers (signed webhooks) are never
 * held. A person who chose a daily digest gets their non-urgent email in it (the batch is
 * the digest's local date and time); other messages to people wait for the end of the
 * quiet hours when they fall inside them.
 */
export function holdFor(q: HoldQuestion): Hold {
  if (isUrgent(q.kind) || q.type === 'webhook') return { until: 'now' };
  const now = DateTime.fromMillis(q.nowMs, { zone: q.timeZone });
  if (q.type === 'email' && q.digest === 'daily') {
    const at = nextLocalTime(now, q.routing.digest?.at ?? DEFAULT_DIGEST_AT);
    return { until: 'digest', sendAfterMs: at.toMillis(), batch: at.toFormat("yyyy-MM-dd'T'HH:mm") };
  }
  const quiet = q.routing.quietHours;
  if (quiet !== undefined && inQuietHours(now, quiet)) return { until: 'quiet-hours-end', sendAfterMs: nextLocalTime(now, quiet.to).toMillis() };
  return { until: 'now' };
}
