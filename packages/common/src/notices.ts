/**
 * Notices as data: what the workflows tell people, as a kind plus facts. Workflow code
 * builds these; the words, the language and the time zone are chosen outside workflow
 * code by the render step (`@duban/activities`), so a notice can be rendered in Chinese
 * with local times, or in English, without changing (or versioning) workflow code.
 */
import type { BehindReason, Rung, TrafficLight } from './vocabulary';

/** The task a notice is about, as people know it. */
export interface NoticeTask {
  planId: string;
  planTitle?: string;
  taskNumber: number;
  title: { zh: string; en: string };
  /** The primary lead unit's code: whom a formal notice (督办单, 约谈) is addressed to. */
  primaryLead?: string;
  /** The task's deadline in force when the notice was issued: "by when" for notices that carry no deadline of their own. */
  deadlineAt?: string;
  /**
   * That deadline as the plan words it (date, before/by, source words such as 2021年底), so
   * people read "2021年底" rather than an instant. Absent once an extension or amendment
   * moved the deadline, and in notices of tasks launched before plan format 2.
   */
  deadline?: { date: string; rule: 'before' | 'by'; source?: string };
}

/** The languages notices are written in; Chinese first. */
export const NOTICE_LANGS = ['zh', 'en'] as const;
export type NoticeLang = (typeof NOTICE_LANGS)[number];
/** Chinese first: the offices that act on notices read Chinese. */
export const DEFAULT_NOTICE_LANG: NoticeLang = 'zh';

/** Who issues the plan's formal notices (督办单, 约谈): its headquarters and the headquarters' office. */
export interface NoticeIssuer {
  /** 指挥部, e.g. 城市建管十大提升行动指挥部. */
  headquarters: { zh: string; en: string };
  /** 指挥部办公室: signs the notice. */
  office: { zh: string; en: string };
}

/**
 * How the plan wants its notices read, set at launch and carried by every notice. Absent
 * (or partly absent) in notices of tasks launched before: the render step then uses its
 * own options, else Chinese and Asia/Shanghai.
 */
export interface NoticeSettings {
  /** The plan's IANA zone: dates and times are shown in it. */
  timeZone?: string;
  lang?: NoticeLang;
  issuer?: NoticeIssuer;
}

/** Codes the notice names, resolved to names by the render step where it knows them. */
export interface NoticeNames {
  /** Unit code → display name (Chinese first). */
  units?: Record<string, string>;
  /** Unit code → English name, for notices rendered in English. */
  unitsEn?: Record<string, string>;
  /** Person id → name. */
  people?: Record<string, string>;
}

interface TaskNoticeBase {
  task: NoticeTask;
  names?: NoticeNames;
  /** When the notice was issued (workflow time): the date of a formal notice and the year of its number. */
  at?: string;
  settings?: NoticeSettings;
}

/**
 * A target the plan gives a task, as the plan words it (`description`, the source words such
 * as 增长6.2%左右 or 不低于全市平均水平) with what kind of target it is: the render step
 * shows the words, and in English glosses the figure or the comparison.
 */
export interface NoticeTarget {
  description: string;
  /** exact (default): a quantity; rate: a percentage; approx: a figure the source qualifies with 左右/约; relative: a comparison. */
  kind?: 'exact' | 'rate' | 'approx' | 'relative';
  quantity?: number;
  /** Measure word of the quantity, e.g. 座. */
  unit?: string;
  percent?: number;
  /** The comparison in the source words, e.g. 不低于全市平均水平. */
  relation?: string;
}

/** 交办: the task is assigned to its units. */
export interface AssignmentNotice extends TaskNoticeBase {
  kind: 'assignment';
  primaryLead: string;
  assistingLeads: string[];
  responsible: string[];
  /** Cooperating units (配合单位, 协办单位), where the plan names them. */
  cooperating?: string[];
  deadlineAt: string;
  acknowledgementWindowMs: number;
  /** The task's targets (rates, approximate, relative), where the plan gives them (plan format 2). */
  targets?: NoticeTarget[];
}

