/**
 * The shape every task message has: its update definition, its arguments' shape, who may
 * send it and when (data, also rendered as the README's table), its rules (`validate`)
 * and its effect (`apply`), side by side in one file per message (`./review.ts` holds
 * everything about `review`). Importable by clients: it defines, and never calls a
 * workflow API at import time. The clients' zod schemas are derived from the shapes in
 * `./schemas.ts`; no zod here (see `./args.ts`).
 */
import { defineUpdate } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { isTerminal, TASK_STATUSES, type Role, type TaskStatus } from '@duban/common';
import { withoutProof, type Proof } from '@duban/identity';
import { canonicalBytes, MESSAGE_LIMITS, PROOF_REFUSALS, REQUEST_ID_PATTERN, type MessageResult, type Person, type TaskErrorCode } from '../definitions';
import type { TaskRecord } from '../record';
import { ARG_MESSAGES, INSTANT_PATTERN, list, object, optional, parseArgs, text as textShape, type ArgIssue, type ArgsParse, type ArgsShape, type Fields, type Infer, type ObjectShape } from './args';

/** What every message's argument carries: the request id (idempotency), the acting person and the proof that they gave it. */
export interface MessageArgsBase {
  requestId: string;
  actor: string;
  /** The actor's (or, break-glass, HQ office's) signature over the instruction; see `@duban/identity`. */
  proof?: Proof;
}

/**
 * Who may send a message: one of `roles`, in the `unit` named. The task checks exactly
 * this before the message's own rules, and the README's table is rendered from it.
 */
export interface Senders {
  roles: readonly Role[];
  /** `primary`: the primary lead unit; `involved`: any lead or responsible unit of the task; `any`: any unit. */
  unit: 'primary' | 'involved' | 'any';
  /**
   * Where the task names who supervises it (plan format 2, `supervisedBy`), exactly their
   * people may send it, whatever their roles, in place of `roles` and `unit` (NOT_SUPERVISOR).
   */
  supervising?: true;
  /** The message's further rules about its sender and moment, in words (English, Chinese). */
  en: string;
  zh: string;
}

/** The {@link Senders} of a message: one of `roles`, in the `unit` named, with its further rules in words (`en`, `zh`). */
export function sentBy(roles: readonly Role[], unit: Senders['unit'], rules: Pick<Senders, 'en' | 'zh'>): Senders {
  return { roles, unit, ...rules };
}

/** What a message's rules get besides the task, the arguments and the person. */
export interface RuleContext<C extends TaskErrorCode> {
  /** Refuses with one of the message's declared `refusals`: the compiler keeps the table complete. */
  refuse(code: C, message: string, details?: Record<string, unknown>): never;
  /**
   * Whether the authority rules (self decision, conflict of interest, campaign end, reason
   * for approving unfinished work) apply: always in the validator; in the handler only for
   * histories recorded since they exist, so earlier histories replay as they ran.
   */
  authority: boolean;
}

export interface TaskMessage<N extends string = string, A extends MessageArgsBase = MessageArgsBase, C extends TaskErrorCode = TaskErrorCode> {
  readonly name: N;
  /** An update, not a signal: every sender needs to know whether the message was accepted. */
  readonly update: UpdateDefinition<MessageResult, [A], N>;
  /**
   * The arguments' form, without the limits: what the handler parses ({@link parseMessageArgs}
   * without limits). Validators do not run on replay, so a message recorded under older
   * limits (or none) replays as it ran; keep the form as lenient as it ever was. The update
   * validator and the client check it with the limits (`MESSAGE_LIMITS`, {@link limitIssues});
   * the client's zod schema is derived from it (`messageArgSchemas`).
   */
  readonly form: ArgsShape;
  readonly senders: Senders;
  /** The statuses in which the task takes the message. */
  readonly when: readonly TaskStatus[];
  /** The codes the message's own rules refuse with (every message also can with {@link COMMON_REFUSALS}). */
  readonly refusals: readonly C[];
  /**
   * The rules beyond sender and status: throws a refusal when the message may not be
   * applied now. Synchronous, because it runs in the update validator, where a rejection
   * leaves no trace in history; it runs again in the handler.
   */
  validate(task: TaskRecord, args: A, person: Person, context: RuleContext<C>): void;
  /** The effect: changes the state and records one event (maybe with a notice); returns its seq. */
  apply(task: TaskRecord, args: A, person: Person): number;
}

