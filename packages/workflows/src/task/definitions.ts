/**
 * What a client, the worker and the workflow share about the task workflow: its input,
 * state, result, query and error codes; its search attributes are in `./search-attributes`.
 * The vocabulary and names come from `@duban/common` and are re-exported here. The
 * messages (updates with their argument schemas, rules and effects) live in `./messages/`,
 * which imports this file, never the other way round. Importing this module never loads
 * workflow code.
 */
import type { RosterKey } from '@duban/identity';
import { defineQuery } from '@temporalio/workflow';
import { utf8ToBytes } from '@noble/hashes/utils';
import canonicalize from 'canonicalize';
import { codesOf, type BehindReason, type ErrorCode, type BreakGlassAct, type NoticeIssuer, type NoticeLang, type NoticeTarget, type Role, type Rung, type TaskStatus, type TrafficLight, type UnitRole, type CodeOf } from '@duban/common';

export { DUBAN_TASK_QUEUE, ROLES, RUNGS, TASK_STATUSES, taskWorkflowId } from '@duban/common';
export type { BehindReason, Role, Rung, TaskStatus, TrafficLight } from '@duban/common';

// ---------------------------------------------------------------------------------------
// Input

export interface Person {
  id: string;
  name: string;
  /** Unit code, e.g. `chengjian`. HQ-level people belong to the unit hosting the HQ office. */
  unit: string;
  roles: Role[];
  /**
   * The person's public keys in the roster of record. Every instruction the person gives is
   * signed with one of them and checked in the workflow; issuing, rotating and revoking
   * keys is an HQ amendment.
   */
  keys?: RosterKey[];
}

export interface Unit {
  code: string;
  name: string;
  en: string;
}

export interface MilestoneCheck {
  id: string;
  /** Absolute instant (ISO with offset) computed from the plan's calendar outside workflow code. */
  dueAt: string;
  /**
   * Progress (percent) the plan expects by this milestone. Without it the expectation is
   * linear between assignment and the deadline.
   */
  expectedPercent?: number;
  /**
   * What kind of dated check it is (plan format 2, `TaskWorkflowInput.checks`); absent: a
   * milestone. How each kind is judged: {@link DatedCheckKind}.
   */
  kind?: DatedCheckKind;
  /** The plan's words for it (8月底前, 每月23日前报送, 报市发改委备案), for people. */
  label?: string;
  /** A recurring duty's kind: `report` is the task's units', `dispatch` and `check` are `by`'s. */
  duty?: 'report' | 'dispatch' | 'check';
  /** Unit code of who carries a recurring duty out, where not the task's own units (the office that dispatches). */
  by?: string;
  /** The recurring duty an occurrence belongs to (its id in the plan): a report is due since the previous occurrence of the same duty. */
  series?: string;
}

/**
 * The kinds of dated check of a task (plan format 2), each checked at its instant with the
 * light and the ladder as a milestone is:
 * - `milestone`, `node` (one of several dated nodes inside the task) and `filing` (报…备案
 *   by a date): missed when the task is not submitted and its progress trails what the
 *   schedule expects then (`expectedPercent`, else linear from assignment to the deadline)
 *   by more than the tolerance: the light turns yellow and an escalation episode starts;
 * - `recurring` with duty `report` (每月23日前报送): missed when no lead unit reported
 *   progress since the previous occurrence of the duty (or since assignment) and the task
 *   is not submitted: the light turns yellow (an episode starts, reason behind-schedule)
 *   until the next progress report recomputes it;
 * - `recurring` with duty `dispatch` or `check` (每月调度 by a named office): the duty of
 *   `by`, not of the task's units: recorded at its instant (`duty.due`) with the light as
 *   it stands, and not counted in the task's score.
 * Occurrences due before the task was assigned (launched mid-campaign) are skipped.
 */
export type DatedCheckKind = 'milestone' | 'node' | 'recurring' | 'filing';

/** A deadline as the plan words it, for people: "2021年底" rather than an instant. */
export interface PlanDeadlineWords {
  date: string;
  rule: 'before' | 'by';
  /** The source words, e.g. 于2020年内. */
  source?: string;
}

export interface EscalationStep {
  rung: Rung;
  /** Wait after falling behind (first rung) or after the previous rung. */
  waitMs: number;
}