/** A rung of the accountability ladder: 催办, 督办单, 约谈, 问责. */
export interface RungNotice extends TaskNoticeBase {
  kind: Rung;
  level: number;
  reasons: BehindReason[];
  percent: number;
  light: TrafficLight;
  deadlineAt: string;
  /** The how-many-th notice of this rung on the task (1 for its first 督办单): numbers formal notices. */
  ordinal?: number;
  /** The progress the schedule expected by now (behind-schedule). */
  expectedPercent?: number;
  /** When the task was assigned (unacknowledged). */
  assignedAt?: string;
  /** When the units last reported or acted (stalled). */
  lastActivityAt?: string;
  /** When the next rung follows unless the task catches up: the deadline to reply. Absent on the last rung. */
  replyBy?: string;
}

/** 待审核: the primary lead submitted the consolidated work. */
export interface ReviewRequestedNotice extends TaskNoticeBase {
  kind: 'review-requested';
  submittedBy: string;
  summary: string;
  reviewDueAt: string;
}

/** 审核逾期: a submission waits past its review deadline. */
export interface ReviewOverdueNotice extends TaskNoticeBase {
  kind: 'review-overdue';
  submittedBy: string;
  submittedAt: string;
  reviewDueAt: string;
}

/** 退回整改: the reviewer sent the work back. */
export interface ReturnedNotice extends TaskNoticeBase {
  kind: 'returned';
  reasons: string[];
}

/** 表扬: approved early with a high score. */
export interface CommendationNotice extends TaskNoticeBase {
  kind: 'commendation';
  score: number;
}

/** 延期申请: the primary lead asks HQ for a later deadline. */
export interface ExtensionRequestedNotice extends TaskNoticeBase {
  kind: 'extension-requested';
  requestedBy: string;
  deadlineAt: string;
  reason: string;
}

/** HQ's decision on an extension request. */
export interface ExtensionDecidedNotice extends TaskNoticeBase {
  kind: 'extension-decided';
  decision: 'approved' | 'refused';
  /** The deadline in force after the decision. */
  deadlineAt: string;
  reason?: string;
}

/** 任务撤销. */
export interface CancelledNotice extends TaskNoticeBase {
  kind: 'cancelled';
  reason: string;
}

/** 计划调整: HQ amended the task (deadline moved, leads reassigned). */
export interface AmendedNotice extends TaskNoticeBase {
  kind: 'amended';
  reason: string;
  deadlineAt: string;
  primaryLead: string;
}

/**
 * 调度提醒: a recurring duty of another unit than the task's own falls due (每月调度 by
 * the office that dispatches the task, a check): told to that unit's people (plan format 2).
 */
export interface DutyDueNotice extends TaskNoticeBase {
  kind: 'duty-due';
  /** The check's id (`recurring:<duty>:<date>`). */
  check: string;
  duty: 'dispatch' | 'check';
  /** Unit or group code of who carries the duty out. */
  by: string;
  /** The group's name where `by` is a group (a unit is named by the notice's names). */
  byName?: { zh: string; en: string };
  dueAt: string;
  /** The plan's words for the duty, e.g. 每月调度. */
  label?: string;
}

/** Whom a notification was meant for: a person, a unit, a role, or some of these. */
export interface NoticeRecipient {
  unit?: string;
  person?: string;
  role?: string;
}

/**
 * 通知未送达: a notification of the task could not be delivered, so HQ can reach its
 * recipients another way. The task records `notification.failed` in its audit trail and
 * moves on to its next notification. When this notice itself cannot be delivered, that is
 * recorded too, and nobody is told again.
 */
export interface NotificationFailedNotice extends TaskNoticeBase {
  kind: 'notification-failed';
  /** The notification that did not arrive. */
  undelivered: { kind: NoticeKind; idempotencyKey: string; at: string; recipients: NoticeRecipient[] };
  /**
   * `rejected`: the receiver refused it (4xx): sending again would not help.
   * `unavailable`: every attempt failed (5xx, timeout, unreachable), see {@link NOTICE_DELIVERY}.
   */
  reason: 'rejected' | 'unavailable';
  /** The error code of the last attempt, e.g. `WEBHOOK_REJECTED`. */
  code: string;
}

