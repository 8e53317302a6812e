import { Duration } from 'luxon';
import { z } from 'zod';
import { NOTICE_KINDS, NOTICE_LANGS } from '@duban/common';

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
const id = () => z.string().max(L.idLength);
/** A title, name or gloss. */
const name = () => z.string().max(L.nameLength);
/** Source words or a note. */
const note = () => z.string().max(L.noteLength);
/** The body text of a task or an action. */
const text = () => z.string().max(L.textLength);

const isoDate = z.iso.date().describe('A calendar date, YYYY-MM-DD.');

/**
 * An ISO-8601 duration such as `P3D` or `PT12H`. Luxon decides validity, because the
 * calendar code that consumes these durations is luxon too; a zero or negative duration
 * would make a timer fire at once, so it is refused. The locale is named because neither
 * validity nor length depends on it, and without one luxon asks the system for its locale
 * (the process's first `Intl.DateTimeFormat`, about 10 ms of every `duban plan validate`).
 */
const isoDuration = z
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

const bilingual = z.strictObject({
  zh: name().min(1).describe('The source words in Chinese.'),
  en: name().min(1).describe('An English gloss.'),
});

/**
 * A heading's title: the source words, and an English gloss where someone wrote one. A
 * plan imported from a published text has only the Chinese; people read Chinese first.
 */
const headingTitle = z.strictObject({
  zh: name().min(1).describe('The source words in Chinese.'),
  en: name().min(1).optional().describe('An English gloss, if any; English output shows the Chinese without it.'),
});

/**
 * What a unit is. A street's plan knows offices, communities and outside bodies; a
 * district's or a city's names bureaus, lower governments, management committees,
 * vertically managed bureaus, streets and enterprises, and collectives of them
 * (各区县政府, 区直各部门) that stand for their members.
 */
export const unitKindSchema = z.enum([
  'office',
  'community',
  'external',
  'city-bureau',
  'district-government',
  'county-government',
  'management-committee',
  'vertical-bureau',
  'street',
  'enterprise',
  'collective',
  'other',
]);

export const unitSchema = z.strictObject({
  code: id().min(1).describe('Stable code used everywhere else in the plan, e.g. chengguan.'),
  name: name().min(1).describe('Chinese name as the source writes it, e.g. 城管办.'),
  en: name().min(1).describe('English gloss.'),
  kind: unitKindSchema.describe(
    'office: an office of the plan\'s own body; community: a residents committee; external: a body outside the plan\'s organisation that it supports (it is given no work); city-bureau, district-government, county-government, management-committee, vertical-bureau (垂直管理部门), street, enterprise, other: bodies that can be given work; collective: a set of units named as one (各区县政府, 区直各部门), see members.',
  ),
  members: z
    .array(id())
    .max(L.units)
    .optional()
    .describe('For a collective unit only: the codes of its member units (collectives may contain collectives, never themselves). A task given to the collective is given to every member.'),
  example: z.boolean().optional().describe('True when the unit is an invented example, not from the source.'),
});

export const personRoleSchema = z.enum(['unit-head', 'staff', 'supervisor', 'hq-office', 'accountability']);

/** A secret's name, never its value (see `routingSchema`): letters, digits, `-` and `_`. */
const secretName = () =>
  z
    .string()
    .max(L.idLength)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'A secret name has letters, digits, "-" and "_", e.g. xihu-smtp.')
    .describe('The NAME of a secret, e.g. xihu-smtp: the value is read from DUBAN_SECRET_XIHU_SMTP (or the file named by DUBAN_SECRET_XIHU_SMTP_FILE), never from the plan.');

/** A time of day in the plan's time zone, 24-hour `HH:MM`. */
const timeOfDay = () => z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Write a time of day as HH:MM (24 h), e.g. 22:00.');

/** The languages notices are written in (the render step's catalogues). */
export const noticeLangSchema = z.enum(NOTICE_LANGS);

/**
 * How a person is reached, and how they like it: the routing (`routing`) picks the
 * channel, the contact gives the address on it. Personal data: it stays in the plan and
 * the worker that routes, never in workflow inputs or histories.
 */
