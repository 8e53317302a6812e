/**
 * Schemas of the task messages' arguments. The workflow's update validators parse every
 * argument with them; the CLI can parse its input with the same schemas before sending.
 * `zod/mini` keeps the workflow bundle small.
 */
import * as z from 'zod/mini';
import type { MessageArgs, MessageName } from './definitions';

const requestId = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const actor = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const text = z.string().check(z.trim(), z.minLength(1), z.maxLength(4000));
// A regex, not z.url(): the workflow sandbox has no WHATWG URL class.
const evidenceLink = z.string().check(z.regex(/^https?:\/\/\S+$/, 'an http(s) link'), z.maxLength(2000));
const evidenceLinks = z.array(evidenceLink).check(z.maxLength(50));
/** An instant with an explicit offset, so no time zone is guessed inside the workflow. */
const instant = z.iso.datetime({ offset: true });

export const acknowledgeArgsSchema = z.object({
  requestId,
  actor,
  note: z.optional(text),
});
export type AcknowledgeArgs = z.infer<typeof acknowledgeArgsSchema>;

export const reportProgressArgsSchema = z.object({
  requestId,
  actor,
  /** Progress of the actor's unit on its part, 0–100. For the primary lead: the consolidated task progress. */
  percent: z.number().check(z.int(), z.gte(0), z.lte(100)),
  note: text,
  evidence: z.optional(evidenceLinks),
});
export type ReportProgressArgs = z.infer<typeof reportProgressArgsSchema>;

export const submitArgsSchema = z.object({
  requestId,
  actor,
  summary: text,
  evidence: z.optional(evidenceLinks),
});
export type SubmitArgs = z.infer<typeof submitArgsSchema>;

export const reviewArgsSchema = z.discriminatedUnion('decision', [
  z.object({
    requestId,
    actor,
    decision: z.literal('approve'),
    /** Between 0 and the plan policy's scoring base. */
    score: z.number().check(z.gte(0)),
    note: z.optional(text),
  }),
  z.object({
    requestId,
    actor,
    decision: z.literal('return'),
    reasons: z.array(text).check(z.minLength(1), z.maxLength(50)),
  }),
]);
export type ReviewArgs = z.infer<typeof reviewArgsSchema>;

export const requestExtensionArgsSchema = z.object({
  requestId,
  actor,
  /** The deadline asked for: later than the current one. */
  deadlineAt: instant,
  reason: text,
});
export type RequestExtensionArgs = z.infer<typeof requestExtensionArgsSchema>;

export const decideExtensionArgsSchema = z.discriminatedUnion('decision', [
  z.object({
    requestId,
    actor,
    decision: z.literal('approve'),
    /** HQ may grant a different deadline than asked; later than the current one. */
    deadlineAt: z.optional(instant),
    reason: z.optional(text),
  }),
  z.object({
    requestId,
    actor,
    decision: z.literal('refuse'),
    reason: text,
  }),
]);
export type DecideExtensionArgs = z.infer<typeof decideExtensionArgsSchema>;

export const cancelArgsSchema = z.object({
  requestId,
  actor,
  reason: text,
});
export type CancelArgs = z.infer<typeof cancelArgsSchema>;

/** The argument schema of each task message, by message name. */
export const messageArgSchemas: { [N in MessageName]: z.ZodMiniType<MessageArgs[N]> } = {
  acknowledge: acknowledgeArgsSchema,
  reportProgress: reportProgressArgsSchema,
  submit: submitArgsSchema,
  review: reviewArgsSchema,
  requestExtension: requestExtensionArgsSchema,
  decideExtension: decideExtensionArgsSchema,
  cancel: cancelArgsSchema,
};