export interface TaskPolicy {
  /** The primary lead unit must acknowledge (签收) within this window after assignment. */
  acknowledgementWindowMs: number;
  /** How often supervisors are reminded again while a review stays overdue. */
  reminderCadenceMs: number;
  /** A task with no progress report for this long is stalled. */
  stallWindowMs: number;
  /** Reviewers must decide within this long after submission. */
  reviewDeadlineMs: number;
  /** When true, the primary lead may submit only after every assisting unit has reported. */
  requireAssistingReports: boolean;
  /** Percentage points a task may trail the expected progress and still be green. */
  yellowTolerance: number;
  escalation: EscalationStep[];
  /**
   * Whether a reviewer may belong to the primary lead's own unit. False (or absent):
   * refused as a conflict of interest (CONFLICT_OF_INTEREST).
   */
  allowSameUnitReview?: boolean;
  scoring: {
    /** The highest score a reviewer may give. */
    base: number;
    deductions: { yellow: number; red: number; rungs: Record<Rung, number> };
    commendation: { minScore: number; earlyByMs: number };
  };
}

export interface TaskWorkflowInput {
  planId: string;
  planTitle?: string;
  taskNumber: number;
  title: { zh: string; en: string };
  actionNumber: number;
  /** Unit code of the primary lead unit (the first lead unit listed). */
  primaryLead: string;
  /** Unit codes of the other lead units, who assist. */
  assistingLeads: string[];
  /** Unit codes of the responsible units (communities). */
  responsible: string[];
  units: Unit[];
  /** The roster people relevant to this task: unit staff, supervisors, HQ office, accountability group. */
  people: Person[];
  milestones: MilestoneCheck[];
  deadlineAt: string;
  /** Defaults to the workflow's start time. */
  assignedAt?: string;
  policy: TaskPolicy;
  /**
   * Set to false where the server has no duban search attributes registered (the
   * time-skipping test server); upserting unknown attributes fails the workflow task.
   */
  searchAttributes?: boolean;
  /** Continue as new once history reaches this length, before the server would suggest it (tests). */
  continueAsNewAtHistoryLength?: number;
  /** Set by the workflow itself when it continues as new. */
  carried?: CarriedState;
  /** Set by the campaign that starts the task: the task keeps the campaign's board current. */
  campaignWorkflowId?: string;
  /**
   * Signed instructions. Set (required) by every launch since identity checks exist; absent
   * in tasks started before, which accept unsigned messages until an amendment registers
   * keys (then any person with keys makes signatures required).
   */
  identity?: IdentitySettings;
  /** The campaign's end: an extension may not go past it unless an amendment extends the campaign. */
  campaignEndAt?: string;
  /**
   * The plan's IANA zone: its notices show dates in it (the render step formats them,
   * never workflow code). Absent in tasks launched before: Asia/Shanghai.
   */
  timeZone?: string;
  /** The language of the plan's notices. Absent: Chinese. */
  lang?: NoticeLang;
  /** Who issues the plan's formal notices (督办单, 约谈): its headquarters and office. */
  issuer?: NoticeIssuer;
  // Plan format 2 (`PLAN_V2_PATCH`): absent in tasks launched before.
  /**
   * The campaign's start (ISO with offset, computed outside workflow code). A task started
   * before it waits: nothing is sent, and the assignment (交办), its notice and every window
   * (acknowledgement, stall, expected progress) count from it.
   */
  startAt?: string;
  /** Unit codes with the third role word (配合单位, 协办单位): they acknowledge, report and are told, but their reports are never required. */
  cooperating?: string[];
  /** False when the plan states no primary lead: the lead units are co-leads, all of whom hear the ladder; the first still submits. */
  leadPrimary?: false;
  /** The task's deadline as the plan words it, for notices; shown while the deadline in force is still that one. */
  deadline?: PlanDeadlineWords;
  /**
   * The task's dated checks beyond its milestones (nodes, occurrences of recurring duties,
   * filing), earliest first, at most `TASK_STATE_LIMITS.datedChecks` of them (milestones
   * included): each leaves one record in the state.
   */
  checks?: MilestoneCheck[];
  /** Launched (`--allow-past`) although its deadline had passed: recorded as an event at launch. */
  launchedPastDeadline?: true;
  /**
   * Who supervises the task, where the plan names it (`task.supervisor`: units or groups):
   * their codes, and the ids of their people (a unit's people, a group's members), resolved
   * outside workflow code. Only those people review the task (NOT_SUPERVISOR otherwise; HQ
   * office may still act for one of them by break-glass), and review requests go to them.
   */
  supervisedBy?: { codes: string[]; people: string[] };
  /**
   * The people told when a recurring duty of another body falls due (每月调度 by the office
   * that dispatches the task, a check), by the duty's `by` (unit or group code), resolved
   * outside workflow code. A duty whose body is not here is recorded without a notice.
   */
  dutyRecipients?: Record<string, { people: { person: string; unit: string }[]; /** A group's name (a unit is named by `units`). */ name?: { zh: string; en: string } }>;
  /** The task's targets as the plan words them (rates, approximate, relative), for the assignment notice. */
  targets?: NoticeTarget[];
}

