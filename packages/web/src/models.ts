/**
 * The view models: what each page of the workspace is given to show, and the contract
 * between the server (routes, which build them) and the views (`./views`, which turn them
 * into HTML). Everything here is already decided and resolved by the server: names
 * instead of codes, dates as the plan's local time in the request's language, links
 * checked to be http(s) with their host, and which forms this person is offered. A view
 * only lays out and escapes (through its template library); it decides nothing.
 *
 * The forms the views render post to the routes below with the field names given here
 * (`FORM_FIELDS`), each with the `_csrf` field from `ViewContext.csrfToken`.
 */
import type { Rung, TaskStatus, TrafficLight, UnitRole } from '@duban/common';
import type { UnitAssessment, UnitCounts } from '@duban/workflows';

export type Lang = 'zh' | 'en';

/** What every page knows besides its model. */
export interface ViewContext {
  lang: Lang;
  /** The token each form carries as its `_csrf` field. */
  csrfToken: string;
  /** The logged-in person; absent on the login, invitation and error pages of a visitor. */
  person?: { id: string; name: string; unit: string; unitName?: string };
  /** The request's path (without query): for the language switch and the current nav item. */
  path: string;
}

/** A page function of `./views`: a full HTML document. */
export type View<M> = (model: M, ctx: ViewContext) => string;

/** An instant, shown in the plan's zone and the page's language. */
export interface LocalTime {
  /** ISO 8601 with offset, for `<time datetime>`. */
  iso: string;
  /** e.g. "2020年12月31日 23:59" / "31 Dec 2020, 23:59". */
  text: string;
}

/**
 * A link someone typed (evidence). Only http(s) links become `href`s; anything else is
 * shown as text with `href` absent.
 */
export interface SafeLink {
  /** The link as typed (shown escaped as its title / text). */
  text: string;
  /** Present only for http: and https: links. */
  href?: string;
  /** The host the link goes to, shown beside it (e.g. "example.org"). */
  host?: string;
}

/** A message for the person: an error (with its stable code) or the outcome of an action. */
export interface Notice {
  kind: 'error' | 'success' | 'info';
  /** Already in the page's language. */
  text: string;
  /** The `DubanError` code (e.g. `WRONG_ROLE`), shown small beside the text. */
  code?: string;
}

export interface PlanRef {
  id: string;
  title: string;
}

/** Names for a unit code. */
export interface UnitRef {
  code: string;
  name: string;
}

export interface PersonRef {
  id: string;
  name: string;
  unitName?: string;
}

// ---------------------------------------------------------------------------------------
// Login, invitation, second factor

/** GET/POST /login. The form posts `username` (the person id), `password`, `_csrf`. */
export interface LoginModel {
  notice?: Notice;
  /** Refilled after a failed attempt. */
  username?: string;
  /** Where to go after login (a path on this site), posted back as `next`. */
  next?: string;
  /** Set when the account is locked: until when. */
  lockedUntil?: LocalTime;
}

/**
 * GET/POST /invite/:token. The form posts to `action`: `password`, `password2`, and when
 * the person enrols a second factor, `totp` set to "1" and `totpCode` (the code their app
 * shows for `totpSecret`, proving it was added), plus `_csrf`.
 */
export interface InviteModel {
  /** The form's action: `/invite/<token>`. */
  action: string;
  person: PersonRef;
  plans: PlanRef[];
  expiresAt: LocalTime;
  /** The secret to add in an authenticator app (base32), offered with its QR code. */
  totpSecret: string;
  /** `otpauth://` URL of the secret (the QR code's content). */
  totpUri: string;
  /** The QR code as a `data:image/png;base64,…` URL (CSP allows `img-src data:`). */
  totpQrDataUrl: string;
  /** The minimum password length the server asks for. */
  minPasswordLength: number;
  notice?: Notice;
}

/** GET/POST /totp: the second step of login. The form posts `code`, `_csrf`. */
export interface TotpModel {
  person: PersonRef;
  notice?: Notice;
}

// ---------------------------------------------------------------------------------------
// Inbox

/** What a person is asked to do on a task. */
export type InboxDuty = 'acknowledge' | 'report' | 'submit' | 'review' | 'decide-extension' | 'watch';

/** A task as a line of the inbox or the board shows it. */
export interface TaskLine {
  taskNumber: number;
  /** The number as the plan prints it ("（三）2") when it has one. */
  printed?: string;
  title: string;
  /** `/tasks/<planId>/<n>`. */
  href: string;
  status: TaskStatus;
  light: TrafficLight;
  percent: number;
  /** The rung of the accountability ladder the task is on, if any (the latest climbed). */
  rung?: Rung;
  escalationLevel: number;
}

export interface InboxItem extends TaskLine {
  planId: string;
  /** The date that matters now: the next check, the review deadline or the deadline. */
  due: LocalTime;
  /** Past `due`. */
  overdue: boolean;
  duty: InboxDuty;
  /** The person's unit's role on the task (absent for supervisors and HQ). */
  unitRole?: UnitRole;
}

