/**
 * The shape every task message has: its update definition, its argument schema, its
 * rules (`validate`) and its effect (`apply`), side by side in one file per message
 * (`./review.ts` holds everything about `review`). Importable by clients: it defines,
 * and never calls a workflow API at import time.
 */
import { defineUpdate } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import * as z from 'zod/mini';
import type { MessageResult, Person } from '../definitions';
import type { TaskRecord } from '../record';

/** What every message's argument carries: the request id (idempotency) and the acting person. */
export interface MessageArgsBase {
  requestId: string;
  actor: string;
}

export interface TaskMessage<N extends string = string, A extends MessageArgsBase = MessageArgsBase> {
  readonly name: N;
  /** An update, not a signal: every sender needs to know whether the message was accepted. */
  readonly update: UpdateDefinition<MessageResult, [A], N>;
  /** Parses the raw argument; `zod/mini` keeps the workflow bundle small. */
  readonly schema: z.ZodMiniType<A>;
  /**
   * The rules: throws a refusal (`fail`) when the message may not be applied now.
   * Synchronous, because it runs in the update validator, where a rejection leaves no
   * trace in history; it runs again in the handler.
   */
  validate(task: TaskRecord, args: A, person: Person): void;
  /** The effect: changes the state and records one event (maybe with a notice); returns its seq. */
  apply(task: TaskRecord, args: A, person: Person): number;
}

/** Defines a message; its name is written here once and is also the update's name. */
export function defineMessage<const N extends string, A extends MessageArgsBase>(
  name: N,
  schema: z.ZodMiniType<A>,
  rules: Pick<TaskMessage<N, A>, 'validate' | 'apply'>,
): TaskMessage<N, A> {
  return { name, update: defineUpdate<MessageResult, [A], N>(name), schema, validate: rules.validate, apply: rules.apply };
}

// The argument pieces the messages share.
export const requestId = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
export const actor = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
export const text = z.string().check(z.trim(), z.minLength(1), z.maxLength(4000));
// A regex, not z.url(): the workflow sandbox has no WHATWG URL class.
const evidenceLink = z.string().check(z.regex(/^https?:\/\/\S+$/, 'an http(s) link'), z.maxLength(2000));
export const evidenceLinks = z.array(evidenceLink).check(z.maxLength(50));
/** An instant with an explicit offset, so no time zone is guessed inside the workflow. */
export const instant = z.iso.datetime({ offset: true });
