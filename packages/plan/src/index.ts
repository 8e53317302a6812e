/**
 * `@duban/plan`: the plan file format, its loader and its calendar, and amendment files.
 *
 * ```ts
 * import { loadPlanFile, taskSchedule, formatProblem, PlanValidationError } from '@duban/plan';
 *
 * try {
 *   const plan = await loadPlanFile('plans/xihu-2020.yaml');
 *   const { milestones, deadlineAt } = taskSchedule(plan, 4);
 *   // milestones: [{ id: 'end-2021', dueAt: '2022-01-01T00:00:00.000+08:00' }] (2021年底 → by 2021-12-31)
 *   // deadlineAt: '2021-01-01T00:00:00.000+08:00' (于2020年内 → by 2020-12-31: the end of that day)
 * } catch (error) {
 *   if (error instanceof PlanValidationError) for (const p of error.problems) console.error(formatProblem(p));
 * }
 * ```
 *
 * Use `parsePlan(text, fileName)` when you want problems as data instead of an exception.
 * Plan files come in format 1 (`actions`) and format 2 (`format: 2`, nested `sections`);
 * both load into one `Plan` (see `format.ts`), and `migratePlanText` upgrades 1 to 2.
 * Date conventions ("before D" vs "by D") are documented on `dueInstant`; `describeDue`
 * says a date the way the plan does ("2021年底", "by 2021-12-31"), and `taskChecks` lists
 * every dated check of a task (milestones, nodes, recurring duties, filing). Calendar code
 * uses luxon and must not be imported into workflow code; pass its ISO strings to
 * workflows instead.
 */
export { planSchema, planFileV1Schema, planFileV2Schema, planJsonSchema } from './schema';
export { PLAN_LIMITS } from './fields';
export { unitKindSchema, groupDutySchema, personRoleSchema } from './unit-schema';
export { policiesSchema, escalationRungSchema, DEFAULT_ESCALATION } from './policy-schema';
export { routingSchema, channelSchema, contactSchema, noticeKindSchema } from './routing-schema';
export type {
  Plan,
  PlanInput,
  PlanAction,
  PlanTask,
  PlanTaskNode,
  PlanRecurringDuty,
  PlanFiling,
  PlanTaskStart,
  PlanGroupDuty,
  PlanFileV1,
  PlanFileV2,
  PlanFileSection,
  PlanUnit,
  PlanUnitKind,
  PlanPerson,
  PersonRole,
  PlanMilestone,
  PlanDeadline,
  PlanTarget,
  PlanOrganization,
  PlanPolicies,
  EscalationRung,
  DueRule,
  PlanCalendar,
  PlanContact,
  PlanRouting,
  PlanChannel,
  PlanRoute,
} from './schema';
export type { PlanHeading } from './task-schema';
export type { FileSubsection } from './section-schema';
export {
  PlanProblemCode,
  AmendmentProblemCode,
  PlanValidationError,
  AmendmentValidationError,
  PlanLookupError,
  formatProblem,
  formatAmendmentProblem,
  formatPath,
} from './problems';
export type { Problem, PlanProblem, AmendmentProblem, PlanResult, PathSegment } from './problems';
export { parsePlan, loadPlanFile, readPlanFile } from './loader';
// The one located-YAML pipeline, for other file kinds (simulation scenarios) validated the way plans are.
export { parseDocumentText, readDocumentFile } from './pipeline';
export { REFINEMENT_CODES } from './fields';
export type { DocumentKind, DocumentResult, PipelineCode } from './pipeline';
export type { Finding } from './problems';
export {
  dueInstant,
  milestoneInstant,
  taskDeadlineInstant,
  taskSchedule,
  findTask,
  isWorkingDay,
  addWorkingDays,
  buildWorkCalendar,
  workCalendarFor,
  rebasePlan,
  officialSchedule,
  OFFICIAL_SCHEDULE_YEARS,
  campaignEndInstant,
} from './calendar';
export { describeDue, describeDueInstant, describeInstant, describeTaskDeadline, expandCollectives, leadsInResponsibleCollectives, taskChecks, recurringOccurrences, RECURRING_LIMIT } from './due';
export type { DueDate, DueLang, LeadInCollective, TaskCheck } from './due';
export { planFromV1, planFromV2 } from './format';
export { migratePlanText } from './migrate';
export type { MigrationChange, MigrationResult } from './migrate';
export type { WorkCalendar, TaskSchedule } from './calendar';
export { planSummary } from './summary';
export type { PlanSummary, PlanTaskRow } from './summary';
export {
  amendmentSchema,
  amendmentFindings,
  applyAmendment,
  loadAmendmentFile,
  parseAmendment,
  readAmendmentFile,
  rebaseAmendment,
} from './amendment';
export type { Amendment, AmendmentResult, AmendmentTask } from './amendment';
