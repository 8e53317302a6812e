/**
 * The one pipeline plan files and amendment files go through: read → parse YAML keeping
 * positions → zod schema → checks → problems located by line and column. A document kind
 * ({@link DocumentKind}) supplies the schema, the checks and the words that differ.
 */
import { readFileSync, statSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { core, ZodType } from 'zod';
import type { ErrorCode } from '@duban/common';
import { formatPath, type Finding, type PathSegment, type Problem } from './problems';
import { PLAN_LIMITS, REFINEMENT_CODES } from './fields';

/** Codes the pipeline itself raises, whatever the document kind. */
export type PipelineCode = 'FILE_NOT_FOUND' | 'FILE_TOO_LARGE' | 'YAML_SYNTAX' | 'PLAN_SCHEMA' | 'INVALID_DURATION' | 'LIMIT_EXCEEDED';

export type DocumentResult<T, C extends ErrorCode> = { ok: true; value: T } | { ok: false; problems: Problem<C | PipelineCode>[] };

export interface DocumentKind<T, C extends ErrorCode> {
  /** What the file is, in words: `plan`, `amendment`. */
  noun: string;
  /** Where such files usually are, for the fix of an unreadable file. */
  usualPlace: string;
  /** Names the allowed keys, for the fix of an unknown key. */
  keysHint: string;
  /** Where the format is described, for the fix of a wrong value. */
  formatHint: string;
  /** The largest file of this kind, in bytes: a larger one is refused before it is parsed. */
  maxBytes: number;
  /** How often the YAML may expand aliases (the yaml library's `maxAliasCount`); default `PLAN_LIMITS.yamlAliasExpansions`. */
  maxAliasExpansions?: number;
  /** The schema, or a function choosing it by the raw document (a plan's format version). */
  schema: ZodType<T> | ((raw: unknown) => ZodType<T>);
  /**
   * Checks the schema cannot express. They get the raw document always and the schema's
   * output when it passed, so a kind may report reference problems beside schema ones.
   */
  checks(raw: unknown, value: T | undefined): Finding<C>[];
}

/** Maps a document path to the 1-based line and column of its node in the YAML text. */
function locate(doc: Document, lines: LineCounter, path: readonly PathSegment[]): { line: number; column: number } {
  // A missing key has no node: point at the nearest ancestor, the mapping that needs the key.
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      const pos = lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

type SchemaCode = 'PLAN_SCHEMA' | 'INVALID_DURATION' | 'LIMIT_EXCEEDED';

const count = (n: number) => n.toLocaleString('en');

/** A text or list over its cap (`PLAN_LIMITS`): the limit and the size found, for the problem and for people. */
function overLimit(issue: core.$ZodIssueTooBig): Omit<Finding<'LIMIT_EXCEEDED'>, 'path'> | undefined {
  const limit = Number(issue.maximum);
  if (issue.origin === 'string' && typeof issue.input === 'string') {
    const actual = issue.input.length;
    return {
      code: 'LIMIT_EXCEEDED',
      message: `This text has ${count(actual)} characters; the limit is ${count(limit)}.`,
      fix: `Shorten it to at most ${count(limit)} characters; keep a longer text in a document of its own and name it here.`,
      limit,
      actual,
    };
  }
  if (issue.origin === 'array' && Array.isArray(issue.input)) {
    const actual = issue.input.length;
    return {
      code: 'LIMIT_EXCEEDED',
      message: `This list has ${count(actual)} entries; the limit is ${count(limit)}.`,
      fix: `Keep it to at most ${count(limit)} entries; split a larger plan into several plans.`,
      limit,
      actual,
    };
  }
  return undefined;
}

function describeIssue(issue: core.$ZodIssue, kind: Pick<DocumentKind<unknown, ErrorCode>, 'keysHint' | 'formatHint'>): Omit<Finding<SchemaCode>, 'path'> {
  const schema = (message: string, fix: string) => ({ code: 'PLAN_SCHEMA' as const, message, fix });
  switch (issue.code) {
    case 'too_big':
      return overLimit(issue) ?? schema(issue.message, `Correct the value; ${kind.formatHint}.`);
    case 'invalid_type':
      return issue.input === undefined
        ? schema(`Required value is missing (expected ${issue.expected}).`, `Add this field with a ${issue.expected} value.`)
        : schema(`Expected ${issue.expected}, got ${typeName(issue.input)}.`, `Write a ${issue.expected} here.`);
    case 'invalid_format':
      return issue.format === 'date'
        ? schema(`Not a real calendar date: ${JSON.stringify(issue.input)}.`, 'Write the date as YYYY-MM-DD, e.g. 2020-10-01 (quote it if your editor reformats it).')
        : schema(issue.message, `Write a value in ${issue.format} format.`);
    case 'invalid_value':
      return schema(`${JSON.stringify(issue.input)} is not allowed here.`, `Use one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`);
    case 'unrecognized_keys':
      return schema(`Unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}.`, `Remove it or correct its spelling; ${kind.keysHint}.`);
    case 'too_small':
      return schema(issue.message, issue.origin === 'string' ? 'Write a non-empty value.' : 'Add the missing entries or raise the value.');
    case 'custom':
      if (issue.params?.['code'] === REFINEMENT_CODES.duration) {
        return {
          code: 'INVALID_DURATION',
          message: `${JSON.stringify(issue.input)} is not a positive ISO-8601 duration.`,
          fix: 'Write a duration such as P3D (3 days), P2W (2 weeks) or PT12H (12 hours).',
        };
      }
      return schema(issue.message, 'Correct the value.');
    default:
      return schema(issue.message, `Correct the value; ${kind.formatHint}.`);
  }
}

function schemaFindings(issues: readonly core.$ZodIssue[], kind: Pick<DocumentKind<unknown, ErrorCode>, 'keysHint' | 'formatHint'>): Finding<SchemaCode>[] {
  return issues.flatMap((issue) => {
    const path = issue.path.filter((seg): seg is PathSegment => typeof seg !== 'symbol');
    const described = describeIssue(issue, kind);
    const { code, fix } = described;
    // One problem per unknown key, so each points at its own line.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ code, path: [...path, key], message: `Unknown key "${key}".`, fix }));
    return [{ ...described, path }];
  });
}

/**
 * Parses and validates a document's text. Every problem is reported at once, in file
 * order: YAML syntax errors stop there (nothing after them can be located reliably),
 * otherwise the schema's problems and the kind's checks are reported together.
 */
export function parseDocumentText<T, C extends ErrorCode>(text: string, fileName: string, kind: DocumentKind<T, C>): DocumentResult<T, C> {
  const tooLarge = sizeProblem(Buffer.byteLength(text, 'utf8'), fileName, kind);
  if (tooLarge) return { ok: false, problems: [tooLarge] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problem = (finding: Finding<C | PipelineCode>, at: { line: number; column: number }): Problem<C | PipelineCode> => ({
    code: finding.code,
    file: fileName,
    path: formatPath(finding.path),
    ...at,
    message: finding.message,
    fix: finding.fix,
    ...(finding.limit === undefined ? {} : { limit: finding.limit }),
    ...(finding.actual === undefined ? {} : { actual: finding.actual }),
  });
  if (doc.errors.length > 0) {
    const fix = 'Fix the YAML syntax at this position (indentation, a missing colon, a duplicate key or an unclosed quote).';
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const pos = lines.linePos(error.pos[0]);
        return problem({ code: 'YAML_SYNTAX', path: [], message: error.message.split('\n')[0] ?? error.message, fix }, { line: pos.line, column: pos.col });
      }),
    };
  }
  const aliasLimit = kind.maxAliasExpansions ?? PLAN_LIMITS.yamlAliasExpansions;
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: aliasLimit });
  } catch (error) {
    // The yaml library refuses to expand aliases past the cap (a "billion laughs" file would
    // fill the memory); that is the document's problem, not a crash.
    if (!(error instanceof ReferenceError)) throw error;
    const limit = aliasLimit;
    const message = `The YAML expands its aliases (*name) more than ${count(limit)} times (${error.message}).`;
    const fix = 'Write the repeated values out in full instead of referring to an anchor (&name) again and again.';
    return { ok: false, problems: [problem({ code: 'LIMIT_EXCEEDED', path: [], message, fix, limit }, { line: 1, column: 1 })] };
  }
  // reportInput: zod leaves the offending value out of issues unless asked, and the
  // messages quote it (and tell a wrong value from a missing one by it).
  const schema = typeof kind.schema === 'function' ? kind.schema(raw) : kind.schema;
  const parsed = schema.safeParse(raw, { reportInput: true });
  const findings: Finding<C | PipelineCode>[] = [
    ...(parsed.success ? [] : schemaFindings(parsed.error.issues, kind)),
    ...kind.checks(raw, parsed.success ? parsed.data : undefined),
  ];
  if (parsed.success && findings.length === 0) return { ok: true, value: parsed.data };
  return {
    ok: false,
    problems: findings.map((f) => problem(f, locate(doc, lines, f.path))).sort((a, b) => a.line - b.line || a.column - b.column),
  };
}

