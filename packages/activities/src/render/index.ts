/**
 * The render step: a notice (kind plus facts, built by workflow code) becomes the words
 * people read, in their language and with local times. It lives outside workflow code so
 * wording can change without versioning workflows.
 */
import { DubanError, ErrorCode, type Notice } from '@duban/common';
import { DateTime, IANAZone } from 'luxon';
import { DEFAULT_RENDER_TIME_ZONE, type Catalogue, type RenderContext, type Wording } from './catalogue';
import { en } from './en';
import { zh } from './zh';

export const RENDER_LANGS = ['zh', 'en'] as const;
export type RenderLang = (typeof RENDER_LANGS)[number];

/** Chinese first: the offices that act on notices read Chinese. */
export const DEFAULT_RENDER_LANG: RenderLang = 'zh';

export interface RenderOptions {
  /** Default `zh`. */
  lang?: RenderLang;
  /** IANA zone in which instants are shown. Default `Asia/Shanghai`. */
  timeZone?: string;
}

export interface RenderedNotice {
  subject: string;
  body: string;
}

export { DEFAULT_RENDER_TIME_ZONE };

const CATALOGUES: Record<RenderLang, Catalogue> = { zh, en };

/**
 * Checks render options up front (a notifier does so at construction), so a wrong
 * setting fails the worker's start rather than every notification.
 *
 * @throws DubanError `INVALID_ARGUMENT` for an unknown language, `INVALID_TIME_ZONE` for a zone that is not IANA.
 */
export function resolveRenderOptions(options: RenderOptions = {}): Required<RenderOptions> {
  const lang = options.lang ?? DEFAULT_RENDER_LANG;
  const timeZone = options.timeZone ?? DEFAULT_RENDER_TIME_ZONE;
  if (!RENDER_LANGS.includes(lang)) {
    throw new DubanError(ErrorCode.INVALID_ARGUMENT, `Notices can be rendered in ${RENDER_LANGS.join(' or ')}, not ${JSON.stringify(lang)}.`, {
      details: { lang },
    });
  }
  if (!IANAZone.isValidZone(timeZone)) {
    throw new DubanError(ErrorCode.INVALID_TIME_ZONE, `${JSON.stringify(timeZone)} is not an IANA time zone (e.g. Asia/Shanghai).`, {
      details: { timeZone },
    });
  }
  return { lang, timeZone };
}

/**
 * The words of a notice: a subject naming the task (number and title) or the plan, and a
 * body saying what happened, what the reader must do and by when.
 *
 * @example
 * ```ts
 * const { subject, body } = renderNotice(notice);                                   // 中文, Asia/Shanghai
 * const english = renderNotice(notice, { lang: 'en', timeZone: 'Europe/Berlin' });
 * ```
 * @throws DubanError `INVALID_ARGUMENT` / `INVALID_TIME_ZONE` for unusable options.
 */
export function renderNotice(notice: Notice, options: RenderOptions = {}): RenderedNotice {
  const { lang, timeZone } = resolveRenderOptions(options);
  const catalogue = CATALOGUES[lang];
  const ctx = contextFor(catalogue, timeZone, notice);
  // Each template is typed for its kind; the union cannot be narrowed through the lookup.
  const template = catalogue.templates[notice.kind] as (notice: Notice, ctx: RenderContext) => Wording;
  const { heading, lines } = template(notice, ctx);
  const about = notice.kind === 'bulletin' ? notice.plan.title : catalogue.task(notice.task);
  return { subject: catalogue.subject(heading, about), body: lines.join('\n') };
}

function contextFor(catalogue: Catalogue, timeZone: string, notice: Notice): RenderContext {
  const units = notice.names?.units ?? {};
  const people = notice.names?.people ?? {};
  const unit = (code: string): string => units[code] ?? code;
  return {
    time: (iso) => {
      const local = DateTime.fromISO(iso, { setZone: true }).setZone(timeZone);
      return local.isValid ? catalogue.time(local, timeZone) : iso;
    },
    unit,
    person: (id) => people[id] ?? id,
    list: (items) => items.join(catalogue.listSeparator),
    ranking: (ranking, task) =>
      ranking.length === 0
        ? ['  —']
        : ranking.map((entry) => `  ${entry.rank}. ${unit(entry.unit)}${catalogue.colon}${entry.tasks.map(task).join(catalogue.itemSeparator)}`),
  };
}
