/**
 * A plan file as a whole: the fields every plan has, the file schemas of format 1 and 2,
 * the model `planSchema` every format loads into, the plan's types, and the JSON Schema
 * editors complete from. Its parts live beside it, one concern each: `fields.ts` (caps and
 * field types), `unit-schema.ts`, `task-schema.ts`, `section-schema.ts`,
 * `policy-schema.ts`, `routing-schema.ts`.
 */
import { z } from 'zod';
import { PLAN_LIMITS as L, bilingual, id, isoDate } from './fields';
import { groupDutySchema, organizationSchema, personRoleSchema, personSchema, unitKindSchema, unitSchema } from './unit-schema';
import { filingSchema, milestoneSchema, recurringDutySchema, ruleSchema, taskNodeSchema, taskSchema, taskStartSchema } from './task-schema';
import { actionSchema, fileActionSchema, sectionSchema, subsectionSchema } from './section-schema';
import { calendarSchema, escalationRungSchema, policiesSchema } from './policy-schema';
import { channelSchema, routeSchema, routingSchema } from './routing-schema';

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
