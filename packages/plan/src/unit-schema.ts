/**
 * Who the plan names: its units (and the collectives that stand for them), the people on
 * its roster, and the headquarters with its office and working groups. The checks and
 * routing read these; how a person is reached (`contactSchema`) belongs to routing.
 */
import { z } from 'zod';
import { PLAN_LIMITS as L, id, name } from './fields';
import { contactSchema } from './routing-schema';

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

export const personSchema = z.strictObject({
  id: id().min(1),
  name: name().min(1),
  unit: id().min(1).describe('Unit code of the unit the person belongs to.'),
  roles: z.array(personRoleSchema).max(personRoleSchema.options.length),
  contact: contactSchema.optional().describe("How notifications reach this person (see routing)."),
  example: z.boolean().optional().describe('True when the person is an invented example.'),
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
