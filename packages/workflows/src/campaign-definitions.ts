/**
 * Everything a client, the worker and the workflows share about the campaign workflow
 * (the headquarters' view of one launched plan): its ID, input, board, bulletins,
 * amendments, messages and error codes. Importing this module never loads workflow code.
 */
import type { Proof, RosterKey } from '@duban/identity';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { codesOf, type BreakGlassAct, type Bulletin, type EscalationMove, type NoticeLang, type Rung, type TaskStatus, type TrafficLight, type CodeOf } from '@duban/common';
import { canonicalBytes, type IdentitySettings, type Person, type TaskWorkflowInput, type Unit } from './task/definitions';
import type { BoardSeed, CampaignSnapshotRef, StoredPlanRef } from './campaign-storage';

export { campaignWorkflowId, CAMPAIGN_WORKFLOW_TYPE } from '@duban/common';
/** The bulletin (通报) is a notice's facts, so its types live with the notices in `@duban/common`. */
export type { BreakGlassAct, Bulletin, BulletinTask, EscalationMove, UnitRanking } from '@duban/common';

/** 周调度: weekly by default. */
export const WEEK_MS = 7 * 24 * 3_600_000;

/** The most tasks one board query answers with (see `boardQuery`). */
export const BOARD_PAGE_SIZE = 1000;

/** Which tasks of the board a query asks for: by task number, `limit` from position `offset`. */
export interface BoardQueryOptions {
  offset?: number;
  /** At most {@link BOARD_PAGE_SIZE}. */
  limit?: number;
}

/** How many bulletins the campaign keeps in its state; older ones live in the audit trail. */
export const MAX_KEPT_BULLETINS = 12;

// ---------------------------------------------------------------------------------------
// Input

export interface DispatchSchedule {
  /** The first dispatch (周调度), an ISO instant computed outside workflow code (e.g. Monday 09:00 in the plan's zone). */
  firstAt: string;
  /** Time between dispatches; a week by default. */
  intervalMs: number;
}

export interface CampaignWorkflowInput {
  planId: string;
  planTitle: string;
  /** The plan's campaign year as launched (after rebasing); amendments are dated against it. */
  campaignYear: number;
  timeZone: string;
  /** The language of the plan's notices (the bulletin). Absent: Chinese. */
  lang?: NoticeLang;
  /**
   * The task workflows to start, built outside by `buildTaskInput`: campaigns launched
   * before stored plans. Empty after the first run, and in campaigns launched from a
   * stored plan ({@link plan}).
   */
  tasks: TaskWorkflowInput[];
  /** Every unit of the plan; empty when launched from a stored plan, which holds them. */
  units: Unit[];
  /**
   * The plan as launched, stored once outside the campaign's payloads (`duban launch`
   * stores it, content-addressed, in the worker's audit database): the campaign reads its
   * units and roster from it and starts its tasks from it in batches, so this input does
   * not grow with the plan. Absent in campaigns launched before.
   */
  plan?: StoredPlanRef;
  /** Who receives the bulletins: the HQ office people and the HQ leaders. */
  hq: Person[];
  /**
   * The roster of record: every person of the plan with roles and public keys, set at
   * launch and changed only by authorised amendments. Tasks take people from it, never
   * from a file a caller holds. Absent in campaigns launched before it existed: then the
   * union of the tasks' people and `hq` stands in; and in campaigns launched from a stored
   * plan, which holds it.
   */
  roster?: Person[];
  /** Signed amendments (see `IdentitySettings`); absent in campaigns launched before. */
  identity?: IdentitySettings;
  dispatch: DispatchSchedule;
  /** The campaign ends here at the latest (the end of the plan's last campaign day). */
  endAt: string;
  /** False where the server has no duban search attributes (the time-skipping server). */
  searchAttributes?: boolean;
  /** Continue as new once history reaches this length (tests). */
  continueAsNewAtHistoryLength?: number;
  /** Set by the workflow itself when it continues as new. */
  carried?: CampaignCarriedState;
}

// ---------------------------------------------------------------------------------------
// Board

