/**
 * The shape of a language's catalogue: one template per notice kind, so a kind added to
 * `@duban/common` without its wording in every language fails to compile, and the words
 * a template needs around it (dates, lists, the link, the note on the zone).
 */
import type { Notice, NoticeKind, NoticeTask, UnitRanking } from '@duban/common';
import type { DateTime } from 'luxon';

/** The zone of the plans duban was built for; a plan elsewhere says its own. */
export const DEFAULT_RENDER_TIME_ZONE = 'Asia/Shanghai';

/** The notice of one kind; rung notices share an interface, so `Extract` alone would miss them. */
type NoticeOfKind<N, K> = N extends { kind: infer NK } ? (K extends NK ? N : never) : never;
export type NoticeOf<K extends NoticeKind> = NoticeOfKind<Notice, K>;

/**
 * One line of a message, as data, so the same wording becomes plain text (email, logs,
 * robots' text) and Markdown (robots that show it) without being written twice.
 *
 * - a string: a sentence or paragraph;
 * - `label`/`value`: `完成时限：2021年12月31日`, the label bold in Markdown;
 * - `items`: a numbered list;
 * - `strong`: a line shown bold in Markdown (a formal notice's title);
 * - `link`/`url`: `查看任务：https://…`, a link in Markdown.
 */
export type Line = string | { label: string; value: string } | { items: string[] } | { strong: string } | { link: string; url: string };

/**
 * The frame of a formal notice (督办单, 约谈): a header (issuing body, title, number),
 * the addressee, then the template's lines, then the signature (office and date).
 */
export interface Formal {
  header: Line[];
  /** The unit addressed, already named; absent when the notice does not say. */
  addressee?: string;
  signature: string[];
}

/** What a template hands back: the subject's heading (the task or plan is added to it) and the body. */
export interface Wording {
  heading: string;
  lines: Line[];
  formal?: Formal;
}

/** What templates use to name things and say dates: the notice's names where it has them, its codes otherwise. */
export interface RenderContext {
  /** An instant as local date and time (`2020年12月20日 10:00`); a malformed instant is shown as it is. */
  time(iso: string): string;
  /** The local calendar day of an instant (`2021年1月1日`): the date of a notice. */
  day(iso: string): string;
  /**
   * A deadline, as people say it: an instant at local midnight ends the day before, so
   * it is that day (`2021年12月31日`, never `2022年1月1日 00:00`); any other is day and time.
   */
  due(iso: string): string;
  /**
   * The task's deadline as the plan says it, for a label (`完成时限：2020年内`): the plan's
   * words when the notice carries them (`task.deadline`) and `iso` is that deadline, else
   * the local day or time as {@link RenderContext.due} gives it.
   */
  deadline(iso: string): string;
  /**
   * The same deadline as a whole phrase with its "by" word, to follow 于 or "finish":
   * `2020年内`, `2021年12月31日前`, `by 2021-12-31` from the plan's words; `2021年12月31日前`,
   * `by 31 Dec 2021` from an instant (local midnight ends the day before).
   */
  dueBy(iso: string): string;
  /** The local year of an instant (a formal notice's number). */
  year(iso: string): number | undefined;
  unit(code: string): string;
  person(id: string): string;
  /** Several names as one phrase, in the language's way of listing; a dash for none. */
  list(items: string[]): string;
  /** A ranking's lines: `  1. <unit>: <task>; <task>`, or a dash when nobody is ranked. */
  ranking(ranking: UnitRanking[], task: (task: UnitRanking['tasks'][number]) => string): string[];
}

export type Templates = { [K in NoticeKind]: (notice: NoticeOf<K>, ctx: RenderContext) => Wording };

export interface Catalogue {
  /** A local date and time, already in the reader's zone. */
  time(local: DateTime): string;
  /** A local calendar day. */
  day(local: DateTime): string;
  /** A deadline shown from an instant (a day, or a day and time) as a phrase with its "by" word. */
  dueBy(shown: string): string;
  /** Joins names in a list (、 in Chinese). */
  listSeparator: string;
  /** Joins the tasks of one unit in a ranking. */
  itemSeparator: string;
  /** Between a label and its value, a ranked unit and its tasks. */
  colon: string;
  /** The task as people know it: number and title. */
  task(task: NoticeTask): string;
  /** The subject line: a heading, then what it is about (a task or a plan). */
  subject(heading: string, about: string): string;
  /** The link's label: to the task, or to the plan's board (a bulletin). */
  link: { task: string; plan: string };
  /** A last line naming the zone of the message's times, or undefined where readers take it for granted. */
  zoneNote(zone: string): string | undefined;
  templates: Templates;
}

/** An instant `ms` later, for templates that say a time the notice implies (the end of a window). */
export function later(iso: string, ms: number): string {
  const at = Date.parse(iso);
  return Number.isFinite(at) ? new Date(at + ms).toISOString() : iso;
}
