/**
 * The shape every task message has: its update definition, its argument schema, who may
 * send it and when (data, also rendered as the README's table), its rules (`validate`)
 * and its effect (`apply`), side by side in one file per message (`./review.ts` holds
 * everything about `review`). Importable by clients: it defines, and never calls a
 * workflow API at import time.
 */
import { defineUpdate } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import * as z from 'zod/mini';
import { isTerminal, TASK_STATUSES, type Role, type TaskStatus } from '@duban/common';
import type { Proof } from '@duban/identity';
import { PROOF_REFUSALS, type MessageResult, type Person, type TaskErrorCode } from '../definitions';
import type { TaskRecord } from '../record';

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
  /** Parses the raw argument; `zod/mini` keeps the workflow bundle small. */
  readonly schema: z.ZodMiniType<A>;
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

/** Defines a message; its name is written here once and is also the update's name. */
export function defineMessage<const N extends string, A extends MessageArgsBase, const C extends TaskErrorCode = never>(
  name: N,
  schema: z.ZodMiniType<A>,
  rules: Pick<TaskMessage<N, A, C>, 'senders' | 'when' | 'refusals' | 'validate' | 'apply'>,
): TaskMessage<N, A, C> {
  return { name, update: defineUpdate<MessageResult, [A], N>(name), schema, ...rules };
}

/**
 * The refusals every message can meet, in the order the task checks them
 * (`TaskRecord.check`): arguments, actor, request id (a retry is answered before its
 * proof is checked), proof, open task (INVALID_STATE), sender (WRONG_ROLE), then status
 * (INVALID_STATE again) and the message's own.
 */
export const COMMON_REFUSALS = [
  'INVALID_ARGUMENT',
  'UNKNOWN_ACTOR',
  'REQUEST_ID_REUSED',
  ...PROOF_REFUSALS,
  'INVALID_STATE',
  'WRONG_ROLE',
] as const satisfies readonly TaskErrorCode[];

/** Every status but approved and cancelled. */
export const OPEN_STATUSES: readonly TaskStatus[] = TASK_STATUSES.filter((s) => !isTerminal(s));

// The argument pieces the messages share.
export const requestId = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
export const actor = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
export const text = z.string().check(z.trim(), z.minLength(1), z.maxLength(4000));
// A regex, not z.url(): the workflow sandbox has no WHATWG URL class.
const evidenceLink = z.string().check(z.regex(/^https?:\/\/\S+$/, 'an http(s) link'), z.maxLength(2000));
export const evidenceLinks = z.array(evidenceLink).check(z.maxLength(50));
/** An instant with an explicit offset, so no time zone is guessed inside the workflow. */
export const instant = z.iso.datetime({ offset: true });
// Caps only: the identity check, not the schema, decides whether a proof is valid (a wrong
// signature is SIGNATURE_INVALID, not a malformed argument). Nothing is trimmed: the
// signature covers the proof's facts exactly as sent.
const hex = (max: number) => z.string().check(z.regex(/^[0-9a-fA-F]+$/, 'hex digits'), z.maxLength(max));
/** A {@link Proof}: an Ed25519 signature (64 bytes, 128 hex digits) by a key of the roster. */
export const proof = z.object({
  signer: z.string().check(z.minLength(1), z.maxLength(200)),
  keyId: hex(64),
  issuedAt: instant,
  signature: hex(256),
  breakGlass: z.optional(z.object({ reason: z.string().check(z.minLength(1), z.maxLength(4000)) })),
});

/**
 * A message's argument schema: the {@link MessageArgsBase} fields every message carries
 * (`requestId`, `actor`, an optional `proof`), then the message's own `fields`. One per
 * variant of a discriminated union.
 */
export function messageArgs<F extends z.core.$ZodLooseShape>(fields: F) {
  return z.object({ requestId, actor, proof: z.optional(proof), ...fields });
}