/** GET /: what I must do now, soonest first. */
export interface InboxModel {
  plans: PlanRef[];
  /** Tasks with something for me to do, by `due`. */
  items: InboxItem[];
  /** Other open tasks of my unit (or, for HQ and supervisors, none: they use the board). */
  watching: InboxItem[];
  notice?: Notice;
}

// ---------------------------------------------------------------------------------------
// Task page

export interface UnitRow {
  unit: UnitRef;
  role: UnitRole;
  acknowledgedAt?: LocalTime;
  acknowledgedBy?: PersonRef;
  percent: number;
  lastReportAt?: LocalTime;
  reports: number;
}

export interface TimelineRow {
  seq: number;
  at: LocalTime;
  /** The person, or absent for the system (timers). */
  actor?: PersonRef;
  /** Dotted event name (`task.acknowledged`, `escalation.reminder`…): the view labels it. */
  kind: string;
  /** A one-line description in the page's language, from the event's details. */
  summary: string;
  /** Free text typed by a person with the event (a note, a reason): shown escaped. */
  text?: string;
  links: SafeLink[];
}

export interface SubmissionRow {
  submittedBy: PersonRef;
  submittedAt: LocalTime;
  summary: string;
  evidence: SafeLink[];
  reviewDueAt: LocalTime;
  decision?: 'approved' | 'returned';
  reviewedBy?: PersonRef;
  reviewedAt?: LocalTime;
  score?: number;
  reasons: string[];
}

export interface ExtensionRow {
  requestedBy: PersonRef;
  requestedAt: LocalTime;
  reason: string;
  from: LocalTime;
  to: LocalTime;
  decision?: 'approved' | 'refused';
  decidedBy?: PersonRef;
  decidedAt?: LocalTime;
  decisionReason?: string;
}

/**
 * The forms this person is offered on the task (each posts to `TaskModel.actions.base` +
 * its path). Offering is for ease only: the workflow decides, and a refusal comes back as
 * the page's `notice` with its code.
 */
export interface TaskActions {
  /** `/tasks/<planId>/<n>`: forms post to `${base}/acknowledge`, `${base}/report`, … */
  base: string;
  acknowledge?: true;
  /** The unit's current percent, to prefill. */
  report?: { percent: number };
  submit?: true;
  /** The highest score a reviewer may give; `noteRequired` when the task is below 100 %. */
  review?: { maxScore: number; noteRequired: boolean };
  /** The current deadline as a date (YYYY-MM-DD, plan zone) and the latest allowed. */
  requestExtension?: { currentDate: string; latestDate?: string };
  /** The pending request to decide. */
  decideExtension?: { pending: ExtensionRow; latestDate?: string };
}

/** GET /tasks/:planId/:taskNumber. */
export interface TaskModel {
  plan: PlanRef;
  taskNumber: number;
  printed?: string;
  title: string;
  /** The top-level section and intermediate levels, e.g. ["一、…", "（三）…"]. */
  path: string[];
  status: TaskStatus;
  light: TrafficLight;
  percent: number;
  deadline: LocalTime;
  /** The plan's words for the deadline ("2021年底"), when it has them. */
  deadlineWords?: string;
  nextDeadline?: LocalTime;
  escalation: { level: number; rung?: Rung; rungs: Rung[] };
  primaryLead: UnitRef;
  units: UnitRow[];
  submissions: SubmissionRow[];
  extensions: ExtensionRow[];
  /** Newest first. */
  timeline: TimelineRow[];
  /** How many older events the state no longer holds (in the audit trail). */
  earlierEvents: number;
  assessment?: { score: number; reviewerScore: number; deductions: number; commended: boolean };
  cancelled?: { by: PersonRef; at: LocalTime; reason: string };
  actions: TaskActions;
  notice?: Notice;
}

// ---------------------------------------------------------------------------------------
// Board, bulletin, assessment, audit

export interface BoardRow extends TaskLine {
  primaryLead: UnitRef;
  deadline: LocalTime;
  nextDeadline?: LocalTime;
  score?: number;
}

/** How a primary lead unit's tasks stand, as the campaign counts them, the unit by name. */
export type BoardUnitRow = Omit<UnitCounts, 'unit'> & { unit: UnitRef };

/**
 * GET /board/:planId?light=red&unit=chengguan. Filters are a GET form (no `_csrf`
 * needed) with fields `light` and `unit`. Live updates: `public/board.js` (B) opens
 * `eventsUrl` (an EventSource); each `board` event's data is a JSON `BoardLiveUpdate`.
 */
export interface BoardModel {
  plan: PlanRef;
  campaignYear: number;
  status: 'running' | 'completed';
  updatedAt: LocalTime;
  filters: { light?: TrafficLight; unit?: string };
  /** Every primary lead unit, for the unit filter. */
  units: UnitRef[];
  counts: BoardUnitRow[];
  /** The tasks passing the filters. */
  tasks: BoardRow[];
  totals: { tasks: number; green: number; yellow: number; red: number; approved: number; cancelled: number };
  /** `/board/<planId>/events?light=…&unit=…` (the same filters). */
  eventsUrl: string;
  /** A fingerprint of the board's state: the live updates carry it too. */
  version: string;
}