/** What a task tells its campaign after every state change (a signal: the task needs no answer). */
export interface TaskSummary {
  taskNumber: number;
  /** The task's event sequence number: a summary older than the one on the board is ignored. */
  seq: number;
  at: string;
  status: TaskStatus;
  light: TrafficLight;
  percent: number;
  escalationLevel: number;
  rungs: Rung[];
  deadlineAt: string;
  nextDeadlineAt?: string;
  score?: number;
  commended?: boolean;
  primaryLead: string;
  assistingLeads: string[];
  /** Milestone and deadline checks that came out yellow / red. */
  yellows: number;
  reds: number;
  /** Escalation episodes started and stopped so far: the campaign counts them per week from the differences. */
  escalationsStarted: number;
  escalationsStopped: number;
  /** Every break-glass act on the task so far (few by nature): the bulletin names the new ones. */
  breakGlass?: BreakGlassAct[];
}

export interface BoardTask extends TaskSummary {
  workflowId: string;
  title: { zh: string; en: string };
  actionNumber: number;
}

/** Per primary lead unit: how its tasks stand. */
export interface UnitCounts {
  unit: string;
  total: number;
  green: number;
  yellow: number;
  red: number;
  /** Tasks currently on a rung of the accountability ladder. */
  escalated: number;
  approved: number;
  cancelled: number;
}

export interface CampaignBoard {
  planId: string;
  planTitle: string;
  campaignYear: number;
  timeZone: string;
  updatedAt: string;
  status: 'running' | 'completed';
  tasks: BoardTask[];
  counts: UnitCounts[];
  amendments: AmendmentRecord[];
  /**
   * Present when `tasks` is one page of the board (asked for with {@link BoardQueryOptions},
   * or a board longer than {@link BOARD_PAGE_SIZE}): `counts` still count every task.
   */
  page?: { offset: number; limit: number; total: number };
  nextDispatchAt?: string;
  /** The head of the campaign's audit hash chain (its newest entry's seq and hash); absent before the first chained entry. */
  auditChain?: { seq: number; hash: string };
}

// ---------------------------------------------------------------------------------------
// Bulletins (通报)

export interface CampaignBulletins {
  latest?: Bulletin;
  /** What the next dispatch would send if it happened now. */
  preview: Bulletin;
  /**
   * Kept bulletins, oldest first (at most `MAX_KEPT_BULLETINS`). A campaign launched from
   * a stored plan keeps only the latest across continue-as-new; the others are in the
   * audit trail (`campaign.bulletin`) and their headlines in {@link headlines}.
   */
  kept: Bulletin[];
  /** The latest bulletins' headlines, oldest first (at most `MAX_KEPT_BULLETINS`); campaigns launched from a stored plan. */
  headlines?: BulletinHeadline[];
}

/** A bulletin without its rankings and escalation lists: what a campaign carries of past bulletins. */
export interface BulletinHeadline {
  number: number;
  at: string;
  periodStart: string;
  periodEnd: string;
  totals: Bulletin['totals'];
}

/** The headline of a bulletin. */
export function bulletinHeadline(bulletin: Bulletin): BulletinHeadline {
  return { number: bulletin.number, at: bulletin.at, periodStart: bulletin.periodStart, periodEnd: bulletin.periodEnd, totals: { ...bulletin.totals } };
}

// ---------------------------------------------------------------------------------------
// Assessment roll-up

export interface UnitAssessment {
  unit: string;
  tasks: number;
  approved: number;
  cancelled: number;
  /** Average score of the approved tasks with a score; null when none. */
  averageScore: number | null;
  yellows: number;
  reds: number;
  rungs: number;
  commendations: number;
}

export interface CampaignResult {
  planId: string;
  endedBy: 'all-finished' | 'campaign-end';
  endedAt: string;
  assessment: UnitAssessment[];
  bulletins: number;
  amendments: number;
}

// ---------------------------------------------------------------------------------------
// Amendments

export interface MoveDeadline {
  taskNumber: number;
  /** The new deadline, an ISO instant computed outside workflow code. */
  deadlineAt: string;
  reason: string;
}

