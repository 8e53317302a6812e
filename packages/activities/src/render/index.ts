/**
 * The render step: a notice (kind plus facts, built by workflow code) becomes the words
 * people read, in the plan's language and with dates in the plan's zone. It lives outside
 * workflow code so wording can change without versioning workflows, and it is pure: no
 * I/O, the same notice and options give the same words.
 */
import { DEFAULT_NOTICE_LANG, DubanError, ENV, ErrorCode, NOTICE_LANGS, type Notice, type NoticeLang } from '@duban/common';
import { describeDue, dueInstant } from '@duban/plan';
import { DateTime, IANAZone } from 'luxon';
import { DEFAULT_RENDER_TIME_ZONE, type Catalogue, type Line, type RenderContext, type Wording } from './catalogue';
import { en } from './en';
import { zh } from './zh';

export const RENDER_LANGS = NOTICE_LANGS;
export type RenderLang = NoticeLang;

/** Chinese first: the offices that act on notices read Chinese. */
export const DEFAULT_RENDER_LANG: RenderLang = DEFAULT_NOTICE_LANG;

/**
 * What the render step uses where the notice does not say. A notice carries its plan's
 * settings (`notice.settings`: zone, language); those come first, so a worker serving
 * several plans words each in its own plan's way. Notices without them (tasks launched
 * before, samples) take these, then Chinese and Asia/Shanghai.
 */
export interface RenderOptions {
  /** Default `zh`. */
  lang?: RenderLang;
  /** IANA zone in which dates are shown. Default `Asia/Shanghai`. */
  timeZone?: string;
  /**
   * The web workspace's base URL (`DUBAN_WORKSPACE_URL`, see {@link workspaceUrlFromEnv}):
   * a task notice links to `<base>/plans/<planId>/tasks/<n>`, a bulletin to
   * `<base>/plans/<planId>`. Without it, no link.
   */
  workspaceUrl?: string;
  /** When the notice was issued, for a notice that does not carry `at` (the notification's `at`). */
  at?: string;
}

export interface RenderedNotice {
  /** One line: what it is and which task (or plan) it is about. */
  subject: string;
  /** The body as plain text, without the subject. */
  text: string;
  /** The same body as Markdown, without the subject (robots that show Markdown). */
  markdown: string;
  /** @deprecated The same as {@link RenderedNotice.text}; kept for callers that read `body`. */
  body: string;
}

export { DEFAULT_RENDER_TIME_ZONE };

const CATALOGUES: Record<RenderLang, Catalogue> = { zh, en };

/** The workspace URL setting, if set: the value of `DUBAN_WORKSPACE_URL` in `env`, trimmed. */
export function workspaceUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const value = env[ENV.workspaceUrl]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Checks render options up front (a notifier does so at construction), so a wrong
 * setting fails the worker's start rather than every notification. Fills the language
 * and zone with their defaults.
 *
 * @throws DubanError `INVALID_ARGUMENT` for an unknown language or a workspace URL that
 *   is not http(s), `INVALID_TIME_ZONE` for a zone that is not IANA.
 */
export function resolveRenderOptions(options: RenderOptions = {}): Required<Pick<RenderOptions, 'lang' | 'timeZone'>> & RenderOptions {
  const lang = checkLang(options.lang ?? DEFAULT_RENDER_LANG, 'lang');
  const timeZone = checkZone(options.timeZone ?? DEFAULT_RENDER_TIME_ZONE, 'timeZone');
  const workspaceUrl = options.workspaceUrl === undefined ? undefined : checkWorkspaceUrl(options.workspaceUrl);
  return { ...options, lang, timeZone, ...(workspaceUrl === undefined ? {} : { workspaceUrl }) };
}

function checkLang(lang: string, field: string): RenderLang {
  if ((RENDER_LANGS as readonly string[]).includes(lang)) return lang as RenderLang;
  throw new DubanError(ErrorCode.INVALID_ARGUMENT, `Notices can be rendered in ${RENDER_LANGS.join(' or ')}, not ${JSON.stringify(lang)} (${field}).`, {
    details: { field, lang },
  });
}

