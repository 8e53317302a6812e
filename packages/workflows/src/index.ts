/**
 * Definitions of the duban task workflow for clients, the CLI and the worker. The
 * workflow function itself is bundled from `@duban/workflows/workflows`.
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
  acknowledgeUpdate,
  reportProgressUpdate,
  submitUpdate,
  reviewUpdate,
  requestExtensionUpdate,
  decideExtensionUpdate,
  cancelUpdate,
  taskStateQuery,
  dubanSearchAttributes,
  planSearchAttribute,
  taskNumberSearchAttribute,
  statusSearchAttribute,
  lightSearchAttribute,
  escalationLevelSearchAttribute,
  primaryLeadSearchAttribute,
  nextDeadlineSearchAttribute,
} from './definitions';
export type {
  Assessment,
  BehindReason,
  CarriedState,
  CheckRecord,
  EscalationState,
  EscalationStep,
  ExtensionRecord,
  MessageArgs,
  MessageName,
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
  TaskWorkflowResult,
  TimelineEvent,
  TrafficLight,
  Unit,
  UnitProgress,
} from './definitions';
export {
  acknowledgeArgsSchema,
  reportProgressArgsSchema,
  submitArgsSchema,
  reviewArgsSchema,
  requestExtensionArgsSchema,
  decideExtensionArgsSchema,
  cancelArgsSchema,
  messageArgSchemas,
} from './schemas';
export type {
  AcknowledgeArgs,
  ReportProgressArgs,
  SubmitArgs,
  ReviewArgs,
  RequestExtensionArgs,
  DecideExtensionArgs,
  CancelArgs,
} from './schemas';
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
