/**
 * One error model for every package: a {@link DubanError} carries a stable `code` from
 * the one registry below, facts in `details`, and a message a person can act on. Across
 * the Temporal boundary the code travels as `ApplicationFailure.type`, so a refusal
 * raised in workflow code reaches the client and the CLI with the same code.
 *
 * Codes are never renamed; new ones may be added. The CLI maps a code's `kind` to its
 * exit code, never an error's class or name.
 */

/**
 * What sort of failure a code is, which decides how callers react:
 * - `usage`: the command line or call itself is wrong (CLI exit 2);
 * - `invalid`: a file or argument does not fit the format (fix the input);
 * - `refused`: understood, and refused by the rules (role, state, deadline);
 * - `not-found`: what was named does not exist (yet);
 * - `unavailable`: something outside is down or unreachable (retry later);
 * - `config`: a setting or installation is wrong (fix the set-up).
 */
export type ErrorKind = 'usage' | 'invalid' | 'refused' | 'not-found' | 'unavailable' | 'config';

interface CodeInfo {
  kind: ErrorKind;
  /** Retrying the same input can succeed (activities): Temporal's retry policy follows this. */
  retryable?: boolean;
  /** What the code means, for the docs and for callers reading the registry. */
  means: string;
}

/** Every stable code duban uses, with its kind and meaning. */
export const ERROR_CODES = {
  // -- Using duban (CLI, client calls) -------------------------------------------------
  USAGE: { kind: 'usage', means: 'The command line is wrong: unknown option, missing argument, malformed value.' },
  FILE_NOT_FOUND: { kind: 'invalid', means: 'A file named on the command line or in a call does not exist or cannot be read.' },
  SERVER_UNREACHABLE: { kind: 'unavailable', means: 'No Temporal server answers at the configured address.' },
  NOT_FOUND: { kind: 'not-found', means: 'What was asked for does not exist.' },
  AUDIT_DB_NOT_FOUND: { kind: 'not-found', means: 'No audit database at the given path (the CLI does not create an empty one to export from).' },
  PORT_IN_USE: { kind: 'unavailable', means: 'A port `duban dev` needs is already taken by another process.' },

  // -- Plan and amendment files (problems inside PLAN_INVALID / AMENDMENT_INVALID) -------
  PLAN_INVALID: { kind: 'invalid', means: 'A plan file has problems; each is listed with its place in the file.' },
  AMENDMENT_INVALID: { kind: 'invalid', means: 'An amendment file does not fit its plan; each problem is listed with its place.' },
  PLAN_LOOKUP: { kind: 'not-found', means: 'A valid plan was asked for a task, milestone or action it does not contain.' },
  YAML_SYNTAX: { kind: 'invalid', means: 'The text is not valid YAML (including duplicate keys).' },
  PLAN_SCHEMA: { kind: 'invalid', means: 'A value has the wrong type, is missing, or a key is not part of the format.' },
  INVALID_DURATION: { kind: 'invalid', means: 'A policy duration is not a positive ISO-8601 duration.' },
  INVALID_TIME_ZONE: { kind: 'invalid', means: 'The time zone is not an IANA zone name.' },
  CAMPAIGN_RANGE_INVALID: { kind: 'invalid', means: 'The campaign ends before it starts.' },
  DEADLINE_OUTSIDE_CAMPAIGN: { kind: 'invalid', means: 'A milestone or task deadline falls outside the campaign.' },
  DUPLICATE_UNIT_CODE: { kind: 'invalid', means: 'Two units share a code.' },
  DUPLICATE_PERSON_ID: { kind: 'invalid', means: 'Two people share an id.' },
  DUPLICATE_MILESTONE_ID: { kind: 'invalid', means: 'Two milestones share an id.' },
  DUPLICATE_ACTION_NUMBER: { kind: 'invalid', means: 'Two actions share a number.' },
  DUPLICATE_TASK_NUMBER: { kind: 'invalid', means: 'A task number is used twice (in the plan, or by an added task).' },
  UNKNOWN_UNIT: { kind: 'invalid', means: 'A unit code the plan does not know.' },
  UNKNOWN_MILESTONE: { kind: 'invalid', means: 'A milestone id the plan does not know.' },
  UNKNOWN_ACTION: { kind: 'invalid', means: 'An action number the plan does not know.' },
  UNKNOWN_PERSON: { kind: 'invalid', means: 'A person id the roster does not know.' },
  SUPERVISOR_NOT_IN_ROSTER: { kind: 'invalid', means: 'A supervision-group member is not in the roster.' },
  ROLE_MISSING: { kind: 'invalid', means: 'A group member lacks the role the group needs.' },
  NO_LEAD_UNIT: { kind: 'invalid', means: 'A task has no lead unit.' },
  DUPLICATE_UNIT_IN_LIST: { kind: 'invalid', means: 'A unit appears twice in one list.' },
  UNIT_KIND_MISMATCH: { kind: 'invalid', means: 'A unit of the wrong kind in a role.' },
  UNIT_WITHOUT_HEAD: { kind: 'invalid', means: 'A lead or responsible unit has nobody with the unit-head role.' },
  CALENDAR_CONFLICT: { kind: 'invalid', means: 'The same date is both an extra holiday and an extra workday.' },
  PLAN_MISMATCH: { kind: 'invalid', means: 'An amendment or added task belongs to another plan.' },
  TASK_WITHOUT_DEADLINE: { kind: 'invalid', means: 'A task has neither a deadline nor a milestone.' },
  EMPTY_AMENDMENT: { kind: 'invalid', means: 'The amendment adds, moves and reassigns nothing.' },
  INVALID_PLAN: { kind: 'invalid', means: 'The plan cannot be turned into workflow input.' },
  FILE_TOO_LARGE: { kind: 'invalid', means: 'A plan or amendment file is larger than duban reads (PLAN_LIMITS.fileBytes).' },
  LIMIT_EXCEEDED: { kind: 'invalid', means: 'A text of a plan or amendment is longer, or a list has more entries, than the format allows (PLAN_LIMITS).' },
  SECRET_IN_PLAN: { kind: 'invalid', means: 'A plan holds a credential (a password, token or key, or one in a URL): plans name secrets (…Secret fields), the environment holds them.' },
  UNKNOWN_CHANNEL: { kind: 'invalid', means: 'The routing names a channel that routing.channels does not define (or a unit robot where no unit has one).' },
  CHANNEL_TYPE_MISMATCH: { kind: 'invalid', means: "A unit's robot (routing.robots) is a channel of another type than wecom or dingtalk." },
  UNKNOWN_AUDIENCE: { kind: 'invalid', means: 'A route names a group or role the plan does not have.' },
  COLLECTIVE_UNIT_INVALID: { kind: 'invalid', means: 'A collective unit (各区县政府, 区直各部门) has no members, names members that are not units, or contains itself through its members; or a unit that is not collective lists members.' },
  DUPLICATE_CHECK_ID: { kind: 'invalid', means: "Two dated nodes or recurring duties of one task share an id." },
  DUPLICATE_GROUP_CODE: { kind: 'invalid', means: 'Two working groups of the organization share a code.' },
  RECURRING_WINDOW_INVALID: { kind: 'invalid', means: 'A recurring duty limited to a window (from … until) has the window reversed, or no occurrence falls inside it and the campaign.' },
  TASK_START_INVALID: { kind: 'invalid', means: "A task's start (not before this date) is not before its deadline, or comes after one of its dated nodes or its filing date." },
  FILE_NOT_WRITTEN: { kind: 'unavailable', means: 'A file could not be written (permissions, a full disk); the file that was there is unchanged.' },
  PLAN_FORMAT_CURRENT: { kind: 'refused', means: '`duban plan migrate` was given a plan that is already in the current format (format: 2): nothing to change.' },

  // -- Importing a published plan (`duban plan import`) ---------------------------------
  IMPORT_UNSUPPORTED_FILE: { kind: 'invalid', means: '`duban plan import` reads .txt, .md and .docx files; this one is of another kind, or its .docx cannot be read.' },
  IMPORT_NO_TASKS: { kind: 'invalid', means: '`duban plan import` found no numbered item with its units (牵头单位/责任单位) in the text: nothing to draft a plan from.' },

  // -- Simulation scenarios (`duban simulate`; problems inside SCENARIO_INVALID) -----------
  SCENARIO_INVALID: { kind: 'invalid', means: 'A simulation scenario file has problems; each is listed with its place in the file.' },
  EVENT_OUTSIDE_CAMPAIGN: { kind: 'invalid', means: "A scenario's one-off event is dated outside the plan's campaign." },

  // -- Task messages (the task workflow's refusals) --------------------------------------
  UNKNOWN_ACTOR: { kind: 'refused', means: "The actor is not on the task's roster." },
  WRONG_ROLE: { kind: 'refused', means: "The actor's unit or roles do not allow this message." },
  SELF_REVIEW: { kind: 'refused', means: 'A reviewer tried to review work they submitted.' },
  INVALID_STATE: { kind: 'refused', means: "The message does not fit the task's current status." },
  INVALID_ARGUMENT: { kind: 'invalid', means: "The message's arguments are malformed." },
  DEADLINE_PASSED: { kind: 'refused', means: 'An extension was requested after the deadline.' },
  ASSISTING_REPORTS_MISSING: { kind: 'refused', means: 'Submission before every assisting unit reported, when the plan requires it.' },
  EXTENSION_PENDING: { kind: 'refused', means: "An extension request is already waiting for HQ's decision." },
  REQUEST_ID_REUSED: { kind: 'refused', means: 'The request id was already used by a different message.' },
  CONTINUING_AS_NEW: {
    kind: 'unavailable',
    retryable: true,
    means: 'The task is about to continue in a fresh run and another message is still being handled: send the same message again in a moment (same request id; it is applied once).',
  },
  TASK_NOT_FOUND: { kind: 'not-found', means: 'No workflow for this plan and task: it was never launched.' },
  TASK_NOT_IN_PLAN: { kind: 'not-found', means: 'The plan has no task with this number.' },
  UPDATE_FAILED: { kind: 'refused', means: 'The workflow refused or failed a message for a reason without a duban code.' },

  // -- Identity and authority (signed instructions, the roster of record) ----------------
  CREDENTIAL_MISSING: { kind: 'refused', means: 'The instruction carries no signature: the sender holds no key of the roster of record.' },
  KEY_UNKNOWN: { kind: 'refused', means: "The signing key is not one of the signer's keys in the roster of record." },
  KEY_REVOKED: { kind: 'refused', means: 'The signing key was revoked.' },
  SIGNATURE_INVALID: { kind: 'refused', means: 'The signature does not match the instruction: it was forged or altered.' },
  INSTRUCTION_EXPIRED: { kind: 'refused', means: 'The instruction was issued too long ago (or in the future): sign it again.' },
  ACTING_FOR_ANOTHER: { kind: 'refused', means: 'The signer is not the actor, and no break-glass reason was given.' },
  BREAK_GLASS_NOT_ALLOWED: { kind: 'refused', means: 'Only HQ office may act for an absent person (break-glass).' },
  NOT_AUTHORISED: { kind: 'refused', means: 'The signer holds no role in the roster of record that allows this.' },
  SELF_DECISION: { kind: 'refused', means: 'The decider of an extension request is the person who asked for it.' },
  CONFLICT_OF_INTEREST: { kind: 'refused', means: "A reviewer from the primary lead's own unit, where the plan does not allow it." },
  EXTENSION_BEYOND_CAMPAIGN: { kind: 'refused', means: "An extension past the campaign's end: amend the campaign first." },
  REASON_REQUIRED: { kind: 'refused', means: 'Approving work below 100% needs a recorded reason (note).' },
  NOT_SUPERVISOR: { kind: 'refused', means: 'The task names who supervises it (plan format 2, task.supervisor), and the reviewer is not one of their people.' },
  KEY_FILE_MISSING: { kind: 'config', means: "No key file for this person on this machine: ask an operator to issue one (`duban keys issue`)." },
  KEY_FILE_INVALID: { kind: 'config', means: 'A key file cannot be read or is not a duban key file.' },

  // -- Campaigns and amendments (the campaign workflow's refusals) -----------------------
  INVALID_AMENDMENT: { kind: 'invalid', means: 'The amendment is malformed (missing id, reason, or a field of the wrong shape).' },
  UNKNOWN_TASK: { kind: 'refused', means: 'The amendment names a task the plan or campaign does not have.' },
  TASK_FINISHED: { kind: 'refused', means: 'The task is approved or cancelled: its record is final.' },
  DEADLINE_IN_PAST: { kind: 'refused', means: 'A new deadline is not in the future.' },
  CAMPAIGN_ENDED: { kind: 'refused', means: 'The campaign has ended and takes no more amendments.' },
  CAMPAIGN_NOT_FOUND: { kind: 'not-found', means: 'No campaign for this plan: it was never launched.' },
  CAMPAIGN_OVER: { kind: 'refused', means: "The plan's campaign lies in the past: launch it for a year to come." },
  DEADLINES_PASSED: { kind: 'refused', means: "Tasks of the plan are due at instants already past: re-date the plan, or launch with --allow-past (recorded in each such task)." },

  // -- Activities (audit store, notifier) ------------------------------------------------
  AUDIT_STORE_UNAVAILABLE: { kind: 'unavailable', retryable: true, means: 'The audit store (SQLite file or PostgreSQL database) cannot be opened, created or written.' },
  AUDIT_STORE_CORRUPT: { kind: 'config', retryable: true, means: 'The file is not a duban SQLite database, the PostgreSQL database holds tables duban does not recognise, or either is damaged.' },
  AUDIT_STORE_SCHEMA_TOO_NEW: { kind: 'config', retryable: false, means: 'The audit database was written by a newer duban.' },
  AUDIT_STORE_CLOSED: { kind: 'unavailable', retryable: true, means: 'The audit store was used after close().' },
  AUDIT_STORE_URL_INVALID: { kind: 'config', retryable: false, means: 'The audit store target is neither a postgres:// URL nor a SQLite file path duban can use.' },
  PLAN_NOT_STORED: {
    kind: 'not-found',
    retryable: true,
    means: "A campaign's stored plan is not (yet) complete in the audit database: the launch stores its parts through the worker; launch again if they never arrive.",
  },
  CAMPAIGN_SNAPSHOT_MISSING: {
    kind: 'config',
    retryable: true,
    means: 'The snapshot a campaign saved before continuing as new is missing from the audit database: restore it; the campaign waits instead of starting over without its board.',
  },
  AUDIT_TRAIL_BROKEN: { kind: 'invalid', means: '`audit verify` found entries altered, deleted, inserted or reordered: the stored trail no longer fits its hash chains.' },
  INVALID_INPUT: { kind: 'invalid', retryable: false, means: 'An audit entry or notification is malformed.' },
  WEBHOOK_URL_INVALID: { kind: 'config', retryable: false, means: 'The configured webhook URL cannot be used.' },
  WEBHOOK_REJECTED: { kind: 'refused', retryable: false, means: 'The webhook answered 4xx (other than 408/429): sending again will not help.' },
  WEBHOOK_UNAVAILABLE: { kind: 'unavailable', retryable: true, means: 'The webhook answered 5xx, 408 or 429, timed out, or could not be reached.' },

  // -- Notification channels (email, 企业微信 and 钉钉 robots, signed webhooks) -------------
  CHANNEL_CONFIG_INVALID: { kind: 'config', retryable: false, means: "A channel's settings cannot be used: URL, host, sender, TLS, or a limit." },
  CHANNEL_AUTH_FAILED: {
    kind: 'config',
    retryable: false,
    means: "The channel refused duban's credentials (SMTP login, robot key or token, 钉钉 加签, the receiver's signature check): fix the secret.",
  },
  CHANNEL_REJECTED: {
    kind: 'refused',
    retryable: false,
    means: 'The channel refused the message for good (HTTP 4xx, SMTP 5xx, a robot errcode for a bad message): sending it again will not help.',
  },
  CHANNEL_UNAVAILABLE: {
    kind: 'unavailable',
    retryable: true,
    means: 'The channel did not take the message now (5xx, 408, 429, SMTP 4xx, robot rate limit or busy, timeout, unreachable): retry later.',
  },
  SECRET_NOT_FOUND: { kind: 'config', retryable: false, means: 'A secret named in the configuration is set neither as DUBAN_SECRET_<NAME> nor as a file in DUBAN_SECRET_<NAME>_FILE.' },
  SECRET_INVALID: { kind: 'config', retryable: false, means: "A secret's name is malformed, it is set both ways, or its file is unreadable or empty." },
  NOTIFICATION_UNROUTABLE: {
    kind: 'config',
    retryable: false,
    means: "The plan's routing reaches none of a notification's people: no contact (email) for them, or no robot for their unit.",
  },

  // -- Worker and servers ----------------------------------------------------------------
  WORKER_CONNECTION_FAILED: { kind: 'unavailable', means: 'The Temporal server did not accept a connection at the configured address.' },
  WORKER_CONFIG_INVALID: { kind: 'config', means: 'A worker setting has a value the worker cannot use.' },
  WORKER_WORKFLOW_BUNDLE_FAILED: { kind: 'config', means: 'The workflow code could not be bundled or loaded.' },
  SEARCH_ATTRIBUTE_TYPE_MISMATCH: { kind: 'config', means: 'A search attribute exists on the namespace with another type than duban needs.' },
  SEARCH_ATTRIBUTES_UNAVAILABLE: { kind: 'unavailable', means: 'The server refused to list or add search attributes.' },
  TEMPORAL_BINARY_NOT_FOUND: { kind: 'config', means: 'A Temporal server executable cannot be found.' },
  TEMPORAL_BINARY_NOT_EXECUTABLE: { kind: 'config', means: 'A Temporal server executable exists but cannot be run.' },
  TEMPORAL_SERVER_START_FAILED: { kind: 'unavailable', means: 'A Temporal server was found but did not start or become healthy.' },

  // -- The web workspace (`duban serve`) -------------------------------------------------
  LOGIN_FAILED: { kind: 'refused', means: 'The person id and password (or the second-factor code) do not match an account of the workspace.' },
  ACCOUNT_LOCKED: { kind: 'refused', means: 'Too many wrong passwords or codes in a row: the account refuses logins until the lockout ends.' },
  SESSION_INVALID: { kind: 'refused', means: 'The session cookie names no live session (logged out, expired, or the workspace restarted): log in again.' },
  CSRF_INVALID: { kind: 'refused', means: 'A form arrived without the anti-forgery token of the page it came from: reload the page and send it again.' },
  INVITATION_INVALID: { kind: 'not-found', means: 'The invitation link is unknown, already used or expired: ask an operator for a new one (`duban users invite`).' },
  PASSWORD_REJECTED: { kind: 'invalid', means: 'The new password is too short, or the two entries differ.' },
  SIGNING_KEY_UNAVAILABLE: { kind: 'refused', means: "The workspace holds no signing key of the logged-in person for this plan: the person's invitation did not carry one." },
  KEYSTORE_SEALED_INVALID: { kind: 'config', means: 'A sealed key in the workspace keystore cannot be opened with the given password or token (wrong secret, or the record was altered).' },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes by name, so a code is checked by the compiler: `ErrorCode.WRONG_ROLE`. */
export const ErrorCode = Object.freeze(
  Object.fromEntries(Object.keys(ERROR_CODES).map((code) => [code, code])) as { readonly [C in ErrorCode]: C },
);

/** Narrows any string (an `ApplicationFailure.type`, say) to a registered code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

export function errorKind(code: ErrorCode): ErrorKind {
  return ERROR_CODES[code].kind;
}

/** Whether retrying the same input can help; codes that do not say are not retried. */
export function isRetryable(code: ErrorCode): boolean {
  const info: CodeInfo = ERROR_CODES[code];
  return info.retryable ?? false;
}

/** A view of the registry: the codes one part of duban can raise, e.g. a workflow's refusals. */
export function codesOf<const C extends ErrorCode>(codes: readonly C[]): { readonly [K in C]: K } {
  return Object.freeze(Object.fromEntries(codes.map((code) => [code, code]))) as { readonly [K in C]: K };
}

/** The union of the codes in a view made by {@link codesOf}: `type TaskErrorCode = CodeOf<typeof TaskErrorCode>`. */
export type CodeOf<V extends { readonly [code: string]: ErrorCode }> = V[keyof V];

export interface DubanErrorOptions {
  /** Facts for callers, logs and `--json` output. No secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error class of duban. Packages may extend it to add typed fields (a plan's
 * problems, a webhook's status), but callers branch on {@link code} only.
 *
 * @example
 * ```ts
 * try {
 *   await duban.task('xihu-2020', 3).review({ actor: 'chengguan-head', decision: 'approve', score: 90 });
 * } catch (error) {
 *   if (isDubanError(error) && error.code === ErrorCode.WRONG_ROLE) console.error(error.message);
 *   else throw error;
 * }
 * ```
 */
export class DubanError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name: string = 'DubanError';
  readonly code: C;
  readonly details: Record<string, unknown>;

  constructor(code: C, message: string, options: DubanErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  get kind(): ErrorKind {
    return errorKind(this.code);
  }
}

/**
 * Whether `err` is a duban error. Structural as well as `instanceof`: an error from
 * another copy of this package or another realm (jest's module registry) still counts.
 */
export function isDubanError(err: unknown): err is DubanError {
  if (err instanceof DubanError) return true;
  return typeof err === 'object' && err !== null && 'code' in err && 'message' in err && isErrorCode((err as { code: unknown }).code);
}

/** An error's own message; structural because errors from Node internals or another realm fail `instanceof Error`. */
export function messageOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string') return err.message;
  return String(err);
}