/** One server-sent `board` event: the board again, rendered by `views.boardLive`. */
export interface BoardLiveUpdate {
  version: string;
  updatedAt: LocalTime;
  /** The HTML of the board's live part (`views.boardLive(model, ctx)`), to replace the element with `id="board-live"`. */
  html: string;
}

export interface BulletinTaskRow {
  taskNumber: number;
  title: string;
  href: string;
  light: TrafficLight;
  percent: number;
  deadline: LocalTime;
  escalationLevel: number;
}

export interface BulletinRankingRow {
  rank: number;
  unit: UnitRef;
  tasks: BulletinTaskRow[];
}

export interface BulletinView {
  /** 0 for the preview. */
  number: number;
  at: LocalTime;
  periodStart: LocalTime;
  periodEnd: LocalTime;
  overdue: BulletinRankingRow[];
  atRisk: BulletinRankingRow[];
  escalationsOpened: { taskNumber: number; unit: UnitRef; at: LocalTime }[];
  escalationsClosed: { taskNumber: number; unit: UnitRef; at: LocalTime }[];
  breakGlass: { taskNumber: number; at: LocalTime; signer: PersonRef; actor: PersonRef; message: string; reason: string }[];
  totals: { tasks: number; green: number; yellow: number; red: number; approved: number; cancelled: number };
}

/** GET /bulletin/:planId. */
export interface BulletinModel {
  plan: PlanRef;
  latest?: BulletinView;
  preview: BulletinView;
  /** Earlier bulletins' headlines, newest first. */
  earlier: { number: number; at: LocalTime; totals: BulletinView['totals'] }[];
}

/** A unit's assessment as the campaign holds it, the unit by name. */
export type AssessmentRow = Omit<UnitAssessment, 'unit'> & { unit: UnitRef };

/** GET /assessment/:planId. */
export interface AssessmentModel {
  plan: PlanRef;
  /** True once the campaign has ended: the table is final. */
  final: boolean;
  rows: AssessmentRow[];
  /** `/ledger/<planId>.csv`. */
  ledgerHref: string;
}

/** GET /audit/:planId: the hash chains' heads as the workflows hold them, checked against the audit store when the server has one. */
export interface AuditModel {
  plan: PlanRef;
  checkedAt: LocalTime;
  /** `ok` every chain checked verifies; `broken` one does not; `unavailable` no audit store to check against (heads only). */
  status: 'ok' | 'broken' | 'unavailable';
  /** Chains (campaign and tasks) with their heads. */
  chains: { name: string; taskNumber?: number; seq?: number; hash?: string; verified?: boolean }[];
  problems: { taskNumber?: number; text: string }[];
}

/** Any error page (404, 403 CSRF, 500, an expired invitation…). */
export interface ErrorModel {
  status: number;
  notice: Notice;
  /** Where to go from here (e.g. `/login`, `/`). */
  back?: string;
}

// ---------------------------------------------------------------------------------------
// Forms

/**
 * The field names each form posts (besides `_csrf`). Lists (evidence, reasons) are one
 * item per line of a textarea. Dates are `<input type="date">` values (YYYY-MM-DD, read as
 * the end of that day in the plan's zone).
 */
export const FORM_FIELDS = {
  login: ['username', 'password', 'next'],
  invite: ['password', 'password2', 'totp', 'totpCode'],
  totp: ['code'],
  acknowledge: ['note'],
  report: ['percent', 'note', 'evidence'],
  submit: ['summary', 'evidence'],
  /** decision = approve | return; approve: score, note; return: reasons. */
  review: ['decision', 'score', 'note', 'reasons'],
  /** POST …/extension */
  extension: ['deadline', 'reason'],
  /** POST …/extension-decision; decision = approve | refuse. */
  extensionDecision: ['decision', 'deadline', 'reason'],
  logout: [],
} as const;

/** The page functions `./views` exports (B's), by the name the routes call. */
export interface Views {
  loginPage: View<LoginModel>;
  invitePage: View<InviteModel>;
  totpPage: View<TotpModel>;
  inboxPage: View<InboxModel>;
  taskPage: View<TaskModel>;
  boardPage: View<BoardModel>;
  /** The board's live part alone (no document around it): what each SSE update carries. */
  boardLive: View<BoardModel>;
  bulletinPage: View<BulletinModel>;
  assessmentPage: View<AssessmentModel>;
  auditPage: View<AuditModel>;
  errorPage: View<ErrorModel>;
}

// ---------------------------------------------------------------------------------------
// Static files (added by B)

/**
 * Where the pages find the files of `packages/web/public` (the stylesheet and the board's
 * live-update script): the server serves that directory under `prefix`, so CSP can stay
 * `script-src 'self'` and `style-src 'self'` with no inline code.
 */
export const ASSETS = {
  prefix: '/static/',
  stylesheet: '/static/workspace.css',
  boardScript: '/static/board.js',
} as const;