function checkZone(timeZone: string, field: string): string {
  if (IANAZone.isValidZone(timeZone)) return timeZone;
  throw new DubanError(ErrorCode.INVALID_TIME_ZONE, `${JSON.stringify(timeZone)} is not an IANA time zone, e.g. Asia/Shanghai (${field}).`, {
    details: { field, timeZone },
  });
}

/** The base without trailing slashes, so links never hold `//`. */
function checkWorkspaceUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search !== '' || parsed.hash !== '') {
    throw new DubanError(
      ErrorCode.INVALID_ARGUMENT,
      `The workspace URL must be an absolute http(s) URL without query or fragment, e.g. https://duban.example.gov.cn; set ${ENV.workspaceUrl} accordingly.`,
      { details: { field: 'workspaceUrl' } },
    );
  }
  return url.replace(/\/+$/, '');
}

/**
 * The words of a notice: a subject naming the task (number and title) or the plan, and a
 * body, in plain text and in Markdown, saying what happened, what the reader must do and
 * by when, with a link to the task when a workspace URL is given.
 *
 * @example
 * ```ts
 * const { subject, text, markdown } = renderNotice(notice);               // the plan's language and zone; 中文, Asia/Shanghai if it says none
 * const linked = renderNotice(notice, { workspaceUrl: 'https://duban.example.gov.cn' });
 * ```
 * @throws DubanError `INVALID_ARGUMENT` / `INVALID_TIME_ZONE` for unusable options or settings.
 */
export function renderNotice(notice: Notice, options: RenderOptions = {}): RenderedNotice {
  const resolved = resolveRenderOptions(options);
  const settings = notice.settings ?? {};
  const lang = settings.lang === undefined ? resolved.lang : checkLang(settings.lang, 'notice.settings.lang');
  const timeZone = settings.timeZone === undefined ? resolved.timeZone : checkZone(settings.timeZone, 'notice.settings.timeZone');
  const catalogue = CATALOGUES[lang];
  const { ctx, timesShown } = contextFor(catalogue, timeZone, notice, lang);
  // Each template is typed for its kind; the union cannot be narrowed through the lookup.
  const template = catalogue.templates[notice.kind] as (notice: Notice, ctx: RenderContext) => Wording;
  // A task notice recorded before it carried its issue time takes the notification's.
  const issued = notice.kind === 'bulletin' || notice.at !== undefined || resolved.at === undefined ? notice : { ...notice, at: resolved.at };
  const wording = template(issued, ctx);
  const about = notice.kind === 'bulletin' ? notice.plan.title : catalogue.task(notice.task);

  const lines: Line[] = [...framed(wording)];
  const footer: Line[] = [];
  if (resolved.workspaceUrl !== undefined) {
    const plan = `${resolved.workspaceUrl}/plans/${encodeURIComponent(notice.kind === 'bulletin' ? notice.plan.id : notice.task.planId)}`;
    const url = notice.kind === 'bulletin' ? plan : `${plan}/tasks/${notice.task.taskNumber}`;
    footer.push({ link: notice.kind === 'bulletin' ? catalogue.link.plan : catalogue.link.task, url });
  }
  const zoneNote = timesShown() ? catalogue.zoneNote(timeZone) : undefined;
  if (zoneNote !== undefined) footer.push(zoneNote);
  const text = [...lines, ...(footer.length > 0 ? ['', ...footer] : [])].map((line) => plain(line, catalogue)).join('\n');
  const markdown = [...lines, ...footer]
    .filter((line) => line !== '')
    .map((line) => markdownOf(line, catalogue))
    .join('\n\n');
  return { subject: catalogue.subject(wording.heading, about), text, markdown, body: text };
}

/** A formal notice's frame around its lines: header, addressee, body, signature, a blank line between. */
function framed({ lines, formal }: Wording): Line[] {
  if (formal === undefined) return lines;
  return [...formal.header, '', ...(formal.addressee === undefined ? [] : [formal.addressee]), ...lines, '', ...formal.signature];
}