/** `FILE_TOO_LARGE` when `bytes` is over the kind's cap: a file that size is not read, let alone parsed. */
function sizeProblem<C extends ErrorCode>(bytes: number, file: string, kind: DocumentKind<unknown, C>): Problem<PipelineCode> | undefined {
  if (bytes <= kind.maxBytes) return undefined;
  const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  return {
    code: 'FILE_TOO_LARGE',
    file,
    path: '',
    line: 1,
    column: 1,
    message: `The ${kind.noun} file has ${count(bytes)} bytes (${mib(bytes)}); the limit is ${count(kind.maxBytes)} bytes (${mib(kind.maxBytes)}).`,
    fix: `Check that this is the ${kind.noun} file; shorten long texts, or split the ${kind.noun} into several files.`,
    limit: kind.maxBytes,
    actual: bytes,
  };
}

/**
 * Reads a file and runs {@link parseDocumentText}; an unreadable file is a
 * `FILE_NOT_FOUND` problem, a file over the kind's size cap a `FILE_TOO_LARGE` one. `displayName` is the file name problems carry (e.g. the path
 * as the user typed it), default `path`.
 */
export async function readDocumentFile<T, C extends ErrorCode>(
  path: string,
  kind: DocumentKind<T, C>,
  options: { displayName?: string } = {},
): Promise<DocumentResult<T, C>> {
  const file = options.displayName ?? path;
  let text: string;
  try {
    // Read without the thread pool: the parse that follows holds this thread far longer than
    // the read (the seed plan: 0.1 ms to read, 30 ms to parse), and the pool's open, read and
    // close are each a wait for a free core on a busy machine, which a command that validates
    // one file and exits pays in full.
    // Measured before reading: a file far over the cap is never read into memory.
    const tooLarge = sizeProblem(statSync(path).size, file, kind);
    if (tooLarge) return { ok: false, problems: [tooLarge] };
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    const fix = `Check the path; ${kind.noun}s are usually under ${kind.usualPlace}.`;
    return { ok: false, problems: [{ code: 'FILE_NOT_FOUND', file, path: '', line: 1, column: 1, message: `Cannot read the ${kind.noun} file (${reason}).`, fix }] };
  }
  return parseDocumentText(text, file, kind);
}