/** Defines a message from its arguments' `form` (see {@link messageArgs}); its name is written here once and is also the update's name. */
export function defineMessage<const N extends string, F extends ArgsShape, const C extends TaskErrorCode = never, A extends MessageArgsBase = Infer<F> & MessageArgsBase>(
  name: N,
  form: F,
  rules: Pick<TaskMessage<N, A, C>, 'senders' | 'when' | 'refusals' | 'validate' | 'apply'>,
): TaskMessage<N, A, C> {
  return { name, update: defineUpdate<MessageResult, [A], N>(name), form, ...rules };
}

/**
 * A message's arguments parsed against its form, and with `limits` against
 * `MESSAGE_LIMITS` too (what the validator and the client check): the parsed arguments or
 * every issue. The limits are measured on arguments of the right form (as the zod schema
 * derived for clients does), so both name the same problems.
 */
export function parseMessageArgs<A extends MessageArgsBase>(message: Pick<TaskMessage<string, A>, 'form'>, raw: unknown, { limits }: { limits: boolean }): ArgsParse<A> {
  const parsed = parseArgs(message.form, raw) as ArgsParse<A>;
  if (!limits || !parsed.success) return parsed;
  const over = limitIssues(parsed.data);
  return over.length === 0 ? parsed : { success: false, issues: over };
}

/**
 * The refusals every message can meet, in the order the task checks them
 * (`TaskRecord.check`): arguments, actor, request id (a retry is answered before its
 * proof is checked), a run about to continue as new (send again), proof, open task
 * (INVALID_STATE), sender (WRONG_ROLE), then status (INVALID_STATE again) and the
 * message's own.
 */
export const COMMON_REFUSALS = [
  'INVALID_ARGUMENT',
  'UNKNOWN_ACTOR',
  'REQUEST_ID_REUSED',
  'CONTINUING_AS_NEW',
  ...PROOF_REFUSALS,
  'INVALID_STATE',
  'WRONG_ROLE',
] as const satisfies readonly TaskErrorCode[];

/**
 * Drops the oldest of `items` beyond `max`: a list in the state grows with messages, and
 * the state is queried and carried across continue-as-new whole (`TASK_STATE_LIMITS`).
 */
export function keepNewest(items: unknown[], max: number): void {
  if (items.length > max) items.splice(0, items.length - max);
}

/** Every status but approved and cancelled. */
export const OPEN_STATUSES: readonly TaskStatus[] = TASK_STATUSES.filter((s) => !isTerminal(s));

// The argument pieces the messages share: their form only. Their limits are
// `MESSAGE_LIMITS`, checked by `limitIssues` in the validator; here they would be checked
// on replay too, where a message accepted under older limits must still parse.
export const requestId = textShape({ trim: true, minLength: 1 });
export const actor = textShape({ trim: true, minLength: 1 });
export const text = textShape({ trim: true, minLength: 1 });
// A regex, not a URL parser: the workflow sandbox has no WHATWG URL class.
const evidenceLink = textShape({ pattern: { regex: /^https?:\/\/\S+$/, message: 'an http(s) link' } });
export const evidenceLinks = list(evidenceLink);
/** An instant with an explicit offset, so no time zone is guessed inside the workflow. */
export const instant = textShape({ pattern: { regex: INSTANT_PATTERN, message: ARG_MESSAGES.instant } });
// The identity check, not the schema, decides whether a proof is valid (a wrong signature
// is SIGNATURE_INVALID, not a malformed argument). Nothing is trimmed: the signature
// covers the proof's facts exactly as sent.
const hex = textShape({ pattern: { regex: /^[0-9a-fA-F]+$/, message: 'hex digits' } });
/** A {@link Proof}: an Ed25519 signature (64 bytes, 128 hex digits) by a key of the roster. */
export const proof = object({
  signer: textShape({ minLength: 1 }),
  keyId: hex,
  issuedAt: instant,
  signature: hex,
  breakGlass: optional(object({ reason: textShape({ minLength: 1 }) })),
});