function plain(line: Line, catalogue: Catalogue): string {
  if (typeof line === 'string') return line;
  if ('label' in line) return `${line.label}${catalogue.colon}${line.value}`;
  if ('items' in line) return line.items.map((item, i) => `${i + 1}. ${item}`).join('\n');
  if ('link' in line) return `${line.link}${catalogue.colon}${line.url}`;
  return line.strong;
}

function markdownOf(line: Line, catalogue: Catalogue): string {
  if (typeof line === 'string') return escapeMarkdown(line);
  if ('label' in line) return `**${escapeMarkdown(line.label)}**${catalogue.colon}${escapeMarkdown(line.value)}`;
  if ('items' in line) return line.items.map((item, i) => `${i + 1}. ${escapeMarkdown(item)}`).join('\n');
  // The URL as configured (checked to be http(s)); only a closing parenthesis would end it early.
  if ('link' in line) return `[${escapeMarkdown(line.link)}](${line.url.replace(/\)/g, '%29')})`;
  return `**${escapeMarkdown(line.strong)}**`;
}

/**
 * Facts written by people (a summary, a reason) may hold `*`, `_` or brackets: escaped, so
 * they show as written instead of turning the rest of the message bold or into a link.
 */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`).replace(/^([#>+-])/gm, '\\$1');
}

function contextFor(catalogue: Catalogue, timeZone: string, notice: Notice, lang: RenderLang): { ctx: RenderContext; timesShown: () => boolean } {
  const units = notice.names?.units ?? {};
  const unitsEn = lang === 'en' ? (notice.names?.unitsEn ?? {}) : {};
  const people = notice.names?.people ?? {};
  const unit = (code: string): string => unitsEn[code] ?? units[code] ?? code;
  let shown = false;
  const local = (iso: string): DateTime | undefined => {
    const value = DateTime.fromISO(iso, { setZone: true }).setZone(timeZone);
    if (!value.isValid) return undefined;
    shown = true;
    return value;
  };
  const due = (iso: string): string => {
    const value = local(iso);
    if (!value) return iso;
    const midnight = value.hour === 0 && value.minute === 0 && value.second === 0 && value.millisecond === 0;
    return midnight ? catalogue.day(value.minus({ days: 1 })) : catalogue.time(value);
  };
  // The deadline as the plan words it (2020年内, 2021年底), when the notice carries the
  // words and `iso` is the instant they fall due at: a moved deadline is said by its date.
  const words = notice.kind === 'bulletin' ? undefined : notice.task.deadline;
  const wordsDueMs = words === undefined ? undefined : dueInstant(words.date, words.rule, timeZone).toMillis();
  const stated = (iso: string): string | undefined => {
    if (words === undefined || wordsDueMs === undefined || Date.parse(iso) !== wordsDueMs) return undefined;
    shown = true;
    return describeDue(words, lang);
  };
  const ctx: RenderContext = {
    time: (iso) => {
      const value = local(iso);
      return value ? catalogue.time(value) : iso;
    },
    day: (iso) => {
      const value = local(iso);
      return value ? catalogue.day(value) : iso;
    },
    due,
    deadline: (iso) => {
      const words = stated(iso);
      return words ?? due(iso);
    },
    dueBy: (iso) => {
      const words = stated(iso);
      return words ?? catalogue.dueBy(due(iso));
    },
    // A year alone needs no note on the zone.
    year: (iso) => {
      const value = DateTime.fromISO(iso, { setZone: true }).setZone(timeZone);
      return value.isValid ? value.year : undefined;
    },
    unit,
    person: (id) => people[id] ?? id,
    list: (items) => (items.length === 0 ? '—' : items.join(catalogue.listSeparator)),
    ranking: (ranking, task) =>
      ranking.length === 0
        ? ['  —']
        : ranking.map((entry) => `  ${entry.rank}. ${unit(entry.unit)}${catalogue.colon}${entry.tasks.map(task).join(catalogue.itemSeparator)}`),
  };
  return { ctx, timesShown: () => shown };
}