export interface ReassignLeads {
  taskNumber: number;
  primaryLead: string;
  assistingLeads: string[];
  /**
   * Ignored since the roster of record: the campaign gives the task the people of the new
   * lead units from its own roster, never from the caller's file.
   */
  people?: Person[];
  reason: string;
}

/** A plan amendment as the campaign receives it (built outside from a validated amendment file). */
export interface PlanAmendment {
  /** Idempotency: the same amendment id is applied once (also the update id). */
  amendmentId: string;
  /** Person id of whoever issues it (HQ office), or `system`. */
  actor: string;
  reason: string;
  addTasks: TaskWorkflowInput[];
  moveDeadlines: MoveDeadline[];
  reassign: ReassignLeads[];
  /** Key issue, rotation and revocation: changes to the roster of record. */
  roster?: RosterChanges;
  /** Moves the campaign's end (and so the latest deadline an extension may grant) later. */
  extendCampaignTo?: string;
  /** The issuer's signature (an HQ office member of the roster of record). */
  proof?: Proof;
}

export interface RosterChanges {
  /** New keys (issue; rotation is an issue plus a revocation). */
  issueKeys?: { person: string; key: RosterKey }[];
  /** Keys that sign nothing from now on. */
  revokeKeys?: KeyRef[];
}

export interface AmendmentResult {
  amendmentId: string;
  /** False when this amendment id had already been applied. */
  applied: boolean;
  added: number[];
  moved: number[];
  reassigned: number[];
}

export interface AmendmentRecord {
  amendmentId: string;
  at: string;
  actor: string;
  reason: string;
  added: number[];
  moved: number[];
  reassigned: number[];
  /** Who signed it and with which key (absent for the unsigned amendments of a legacy campaign). */
  signedBy?: { signer: string; keyId: string };
  /** Keys issued and revoked by it. */
  keys?: { issued: KeyRef[]; revoked: KeyRef[] };
  /** The campaign's new end, when it extended the campaign. */
  extendedTo?: string;
}

/** One key of one person, by id (never the key material). */
export interface KeyRef {
  person: string;
  keyId: string;
}

/** What the campaign tells one running task (a signal: workflows cannot send updates). */
export interface TaskAmendment {
  amendmentId: string;
  actor: string;
  reason: string;
  deadlineAt?: string;
  leads?: { primaryLead: string; assistingLeads: string[]; people: Person[]; units: Unit[] };
  /** The current roster-of-record entries (roles, keys) of the task's people, after a roster change. */
  roster?: Person[];
  /** The campaign's new end, after an amendment extended it. */
  campaignEndAt?: string;
}

/**
 * What one amendment may carry, checked in the campaign's update validator (not on
 * replay: an amendment recorded before the limits replays as it ran). The whole stays far
 * under Temporal's 2 MB payload limit, so an oversized amendment is refused by the
 * campaign, naming the field and the limit, instead of failing its workflow task; the
 * reasons go into each amended task's timeline, whose events are bounded too.
 */
export const AMENDMENT_LIMITS = {
  /** The canonical JSON (RFC 8785, UTF-8) of the amendment without its proof: what the signature covers. */
  bytes: 512 * 1024,
  /** Characters (a Chinese character is one). */
  amendmentId: 128,
  reason: 1000,
  /** Entries per list. */
  addTasks: 100,
  moveDeadlines: 500,
  reassign: 500,
  issueKeys: 500,
  revokeKeys: 500,
} as const;

