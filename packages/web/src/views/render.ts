/**
 * The template engine: Eta with auto-escaping on, so every value a template prints with
 * `<%= … %>` is HTML-escaped by the library (names, notes, reasons, links people typed);
 * the raw form `<%~ … %>` is kept for what Eta itself rendered (includes, the layout's
 * body). Templates get the model (`it.m`), the request's context (`it.ctx`), the words of
 * its language (`it.w`) and a few helpers (`it.h`) that decide nothing about HTML.
 */
import { join } from 'node:path';
import { Eta } from 'eta';
import { LIGHTS, RUNGS } from '@duban/common';
import { ASSETS, type Lang, type SafeLink, type ViewContext } from '../models';
import { en } from './words/en';
import { zh } from './words/zh';
import type { Words } from './words/words';

const WORDS: Record<Lang, Words> = { zh, en };

/** The words of a language; anything but English is Chinese, the workspace's first language. */
export function wordsFor(lang: Lang): Words {
  return WORDS[lang] ?? zh;
}

/**
 * The templates stay in `src/views/templates` (the compiler copies no `.eta` files): two
 * levels up from this file is the package both when it runs from `dist/views` and from
 * `src/views` (tests), so one path serves both.
 */
export const TEMPLATE_DIR = join(__dirname, '..', '..', 'src', 'views', 'templates');

const eta = new Eta({
  views: TEMPLATE_DIR,
  autoEscape: true,
  // Compiled once per template and process: pages are rendered on every request.
  cache: true,
  autoTrim: [false, 'nl'],
});

/**
 * A link only when it is http(s): the server already checked (`SafeLink.href` is present
 * only then); checked again here, with the WHATWG URL parser, so a model built elsewhere
 * cannot turn `javascript:` into a link either.
 */
export function safeHref(link: SafeLink): { href: string; host: string } | undefined {
  if (link.href === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(link.href);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return { href: url.href, host: link.host ?? url.host };
}

/** A path with a query built by URLSearchParams (empty values left out). */
function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

/**
 * The number as the plan prints it, when it says more than duban's number: "（三）2" does,
 * "8." beside task 8 does not.
 */
function distinctPrinted(taskNumber: number, printed: string | undefined): string | undefined {
  if (printed === undefined) return undefined;
  return printed.replace(/[\s.．、()（）]/g, '') === String(taskNumber) ? undefined : printed;
}

const helpers = {
  distinctPrinted,
  /** The ladder, lowest rung first, and the lights: in the domain's order, never retyped. */
  rungs: RUNGS,
  lights: LIGHTS,
  safeHref,
  withQuery,
  /** A plan's pages: `/board/<id>` and the like, the id encoded as a path segment. */
  planPath: (section: 'board' | 'bulletin' | 'assessment' | 'audit', planId: string): string => `/${section}/${encodeURIComponent(planId)}`,
};
export type Helpers = typeof helpers;

/** What every template receives as `it`. */
export interface TemplateData<M> {
  m: M;
  ctx: ViewContext;
  w: Words;
  h: Helpers;
  assets: typeof ASSETS;
}

/** Renders `templates/<name>.eta` with a model; a page template wraps itself in the layout. */
export function render<M>(name: string, model: M, ctx: ViewContext): string {
  const data: TemplateData<M> = { m: model, ctx, w: wordsFor(ctx.lang), h: helpers, assets: ASSETS };
  return eta.render(`./${name}`, data);
}
