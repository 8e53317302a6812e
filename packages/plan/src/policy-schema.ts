/**
 * How task workflows supervise the plan's tasks: the windows, the escalation ladder and
 * the scoring (`policies`), and the working calendar they count days on. Every policy has
 * a default, so a plan may leave them out.
 */
import { z } from 'zod';
import { PLAN_LIMITS as L, isoDate, isoDuration } from './fields';

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

export const calendarSchema = z.strictObject({
  holidays: z.array(isoDate).max(L.calendarDates).default([]).describe('Extra days off, merged over the official schedule (China\'s statutory holidays as the chinese-days library publishes them).'),
  workdays: z
    .array(isoDate)
    .max(L.calendarDates)
    .default([])
    .describe('Extra working days (调休上班), merged over the official schedule (chinese-days).'),
});