/** Where an amendment exceeds {@link AMENDMENT_LIMITS}: the first such field, or undefined. */
export function amendmentOverLimit(amendment: PlanAmendment): { field: string; limit: number; given: number; message: string } | undefined {
  // Read defensively: the validator sees the amendment as sent, before anything checked its shape.
  const a: Partial<PlanAmendment> = amendment;
  const over = (field: string, given: number, limit: number, unit: string) =>
    given > limit ? { field, limit, given, message: `${field} is ${given} ${unit}; at most ${limit}` } : undefined;
  const length = (value: unknown) => (typeof value === 'string' ? value.length : 0);
  const count = (value: unknown) => (Array.isArray(value) ? value.length : 0);
  const reasons = (list: unknown, name: string) =>
    (Array.isArray(list) ? (list as { reason?: unknown }[]) : []).map((entry, i) => over(`${name}[${i}].reason`, length(entry?.reason), AMENDMENT_LIMITS.reason, 'characters'));
  const { proof: _proof, ...signed } = amendment;
  const found = [
    over('amendmentId', length(a.amendmentId), AMENDMENT_LIMITS.amendmentId, 'characters'),
    over('reason', length(a.reason), AMENDMENT_LIMITS.reason, 'characters'),
    over('addTasks', count(a.addTasks), AMENDMENT_LIMITS.addTasks, 'entries'),
    over('moveDeadlines', count(a.moveDeadlines), AMENDMENT_LIMITS.moveDeadlines, 'entries'),
    over('reassign', count(a.reassign), AMENDMENT_LIMITS.reassign, 'entries'),
    over('roster.issueKeys', count(a.roster?.issueKeys), AMENDMENT_LIMITS.issueKeys, 'entries'),
    over('roster.revokeKeys', count(a.roster?.revokeKeys), AMENDMENT_LIMITS.revokeKeys, 'entries'),
    ...reasons(a.moveDeadlines, 'moveDeadlines'),
    ...reasons(a.reassign, 'reassign'),
    over('(the whole amendment)', canonicalBytes(signed), AMENDMENT_LIMITS.bytes, 'bytes as canonical JSON without proof'),
  ];
  return found.find((f) => f !== undefined);
}

// ---------------------------------------------------------------------------------------
// Continue-as-new

export interface CampaignCarriedState {
  board: BoardTask[];
  bulletins: Bulletin[];
  bulletinCount: number;
  amendments: AmendmentRecord[];
  nextDispatchAt: string;
  periodStart: string;
  weekOpened: EscalationMove[];
  weekClosed: EscalationMove[];
  /** The roster of record as amended (absent in state carried before it existed). */
  roster?: Person[];
  /** Per task number, the highest break-glass act seq already collected for a bulletin. */
  breakGlassSeen?: Record<string, number>;
  /** Break-glass acts collected since the last bulletin: the next one names them. */
  breakGlassPending?: BreakGlassAct[];
  /** The head of the campaign's audit hash chain (absent in state carried before chains). */
  auditChain?: { seq: number; hash: string };
  /**
   * Campaigns launched from a stored plan: where the previous run saved everything that
   * grows with the campaign (board, roster, amendments, …), which this run loads. The
   * lists above are then empty, so the carried state stays a few hundred bytes.
   */
  snapshot?: CampaignSnapshotRef;
  /** Task summaries that arrived while the snapshot was being saved: applied once it is loaded. */
  pending?: TaskSummary[];
  /** A launch not finished yet: the position of the next task to start in the stored plan. */
  launch?: LaunchProgress;
}

/** How far a campaign launched from a stored plan has started its tasks. */
export interface LaunchProgress {
  /** Position (plan order) of the next task to start. */
  next: number;
  /** Tasks found already running when the campaign came to start them (at most {@link MAX_LISTED_ALREADY_RUNNING} listed). */
  alreadyRunning: number[];
  alreadyRunningCount: number;
}

/** How many already-running tasks the launch lists by number (in carried state and its audit entry); the count is exact. */
export const MAX_LISTED_ALREADY_RUNNING = 1000;

// ---------------------------------------------------------------------------------------
// Launching from a stored plan (activities the worker runs)

/** One batch of tasks to start from the stored plan (plan order `from` … `from + count - 1`). */
export interface StartTaskBatchInput {
  planId: string;
  plan: StoredPlanRef;
  from: number;
  count: number;
  /** The campaign the tasks report to. */
  campaignWorkflowId: string;
  /**
   * The campaign's first run ID: the tasks it starts carry it (memo), so a retried batch
   * tells the tasks it started itself from tasks that were there before.
   */
  launchId: string;
  /** The campaign's task queue: the tasks run where the campaign runs. */
  taskQueue: string;
  /** False where the server has no duban search attributes. */
  searchAttributes: boolean;
}

