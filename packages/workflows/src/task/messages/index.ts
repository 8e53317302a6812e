/**
 * The task workflow's messages, one file each: `./review.ts` holds review's update
 * definition, argument schema, rules (`validate`) and effect (`apply`). The workflow
 * registers every message of {@link TASK_MESSAGES}; clients import the definitions and
 * schemas from here (through the package index).
 */
import type * as z from 'zod/mini';
import { acknowledge } from './acknowledge';
import { cancel } from './cancel';
import { decideExtension } from './decide-extension';
import { reportProgress } from './report-progress';
import { requestExtension } from './request-extension';
import { review } from './review';
import { submit } from './submit';
import type { TaskMessage } from './message';

/** Every task message, in the order the workflow registers them. */
export const TASK_MESSAGES = [acknowledge, reportProgress, submit, review, requestExtension, decideExtension, cancel] as const;

type AnyTaskMessage = (typeof TASK_MESSAGES)[number];
type ArgsOf<M> = M extends TaskMessage<string, infer A> ? A : never;

/** Each task message's argument, by message (update) name. */
export type MessageArgs = { [M in AnyTaskMessage as M['name']]: ArgsOf<M> };
export type MessageName = keyof MessageArgs;

/** The argument schema of each task message, by message name. */
export const messageArgSchemas = Object.fromEntries(TASK_MESSAGES.map((m) => [m.name, m.schema])) as {
  [N in MessageName]: z.ZodMiniType<MessageArgs[N]>;
};

export type { TaskMessage, MessageArgsBase } from './message';
export { acknowledge, acknowledgeArgsSchema, acknowledgeUpdate, type AcknowledgeArgs } from './acknowledge';
export { reportProgress, reportProgressArgsSchema, reportProgressUpdate, type ReportProgressArgs } from './report-progress';
export { submit, submitArgsSchema, submitUpdate, type SubmitArgs } from './submit';
export { review, reviewArgsSchema, reviewUpdate, type ReviewArgs } from './review';
export { requestExtension, requestExtensionArgsSchema, requestExtensionUpdate, type RequestExtensionArgs } from './request-extension';
export { decideExtension, decideExtensionArgsSchema, decideExtensionUpdate, type DecideExtensionArgs } from './decide-extension';
export { cancel, cancelArgsSchema, cancelUpdate, type CancelArgs } from './cancel';
