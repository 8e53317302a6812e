/**
 * The README's table of task messages, rendered from the messages themselves: their
 * arguments (schemas), who may send them (`senders`, the data the task checks), when
 * (`when`) and the codes their rules refuse with (`refusals`). `test/workflows/messages-table.test.ts`
 * fails when the committed table is stale; regenerate with `pnpm --filter @duban/workflows run messages`.
 * Not workflow code: nothing here is bundled.
 */
import { DubanError } from '@duban/common';
import { MESSAGE_LIMITS } from '../definitions';
import type { Senders } from './message';
import { COMMON_REFUSALS, formObjects } from './message';
import type { ArgsShape } from './args';
import { TASK_MESSAGES } from './index';

/** The markers around the generated table in `packages/workflows/README.md`. */
export const MESSAGES_TABLE_MARKERS = { start: '<!-- messages:start -->', end: '<!-- messages:end -->' } as const;

/** The arguments every message carries; the table lists the others. */
const SHARED_ARGS = ['requestId', 'actor', 'proof'];

/** A form's own arguments (not the shared ones), `name?` when optional, `name: 'a' | 'b'` for a literal; variants joined with "or". */
function argumentsOf(form: ArgsShape): string {
  return formObjects(form)
    .map((shape) =>
      Object.entries(shape.fields)
        .filter(([key]) => !SHARED_ARGS.includes(key))
        .map(([key, field]) => {
          if (field.kind === 'literal') return `${key}: '${field.value}'`;
          return field.kind === 'optional' ? `${key}?` : key;
        })
        .join(', '),
    )
    .join(' or ');
}

const UNIT_WORDS: Record<Senders['unit'], string> = {
  primary: ' of the primary lead unit',
  involved: ' of a lead or responsible unit',
  any: '',
};

function who(senders: Senders): string {
  return `${senders.roles.join(' or ')}${UNIT_WORDS[senders.unit]}`;
}

const code = (c: string) => `\`${c}\``;

/** The limits of `MESSAGE_LIMITS` in one sentence. */
function limitsLine(): string {
  const fields = Object.entries(MESSAGE_LIMITS.fields).map(([field, limit]) =>
    'items' in limit ? `${code(field)} ${limit.items} items of ${limit.length}` : `${code(field)} ${limit.length}`,
  );
  return [
    `Limits, checked before anything is recorded (refused with ${code('INVALID_ARGUMENT')}, naming the field and the limit):`,
    `the arguments without ${code('proof')} at most ${MESSAGE_LIMITS.messageBytes} bytes as canonical JSON (RFC 8785, UTF-8);`,
    `characters per argument: ${fields.join(', ')}, ${code('proof.breakGlass.reason')} ${MESSAGE_LIMITS.proof.breakGlassReason};`,
    `a ${code('requestId')} is printable ASCII without spaces, quotes or backslashes.`,
  ].join(' ');
}

/** The Markdown table (with the refusals every message shares below it), without the markers. */
export function messagesTable(): string {
  const rows = TASK_MESSAGES.map((m) =>
    [
      code(m.name),
      argumentsOf(m.form) || '—',
      who(m.senders),
      m.when.join(', '),
      `${m.senders.en}<br>${m.senders.zh}`,
      m.refusals.map(code).join(', ') || '—',
    ].join(' | '),
  );
  return [
    '| message | arguments (besides requestId, actor, proof) | who may send it | when (task status) | its rules | refused with |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
    '',
    `Every message can also be refused, checked in this order, with ${COMMON_REFUSALS.map(code).join(', ')}.`,
    '',
    limitsLine(),
  ].join('\n');
}

/** `readme` with the text between the markers replaced by the current table. */
export function withMessagesTable(readme: string): string {
  const { start, end } = MESSAGES_TABLE_MARKERS;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new DubanError('NOT_FOUND', `The README has no ${start} … ${end} section for the messages table: add the two markers where it goes.`);
  return `${readme.slice(0, from + start.length)}\n${messagesTable()}\n${readme.slice(to)}`;
}
