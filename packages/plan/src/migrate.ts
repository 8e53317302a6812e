/**
 * Upgrading a format-1 plan file to format 2, keeping every byte that does not change.
 *
 * Format 2 differs from format 1 in two places a format-1 file uses: the `format: 2` line,
 * and `sections` where format 1 says `actions` (a format-1 action is a format-2 top-level
 * section with its tasks directly under it). So the upgrade is an edit of the text, placed
 * by the yaml library's Document API: comments, quoting, flow style and line breaks stay
 * as the author wrote them, which re-serialising the document would not keep. The result
 * is checked: it must load as format 2 into the same plan the file loaded into.
 */
import { isMap, isScalar, parseDocument } from 'yaml';
import { isDeepStrictEqual } from 'node:util';
import { parsePlan } from './loader';
import type { PlanProblem } from './problems';
import type { Plan } from './schema';

/** One change the upgrade made, for the person to read (the CLI words it in their language). */
export type MigrationChange =
  | { kind: 'format-added'; line: number }
  | { kind: 'format-raised'; line: number }
  | { kind: 'actions-renamed'; line: number; sections: number; tasks: number };

export type MigrationResult =
  | { ok: true; text: string; changes: MigrationChange[]; plan: Plan }
  /** `current`: the file is format 2 already. `invalid`: it does not load; nothing was changed. */
  | { ok: false; reason: 'current'; format: number }
  | { ok: false; reason: 'invalid'; problems: PlanProblem[] }
  /** The upgraded text would not load into the same plan: a defect of the upgrade, reported rather than written. */
  | { ok: false; reason: 'mismatch'; problems: PlanProblem[] };

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/**
 * The text of a format-1 plan file as format 2, and what changed. Refuses a file that is
 * format 2 already, or does not load (its problems are returned; fix them first).
 */
export function migratePlanText(text: string, fileName: string): MigrationResult {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const root = doc.contents;
  const formatNode = isMap(root) ? root.get('format', true) : undefined;
  const written: unknown = isScalar(formatNode) ? formatNode.value : formatNode;
  if (written !== undefined && written !== 1) return { ok: false, reason: 'current', format: typeof written === 'number' ? written : NaN };
  const before = parsePlan(text, fileName);
  if (!before.ok) return { ok: false, reason: 'invalid', problems: before.problems };
  // A plan that loads has a mapping at its root with an `actions` key.
  if (!isMap(root) || root.range === null || root.range === undefined) return { ok: false, reason: 'invalid', problems: [] };
  const actionsPair = root.items.find((pair) => isScalar(pair.key) && pair.key.value === 'actions');
  const firstKey = root.items[0]?.key;
  if (actionsPair === undefined || !isScalar(actionsPair.key) || !isScalar(firstKey)) return { ok: false, reason: 'invalid', problems: [] };
  const keyRange = actionsPair.key.range;
  const firstRange = firstKey.range;
  if (!keyRange || !firstRange) return { ok: false, reason: 'invalid', problems: [] };

  // `format: 1` written out: its value becomes 2. Else a `format: 2` line above the first key.
  const valueRange = isScalar(formatNode) ? formatNode.range : undefined;
  const edit = valueRange
    ? { at: valueRange[0], remove: valueRange[1] - valueRange[0], insert: '2', change: 'format-raised' as const }
    : {
        at: firstRange[0],
        remove: 0,
        insert:
          root.flow === true
            ? `${firstKey.type === 'QUOTE_DOUBLE' ? '"format"' : 'format'}: 2, `
            : `format: 2\n${text.slice(text.lastIndexOf('\n', firstRange[0] - 1) + 1, firstRange[0])}`,
        change: 'format-added' as const,
      };
  // The later edit first, so the earlier one's offset stays valid.
  const edits = [
    { at: keyRange[0], remove: keyRange[1] - keyRange[0], insert: text.slice(keyRange[0], keyRange[1]).replace('actions', 'sections') },
    edit,
  ].sort((a, b) => b.at - a.at);
  let upgraded = text;
  for (const e of edits) upgraded = `${upgraded.slice(0, e.at)}${e.insert}${upgraded.slice(e.at + e.remove)}`;
  const shift = (offset: number) => (edit.at < offset ? offset + edit.insert.length - edit.remove : offset);

  const after = parsePlan(upgraded, fileName);
  if (!after.ok) return { ok: false, reason: 'mismatch', problems: after.problems };
  if (!isDeepStrictEqual(after.plan, before.plan)) return { ok: false, reason: 'mismatch', problems: [] };
  const tasks = after.plan.actions.reduce((n, action) => n + action.tasks.length, 0);
  return {
    ok: true,
    text: upgraded,
    plan: after.plan,
    changes: [
      { kind: edit.change, line: lineOf(upgraded, edit.at) },
      { kind: 'actions-renamed', line: lineOf(upgraded, shift(keyRange[0])), sections: after.plan.actions.length, tasks },
    ],
  };
}
