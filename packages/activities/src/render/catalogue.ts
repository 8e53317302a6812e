/**
 * The shape of a language's catalogue: one template per notice kind, so a kind added to
 * `@duban/common` without its wording in every language fails to compile.
 */
import type { Notice, NoticeKind, NoticeTask, UnitRanking } from '@duban/common';
import type { DateTime } from 'luxon';

/** The zone of the plans duban was built for; a plan elsewhere passes its own. */
export const DEFAULT_RENDER_TIME_ZONE = 'Asia/Shanghai';

/** The notice of one kind; rung notices share an interface, so `Extract` alone would miss them. */
type NoticeOfKind<N, K> = N extends { kind: infer NK } ? (K extends NK ? N : never) : never;
export type NoticeOf<K extends NoticeKind> = NoticeOfKind<Notice, K>;

/** What a template hands back: the subject's heading (the task or plan is added to it) and the body's lines. */
export interface Wording {
  heading: string;
  lines: string[];
}

/** What templates use to name things: the notice's names where it has them, its codes otherwise. */
export interface RenderContext {
  /** An instant as the reader's local date and time; a malformed instant is shown as it is. */
  time(iso: string): string;
  unit(code: string): string;
  person(id: string): string;
  /** Several names as one phrase, in the language's way of listing. */
  list(items: string[]): string;
  /** A ranking's lines: `  1. <unit>: <task>; <task>`, or a dash when nobody is ranked. */
  ranking(ranking: UnitRanking[], task: (task: UnitRanking['tasks'][number]) => string): string[];
}

export type Templates = { [K in NoticeKind]: (notice: NoticeOf<K>, ctx: RenderContext) => Wording };

export interface Catalogue {
  /** A local time, already in the reader's zone; `zone` is its IANA name. */
  time(local: DateTime, zone: string): string;
  /** Joins names in a list (、 in Chinese). */
  listSeparator: string;
  /** Joins the tasks of one unit in a ranking. */
  itemSeparator: string;
  /** Between a ranked unit and its tasks. */
  colon: string;
  /** The task as people know it: plan, number and title. */
  task(task: NoticeTask): string;
  /** The subject line: a heading, then what it is about (a task or a plan). */
  subject(heading: string, about: string): string;
  templates: Templates;
}