export const contactSchema = z.strictObject({
  email: z.email().max(L.nameLength).optional().describe('Mailbox for email channels.'),
  mobile: z
    .string()
    .regex(/^\+?[0-9][0-9 -]{4,19}$/, 'Write a phone number with digits, e.g. 13800000001 or +86 138 0000 0001.')
    .optional()
    .describe('Mobile number: the 企业微信 and 钉钉 robots @-mention by it.'),
  wecomUserId: id().min(1).optional().describe('企业微信 userid, @-mentioned by 企业微信 group robots.'),
  dingtalkUserId: id().min(1).optional().describe('钉钉 userId, @-mentioned by 钉钉 custom robots.'),
  lang: noticeLangSchema.optional().describe("The language of this person's messages; default routing.lang."),
  digest: z
    .literal('daily')
    .optional()
    .describe('daily: one message a day (at routing.digest.at) listing the non-urgent notices, instead of one message per notice.'),
});

export const personSchema = z.strictObject({
  id: id().min(1),
  name: name().min(1),
  unit: id().min(1).describe('Unit code of the unit the person belongs to.'),
  roles: z.array(personRoleSchema).max(personRoleSchema.options.length),
  contact: contactSchema.optional().describe("How notifications reach this person (see routing)."),
  example: z.boolean().optional().describe('True when the person is an invented example.'),
});

export const ruleSchema = z
  .enum(['before', 'by'])
  .describe(
    'before D: due at D 00:00 in the plan time zone (done before D starts). by D: due at the end of D, i.e. D+1 00:00.',
  );

export const milestoneSchema = z.strictObject({
  id: id().min(1),
  source: note().min(1).describe('The source words, e.g. 2020年国庆节前.'),
  due: isoDate,
  rule: ruleSchema,
  focusActions: z.array(z.number().int().positive()).max(L.actions).describe('Numbers of the actions this milestone focuses on.'),
  en: name().min(1),
  focus: note().optional().describe('What the source says should be achieved by then, in its words.'),
});

export const deadlineSchema = z.strictObject({
  date: isoDate,
  rule: ruleSchema,
  source: note().min(1).describe('The source words that give the deadline, e.g. 于2020年内.'),
});

/**
 * A task's deadline as a file may write it: a whole-year task (年内, 全年) may give only
 * its source words, and is then due at the campaign's end (`by` its last day).
 */
export const fileDeadlineSchema = z.strictObject({
  date: isoDate.optional().describe("The date; absent for whole-year work (年内, 全年): the campaign's last day."),
  rule: ruleSchema.optional().describe('before or by; default by.'),
  source: note().min(1).describe('The source words that give the deadline, e.g. 于2020年内, 全年.'),
});

export const targetSchema = z.strictObject({
  description: note().min(1),
  kind: z
    .enum(['exact', 'rate', 'approx', 'relative'])
    .optional()
    .describe('exact (default): a quantity; rate: a percentage (percent), e.g. 增长6.2%; approx: a quantity or rate the source qualifies with 左右/约; relative: a comparison (relation), e.g. 不低于全市平均水平.'),
  quantity: z.number().positive().optional().describe('How many, where the target counts something.'),
  unit: name().min(1).optional().describe('Measure word, e.g. 座.'),
  percent: z.number().optional().describe('A rate in percent, e.g. 6.2 for 增长6.2%.'),
  relation: note().min(1).optional().describe('The comparison in the source words, e.g. 不低于全市平均水平.'),
  scope: z
    .enum(['street', 'district', 'city'])
    .optional()
    .describe('Whose target it is; district or city when the plan only supports a wider target.'),
});

/** One of several dated nodes inside a task (市级清单8月底前, 区级清单9月底前 …). */
export const taskNodeSchema = z.strictObject({
  id: id().min(1).describe('Unique within the task, e.g. city-list.'),
  date: isoDate,
  rule: ruleSchema,
  source: note().min(1).describe('The source words, e.g. 8月底前.'),
  what: note().min(1).optional().describe('What is due at this node, in the source words, e.g. 出台市级清单.'),
});

