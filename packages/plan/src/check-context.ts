/**
 * What every cross-check shares: reading the raw document, the context the checks fill as
 * they go (units, groups, people, milestones, sections, the campaign), and reporting a key
 * used twice. The checks of one concern each live in their own file (`unit-checks.ts`,
 * `date-checks.ts`, `task-checks.ts`, `organization-checks.ts`); `checks.ts` runs them.
 */
import { formatPath as fmt, type PlanProblemCode, type Finding as AnyFinding, type PathSegment } from './problems';

export type Finding = AnyFinding<PlanProblemCode>;

// Cross-checks read the raw document rather than the schema's output, so a plan with a
// schema error elsewhere still gets its references checked and every problem is
// reported in one pass. Anything malformed is skipped here: the schema reports it.
type Raw = Record<string, unknown>;

function isRaw(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
export function get(value: unknown, key: string): unknown {
  return isRaw(value) ? value[key] : undefined;
}
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
export function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
export function isoDate(value: unknown): string | undefined {
  const text = str(value);
  return text !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : undefined;
}
export function rule(value: unknown): 'before' | 'by' | undefined {
  return value === 'before' || value === 'by' ? value : undefined;
}

export interface Context {
  findings: Finding[];
  units: Map<string, { kind: string | undefined; path: PathSegment[]; members: string[] }>;
  groups: Set<string>;
  people: Map<string, { unit: string | undefined; roles: string[] }>;
  milestones: Set<string>;
  actions: Set<number>;
  campaign: { start: number; end: number } | undefined;
}

/**
 * Keeps the first use of each key (a unit code, a person id…) and reports later ones as
 * "used twice". Returns a function that says whether this use is the first.
 */
export function firstUses<K>(ctx: Context, code: PlanProblemCode, label: (key: K) => string, fix: string) {
  const firstAt = new Map<K, PathSegment[]>();
  return (key: K, at: PathSegment[], keyPath: PathSegment[]): boolean => {
    const first = firstAt.get(key);
    if (first === undefined) {
      firstAt.set(key, at);
      return true;
    }
    ctx.findings.push({ code, path: keyPath, message: `${label(key)} is used twice (first at ${fmt(first)}).`, fix });
    return false;
  };
}

/** A value a file may give as one entry or a list of them (`filing`), each with its path. */
export function oneOrMany(value: unknown, path: PathSegment[]): { filing: unknown; at: PathSegment[] }[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map((filing, i) => ({ filing, at: [...path, i] })) : [{ filing: value, at: path }];
}