export interface IdentitySettings {
  /** Every message must carry a valid proof by a key of the roster of record. */
  required: boolean;
  /** How old an instruction may be when it arrives (see `DEFAULT_IDENTITY_POLICY`). */
  maxAgeMs: number;
  /** How far ahead of workflow time `issuedAt` may lie. */
  maxSkewMs: number;
}

/** One line of the task's timeline; each is also one audit entry. */
export interface TimelineEvent {
  seq: number;
  at: string;
  /** Person id, or `system` for timers. */
  actor: string;
  /** Dotted event name, e.g. `task.acknowledged`, `escalation.reminder`. */
  kind: string;
  details: Record<string, unknown>;
}

export interface UnitProgress {
  unit: string;
  role: UnitRole;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  percent: number;
  lastReportAt?: string;
  reports: number;
}

export interface CheckRecord {
  /** Milestone id, a dated check's id, or `deadline`. */
  id: string;
  /** Absent for milestones and the deadline; `duty` for a duty of another unit (dispatch, check), which the score ignores. */
  kind?: 'node' | 'recurring' | 'filing' | 'duty';
  /** A recurring report was missed at this check. */
  missed?: true;
  at: string;
  light: TrafficLight;
  percent: number;
  expectedPercent: number;
}

export interface RungRecord {
  rung: Rung;
  at: string;
  /** What made the task fall behind when this episode started. */
  reasons: BehindReason[];
}

export interface EscalationState {
  /** Rungs climbed in the current episode (0 when not escalating). */
  level: number;
  /** When the current episode started; absent when the task is on track. */
  episodeStartedAt?: string;
  /** The instant the next rung's wait counts from. */
  lastStepAt?: string;
  /** Every rung ever fired, across episodes: the basis of the score's deductions. */
  history: RungRecord[];
}

export interface ExtensionRecord {
  requestId: string;
  requestedBy: string;
  requestedAt: string;
  reason: string;
  fromDeadlineAt: string;
  toDeadlineAt: string;
  decision?: 'approved' | 'refused';
  decidedBy?: string;
  decidedAt?: string;
  decisionReason?: string;
}

export interface SubmissionRecord {
  submittedBy: string;
  submittedAt: string;
  summary: string;
  evidence: string[];
  reviewDueAt: string;
  /** Review-overdue escalations sent to supervisors for this submission. */
  overdueNotices: number;
  decision?: 'approved' | 'returned';
  reviewedBy?: string;
  reviewedAt?: string;
  score?: number;
  reasons?: string[];
}

export interface Assessment {
  reviewerScore: number;
  deductions: { yellow: number; red: number; rungs: number; total: number };
  score: number;
  commended: boolean;
}

export interface TaskState {
  planId: string;
  taskNumber: number;
  workflowId: string;
  status: TaskStatus;
  assignedAt: string;
  deadlineAt: string;
  /** The earliest upcoming milestone check, deadline or review deadline. */
  nextDeadlineAt?: string;
  /** Task progress: the primary lead's consolidated percent. */
  percent: number;
  light: TrafficLight;
  units: UnitProgress[];
  checks: CheckRecord[];
  /** Whether the deadline check for the current deadline has happened. */
  deadlinePassed: boolean;
  /** While the task waits for the campaign's start (`TaskWorkflowInput.startAt`): when it will be assigned. */
  startsAt?: string;
  acknowledgementOverdue: boolean;
  stalled: boolean;
  /** Instant the stall window counts from: the last acknowledgement, report or return. */
  lastActivityAt: string;
  escalation: EscalationState;
  extensions: ExtensionRecord[];
  submissions: SubmissionRecord[];
  assessment?: Assessment;
  cancelled?: { by: string; at: string; reason: string };
  /** Messages an HQ office member gave for an absent person (break-glass), newest last; reported to the campaign. */
  breakGlass?: BreakGlassAct[];
  /**
   * The newest events, at most `TASK_STATE_LIMITS.timelineEvents` and
   * `timelineBytes` of them: the state is queried and carried across continue-as-new
   * whole, so it must stay small. Every event is in the audit trail.
   */
  timeline: TimelineEvent[];
  /** The events that left the front of {@link timeline}; absent while none did. Count them with {@link eventCount}. */
  earlierEvents?: EarlierEvents;
  /**
   * The head of the task's audit hash chain: seq and hash of the newest audit entry
   * recorded (it may still be on its way to the store). Absent until the first chained
   * entry (runs recorded before chains existed).
   */
  auditChain?: { seq: number; hash: string };
}