/** A duty that comes back (每月23日前报送, 每季度, 每月调度): checked at every occurrence inside the campaign. */
export const recurringDutySchema = z.strictObject({
  id: id().min(1).describe('Unique within the task, e.g. monthly-report.'),
  every: z.enum(['month', 'quarter', 'week', 'year']),
  day: z
    .number()
    .int()
    .min(1)
    .max(31)
    .optional()
    .describe('Day of the period: of the month (1–31, clamped to the month\'s last day), of the quarter\'s last month, of December for year (default the last day), or of the week (1 = Monday … 7 = Sunday, default 5 = Friday). A day off moves to the next working day (遇节假日顺延).'),
  rule: ruleSchema,
  duty: z.enum(['report', 'dispatch', 'check']).describe('report: the units report (报送); dispatch: a named office dispatches (调度); check: a check of the work (检查).'),
  by: id().min(1).optional().describe('Unit code of who does it, where not the task\'s own units (e.g. the office that dispatches).'),
  source: note().min(1).describe('The source words, e.g. 每月23日前报送.'),
  from: isoDate
    .optional()
    .describe('First day of the window the duty recurs in (a phase: 5月下旬至8月 → the 21st of May); default the campaign\'s first day. An occurrence before it is not checked.'),
  until: isoDate
    .optional()
    .describe('Last day of the window the duty recurs in (8月 → the 31st of August); default the campaign\'s last day. An occurrence after it is not checked.'),
});

/** A task that cannot be worked before a date: a phase that opens later than the campaign (第二阶段(9月18日至12月8日)). */
export const taskStartSchema = z.strictObject({
  date: isoDate.describe('The first day the task may be worked; it is assigned then, not at the campaign\'s start.'),
  source: note().min(1).describe('The source words, e.g. 2010年9月18日至12月8日 or 5月下旬.'),
});

export const filingSchema = z.strictObject({
  with: id().min(1).describe('Unit code of the body the work is filed with (报…备案).'),
  source: note().min(1).describe('The source words, e.g. 报市发改委备案.'),
  date: isoDate.optional(),
  rule: ruleSchema.optional(),
});

/** A task's fields, the same in format 1 and 2. */
export const taskSchema = z.strictObject({
  number: z.number().int().positive().describe("duban's key for the task, unique in the plan (workflow IDs, --task N); in format 2 the number as printed goes in printed."),
  printed: name().min(1).optional().describe('The number as the source prints it, e.g. （三）2 or 1.'),
  title: headingTitle,
  description: text().min(1).describe('The task text in the source words.'),
  lead: z
    .array(id())
    .max(L.units)
    .describe('Lead unit codes in source order: the first is primary, the rest assist (牵头单位以排名在前的为主).'),
  leadPrimary: z
    .boolean()
    .optional()
    .describe('false when the source states no primary lead: all lead units are co-leads (the first listed still submits). Default true.'),
  responsible: z.array(id()).max(L.units).describe('Responsible unit codes (责任单位).'),
  cooperating: z.array(id()).max(L.units).optional().describe('Codes of the units with the third role word (配合单位, 协办单位).'),
  responsibleSource: note()
    .optional()
    .describe('The source words for the responsible units, e.g. 各相关社区 or 各社区.'),
  supports: z
    .array(id())
    .max(L.units)
    .optional()
    .describe('Codes of external units whose work this task assists (积极配合区城建局…).'),
  milestones: z.array(id()).max(L.milestones).default([]).describe('Ids of the milestones that check this task.'),
  deadline: fileDeadlineSchema
    .optional()
    .describe("The task's own deadline, where the source gives one; without one the task is due by its latest milestone, else at the campaign's end."),
  nodes: z.array(taskNodeSchema).max(L.milestones).optional().describe('Dated nodes inside the task, each checked like a milestone.'),
  recurring: z.array(recurringDutySchema).max(L.milestones).optional().describe('Recurring duties, each occurrence inside the campaign checked like a milestone.'),
  start: taskStartSchema.optional().describe('The day before which the task cannot be worked (a later phase); without it the task starts with the campaign.'),
  dispatcher: id().min(1).optional().describe('Unit or organization group code of who dispatches the task (调度).'),
  supervisor: z
    .union([id().min(1), z.array(id().min(1)).min(1).max(L.units)])
    .optional()
    .describe('Unit or organization group code of who supervises the task (督导, 督查), or a list of them where several bodies supervise (首都综治办、市委督查室…).'),
  filing: z
    .union([filingSchema, z.array(filingSchema).min(1).max(L.milestones)])
    .optional()
    .describe('Filing with an outside body (报…备案), or a list where the task files several things (台帐, 工作安排…).'),
  targets: z.array(targetSchema).max(L.targets).optional().describe('Targets the source gives: quantities, rates, approximate or relative.'),
});

