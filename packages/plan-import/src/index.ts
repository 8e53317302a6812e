/**
 * `@duban/plan-import`: a plan as published (.txt, .md, .docx) to a draft duban plan in
 * format 2, every guessed value marked `# 待核` for review, and the findings: what the
 * import could not place, each with its line.
 *
 * ```ts
 * import { importPlanFile } from '@duban/plan-import';
 *
 * const { yaml, findings } = await importPlanFile('方案.docx', { describeFinding: (f) => `${f.line}: ${f.code}` });
 * await writeFile('plans/draft.yaml', yaml);
 * for (const f of findings) console.log(f.line, f.code, f.text);
 * ```
 */
import { basename, extname } from 'node:path';
import { DubanError, ErrorCode } from '@duban/common';
import type { DraftPlan, Finding } from './draft';
import { emitPlanYaml } from './emit';
import { parseLines } from './parse';
import { readSourceLines, textLines, type SourceKind, type SourceLine } from './read';
import { unitCode } from './units';

export type { DraftPlan, DraftSection, DraftTask, DraftMilestone, Finding, FindingCode, Review } from './draft';
export type { SourceKind, SourceLine } from './read';
export { REVIEW_MARK } from './emit';
export { readDates, readRecurring, readCampaign, readSpan } from './dates';
export { readNumber, chineseNumber } from './numbering';
export { textLines, docxLines, sourceKind } from './read';

export interface ImportOptions {
  /** The plan id; default from the file name (letters, digits and hyphens). */
  id?: string;
  /** Add one example unit head per unit, marked example, so the draft validates at once. */
  examplePeople?: boolean;
  /** How the file header words a finding (the CLI passes its catalogue's words). */
  describeFinding?: (finding: Finding) => string;
  /** The year assumed when the text states none; default this year. */
  fallbackYear?: number;
}

export interface ImportResult {
  plan: DraftPlan;
  yaml: string;
  findings: Finding[];
  kind: SourceKind;
  /** How many lines (paragraphs in a .docx) were read. */
  lines: number;
}

/** A plan id from a file name: 立山区2023.txt → lishanqu2023; ascii names as they are. */
export function planIdFrom(file: string): string {
  const stem = basename(file, extname(file)).replace(/\.zh$/, '');
  const ascii = stem.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  if (/^[a-z0-9]/.test(ascii) && /[a-z]/.test(ascii) && !/[\u4e00-\u9fa5]/.test(stem)) return ascii;
  return unitCode(stem, new Set()) || 'imported-plan';
}

/** Imports lines already read (tests, other front ends). */
export function importLines(lines: readonly SourceLine[], sourceName: string, kind: SourceKind, options: ImportOptions = {}): ImportResult {
  const { plan, findings } = parseLines(lines, {
    id: options.id ?? planIdFrom(sourceName),
    fallbackYear: options.fallbackYear ?? new Date().getFullYear(),
    ...(options.examplePeople ? { examplePeople: true } : {}),
  });
  if (plan.sections.length === 0) {
    throw new DubanError(ErrorCode.IMPORT_NO_TASKS, `${sourceName}: no numbered item with its units (牵头单位/责任单位) found; nothing to draft a plan from.`, {
      details: { file: sourceName, findings },
    });
  }
  const describe = options.describeFinding ?? ((f: Finding) => `line ${f.line}: ${f.code}${f.text === '' ? '' : ` — ${f.text}`}`);
  const yaml = emitPlanYaml(plan, { sourceName, findings, describeFinding: describe });
  return { plan, yaml, findings, kind, lines: lines.length };
}

/** Imports a text: the same as a .txt file with this content. */
export function importText(text: string, sourceName: string, options: ImportOptions = {}): ImportResult {
  const kind: SourceKind = /\.md$/i.test(sourceName) ? 'md' : 'txt';
  return importLines(textLines(text, kind), sourceName, kind, options);
}

/** Imports a .txt, .md or .docx file. */
export async function importPlanFile(file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const { lines, kind } = await readSourceLines(file);
  return importLines(lines, basename(file), kind, options);
}