/** The events no longer in the state's timeline (the audit trail keeps every one). */
export interface EarlierEvents {
  count: number;
  /** How many of each kind, so counts such as the campaign's escalations started and stopped stay whole. */
  kinds: Record<string, number>;
  /** The seq of the newest of them. */
  throughSeq: number;
}

/** How many events of `kind` the task has recorded: those in its timeline and those that left it. */
export function eventCount(state: Pick<TaskState, 'timeline' | 'earlierEvents'>, kind: string): number {
  return state.timeline.filter((e) => e.kind === kind).length + (state.earlierEvents?.kinds[kind] ?? 0);
}

/**
 * What one run hands the next when continuing as new: one payload, which Temporal refuses
 * over 2 MB (and the task would then be stuck for good), so everything in it is bounded;
 * see {@link TASK_STATE_LIMITS} for the worst case.
 */
export interface CarriedState {
  state: TaskState;
  /** The last event sequence number used: idempotency keys stay unique across runs. */
  seq: number;
  /**
   * The newest request ids applied (a bounded window, see `REMEMBERED_REQUESTS`). A plain
   * message name is the shape runs before signed instructions carried: it still loads.
   */
  processedRequests: Record<string, ProcessedRequest | string>;
}

/** What the task remembers of an applied request id, to tell a retry from a reuse. */
export interface ProcessedRequest {
  /** The message (update) name it was applied as. */
  message: string;
  /** `instructionDigest` of the instruction: the same id with another digest is a reuse. */
  digest: string;
  /** The task's event seq when it was applied: the window drops the oldest first. */
  seq: number;
}

export interface TaskWorkflowResult {
  planId: string;
  taskNumber: number;
  status: 'approved' | 'cancelled';
  completedAt: string;
  light: TrafficLight;
  assessment?: Assessment;
  rungsClimbed: Rung[];
}

// ---------------------------------------------------------------------------------------
// Limits

/**
 * What one task message may carry. Checked in the update validator (and by the client
 * before it sends), not in the handler: the arguments cannot change between the two, and
 * validators do not run on replay, so a message recorded under older limits replays as it
 * ran (no `patched()` needed). Over a limit: INVALID_ARGUMENT naming the field and the
 * limit. Lengths count characters (UTF-16 code units: a Chinese character is one), sizes
 * UTF-8 bytes.
 */
export const MESSAGE_LIMITS = {
  /**
   * The canonical JSON (RFC 8785) of the arguments without the proof: what the signature
   * covers. It bounds every timeline event, audit entry and record one message makes.
   */
  messageBytes: 16 * 1024,
  /** Per argument: the `length` of a text (or of each item of a list) and the `items` of a list. */
  fields: {
    /** Printable ASCII without spaces, quotes or backslashes (see {@link REQUEST_ID_PATTERN}); a UUID is 36. */
    requestId: { length: 64 },
    /** A person id of the roster (a plan's ids are at most 100 characters). */
    actor: { length: 100 },
    /** 4000 Chinese characters are 12,000 bytes: a long report still fits in one message. */
    note: { length: 4000 },
    summary: { length: 4000 },
    reason: { length: 1000 },
    reasons: { items: 10, length: 1000 },
    evidence: { items: 20, length: 2000 },
  },
  /** The proof's own fields (outside `messageBytes`). */
  proof: { signer: 100, keyId: 64, signature: 256, breakGlassReason: 200 },
} as const;

/** The UTF-8 size of a value's canonical JSON (RFC 8785, what a signature covers): how the limits measure. */
export function canonicalBytes(value: unknown): number {
  return utf8ToBytes(canonicalize(value) ?? '').length;
}

/**
 * The characters of a request id: each one byte in JSON, so the request window's size
 * (`REMEMBERED_REQUESTS` ids, carried across continue-as-new) is bounded by the id length.
 */
