/**
 * Definitions of the duban task and campaign workflows for clients, the CLI and the
 * worker: input, state and result types, messages (update definitions and argument
 * schemas), queries, error codes, search attributes and the pure decisions. The workflow
 * functions themselves are bundled from `@duban/workflows/workflows`.
 *
 * @example
 * ```ts
 * import { DUBAN_TASK_QUEUE, taskWorkflowId, acknowledgeUpdate } from '@duban/workflows';
 * import { instructionDigest, signInstruction } from '@duban/identity';
 * const handle = client.workflow.getHandle(taskWorkflowId('xihu-2020', 3));
 * const args = { requestId, actor: 'chengguan-head' };
 * const instruction = { workflowId: handle.workflowId, message: acknowledgeUpdate.name, args };
 * const proof = signInstruction(instruction, signingKey, { issuedAt: new Date().toISOString() });
 * // As `@duban/client` does: `<requestId>:<digest16>:<signature16>`, so a re-sent request
 * // reaches the workflow (answered applied: false) instead of Temporal replaying the first outcome.
 * const updateId = `${requestId}:${instructionDigest(instruction).slice(0, 16)}:${proof.signature.slice(0, 16)}`;
 * await handle.executeUpdate(acknowledgeUpdate, { args: [{ ...args, proof }], updateId });
 * ```
 */
export {
  DUBAN_TASK_QUEUE,
  taskWorkflowId,
  ROLES,
  RUNGS,
  TASK_STATUSES,
  TaskErrorCode,
  PROOF_REFUSALS,
  taskStateQuery,
  MESSAGE_LIMITS,
  REQUEST_ID_PATTERN,
  TASK_STATE_LIMITS,
  canonicalBytes,
  eventCount,
} from './task/definitions';
// The search attribute keys and `dubanSearchAttributes`, the list to register.
export * from './task/search-attributes';
export type {
  Assessment,
  BehindReason,
  CarriedState,
  EarlierEvents,
  ProcessedRequest,
  CheckRecord,
  EscalationState,
  EscalationStep,
  ExtensionRecord,
  MessageResult,
  MilestoneCheck,
  DatedCheckKind,
  PlanDeadlineWords,
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
  TASK_MESSAGES,
} from './task/messages';
export { PRELOADED_MODULES, workflowBundleOptions } from './bundle';
export type { DubanBundleOptions } from './bundle';
// The zod schemas derived from the messages' forms (clients only: never bundled into workflow code).
export {
  acknowledgeArgsSchema,
  reportProgressArgsSchema,
  submitArgsSchema,
  reviewArgsSchema,
  requestExtensionArgsSchema,
  decideExtensionArgsSchema,
  cancelArgsSchema,
  messageArgSchemas,
  zodSchemaOf,
} from './task/messages/schemas';
export { parseArgs, INSTANT_PATTERN, ARG_MESSAGES } from './task/messages/args';
export type { ArgsShape, ArgIssue, ArgsParse, Infer as InferArgs, Shape as ArgShape } from './task/messages/args';
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
export { messagesTable, withMessagesTable, MESSAGES_TABLE_MARKERS } from './task/messages/table';
export { COMMON_REFUSALS, OPEN_STATUSES, limitIssues, parseMessageArgs } from './task/messages/message';
export type { Senders, RuleContext } from './task/messages/message';
export { REMEMBERED_REQUESTS } from './task/identity';
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
// The campaign workflow: its id, constants and messages; its input, state and result; the
// board, the bulletins and the amendments, with the pure decisions about each.
export {
  campaignWorkflowId, CAMPAIGN_WORKFLOW_TYPE, CampaignErrorCode, WEEK_MS, MAX_KEPT_BULLETINS, AMENDMENT_LIMITS, amendmentOverLimit,
  taskChangedSignal, amendTaskSignal, amendPlanUpdate, boardQuery, bulletinsQuery, campaignAssessmentQuery, rosterQuery,
  BOARD_PAGE_SIZE, MAX_LISTED_ALREADY_RUNNING, LAUNCHED_BY_MEMO, STORE_PLAN_WORKFLOW_TYPE, storePlanWorkflowId, bulletinHeadline,
} from './campaign-definitions';
export type {
  CampaignWorkflowInput, DispatchSchedule, CampaignCarriedState, CampaignResult, UnitAssessment,
  TaskSummary, BoardTask, CampaignBoard, UnitCounts, EscalationMove,
  Bulletin, BulletinTask, CampaignBulletins, UnitRanking, BreakGlassAct,
  PlanAmendment, MoveDeadline, ReassignLeads, RosterChanges, KeyRef, TaskAmendment, AmendmentResult, AmendmentRecord,
  BoardQueryOptions, BulletinHeadline, LaunchProgress, StartTaskBatchInput, StartTaskBatchResult, CampaignLaunchActivities, StorePlanPartInput,
} from './campaign-definitions';
// A campaign's plan and state stored outside its payloads: the stored plan and the snapshot.
export {
  STORED_PART_BYTES, TASK_BATCH_SIZE, storedPlanOf, taskInputOf, storedPlanText, boardSeedOf, utf8Length, splitIntoParts, storedBoardLine, boardLineOf,
} from './campaign-storage';
export type { StoredPlan, StoredPlanRef, StoredTask, StoredPlanSection, BoardSeed, CampaignSnapshot, CampaignSnapshotRef, StoredBoardLine } from './campaign-storage';
export {
  initialBoardTask, applySummary, taskSummary, unitCounts, collectBreakGlass,
  rankByUnit, buildBulletin, nextDispatchAtMs,
  rosterOfRecord, taskPeopleFromRoster, taskFromRoster, taskChanges, refuseAmendment, amendmentOutcome,
  rollUp,
} from './campaign-decisions';
export type { AmendmentRefusal, BulletinFacts, SummaryApplied, TaskChange } from './campaign-decisions';
export { applyRosterChanges, changesRoster, refuseRosterChanges, refuseSigner } from './campaign-roster';
export { signaturesRequired } from './identity-check';
export type { AuthorisationContext, RosterChanged, RosterRefusal } from './campaign-roster';
