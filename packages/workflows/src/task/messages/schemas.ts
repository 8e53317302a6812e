/**
 * The task messages' arguments as zod schemas, for clients, the CLI and anything that
 * wants a schema (JSON Schema, forms): derived from each message's `form` (`./args.ts`),
 * with the same messages, plus the limits (`MESSAGE_LIMITS`) the update validator checks.
 * The form stays the one definition; `test/workflows/message-args.test.ts` holds the two
 * checks to the same verdicts. Not workflow code: nothing here is bundled.
 */
import * as z from 'zod/mini';
import { ARG_MESSAGES, discriminatorValues, type ArgsShape, type Fields, type ObjectShape, type Shape } from './args';
import { limitIssues } from './message';
import { acknowledge } from './acknowledge';
import { cancel } from './cancel';
import { decideExtension } from './decide-extension';
import { reportProgress } from './report-progress';
import { requestExtension } from './request-extension';
import { review } from './review';
import { submit } from './submit';
import { TASK_MESSAGES, type MessageArgs, type MessageName } from './index';

/**
 * The zod schema of one shape, checking what `parseArgs` checks, in the same words. A
 * `required` field that is missing says so, as the workflow's check does.
 */
export function zodSchemaOf(shape: Shape, { required = false }: { required?: boolean } = {}): z.ZodMiniType {
  const typeError = (message: string) => ({ error: (issue: { input?: unknown }) => (required && issue.input === undefined ? ARG_MESSAGES.required : message) });
  switch (shape.kind) {
    case 'text': {
      const checks: z.core.$ZodCheck<string>[] = [];
      if (shape.trim) checks.push(z.trim());
      if (shape.minLength !== undefined) checks.push(z.minLength(shape.minLength, shape.minLength === 1 ? ARG_MESSAGES.empty : ARG_MESSAGES.tooShort(shape.minLength)));
      if (shape.pattern) checks.push(z.regex(shape.pattern.regex, shape.pattern.message));
      const text = z.string(typeError(ARG_MESSAGES.text));
      return checks.length > 0 ? text.check(...checks) : text;
    }
    case 'number': {
      const checks: z.core.$ZodCheck<number>[] = [];
      if (shape.int) checks.push(z.int(ARG_MESSAGES.int));
      if (shape.min !== undefined) checks.push(z.gte(shape.min, ARG_MESSAGES.min(shape.min)));
      if (shape.max !== undefined) checks.push(z.lte(shape.max, ARG_MESSAGES.max(shape.max)));
      const number = z.number(typeError(ARG_MESSAGES.number));
      return checks.length > 0 ? number.check(...checks) : number;
    }
    case 'literal':
      return z.literal(shape.value, typeError(ARG_MESSAGES.literal(shape.value)));
    case 'list': {
      const checks: z.core.$ZodCheck<unknown[]>[] = [];
      if (shape.minItems !== undefined) checks.push(z.minLength(shape.minItems, ARG_MESSAGES.minItems(shape.minItems)));
      if (shape.maxItems !== undefined) checks.push(z.maxLength(shape.maxItems, ARG_MESSAGES.maxItems(shape.maxItems)));
      const items = z.array(zodSchemaOf(shape.of, { required: true }), typeError(ARG_MESSAGES.list));
      return checks.length > 0 ? items.check(...checks) : items;
    }
    case 'optional':
      return z.optional(zodSchemaOf(shape.of));
    case 'object': {
      const fields = Object.entries(shape.fields as Fields).map(([key, field]) => [key, zodSchemaOf(field, { required: true })] as const);
      return z.object(Object.fromEntries(fields), typeError(ARG_MESSAGES.object));
    }
    case 'union': {
      const options = (shape.options as readonly ObjectShape[]).map((o) => zodSchemaOf(o)) as unknown as [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]];
      // Not an object at all, or an object whose discriminating field names no option.
      const values = discriminatorValues(shape);
      return z.discriminatedUnion(shape.discriminator, options, { error: (issue) => (issue.code === 'invalid_union' ? ARG_MESSAGES.option(values) : ARG_MESSAGES.object) });
    }
  }
}

/** A form's schema with `MESSAGE_LIMITS` checked: what a client sends must pass the update validator. */
function withinLimits<A>(form: ArgsShape): z.ZodMiniType<A> {
  return (zodSchemaOf(form) as z.ZodMiniType<A>).check(
    z.superRefine((args, ctx) => {
      for (const issue of limitIssues(args)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: args });
    }),
  );
}

/** The arguments of each message with their limits, by message name: what `DubanTaskHandle` checks before sending. */
export const messageArgSchemas = Object.fromEntries(TASK_MESSAGES.map((m) => [m.name, withinLimits(m.form)])) as {
  [N in MessageName]: z.ZodMiniType<MessageArgs[N]>;
};

export const acknowledgeArgsSchema = messageArgSchemas[acknowledge.name];
export const reportProgressArgsSchema = messageArgSchemas[reportProgress.name];
export const submitArgsSchema = messageArgSchemas[submit.name];
export const reviewArgsSchema = messageArgSchemas[review.name];
export const requestExtensionArgsSchema = messageArgSchemas[requestExtension.name];
export const decideExtensionArgsSchema = messageArgSchemas[decideExtension.name];
export const cancelArgsSchema = messageArgSchemas[cancel.name];
