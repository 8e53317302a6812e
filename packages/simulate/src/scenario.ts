/**
 * The scenario file format: how the simulated people of a plan behave. A zod schema (the
 * JSON Schema in `scenarios/scenario.schema.json` is generated from it), the types it
 * yields, and the resolution of a unit's behaviour on one task into whole days.
 */
import { Duration } from 'luxon';
import { z } from 'zod';
import { REFINEMENT_CODES } from '@duban/plan';

/** How a unit works, in the words of the operations team. */
export const PROFILES = ['punctual', 'slow', 'stalls', 'never-acknowledges', 'asks-extension'] as const;
export type Profile = (typeof PROFILES)[number];

/** The decisions HQ's office takes on an extension request. */
export const EXTENSION_DECISIONS = ['grant', 'refuse'] as const;

const isoDate = z.iso.date().describe('A calendar date, YYYY-MM-DD, in the years the plan file is written for (shifted like the plan with --campaign-year).');

/** Same refinement code as the plan's durations, so the one pipeline reports INVALID_DURATION. */
const isoDuration = z
  .string()
  .refine(
    (text) => {
      const duration = Duration.fromISO(text);
      return duration.isValid && duration.toMillis() > 0;
    },
    { message: 'Not a positive ISO-8601 duration.', params: { code: REFINEMENT_CODES.duration } },
  )
  .describe('A positive ISO-8601 duration such as P3D or P2W; the simulation counts whole days.');

const rate = z.number().min(0).max(1).describe('A share between 0 and 1.');

const behaviourShape = {
  profile: z
    .enum(PROFILES)
    .optional()
    .describe(
      'punctual: finishes before the deadline. slow: finishes `delay` after it. stalls: stops reporting at `stallAt` percent for `stallFor`. ' +
        'never-acknowledges: never takes the task on (签收). asks-extension: finishes `delay` late but asks HQ for an extension `askBefore` the deadline.',
    ),
  acknowledgeWithin: isoDuration.optional().describe('Acknowledges (签收) at most this long after assignment (drawn in whole days). Default P1D.'),
  reportEvery: isoDuration.optional().describe("As the primary lead, reports progress this often (up to 20% sooner, never later); the plan's stall window counts the gaps. Default P13D."),
  early: isoDuration.optional().describe('punctual: finishes between a third of this and this long before the deadline. Default P30D.'),
  delay: isoDuration.optional().describe('slow, asks-extension: finishes this long after the deadline. Default P30D.'),
  stallAt: z.number().int().min(1).max(99).optional().describe('stalls: the percent at which the work stops. Default 50.'),
  stallFor: isoDuration.optional().describe('stalls: how long it stops for. Default P30D.'),
  askBefore: isoDuration.optional().describe('asks-extension: asks this long before the deadline. Default P14D.'),
  returnRate: rate.optional().describe("The share of its submissions the reviewers send back (退回); default the reviewers' rate."),
};

export const behaviourSchema = z.strictObject(behaviourShape).describe("A unit's way of working; every field is optional and falls back to `defaults`, then to the built-in defaults.");
export type BehaviourInput = z.infer<typeof behaviourSchema>;

export const reviewersSchema = z.strictObject({
  delay: isoDuration.optional().describe('Each review comes one day to this long after the submission. Default P3D.'),
  returnRate: rate.optional().describe('The share of submissions sent back for rework. Default 0.1.'),
  score: z
    .strictObject({
      min: z.number().int().min(0).describe('The lowest score a reviewer gives.'),
      max: z.number().int().min(0).describe("The highest score a reviewer gives (at most the plan's scoring base)."),
    })
    .optional()
    .describe('Scores given on approval, drawn evenly. Default 90 to 100.'),
});

export const hqSchema = z.strictObject({
  delay: isoDuration.optional().describe("HQ office decides an extension request this long after it (whole days). Default P2D."),
  extensions: z.enum(EXTENSION_DECISIONS).optional().describe('What HQ office decides on the extensions units ask for. Default grant.'),
});

export const eventSchema = z
  .strictObject({
    on: isoDate,
    amend: z.string().min(1).optional().describe('An amendment file (path relative to this scenario) that HQ office issues on this date.'),
    extension: z
      .strictObject({
        task: z.number().int().positive(),
        to: isoDate.describe('The new deadline: the end of this day.'),
      })
      .optional()
      .describe("The task's primary lead asks for this deadline on this date and HQ office grants it."),
    change: z
      .strictObject({
        ...behaviourShape,
        unit: z.string().min(1).optional().describe('The unit whose behaviour changes (every task it works on).'),
        task: z.number().int().positive().optional().describe("Only this task (its primary lead's behaviour)."),
      })
      .optional()
      .describe("From this date on, the unit's (or the task's primary lead's) behaviour takes these values."),
  })
  .describe('A one-off event: exactly one of amend, extension, change.');