/** One level between a top-level section and a task, as a task's `path` keeps it. */
export interface PlanHeading {
  printed: string;
  title: string;
}

/**
 * A task as duban keeps it: the file's fields, the deadline complete (a whole-year
 * deadline dated to the campaign's end), and for format 2 the headings above it.
 */
export const planTaskSchema = taskSchema.extend({
  deadline: deadlineSchema.optional(),
  supervisor: z.array(id().min(1)).max(L.units).optional().describe('Who supervises: unit or group codes, always a list in the model.'),
  filing: filingSchema.optional().describe('The first filing: the one filing of a task that has one (readers written before several).'),
  filings: z.array(filingSchema).max(L.milestones).optional().describe('Every filing, where the file lists several.'),
  path: z
    .array(z.strictObject({ printed: z.string(), title: z.string() }))
    .optional()
    .describe('The levels between the top-level section and the task (section › item › sub-item), as printed.'),
});

/** A top-level section as duban keeps it (format 1 calls it an action), its tasks flattened in source order. */
export const actionSchema = z.strictObject({
  number: z.number().int().positive(),
  printed: name().min(1).optional().describe('The number as the source prints it, e.g. 一、 or （一）.'),
  title: headingTitle,
  preamble: text().optional().describe('Text the source puts under the action heading before its tasks.'),
  tasks: z.array(planTaskSchema).max(L.tasks),
});

/**
 * A format-1 action in a file. It may carry what a loaded format-2 plan has (printed
 * numbers, a task's path), so a loaded plan written out as JSON or YAML is a format-1
 * file again: campaigns store plans that way.
 */
const fileActionSchema = z.strictObject({
  number: z.number().int().positive(),
  printed: name().min(1).optional().describe('The number as the source prints it.'),
  title: headingTitle,
  preamble: text().optional().describe('Text the source puts under the action heading before its tasks.'),
  tasks: z.array(taskSchema.extend({ path: planTaskSchema.shape.path, filings: planTaskSchema.shape.filings })).max(L.tasks),
});

/**
 * A task in a format-2 section: its lead and responsible units may be left to the section
 * above it (a section's `lead` / `responsible`), as plans give the units once for a run of
 * measures.
 */
export const sectionTaskSchema = taskSchema.extend({
  lead: taskSchema.shape.lead.optional().describe("Lead unit codes in source order (the first is primary); default the nearest section's lead above the task."),
  responsible: taskSchema.shape.responsible.optional().describe("Responsible unit codes (责任单位); default the nearest section's responsible units above the task."),
});

/** Lead and responsible units a section gives every task under it that names none of its own. */
const sectionUnits = {
  lead: z.array(id()).max(L.units).optional().describe('Lead unit codes for every task under this section that gives no lead of its own.'),
  responsible: z.array(id()).max(L.units).optional().describe('Responsible unit codes for every task under this section that gives none of its own.'),
};

/** A format-2 section below the top level: printed number, title, its tasks, and further sections. */
export interface FileSubsection {
  printed?: string | undefined;
  title: { zh: string; en?: string | undefined };
  preamble?: string | undefined;
  lead?: string[] | undefined;
  responsible?: string[] | undefined;
  tasks?: z.output<typeof sectionTaskSchema>[] | undefined;
  sections?: FileSubsection[] | undefined;
}

export const subsectionSchema: z.ZodType<FileSubsection> = z.lazy(() =>
  z.strictObject({
    printed: name().min(1).optional().describe('The number as printed, e.g. （一）, 1., (1); numbering may restart under each section.'),
    title: headingTitle,
    preamble: text().optional(),
    ...sectionUnits,
    tasks: z.array(sectionTaskSchema).max(L.tasks).optional().describe("This section's own tasks; they come before its sections' tasks."),
    sections: z.array(subsectionSchema).max(L.tasks).optional().describe('Sections one level down.'),
  }),
);

