/**
 * The task workflow's messages, one file each: `./review.ts` holds review's update
 * definition, argument form, rules (`validate`) and effect (`apply`). The workflow
 * registers every message of {@link TASK_MESSAGES}; clients import the definitions from
 * here and the zod schemas derived from the forms from `./schemas.ts` (through the
 * package index). Workflow code: no zod.
 */
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

export type { TaskMessage, MessageArgsBase } from './message';
export { acknowledge, acknowledgeUpdate, type AcknowledgeArgs } from './acknowledge';
export { reportProgress, reportProgressUpdate, type ReportProgressArgs } from './report-progress';
export { submit, submitUpdate, type SubmitArgs } from './submit';
export { review, reviewUpdate, type ReviewArgs } from './review';
export { requestExtension, requestExtensionUpdate, type RequestExtensionArgs } from './request-extension';
export { decideExtension, decideExtensionUpdate, type DecideExtensionArgs } from './decide-extension';
export { cancel, cancelUpdate, type CancelArgs } from './cancel';
