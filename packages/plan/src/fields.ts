/**
 * The building blocks of every part of the plan schema: capped texts and ids (every text
 * field and list is capped, see `PLAN_LIMITS`), dates, durations and titles. They live
 * apart so each part of the schema (units, tasks, sections, policies, routing) can be
 * read on its own, and the caps stay in one place.
 */
import { Duration } from 'luxon';
import { z } from 'zod';

/**
 * Codes attached (as `params.code`) to the refinements below, so the loader can report
 * them under their own stable problem code instead of the generic `PLAN_SCHEMA`.
 */
export const REFINEMENT_CODES = {
  duration: 'INVALID_DURATION',
} as const;

/**
 * The largest plan duban reads. A plan is read whole, and its texts travel in workflow
 * inputs and every task's state (Temporal refuses a payload over 2 MB), so every text
 * field and every list is capped, and so is the file; a value over a cap is a located
 * `LIMIT_EXCEEDED` problem (a file over the size, `FILE_TOO_LARGE`). The caps sit far
 * above real plans: the seed's longest description is under 200 characters, a city plan
 * has a few hundred tasks; 10,000 tasks fit.
 *
 * Text lengths are counted in characters (UTF-16 code units: one per Chinese character).
 */
export const PLAN_LIMITS = {
  /** The file, in bytes (20 MiB): 10,000 tasks of about 2 KB of YAML each. */
  fileBytes: 20 * 1024 * 1024,
  /** Codes and ids (units, people, milestones, the plan): they go into workflow IDs. */
  idLength: 100,
  /** Titles (both languages), names, English glosses, measure words. */
  nameLength: 300,
  /** Source words, notes beside a value (responsibleSource, focus, a target's description). */
  noteLength: 1_000,
  /** A task's description, an action's preamble: the body of the plan. */
  textLength: 4_000,
  /** Tasks in the whole plan (and in one amendment). */
  tasks: 10_000,
  actions: 1_000,
  /** Units, and any list of unit codes (a task's responsible units may be every community). */
  units: 5_000,
  /** People, and any list of person ids. */
  people: 20_000,
  /** Milestones, and a task's list of milestone ids. */
  milestones: 500,
  /** A task's quantitative targets. */
  targets: 100,
  /** Extra holidays, and extra workdays. */
  calendarDates: 1_000,
  escalationRungs: 20,
  /**
   * Occurrences of one recurring duty inside the campaign (a weekly duty over almost four
   * years): each is a check the task's workflow keeps in its state.
   */
  recurringOccurrences: 200,
  /**
   * Levels of format-2 sections (一、 › （一） › 1. › (1) is four): published plans use
   * up to five; deeper nesting is refused before it can exhaust the checks' stack.
   */
  sectionDepth: 10,
  /**
   * How often the YAML may repeat an anchor's value through aliases (`*name`), counted as
   * the yaml library counts (the library's default): a file of nested aliases would
   * otherwise expand to gigabytes before any cap above is checked.
   */
  yamlAliasExpansions: 100,
} as const;

const L = PLAN_LIMITS;
/** A code or id. */
export const id = () => z.string().max(L.idLength);
/** A title, name or gloss. */
export const name = () => z.string().max(L.nameLength);
/** Source words or a note. */
export const note = () => z.string().max(L.noteLength);
/** The body text of a task or an action. */
export const text = () => z.string().max(L.textLength);

export const isoDate = z.iso.date().describe('A calendar date, YYYY-MM-DD.');

/**
 * An ISO-8601 duration such as `P3D` or `PT12H`. Luxon decides validity, because the
 * calendar code that consumes these durations is luxon too; a zero or negative duration
 * would make a timer fire at once, so it is refused. The locale is named because neither
 * validity nor length depends on it, and without one luxon asks the system for its locale
 * (the process's first `Intl.DateTimeFormat`, about 10 ms of every `duban plan validate`).
 */
export const isoDuration = z
  .string()
  .refine(
    (text) => {
      const duration = Duration.fromISO(text, { locale: 'en-US' });
      return duration.isValid && duration.toMillis() > 0;
    },
    {
      message: 'Not a positive ISO-8601 duration.',
      params: { code: REFINEMENT_CODES.duration },
    },
  )
  .describe('A positive ISO-8601 duration, e.g. P3D (three days) or PT12H (twelve hours).');

export const bilingual = z.strictObject({
  zh: name().min(1).describe('The source words in Chinese.'),
  en: name().min(1).describe('An English gloss.'),
});

/**
 * A heading's title: the source words, and an English gloss where someone wrote one. A
 * plan imported from a published text has only the Chinese; people read Chinese first.
 */
export const headingTitle = z.strictObject({
  zh: name().min(1).describe('The source words in Chinese.'),
  en: name().min(1).optional().describe('An English gloss, if any; English output shows the Chinese without it.'),
});