/** A format-2 top-level section: numbered for duban (milestones and sub-headquarters name it), then like any section. */
export const sectionSchema = z.strictObject({
  number: z.number().int().positive().describe('duban\'s number for the top-level section (milestones.focusActions and subHeadquarters refer to it).'),
  printed: name().min(1).optional().describe('The number as printed, e.g. 一、 or （一）.'),
  title: headingTitle,
  preamble: text().optional().describe('Text the source puts under the heading before its tasks.'),
  ...sectionUnits,
  tasks: z.array(sectionTaskSchema).max(L.tasks).optional().describe("This section's own tasks; they come before its sections' tasks."),
  sections: z.array(subsectionSchema).max(L.tasks).optional().describe('Sections one level down (item › sub-item › …).'),
});

export const escalationRungSchema = z.enum(['reminder', 'supervision-notice', 'interview', 'accountability']);

/** Default escalation ladder: each rung waits this long for progress before the next. */
export const DEFAULT_ESCALATION = [
  { rung: 'reminder', wait: 'P3D' },
  { rung: 'supervision-notice', wait: 'P7D' },
  { rung: 'interview', wait: 'P7D' },
  { rung: 'accountability', wait: 'P14D' },
] as const satisfies readonly { rung: z.infer<typeof escalationRungSchema>; wait: string }[];

/**
 * Policies that govern how task workflows supervise a task. Every field has a default so
 * a plan may omit `policies` entirely:
 *
 * - `acknowledgementWindow` P3D: the lead unit must acknowledge an assignment within it.
 * - `reminderCadence` P7D: how often an open task reminds its lead unit.
 * - `stallWindow` P14D: no progress report for this long starts the escalation ladder.
 * - `reviewDeadline` P5D: a supervisor must approve or send back a submission within it.
 * - `requireAssistingReports` true: assisting lead units must report too before review.
 * - `allowSameUnitReview` false: a reviewer from the primary lead's own unit is refused as
 *   a conflict of interest; set it true where the offices are too small to avoid that.
 * - `progressExpectation` `{ rule: 'linear', yellowTolerance: 15 }`: progress is expected
 *   to grow linearly from assignment to the deadline; behind it by more than 15 percentage
 *   points is yellow; red means overdue (the deadline passed without approved work).
 * - `escalation`: reminder (P3D) → supervision-notice (P7D) → interview (P7D) →
 *   accountability (P14D).
 * - `scoring`: every lead unit starts at 100; a yellow costs 2, a red 5; each escalation
 *   rung reached costs reminder 1, supervision-notice 3, interview 5, accountability 10;
 *   units with at least 95 that finish at least P7D early are commended.
 */
export const policiesSchema = z.strictObject({
  acknowledgementWindow: isoDuration.default('P3D'),
  reminderCadence: isoDuration.default('P7D'),
  stallWindow: isoDuration.default('P14D'),
  reviewDeadline: isoDuration.default('P5D'),
  requireAssistingReports: z.boolean().default(true),
  allowSameUnitReview: z
    .boolean()
    .default(false)
    .describe("Whether a reviewer may belong to the primary lead's own unit; false refuses it as a conflict of interest (CONFLICT_OF_INTEREST)."),
  progressExpectation: z
    .strictObject({
      rule: z.literal('linear').default('linear'),
      yellowTolerance: z
        .number()
        .min(0)
        .max(100)
        .default(15)
        .describe('Percentage points a task may trail the linear expectation and still be green; further behind is yellow (red is reserved for overdue).'),
    })
    .prefault({}),
  escalation: z
    .array(z.strictObject({ rung: escalationRungSchema, wait: isoDuration }))
    .min(1)
    .max(L.escalationRungs)
    .default(DEFAULT_ESCALATION.map((step) => ({ ...step }))),
  scoring: z
    .strictObject({
      base: z.number().default(100),
      deductions: z
        .strictObject({
          yellow: z.number().min(0).default(2),
          red: z.number().min(0).default(5),
          rungs: z
            .record(escalationRungSchema, z.number().min(0))
            .default({ reminder: 1, 'supervision-notice': 3, interview: 5, accountability: 10 }),
        })
        .prefault({}),
      commendation: z
        .strictObject({
          minScore: z.number().default(95),
          earlyBy: isoDuration.default('P7D'),
        })
        .prefault({}),
    })
    .prefault({}),
});

