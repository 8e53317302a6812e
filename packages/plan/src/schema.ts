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
 * would make a timer fire at once, so it is refused.
 */
const isoDuration = z
  .string()
  .refine(
    (text) => {
      const duration = Duration.fromISO(text);
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

export const unitKindSchema = z.enum(['office', 'community', 'external']);

export const unitSchema = z.strictObject({
  code: id().min(1).describe('Stable code used everywhere else in the plan, e.g. chengguan.'),
  name: name().min(1).describe('Chinese name as the source writes it, e.g. 城管办.'),
  en: name().min(1).describe('English gloss.'),
  kind: unitKindSchema.describe(
    'office: an office of the street; community: a residents committee; external: a body outside the street (a district bureau) that the street supports.',
  ),
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

export const targetSchema = z.strictObject({
  description: note().min(1),
  quantity: z.number().positive(),
  unit: name().min(1).describe('Measure word, e.g. 座.'),
  scope: z
    .enum(['street', 'district', 'city'])
    .optional()
    .describe('Whose target it is; district or city when the street only supports a wider target.'),
});

export const taskSchema = z.strictObject({
  number: z.number().int().positive(),
  title: bilingual,
  description: text().min(1).describe('The task text in the source words.'),
  lead: z
    .array(id())
    .max(L.units)
    .describe('Lead unit codes in source order: the first is primary, the rest assist (牵头单位以排名在前的为主).'),
  responsible: z.array(id()).max(L.units).describe('Responsible unit codes (责任单位).'),
  responsibleSource: note()
    .optional()
    .describe('The source words for the responsible units, e.g. 各相关社区 or 各社区.'),
  supports: z
    .array(id())
    .max(L.units)
    .optional()
    .describe('Codes of external units whose work this task assists (积极配合区城建局…).'),
  milestones: z.array(id()).max(L.milestones).describe('Ids of the milestones that check this task.'),
  deadline: deadlineSchema.optional().describe("The task's own deadline, where the source gives one."),
  targets: z.array(targetSchema).max(L.targets).optional().describe('Quantitative targets the source gives.'),
});

export const actionSchema = z.strictObject({
  number: z.number().int().positive(),
  title: bilingual,
  preamble: text().optional().describe('Text the source puts under the action heading before its tasks.'),
  tasks: z.array(taskSchema).max(L.tasks),
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

const groupCodeSchema = z.enum(['publicity', 'supervision', 'accountability']);

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
        code: groupCodeSchema,
        name: name().min(1),
        en: name().min(1),
        members: z.array(id()).max(L.people).describe('Person ids.'),
      }),
    )
    // At most one group per code: the three working groups of the headquarters.
    .max(groupCodeSchema.options.length),
  subHeadquarters: z
    .array(
      z.strictObject({
        action: z.number().int().positive(),
        name: name().min(1),
        en: name().min(1),
        leads: z.array(id()).max(L.units).describe('Unit codes that lead the sub-headquarters.'),
      }),
    )
    .max(L.actions),
});

export const calendarSchema = z.strictObject({
  holidays: z.array(isoDate).max(L.calendarDates).default([]).describe('Extra days off, merged over the built-in official schedule.'),
  workdays: z
    .array(isoDate)
    .max(L.calendarDates)
    .default([])
    .describe('Extra working days (调休上班), merged over the built-in official schedule.'),
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
  .regex(/^(recipients|role:[a-z-]+|group:[a-z-]+|person:.+)$/, 'Write recipients, role:<role>, group:<code> or person:<id>.')
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

export const planSchema = z.strictObject({
  id: id().regex(/^[a-z0-9][a-z0-9-]*$/, 'Use lower-case letters, digits and hyphens, e.g. xihu-2020.'),
  title: bilingual,
  timeZone: id().min(1).describe('IANA time zone, e.g. Asia/Shanghai.'),
  campaign: z.strictObject({
    start: isoDate.describe('First day of the campaign, inclusive.'),
    end: isoDate.describe('Last day of the campaign, inclusive.'),
  }),
  units: z.array(unitSchema).max(L.units),
  organization: organizationSchema,
  people: z.array(personSchema).max(L.people),
  milestones: z.array(milestoneSchema).max(L.milestones),
  // The tasks of all actions together are capped too (PLAN_LIMITS.tasks), by the loader.
  actions: z.array(actionSchema).max(L.actions),
  policies: policiesSchema.prefault({}),
  calendar: calendarSchema.optional(),
  routing: routingSchema.optional().describe('Which channel reaches whom for each kind of notice; without it, notices are logged (or posted to the worker webhook).'),
});

export type Plan = z.infer<typeof planSchema>;
/** What a plan file may contain before defaults are applied. */
export type PlanInput = z.input<typeof planSchema>;
export type PlanAction = Plan['actions'][number];
export type PlanTask = PlanAction['tasks'][number];
export type PlanUnit = Plan['units'][number];
export type PlanUnitKind = z.infer<typeof unitKindSchema>;
export type PlanPerson = Plan['people'][number];
export type PersonRole = z.infer<typeof personRoleSchema>;
export type PlanMilestone = Plan['milestones'][number];
export type PlanDeadline = NonNullable<PlanTask['deadline']>;
export type PlanTarget = NonNullable<PlanTask['targets']>[number];
export type PlanOrganization = Plan['organization'];
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
  return {
    ...z.toJSONSchema(planSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://duban.dev/plan.schema.json',
    title: 'duban plan',
    description: 'A government action plan run by duban as durable workflows. Generated from @duban/plan; do not edit.',
  };
}
