/**
 * Definitions of the duban task and campaign workflows for clients, the CLI and the
 * worker: input, state and result types, messages (update definitions and argument
 * schemas), queries, error codes, search attributes and the pure decisions. The workflow
 * functions themselves are bundled from `@duban/workflows/workflows`.
 *
 * @example
 * ```ts
 * import { DUBAN_TASK_QUEUE, taskWorkflowId, acknowledgeUpdate } from '@duban/workflows';
 * const handle = client.workflow.getHandle(taskWorkflowId('xihu-2020', 3));
 * await handle.executeUpdate(acknowledgeUpdate, { args: [{ requestId, actor: 'chengguan-head' }], updateId: requestId });
 * ```
 */
export {
  DUBAN_TASK_QUEUE,
  taskWorkflowId,
  ROLES,
  RUNGS,
  TASK_STATUSES,
  TaskErrorCode,
  taskStateQuery,
} from './task/definitions';
// The search attribute keys and `dubanSearchAttributes`, the list to register.
export * from './task/search-attributes';
export type {
  Assessment,
  BehindReason,
  CarriedState,
  CheckRecord,
  EscalationState,
  EscalationStep,
  ExtensionRecord,
  MessageResult,
  MilestoneCheck,
  Person,
  Role,
  Rung,
  RungRecord,
  SubmissionRecord,
  TaskPolicy,
  TaskState,
  TaskStatus,
  TaskWorkflowInput,
  IdentitySettings,
  TaskWorkflowResult,
  TimelineEvent,
  TrafficLight,
  Unit,
  UnitProgress,
} from './task/definitions';
export {
  acknowledgeUpdate,
  reportProgressUpdate,
  submitUpdate,
  reviewUpdate,
  requestExtensionUpdate,
  decideExtensionUpdate,
  cancelUpdate,
  acknowledgeArgsSchema,
  reportProgressArgsSchema,
  submitArgsSchema,
  reviewArgsSchema,
  requestExtensionArgsSchema,
  decideExtensionArgsSchema,
  cancelArgsSchema,
  messageArgSchemas,
  TASK_MESSAGES,
} from './task/messages';
export type {
  AcknowledgeArgs,
  ReportProgressArgs,
  SubmitArgs,
  ReviewArgs,
  RequestExtensionArgs,
  DecideExtensionArgs,
  CancelArgs,
  MessageArgs,
  MessageName,
  TaskMessage,
} from './task/messages';
export {
  assess,
  behindReasons,
  expectedPercent,
  nextDeadlineAtMs,
  nextRungAtMs,
  trafficLight,
  upcomingChecks,
} from './decisions';
export type { LightFacts, TimedCheck } from './decisions';
export {
  campaignWorkflowId,
  CAMPAIGN_WORKFLOW_TYPE,
  WEEK_MS,
  MAX_KEPT_BULLETINS,
  CampaignErrorCode,
  taskChangedSignal,
  amendTaskSignal,
  amendPlanUpdate,
  boardQuery,
  bulletinsQuery,
  campaignAssessmentQuery,
  rosterQuery,
} from './campaign-definitions';
export type {
  AmendmentRecord,
  AmendmentResult,
  BoardTask,
  Bulletin,
  BreakGlassAct,
  BulletinTask,
  CampaignBoard,
  CampaignBulletins,
  CampaignCarriedState,
  CampaignResult,
  CampaignWorkflowInput,
  RosterChanges,
  DispatchSchedule,
  EscalationMove,
  MoveDeadline,
  PlanAmendment,
  ReassignLeads,
  TaskAmendment,
  TaskSummary,
  UnitAssessment,
  UnitCounts,
  UnitRanking,
} from './campaign-definitions';
export {
  amendmentOutcome,
  applySummary,
  buildBulletin,
  initialBoardTask,
  nextDispatchAtMs,
  rankByUnit,
  refuseAmendment,
  rollUp,
  taskSummary,
  unitCounts,
} from './campaign-decisions';
export type { AmendmentContext, AmendmentRefusal, BulletinFacts, SummaryApplied } from './campaign-decisions';