/** What a working group is for; routing and the supervision checks read it, not the group's code. */
export const groupDutySchema = z.enum(['publicity', 'supervision', 'accountability', 'other']);

export const organizationSchema = z.strictObject({
  headquarters: z.strictObject({
    name: name().min(1),
    en: name().min(1),
    leaders: z.array(id()).max(L.people).describe('Person ids of the headquarters leaders.'),
  }),
  office: z.strictObject({
    name: name().min(1),
    en: name().min(1),
    hostUnit: id().min(1).describe('Unit code of the unit that hosts the office (指挥部办公室设在城管办).'),
  }),
  groups: z
    .array(
      z.strictObject({
        code: id()
          .min(1)
          .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'A group code has letters, digits, "-" and "_", e.g. supervision.')
          .describe('The group\'s code (routing names it as group:<code>), e.g. supervision.'),
        duty: groupDutySchema
          .optional()
          .describe('What the group does; default the code when the code is publicity, supervision or accountability, else other.'),
        name: name().min(1),
        en: name().min(1),
        members: z.array(id()).max(L.people).describe('Person ids.'),
      }),
    )
    .max(L.actions)
    .default([]),
  subHeadquarters: z
    .array(
      z.strictObject({
        action: z.number().int().positive(),
        name: name().min(1),
        en: name().min(1),
        leads: z.array(id()).max(L.units).describe('Unit codes that lead the sub-headquarters.'),
      }),
    )
    .max(L.actions)
    .default([]),
});

export const calendarSchema = z.strictObject({
  holidays: z.array(isoDate).max(L.calendarDates).default([]).describe('Extra days off, merged over the official schedule (China\'s statutory holidays as the chinese-days library publishes them).'),
  workdays: z
    .array(isoDate)
    .max(L.calendarDates)
    .default([])
    .describe('Extra working days (调休上班), merged over the official schedule (chinese-days).'),
});

// -- Routing: which channel reaches whom, per notice kind ------------------------------

/** The kinds of notice a route can carry (`@duban/common` NOTICE_KINDS). */
export const noticeKindSchema = z.enum(NOTICE_KINDS);

/** Bounds of an attempt; above 25 s the notify activity (30 s) would cut the channel's own timeout. */
const channelTimeout = () => z.number().int().positive().max(25_000).optional().describe('Give up on one attempt after this many ms (at most 25000).');

/**
 * A channel's settings. Secrets are named (`…Secret` fields), never written: the plan is
 * committed, shown and logged. Channel names are ids (`hq-mail`, `chengguan-robot`).
 */
export const channelSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('email'),
    host: name().min(1).describe('SMTP server host name.'),
    port: z.number().int().min(1).max(65_535).optional().describe('Default 587 (STARTTLS), 465 with security: tls.'),
    security: z.enum(['starttls', 'tls', 'none']).optional().describe('starttls (default), tls (SMTPS), or none (only to 127.0.0.1).'),
    user: name().min(1).optional().describe('SMTP login.'),
    passwordSecret: secretName().optional(),
    from: z.strictObject({ name: name().min(1).optional(), address: z.email().max(L.nameLength) }).describe('The sender.'),
    timeoutMs: channelTimeout(),
  }),
  z.strictObject({
    type: z.literal('wecom'),
    keySecret: secretName().describe("The NAME of the secret holding the 企业微信 robot's key (the key= of its webhook URL)."),
    url: name().optional().describe('The send endpoint without key; default the 企业微信 endpoint.'),
    timeoutMs: channelTimeout(),
  }),
  z.strictObject({
    type: z.literal('dingtalk'),
    accessTokenSecret: secretName().describe("The NAME of the secret holding the 钉钉 robot's access_token."),
    signSecret: secretName().optional().describe('The NAME of the secret holding the 加签 secret (SEC…).'),
    url: name().optional().describe('The send endpoint without query; default the 钉钉 endpoint.'),
    timeoutMs: channelTimeout(),
  }),
  z.strictObject({
    type: z.literal('webhook'),
    url: name().min(1).describe('Where the signed JSON is POSTed (https, or http to 127.0.0.1).'),
    signingSecret: secretName().describe('The NAME of the secret shared with the receiver for the HMAC-SHA256 signature.'),
    timeoutMs: channelTimeout(),
  }),
]);