export type ScenarioEvent = z.infer<typeof eventSchema>;

export const scenarioSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'Use lower-case letters, digits and dashes.')
    .describe('Names the scenario and its output directory, e.g. default.'),
  title: z.strictObject({ zh: z.string().min(1), en: z.string().min(1) }).describe('What the scenario plays, in Chinese and English.'),
  plan: z.string().min(1).optional().describe('The id of the plan the scenario is written for; checked against the plan simulated.'),
  seed: z.number().int().min(0).max(2_147_483_647).optional().describe('The seed of the random draws (--seed overrides it). Default 1.'),
  defaults: behaviourSchema.optional().describe('How every unit works unless `units` or `tasks` says otherwise.'),
  units: z.record(z.string(), behaviourSchema).optional().describe('By unit code: how that unit works, on every task it has a part in.'),
  tasks: z.record(z.string(), behaviourSchema).optional().describe("By task number: how the task's primary lead works on that task."),
  reviewers: reviewersSchema.optional().describe('The supervisors and HQ office who review submitted work.'),
  hq: hqSchema.optional().describe('HQ office deciding extension requests.'),
  events: z.array(eventSchema).optional().describe('One-off events on dates: an amendment, an extension granted, a behaviour changed.'),
});
export type Scenario = z.infer<typeof scenarioSchema>;

/** The JSON Schema of scenario files (`scenarios/scenario.schema.json`), generated from {@link scenarioSchema}. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://duban.dev/scenario.schema.json',
    title: 'duban simulation scenario',
    description: 'How the simulated people of a plan behave in `duban simulate`. Generated from @duban/simulate; do not edit.',
  };
}

/** A unit's behaviour on one task, resolved to whole days. */
export interface Behaviour {
  profile: Profile;
  acknowledgeWithinDays: number;
  reportEveryDays: number;
  earlyDays: number;
  delayDays: number;
  stallAt: number;
  stallForDays: number;
  askBeforeDays: number;
  /** Undefined: the reviewers' rate. */
  returnRate: number | undefined;
}

export interface ReviewerBehaviour {
  delayDays: number;
  returnRate: number;
  scoreMin: number;
  scoreMax: number;
}

export interface HqBehaviour {
  delayDays: number;
  extensions: (typeof EXTENSION_DECISIONS)[number];
}

/** Whole days of a duration, at least one (the simulation's people act once a day). */
export function wholeDays(iso: string): number {
  return Math.max(1, Math.round(Duration.fromISO(iso).as('days')));
}

const BUILT_IN: Required<Omit<BehaviourInput, 'returnRate'>> = {
  profile: 'punctual',
  acknowledgeWithin: 'P1D',
  reportEvery: 'P13D',
  early: 'P30D',
  delay: 'P30D',
  stallAt: 50,
  stallFor: 'P30D',
  askBefore: 'P14D',
};

/** Layers behaviour inputs, later ones winning field by field. */
export function mergeBehaviour(...layers: ReadonlyArray<BehaviourInput | undefined>): BehaviourInput {
  const merged: BehaviourInput = {};
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

export function resolveBehaviour(input: BehaviourInput): Behaviour {
  const b = { ...BUILT_IN, ...mergeBehaviour(input) };
  return {
    profile: b.profile,
    acknowledgeWithinDays: wholeDays(b.acknowledgeWithin),
    reportEveryDays: wholeDays(b.reportEvery),
    earlyDays: wholeDays(b.early),
    delayDays: wholeDays(b.delay),
    stallAt: b.stallAt,
    stallForDays: wholeDays(b.stallFor),
    askBeforeDays: wholeDays(b.askBefore),
    returnRate: input.returnRate,
  };
}

export function resolveReviewers(input: Scenario['reviewers']): ReviewerBehaviour {
  return {
    delayDays: wholeDays(input?.delay ?? 'P3D'),
    returnRate: input?.returnRate ?? 0.1,
    scoreMin: input?.score?.min ?? 90,
    scoreMax: input?.score?.max ?? 100,
  };
}

export function resolveHq(input: Scenario['hq']): HqBehaviour {
  return { delayDays: wholeDays(input?.delay ?? 'P2D'), extensions: input?.extensions ?? 'grant' };
}

/** The behaviour of `unit` on task `taskNumber` as the scenario gives it: defaults, then the unit's, then (for the primary lead) the task's. */
export function behaviourOf(scenario: Scenario, unit: string, taskNumber: number, primary: boolean): BehaviourInput {
  return mergeBehaviour(scenario.defaults, scenario.units?.[unit], primary ? scenario.tasks?.[String(taskNumber)] : undefined);
}