type LimitIssue = ArgIssue;

/**
 * Where the arguments exceed `MESSAGE_LIMITS`, each with the field and the limit. Reads
 * the parsed arguments (trimmed, unknown keys dropped), which may be partly malformed when
 * the form also failed: every field is type-checked here before it is measured.
 */
export function limitIssues(args: unknown): LimitIssue[] {
  if (typeof args !== 'object' || args === null) return [];
  const given = args as Record<string, unknown>;
  const issues: LimitIssue[] = [];
  const tooLong = (path: LimitIssue['path'], value: unknown, max: number) => {
    if (typeof value === 'string' && value.length > max) issues.push({ path, message: `at most ${max} characters (${value.length} given)` });
  };
  for (const [field, limit] of Object.entries(MESSAGE_LIMITS.fields)) {
    const value = given[field];
    if (!Array.isArray(value)) {
      tooLong([field], value, limit.length);
      continue;
    }
    if ('items' in limit && value.length > limit.items) issues.push({ path: [field], message: `at most ${limit.items} items (${value.length} given)` });
    // The first item too long is enough to name: the refusal stays short.
    const long = value.findIndex((item) => typeof item === 'string' && item.length > limit.length);
    if (long >= 0) tooLong([field, long], value[long], limit.length);
  }
  const id = given['requestId'];
  if (typeof id === 'string' && id.length > 0 && !REQUEST_ID_PATTERN.test(id)) {
    issues.push({ path: ['requestId'], message: 'printable ASCII without spaces, quotes or backslashes (a UUID will do)' });
  }
  const sentProof = given['proof'];
  if (typeof sentProof === 'object' && sentProof !== null) {
    const p = sentProof as Record<string, unknown>;
    const caps = MESSAGE_LIMITS.proof;
    tooLong(['proof', 'signer'], p['signer'], caps.signer);
    tooLong(['proof', 'keyId'], p['keyId'], caps.keyId);
    tooLong(['proof', 'signature'], p['signature'], caps.signature);
    const breakGlass = p['breakGlass'];
    if (typeof breakGlass === 'object' && breakGlass !== null) tooLong(['proof', 'breakGlass', 'reason'], (breakGlass as Record<string, unknown>)['reason'], caps.breakGlassReason);
  }
  const signed = withoutProof(given);
  const bytes = canonicalBytes(signed);
  if (bytes > MESSAGE_LIMITS.messageBytes) {
    const [largest] = Object.entries(signed)
      .map(([field, value]) => ({ field, size: canonicalBytes(value) }))
      .sort((a, b) => b.size - a.size);
    issues.push({
      path: [],
      message: `the message is ${bytes} bytes (canonical JSON, without proof), over the limit of ${MESSAGE_LIMITS.messageBytes}${largest ? `: shorten ${largest.field} (${largest.size} bytes)` : ''}`,
    });
  }
  return issues;
}

/**
 * A message's argument form: the {@link MessageArgsBase} fields every message carries
 * (`requestId`, `actor`, an optional `proof`), then the message's own `fields`. One per
 * variant of a discriminated union.
 */
export function messageArgs<const F extends Fields>(fields: F) {
  return object({ requestId, actor, proof: optional(proof), ...fields });
}

/** The object shapes of a form: itself, or each option of a union. */
export function formObjects(form: ArgsShape): readonly ObjectShape[] {
  return form.kind === 'union' ? form.options : [form];
}
