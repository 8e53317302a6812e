import { Duration } from 'luxon';
import { z } from 'zod';

/**
 * Codes attached (as `params.code`) to the refinements below, so the loader can report
 * them under their own stable problem code instead of the generic `PLAN_SCHEMA`.
 */
export const REFINEMENT_CODES = {
  duration: 'INVALID_DURATION',
} as const;

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
  zh: z.string().min(1).describe('The source words in Chinese.'),
  en: z.string().min(1).describe('An English gloss.'),
});

export const unitKindSchema = z.enum(['office', 'community', 'external']);

export const unitSchema = z.strictObject({
  code: z.string().min(1).describe('Stable code used everywhere else in the plan, e.g. chengguan.'),
  name: z.string().min(1).describe('Chinese name as the source writes it, e.g. 城管办.'),
  en: z.string().min(1).describe('English gloss.'),
  kind: unitKindSchema.describe(
    'office: an office of the street; community: a residents committee; external: a body outside the street (a district bureau) that the street supports.',
  ),
  example: z.boolean().optional().describe('True when the unit is an invented example, not from the source.'),
});

export const personRoleSchema = z.enum(['unit-head', 'staff', 'supervisor', 'hq-office', 'accountability']);

export const personSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  unit: z.string().min(1).describe('Unit code of the unit the person belongs to.'),
  roles: z.array(personRoleSchema),
  example: z.boolean().optional().describe('True when the person is an invented example.'),
});

export const ruleSchema = z
  .enum(['before', 'by'])
  .describe(
    'before D: due at D 00:00 in the plan time zone (done before D starts). by D: due at the end of D, i.e. D+1 00:00.',
  );

export const milestoneSchema = z.strictObject({
  id: z.string().min(1),
  source: z.string().min(1).describe('The source words, e.g. 2020年国庆节前.'),
  due: isoDate,
  rule: ruleSchema,
  focusActions: z.array(z.number().int().positive()).describe('Numbers of the actions this milestone focuses on.'),
  en: z.string().min(1),
  focus: z.string().optional().describe('What the source says should be achieved by then, in its words.'),
});

export const deadlineSchema = z.strictObject({
  date: isoDate,
  rule: ruleSchema,
  source: z.string().min(1).describe('The source words that give the deadline, e.g. 于2020年内.'),
});

export const targetSchema = z.strictObject({
  description: z.string().min(1),
  quantity: z.number().positive(),
  unit: z.string().min(1).describe('Measure word, e.g. 座.'),
  scope: z
    .enum(['street', 'district', 'city'])
    .optional()
    .describe('Whose target it is; district or city when the street only supports a wider target.'),
});

export const taskSchema = z.strictObject({
  number: z.number().int().positive(),
  title: bilingual,
  description: z.string().min(1).describe('The task text in the source words.'),
  lead: z
    .array(z.string())
    .describe('Lead unit codes in source order: the first is primary, the rest assist (牵头单位以排名在前的为主).'),
  responsible: z.array(z.string()).describe('Responsible unit codes (责任单位).'),
  responsibleSource: z
    .string()
    .optional()
    .describe('The source words for the responsible units, e.g. 各相关社区 or 各社区.'),
  supports: z
    .array(z.string())
    .optional()
    .describe('Codes of external units whose work this task assists (积极配合区城建局…).'),
  milestones: z.array(z.string()).describe('Ids of the milestones that check this task.'),
  deadline: deadlineSchema.optional().describe("The task's own deadline, where the source gives one."),
  targets: z.array(targetSchema).optional().describe('Quantitative targets the source gives.'),
});

export const actionSchema = z.strictObject({
  number: z.number().int().positive(),
  title: bilingual,
  preamble: z.string().optional().describe('Text the source puts under the action heading before its tasks.'),
  tasks: z.array(taskSchema),
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

export const organizationSchema = z.strictObject({
  headquarters: z.strictObject({
    name: z.string().min(1),
    en: z.string().min(1),
    leaders: z.array(z.string()).describe('Person ids of the headquarters leaders.'),
  }),
  office: z.strictObject({
    name: z.string().min(1),
    en: z.string().min(1),
    hostUnit: z.string().min(1).describe('Unit code of the unit that hosts the office (指挥部办公室设在城管办).'),
  }),
  groups: z.array(
    z.strictObject({
      code: z.enum(['publicity', 'supervision', 'accountability']),
      name: z.string().min(1),
      en: z.string().min(1),
      members: z.array(z.string()).describe('Person ids.'),
    }),
  ),
  subHeadquarters: z.array(
    z.strictObject({
      action: z.number().int().positive(),
      name: z.string().min(1),
      en: z.string().min(1),
      leads: z.array(z.string()).describe('Unit codes that lead the sub-headquarters.'),
    }),
  ),
});

export const calendarSchema = z.strictObject({
  holidays: z.array(isoDate).default([]).describe('Extra days off, merged over the built-in official schedule.'),
  workdays: z
    .array(isoDate)
    .default([])
    .describe('Extra working days (调休上班), merged over the built-in official schedule.'),
});

export const planSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'Use lower-case letters, digits and hyphens, e.g. xihu-2020.'),
  title: bilingual,
  timeZone: z.string().min(1).describe('IANA time zone, e.g. Asia/Shanghai.'),
  campaign: z.strictObject({
    start: isoDate.describe('First day of the campaign, inclusive.'),
    end: isoDate.describe('Last day of the campaign, inclusive.'),
  }),
  units: z.array(unitSchema),
  organization: organizationSchema,
  people: z.array(personSchema),
  milestones: z.array(milestoneSchema),
  actions: z.array(actionSchema),
  policies: policiesSchema.prefault({}),
  calendar: calendarSchema.optional(),
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
