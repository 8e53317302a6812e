import { LineCounter, parseDocument, type Document } from 'yaml';
import { PlanProblemCode, type PlanProblem } from './problems';

export type LocatedYaml = { ok: true; doc: Document; lines: LineCounter } | { ok: false; problems: PlanProblem[] };

/**
 * Parses YAML keeping every node's position, so later problems can name a line and
 * column. Syntax errors stop here: nothing after them can be located reliably.
 */
export function parseLocatedYaml(text: string, fileName: string): LocatedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length === 0) return { ok: true, doc, lines };
  return {
    ok: false,
    problems: doc.errors.map((error) => {
      const pos = lines.linePos(error.pos[0]);
      return {
        code: PlanProblemCode.YAML_SYNTAX,
        file: fileName,
        path: '',
        line: pos.line,
        column: pos.col,
        message: error.message.split('\n')[0] ?? error.message,
        fix: 'Fix the YAML syntax at this position (indentation, a missing colon, a duplicate key or an unclosed quote).',
      };
    }),
  };
}
