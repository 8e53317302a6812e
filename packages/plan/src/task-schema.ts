/**
 * A task and everything dated in it: the "before D" / "by D" rule, milestones, deadlines,
 * dated nodes, recurring duties, a later start, filings and targets. Format 1 and 2 share
 * these fields; only where a task stands (actions or sections) differs, see `section-schema.ts`.
 */
import { z } from 'zod';
import { PLAN_LIMITS as L, headingTitle, id, isoDate, name, note, text } from './fields';

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
