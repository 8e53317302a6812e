import { readFile } from 'node:fs/promises';
import { IANAZone } from 'luxon';
import { isNode, type Document, type LineCounter } from 'yaml';
import { parseLocatedYaml } from './yaml-source';
import type { core } from 'zod';
import { crossCheck, type Finding } from './checks';
import { formatPath, PlanProblemCode, PlanValidationError, type PathSegment, type PlanResult } from './problems';
import { planSchema, REFINEMENT_CODES, type Plan } from './schema';


/** Maps a document path to the 1-based line and column of its node in the YAML text. */
class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  locate(path: readonly PathSegment[]): { line: number; column: number } {
    // A missing key has no node; point at the nearest ancestor that exists so the
    // reader lands on the mapping that needs the key.
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range !== undefined && node.range !== null) {
        // For a map entry the value node is returned; a key path points at the key's line,
        // which is where a person reads it. The value starts on the same line for scalars.
        const pos = this.lines.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return { line: 1, column: 1 };
  }
}

function describeIssue(issue: core.$ZodIssue): { code: PlanProblemCode; message: string; fix: string } {
  switch (issue.code) {
    case 'invalid_type': {
      const missing = issue.input === undefined;
      return missing
        ? { code: PlanProblemCode.PLAN_SCHEMA, message: `Required value is missing (expected ${issue.expected}).`, fix: `Add this field with a ${issue.expected} value.` }
        : { code: PlanProblemCode.PLAN_SCHEMA, message: `Expected ${issue.expected}, got ${typeName(issue.input)}.`, fix: `Write a ${issue.expected} here.` };
    }
    case 'invalid_format':
      return issue.format === 'date'
        ? { code: PlanProblemCode.PLAN_SCHEMA, message: `Not a real calendar date: ${JSON.stringify(issue.input)}.`, fix: 'Write the date as YYYY-MM-DD, e.g. 2020-10-01 (quote it if your editor reformats it).' }
        : { code: PlanProblemCode.PLAN_SCHEMA, message: issue.message, fix: `Write a value in ${issue.format} format.` };
    case 'invalid_value':
      return {
        code: PlanProblemCode.PLAN_SCHEMA,
        message: `${JSON.stringify(issue.input)} is not allowed here.`,
        fix: `Use one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`,
      };
    case 'unrecognized_keys':
      return {
        code: PlanProblemCode.PLAN_SCHEMA,
        message: `Unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}.`,
        fix: 'Remove it or correct its spelling; plans/plan.schema.json lists the allowed keys.',
      };
    case 'too_small':
      return { code: PlanProblemCode.PLAN_SCHEMA, message: issue.message, fix: issue.origin === 'string' ? 'Write a non-empty value.' : 'Add the missing entries or raise the value.' };
    case 'custom':
      if (issue.params?.['code'] === REFINEMENT_CODES.duration) {
        return {
          code: PlanProblemCode.INVALID_DURATION,
          message: `${JSON.stringify(issue.input)} is not a positive ISO-8601 duration.`,
          fix: 'Write a duration such as P3D (3 days), P2W (2 weeks) or PT12H (12 hours).',
        };
      }
      return { code: PlanProblemCode.PLAN_SCHEMA, message: issue.message, fix: 'Correct the value.' };
    default:
      return { code: PlanProblemCode.PLAN_SCHEMA, message: issue.message, fix: 'Correct the value; plans/plan.schema.json describes the format.' };
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function schemaProblems(data: unknown): { plan?: Plan; findings: Finding[] } {
  const result = planSchema.safeParse(data);
  if (result.success) return { plan: result.data, findings: [] };
  const findings: Finding[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((seg): seg is PathSegment => typeof seg !== 'symbol');
    const { code, message, fix } = describeIssue(issue);
    if (issue.code === 'unrecognized_keys') {
      // One problem per key so each points at its own line.
      for (const key of issue.keys) findings.push({ code, path: [...path, key], message: `Unknown key "${key}".`, fix });
    } else {
      findings.push({ code, path, message, fix });
    }
  }
  return { findings };
}

function timeZoneFindings(data: unknown): Finding[] {
  if (typeof data !== 'object' || data === null || !('timeZone' in data)) return [];
  const zone = data.timeZone;
  if (typeof zone !== 'string' || IANAZone.isValidZone(zone)) return [];
  return [
    {
      code: PlanProblemCode.INVALID_TIME_ZONE,
      path: ['timeZone'],
      message: `"${zone}" is not an IANA time zone.`,
      fix: 'Use an IANA zone name such as Asia/Shanghai (not UTC+8 or Beijing).',
    },
  ];
}

/**
 * Parses and validates plan text. Every problem is reported at once: YAML syntax errors
 * stop there (nothing else can be located reliably), otherwise schema problems and
 * cross-reference problems are reported together, because cross-checks read the raw
 * document and do not need it to pass the schema first.
 */
export function parsePlan(text: string, fileName: string): PlanResult<Plan> {
  const source = parseLocatedYaml(text, fileName);
  if (!source.ok) return source;
  const { doc, lines } = source;
  const data: unknown = doc.toJS();
  const locator = new Locator(doc, lines);
  const { plan, findings } = schemaProblems(data);
  const all = [...findings, ...timeZoneFindings(data), ...crossCheck(data)];
  if (plan !== undefined && all.length === 0) return { ok: true, plan };
  const problems = all
    .map((finding) => ({
      code: finding.code,
      file: fileName,
      path: formatPath(finding.path),
      ...locator.locate(finding.path),
      message: finding.message,
      fix: finding.fix,
    }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, problems };
}

/**
 * Reads, parses and validates a plan file. Throws `PlanValidationError` (code
 * `PLAN_INVALID`) listing every problem; a missing file is reported as a
 * `FILE_NOT_FOUND` problem in the same error.
 */
export async function loadPlanFile(path: string): Promise<Plan> {
  const result = await readPlanFile(path);
  if (!result.ok) throw new PlanValidationError(path, result.problems);
  return result.plan;
}

/**
 * Like `loadPlanFile`, but returns problems as data instead of throwing. `displayName`
 * is the file name problems carry (e.g. the path as the user typed it), default `path`.
 */
export async function readPlanFile(path: string, options: { displayName?: string } = {}): Promise<PlanResult<Plan>> {
  const file = options.displayName ?? path;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    return {
      ok: false,
      problems: [
        {
          code: PlanProblemCode.FILE_NOT_FOUND,
          file,
          path: '',
          line: 1,
          column: 1,
          message: `Cannot read the plan file (${reason}).`,
          fix: 'Check the path; plans are usually under plans/, e.g. plans/xihu-2020.yaml.',
        },
      ],
    };
  }
  return parsePlan(text, file);
}