/**
 * Whom a route reaches: `recipients` (the people the task chose for the notice: the unit
 * for a reminder, the unit head and HQ for a 督办单, …), `role:<role>`, `group:<code>`
 * (an organization group) or `person:<id>`.
 */
export const audienceSchema = z
  .string()
  .regex(/^(recipients|role:[a-z-]+|group:[A-Za-z0-9][A-Za-z0-9_-]*|person:.+)$/, 'Write recipients, role:<role>, group:<code> or person:<id>.')
  .max(L.idLength + 10);

export const routeSchema = z.strictObject({
  kinds: z.array(noticeKindSchema).min(1).max(noticeKindSchema.options.length).optional().describe('The notice kinds this route carries; every kind when absent.'),
  levels: z
    .array(z.number().int().positive())
    .min(1)
    .max(L.escalationRungs)
    .optional()
    .describe('For escalation rungs: only these ladder levels (1 = the first rung).'),
  via: id()
    .min(1)
    .describe("A channel name under routing.channels, or unit-robot: the robot (routing.robots) of each unit the notice's people belong to."),
  to: z.array(audienceSchema).min(1).max(L.people).default(['recipients']).describe('Whom it reaches; default recipients.'),
});

/**
 * Routing: which channel reaches which unit, person or group for each kind of notice.
 * Without it notices are logged (and posted to the worker's webhook when one is set).
 * Every route whose kinds include a notice's kind carries it; a kind no route names is
 * only logged. Urgent kinds (督办单, 约谈, 问责, undelivered notices) are never held by
 * quiet hours or folded into a digest.
 */
export const routingSchema = z.strictObject({
  lang: noticeLangSchema
    .optional()
    .describe("The language of the routed messages; default the plan's (中文). A person may choose another (contact.lang)."),
  channels: z.record(id().min(1), channelSchema).describe('Named channels: their type and settings; secrets by name only.'),
  robots: z.record(id().min(1), id().min(1)).optional().describe("Unit code → the channel (wecom or dingtalk) of the unit's group robot."),
  routes: z.array(routeSchema).min(1).max(100),
  quietHours: z
    .strictObject({ from: timeOfDay(), to: timeOfDay() })
    .optional()
    .describe("Plan local time, e.g. from 22:00 to 07:30: non-urgent messages to people wait until it ends."),
  digest: z
    .strictObject({ at: timeOfDay().default('08:30') })
    .prefault({})
    .describe('When the daily digest of the people who chose one (contact.digest: daily) goes out, plan local time.'),
});

/** The fields of a plan file other than its tasks, the same in format 1 and 2. */
const planFields = {
  id: id().regex(/^[a-z0-9][a-z0-9-]*$/, 'Use lower-case letters, digits and hyphens, e.g. xihu-2020.'),
  title: bilingual,
  timeZone: id().min(1).describe('IANA time zone, e.g. Asia/Shanghai.'),
  campaign: z.strictObject({
    start: isoDate.describe('First day of the campaign, inclusive.'),
    end: isoDate.describe('Last day of the campaign, inclusive.'),
  }),
  units: z.array(unitSchema).max(L.units),
  organization: organizationSchema.optional().describe('The headquarters (指挥部), its office and working groups, where the plan sets them up.'),
  people: z.array(personSchema).max(L.people),
  milestones: z.array(milestoneSchema).max(L.milestones).default([]),
  policies: policiesSchema.prefault({}),
  calendar: calendarSchema.optional(),
  routing: routingSchema.optional().describe('Which channel reaches whom for each kind of notice; without it, notices are logged (or posted to the worker webhook).'),
};

/**
 * A plan as duban keeps it, whatever format its file was in: top-level sections as
 * `actions`, each with every task under it flattened in source order. Written out, it is
 * a format-1 file (no `format` key), which is why the model has none.
 */
