/**
 * `@duban/common`: the floor every duban package stands on. No dependencies, no I/O, safe
 * in workflow code. It holds the domain vocabulary, the names shared across processes
 * (task queue, workflow types and IDs, default server, environment variables, paths),
 * notices as data, and the one error model.
 *
 * @example
 * ```ts
 * import { DubanError, ErrorCode, taskWorkflowId, DEFAULT_TEMPORAL_ADDRESS } from '@duban/common';
 * const id = taskWorkflowId('xihu-2020', 3); // 'duban/xihu-2020/task-3'
 * throw new DubanError(ErrorCode.TASK_NOT_FOUND, `No task ${id}: launch the plan first.`, { details: { workflowId: id } });
 * ```
 */
export {
  ROLES,
  WORKER_ROLES,
  REVIEWER_ROLES,
  HQ_ROLES,
  RUNGS,
  TASK_STATUSES,
  TERMINAL_STATUSES,
  isTerminal,
  LIGHTS,
  UNIT_ROLES,
  BEHIND_REASONS,
  SYSTEM_ACTOR,
} from './vocabulary';
export type { Role, Rung, TaskStatus, TrafficLight, UnitRole, BehindReason } from './vocabulary';
export {
  DUBAN_TASK_QUEUE,
  TASK_WORKFLOW_TYPE,
  CAMPAIGN_WORKFLOW_TYPE,
  taskWorkflowId,
  campaignWorkflowId,
  DEFAULT_TEMPORAL_HOST,
  DEFAULT_TEMPORAL_PORT,
  DEFAULT_TEMPORAL_ADDRESS,
  DEFAULT_NAMESPACE,
  DEFAULT_UI_PORT,
  ENV,
  DEFAULT_PATHS,
} from './names';
export { NOTICE_KINDS, NOTICE_DELIVERY, NOTICE_LANGS, DEFAULT_NOTICE_LANG } from './notices';
export type {
  Notice,
  NoticeKind,
  NoticeNames,
  NoticeTask,
  NoticeLang,
  NoticeIssuer,
  NoticeSettings,
  TaskNotice,
  AssignmentNotice,
  NoticeTarget,
  DutyDueNotice,
  RungNotice,
  ReviewRequestedNotice,
  ReviewOverdueNotice,
  ReturnedNotice,
  CommendationNotice,
  ExtensionRequestedNotice,
  ExtensionDecidedNotice,
  CancelledNotice,
  AmendedNotice,
  NotificationFailedNotice,
  NoticeRecipient,
  BulletinNotice,
  Bulletin,
  BreakGlassAct,
  BulletinTask,
  UnitRanking,
  EscalationMove,
} from './notices';
export {
  ERROR_CODES,
  ErrorCode,
  isErrorCode,
  errorKind,
  isRetryable,
  codesOf,
  DubanError,
  isDubanError,
  messageOf,
} from './errors';
export type { CodeOf, ErrorKind, DubanErrorOptions } from './errors';
export {
  AmendmentRuleCode,
  amendmentRuleFindings,
  planMismatch,
  duplicateTaskNumber,
  unknownUnits,
  unknownTask,
  taskFinished,
  deadlineInPast,
} from './amendment-rules';
export type { AmendmentFinding, AmendmentChanges, AmendmentFacts } from './amendment-rules';