export interface StartTaskBatchResult {
  /** The batch's board seeds, in plan order: started now or found running. */
  tasks: BoardSeed[];
  /** Tasks of the batch that already existed, not started by this campaign (running or closed). */
  alreadyRunning: number[];
}

/**
 * The activities a campaign launched from a stored plan needs beyond the duban
 * activities: starting tasks is the worker's (it holds a Temporal client), not workflow
 * code's — 200 children took 38–44 s to start where a client took 5.3 s, and each child's
 * input would fill the campaign's history.
 */
export interface CampaignLaunchActivities {
  startTaskBatch(input: StartTaskBatchInput): Promise<StartTaskBatchResult>;
}

/** The memo key a task started from a stored plan carries: its campaign's launch id. */
export const LAUNCHED_BY_MEMO = 'dubanLaunchedBy';

/** The workflow type that stores one part of a plan text through the worker (`storePlanWorkflow`). */
export const STORE_PLAN_WORKFLOW_TYPE = 'storePlanWorkflow';

/** The workflow ID of part `part` of stored plan `hash` of plan `planId`: one per part, so storing again is idempotent. */
export function storePlanWorkflowId(planId: string, hash: string, part: number): string {
  return `duban/${planId}/stored-plan/${hash}/${part}`;
}

/** One part of a plan text, as `storePlanWorkflow` receives it. */
export interface StorePlanPartInput {
  planId: string;
  /** The whole text's SHA-256 (hex). */
  hash: string;
  part: number;
  parts: number;
  body: string;
}

// ---------------------------------------------------------------------------------------
// Messages

/** Sent by every task to its campaign after each state change. */
export const taskChangedSignal = defineSignal<[TaskSummary]>('taskChanged');
/** Sent by the campaign to a running task it amends. */
export const amendTaskSignal = defineSignal<[TaskAmendment]>('amendTask');
// An update: HQ needs to know whether the amendment was accepted, and why not.
export const amendPlanUpdate = defineUpdate<AmendmentResult, [PlanAmendment]>('amendPlan');
/**
 * The board; with options, one page of its tasks (by task number). Without options the
 * whole board, unless it has more than {@link BOARD_PAGE_SIZE} tasks: then the first page,
 * with `page` set (a query's answer is one payload; `DubanCampaignHandle.board()` reads
 * every page).
 */
export const boardQuery = defineQuery<CampaignBoard, [BoardQueryOptions?]>('board');
export const bulletinsQuery = defineQuery<CampaignBulletins>('bulletins');
/** The roster of record as the campaign holds it now (people, roles, public keys). */
export const rosterQuery = defineQuery<Person[]>('roster');
export const campaignAssessmentQuery = defineQuery<UnitAssessment[]>('campaignAssessment');

/**
 * The codes an amendment can fail with: the `type` of the `ApplicationFailure`, a view of
 * `@duban/common`'s registry (where each code's meaning is written).
 */
export const CampaignErrorCode = codesOf([
  'INVALID_AMENDMENT',
  'UNKNOWN_TASK',
  'DUPLICATE_TASK_NUMBER',
  'TASK_FINISHED',
  'DEADLINE_IN_PAST',
  'UNKNOWN_UNIT',
  'PLAN_MISMATCH',
  'CAMPAIGN_ENDED',
  // The amendment's proof (checked in the validator against the roster of record).
  'CREDENTIAL_MISSING',
  'KEY_UNKNOWN',
  'KEY_REVOKED',
  'SIGNATURE_INVALID',
  'INSTRUCTION_EXPIRED',
  'ACTING_FOR_ANOTHER',
  'BREAK_GLASS_NOT_ALLOWED',
  'NOT_AUTHORISED',
  // Between two runs (saving or loading its snapshot) or still starting its tasks: send the same amendment again.
  'CONTINUING_AS_NEW',
]);
export type CampaignErrorCode = CodeOf<typeof CampaignErrorCode>;