export const planSchema = z.strictObject({
  ...planFields,
  // The tasks of all actions together are capped too (PLAN_LIMITS.tasks), by the loader.
  actions: z.array(actionSchema).max(L.actions),
});

/** A format-1 plan file: `actions`, each with its tasks, two levels only. */
export const planFileV1Schema = z.strictObject({
  format: z.literal(1).optional().describe('1, or absent: format 1.'),
  ...planFields,
  actions: z.array(fileActionSchema).max(L.actions),
});

/** A format-2 plan file: `format: 2` and nested `sections` of any depth. */
export const planFileV2Schema = z.strictObject({
  format: z.literal(2).describe('The plan format version: 2. A file without format is version 1 (`duban plan migrate` upgrades it).'),
  ...planFields,
  // The tasks of all sections together are capped too (PLAN_LIMITS.tasks), by the loader.
  sections: z.array(sectionSchema).max(L.actions).describe('The top-level sections (actions) and, under them, sections of any depth and tasks.'),
});

export type Plan = z.infer<typeof planSchema>;
/** What a plan file may contain before defaults are applied: format 1 or 2. */
export type PlanInput = z.input<typeof planFileV1Schema> | z.input<typeof planFileV2Schema>;
export type PlanFileV1 = z.infer<typeof planFileV1Schema>;
export type PlanFileV2 = z.infer<typeof planFileV2Schema>;
export type PlanFileSection = z.infer<typeof sectionSchema>;
export type PlanAction = Plan['actions'][number];
export type PlanTask = PlanAction['tasks'][number];
export type PlanTaskNode = z.infer<typeof taskNodeSchema>;
export type PlanRecurringDuty = z.infer<typeof recurringDutySchema>;
export type PlanFiling = z.infer<typeof filingSchema>;
export type PlanTaskStart = z.infer<typeof taskStartSchema>;
export type PlanGroupDuty = z.infer<typeof groupDutySchema>;
export type PlanUnit = Plan['units'][number];
export type PlanUnitKind = z.infer<typeof unitKindSchema>;
export type PlanPerson = Plan['people'][number];
export type PersonRole = z.infer<typeof personRoleSchema>;
export type PlanMilestone = Plan['milestones'][number];
export type PlanDeadline = NonNullable<PlanTask['deadline']>;
export type PlanTarget = NonNullable<PlanTask['targets']>[number];
export type PlanOrganization = NonNullable<Plan['organization']>;
export type PlanPolicies = Plan['policies'];
export type EscalationRung = z.infer<typeof escalationRungSchema>;
export type DueRule = z.infer<typeof ruleSchema>;
export type PlanCalendar = NonNullable<Plan['calendar']>;
export type PlanContact = NonNullable<PlanPerson['contact']>;
export type PlanRouting = NonNullable<Plan['routing']>;
export type PlanChannel = z.infer<typeof channelSchema>;
export type PlanRoute = z.infer<typeof routeSchema>;

/**
 * The JSON Schema shipped as `plans/plan.schema.json` for editor completion. It describes
 * the input (defaults make fields optional); cross-checks such as unknown unit codes are
 * the loader's job and cannot be expressed here.
 */
export function planJsonSchema(): Record<string, unknown> {
  // Format 2 first: editors offer its keys; a format-1 file still validates. The parts
  // both formats share are named definitions ($defs), written once.
  const shared = { task: taskSchema, unit: unitSchema, person: personSchema, milestone: milestoneSchema, organization: organizationSchema, policies: policiesSchema, calendar: calendarSchema, routing: routingSchema, section: subsectionSchema };
  // Named in zod's global registry, where their descriptions are: idempotent, never renamed.
  for (const [id, schema] of Object.entries(shared)) {
    if (z.globalRegistry.get(schema)?.id !== id) z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id });
  }
  return {
    ...z.toJSONSchema(z.union([planFileV2Schema, planFileV1Schema]), { io: 'input', unrepresentable: 'any' }),
    $id: 'https://duban.dev/plan.schema.json',
    title: 'duban plan',
    description: 'A government action plan run by duban as durable workflows. Generated from @duban/plan; do not edit.',
  };
}