// -- Campaign bulletins (周调度通报) --------------------------------------------------------

export interface BulletinTask {
  taskNumber: number;
  title: string;
  light: TrafficLight;
  percent: number;
  deadlineAt: string;
  escalationLevel: number;
}

/** One unit's entry in a ranking: the unit with the most flagged tasks comes first. */
export interface UnitRanking {
  rank: number;
  unit: string;
  tasks: BulletinTask[];
}

export interface EscalationMove {
  taskNumber: number;
  unit: string;
  at: string;
}

/** An operator acted for an absent person (break-glass): both identities, named in the next bulletin. */
export interface BreakGlassAct {
  taskNumber: number;
  /** The task's event sequence number of the act. */
  seq: number;
  at: string;
  /** Who signed (HQ office). */
  signer: string;
  /** Whom the instruction was given for. */
  actor: string;
  message: string;
  reason: string;
}

export interface Bulletin {
  /** 1, 2, 3…; 0 for a preview. */
  number: number;
  at: string;
  periodStart: string;
  periodEnd: string;
  /** Red: overdue. */
  overdue: UnitRanking[];
  /** Yellow: behind the expected progress. */
  atRisk: UnitRanking[];
  escalationsOpened: EscalationMove[];
  escalationsClosed: EscalationMove[];
  /** Break-glass acts since the previous bulletin. */
  breakGlass?: BreakGlassAct[];
  totals: { tasks: number; green: number; yellow: number; red: number; approved: number; cancelled: number };
}

/** 周调度通报: the weekly bulletin to headquarters. */
export interface BulletinNotice {
  kind: 'bulletin';
  plan: { id: string; title: string };
  names?: NoticeNames;
  settings?: NoticeSettings;
  bulletin: Bulletin;
}

export type TaskNotice =
  | AssignmentNotice
  | RungNotice
  | ReviewRequestedNotice
  | ReviewOverdueNotice
  | ReturnedNotice
  | CommendationNotice
  | ExtensionRequestedNotice
  | ExtensionDecidedNotice
  | CancelledNotice
  | AmendedNotice
  | NotificationFailedNotice
  | DutyDueNotice;

export type Notice = TaskNotice | BulletinNotice;
export type NoticeKind = Notice['kind'];

export const NOTICE_KINDS = [
  'assignment',
  'reminder',
  'supervision-notice',
  'interview',
  'accountability',
  'review-requested',
  'review-overdue',
  'returned',
  'commendation',
  'extension-requested',
  'extension-decided',
  'cancelled',
  'amended',
  'notification-failed',
  'bulletin',
  'duty-due',
] as const satisfies readonly NoticeKind[];

/**
 * The bounds of delivering one notification, shared by the task workflow (its
 * notification lane), the `notify` activity's options and the webhook notifier.
 *
 * One round is one `notify` activity of at most `attemptsPerRound` attempts (1 s, then
 * 2 s apart). A round that ends on a retryable failure (5xx, 408, 429, timeout,
 * unreachable) is followed by another after `roundWaitsMs[round - 1]`, at most `rounds`
 * rounds; then the notification is recorded as `notification.failed`, HQ is told, and the
 * next one goes. A rejection (other 4xx) ends at once. So a receiver gets one notification
 * at most `attemptsPerRound × rounds` (9) times over about 11 minutes, always with the same
 * `Idempotency-Key` header: receivers drop repeats of a key.
 *
 * Each attempt is cut by the activity's start-to-close timeout (`activityTimeoutMs`);
 * the webhook's own timeout may be at most `maxWebhookTimeoutMs`, so the notifier ends a
 * slow attempt itself (and says why) before Temporal abandons it.
 */
export const NOTICE_DELIVERY = {
  attemptsPerRound: 3,
  rounds: 3,
  roundWaitsMs: [60_000, 600_000],
  activityTimeoutMs: 30_000,
  maxWebhookTimeoutMs: 25_000,
} as const;
