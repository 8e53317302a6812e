/**
 * Where tasks stand: format 1's actions (two levels) and format 2's nested sections, which
 * may give their units to the tasks under them; and the top-level section as duban keeps
 * it, whatever the file's format (see `format.ts`).
 */
import { z } from 'zod';
import { PLAN_LIMITS as L, headingTitle, id, name, text } from './fields';
import { planTaskSchema, taskSchema } from './task-schema';

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
export const fileActionSchema = z.strictObject({
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