export const REQUEST_ID_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * How much of its history a task keeps in its state (queried whole, and carried whole
 * across continue-as-new); the audit trail keeps everything.
 *
 * The continue-as-new payload in the worst case: every list full, every text at its limit
 * in 3-byte (Chinese) characters, ids as long as allowed. Measured in bytes by
 * `test/workflows/bounded-state.test.ts`, which fails should a limit push it past 240 KB:
 *
 *   timeline            40,960  whole events up to `timelineBytes` (the largest, a maximum-
 *                               size report with a break-glass proof, is 17,936)
 *   request window      94,500  `REMEMBERED_REQUESTS` (500) × 189, ids of 64 characters
 *   submissions         65,558  2 × 32,779: summary and evidence of one message at the
 *                               size limit, return reasons of another
 *   extensions          20,853  3 × 6,951: the request's reason and the decision's
 *   break-glass acts    13,360  10 × 1,336
 *   cancellation         3,358  its reason
 *   bounded parts      238,589  (233 KiB)
 *
 * Beside them, what the plan and time bring: the input (the seed plan's largest task is
 * 4 KB, about 7 KB with its people's keys), each unit's progress, one check per milestone
 * and deadline passed (about 130 bytes), one record per rung climbed (about 120 bytes),
 * and `earlierEvents` (about 1 KB); checks and rungs grow with the plan's timers, not with
 * messages, and are kept whole (they decide which milestones are due, and the score). A
 * task of a plan like the seed's stays under 256 KiB, against Temporal's 2 MiB error limit
 * (warning from 512 KiB). Before these bounds the timeline was carried whole: 244 reports
 * with 12 KB notes made 2.97 MB, and the task was stuck for good.
 */
export const TASK_STATE_LIMITS = {
  /** The newest events kept in the timeline… */
  timelineEvents: 50,
  /** …and fewer when they are large (the newest is always kept): a maximum-size report makes an 18 KB event. */
  timelineBytes: 40 * 1024,
  /** Submissions kept: the open (or last) one and the one before it. */
  submissions: 2,
  /** Extension requests kept, the pending one (there is at most one, the newest) among them. */
  extensions: 3,
  /** Break-glass acts kept: the campaign takes each from the summary sent right after it. */
  breakGlassActs: 10,
  /**
   * Dated checks a task may have (milestones, nodes, occurrences of recurring duties,
   * filing): each check passed leaves a record of about 150 bytes in the state, kept whole
   * (it decides which checks are due, and the score), so 160 of them add at most 24 KB. A
   * weekly duty over two years is 104; the input builder refuses a task with more.
   */
  datedChecks: 160,
} as const;

// ---------------------------------------------------------------------------------------
// Messages (each message's definition, schema, rules and effect: `./messages/<name>.ts`)

/** What every update returns: the status after the message and whether it was applied now. */
export interface MessageResult {
  requestId: string;
  /** False when this request id had already been applied: the retry changed nothing. */
  applied: boolean;
  status: TaskStatus;
  light: TrafficLight;
  deadlineAt: string;
  /**
   * The audit entry was not yet written when the bounded wait (10 s of workflow time) ran
   * out: the change is applied and its entry follows (the audit store is slow or down).
   */
  auditPending?: true;
}

/** The full state, including the timeline. */
export const taskStateQuery = defineQuery<TaskState>('taskState');

// ---------------------------------------------------------------------------------------
// Errors

/**
 * The refusals of an instruction's proof (`checkProof` of `@duban/identity`), in the order
 * it checks: the same for task messages and plan amendments.
 */
export const PROOF_REFUSALS = [
  'CREDENTIAL_MISSING',
  'KEY_UNKNOWN',
  'KEY_REVOKED',
  'INSTRUCTION_EXPIRED',
  'SIGNATURE_INVALID',
  'ACTING_FOR_ANOTHER',
  'BREAK_GLASS_NOT_ALLOWED',
] as const satisfies readonly ErrorCode[];

/**
 * The codes a task message can fail with: the `type` of the `ApplicationFailure`, a view
 * of `@duban/common`'s registry (where each code's meaning is written).
 */
export const TaskErrorCode = codesOf([
  'UNKNOWN_ACTOR',
  'WRONG_ROLE',
  'SELF_REVIEW',
  'INVALID_STATE',
  'INVALID_ARGUMENT',
  'DEADLINE_PASSED',
  'ASSISTING_REPORTS_MISSING',
  'EXTENSION_PENDING',
  'REQUEST_ID_REUSED',
  'CONTINUING_AS_NEW',
  ...PROOF_REFUSALS,
  'SELF_DECISION',
  'CONFLICT_OF_INTEREST',
  'EXTENSION_BEYOND_CAMPAIGN',
  'REASON_REQUIRED',
  'NOT_SUPERVISOR',
]);
export type TaskErrorCode = CodeOf<typeof TaskErrorCode>;
