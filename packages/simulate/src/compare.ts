/**
 * What-if: what differs between two outcomes of the same plan, in the terms a street
 * office asks about: which tasks end late, how high each task climbed the ladder, the
 * scores of tasks and units. Only differences are listed, and only those of a task or
 * unit itself: a unit's rank, which moves when another unit's score does, is not one.
 */
import { RUNGS, type Rung } from '@duban/common';
import type { SimulationOutcome } from './outcome';

export interface TaskDifference {
  task: number;
  unit: string;
  late?: { a: boolean; b: boolean };
  /** The highest rung reached; null when none. */
  topRung?: { a: Rung | null; b: Rung | null };
  rungs?: { a: number; b: number };
  score?: { a: number | null; b: number | null };
  approvedOn?: { a: string | null; b: string | null };
}

export interface UnitDifference {
  unit: string;
  name: string;
  averageScore?: { a: number | null; b: number | null };
  late?: { a: number; b: number };
  rungs?: { a: number; b: number };
}

export interface OutcomeComparison {
  a: { scenario: string; seed: number };
  b: { scenario: string; seed: number };
  /** Tasks late in one outcome only. */
  lateOnlyInA: number[];
  lateOnlyInB: number[];
  tasks: TaskDifference[];
  units: UnitDifference[];
  totals: Array<{ key: keyof SimulationOutcome['totals']; a: number; b: number }>;
  same: boolean;
}

const rungIndex = (r: Rung | null | undefined) => (r ? RUNGS.indexOf(r) : -1);

/** The differences between outcome `a` and outcome `b` (tasks matched by number, units by code). */
export function compareOutcomes(a: SimulationOutcome, b: SimulationOutcome): OutcomeComparison {
  const tasks: TaskDifference[] = [];
  const numbers = [...new Set([...a.tasks, ...b.tasks].map((t) => t.number))].sort((x, y) => x - y);
  for (const n of numbers) {
    const ta = a.tasks.find((t) => t.number === n);
    const tb = b.tasks.find((t) => t.number === n);
    const diff: TaskDifference = { task: n, unit: tb?.primaryLead ?? ta?.primaryLead ?? '' };
    const lateA = ta?.late ?? false;
    const lateB = tb?.late ?? false;
    if (lateA !== lateB) diff.late = { a: lateA, b: lateB };
    const topA = ta?.topRung ?? null;
    const topB = tb?.topRung ?? null;
    if (rungIndex(topA) !== rungIndex(topB)) diff.topRung = { a: topA, b: topB };
    const rungsA = ta?.rungs.length ?? 0;
    const rungsB = tb?.rungs.length ?? 0;
    if (rungsA !== rungsB) diff.rungs = { a: rungsA, b: rungsB };
    const scoreA = ta?.score ?? null;
    const scoreB = tb?.score ?? null;
    if (scoreA !== scoreB) diff.score = { a: scoreA, b: scoreB };
    const onA = ta?.approvedOn ?? null;
    const onB = tb?.approvedOn ?? null;
    if (onA !== onB) diff.approvedOn = { a: onA, b: onB };
    if (Object.keys(diff).length > 2) tasks.push(diff);
  }
  const units: UnitDifference[] = [];
  const codes = [...new Set([...a.units, ...b.units].map((u) => u.unit))].sort();
  for (const code of codes) {
    const ua = a.units.find((u) => u.unit === code);
    const ub = b.units.find((u) => u.unit === code);
    const diff: UnitDifference = { unit: code, name: ub?.name ?? ua?.name ?? code };
    const avgA = ua?.averageScore ?? null;
    const avgB = ub?.averageScore ?? null;
    if (avgA !== avgB) diff.averageScore = { a: avgA, b: avgB };
    if ((ua?.late ?? 0) !== (ub?.late ?? 0)) diff.late = { a: ua?.late ?? 0, b: ub?.late ?? 0 };
    if ((ua?.rungs ?? 0) !== (ub?.rungs ?? 0)) diff.rungs = { a: ua?.rungs ?? 0, b: ub?.rungs ?? 0 };
    if (Object.keys(diff).length > 2) units.push(diff);
  }
  const totals = (Object.keys(a.totals) as Array<keyof SimulationOutcome['totals']>)
    .filter((key) => a.totals[key] !== b.totals[key])
    .map((key) => ({ key, a: a.totals[key], b: b.totals[key] }));
  const lateOnlyInA = a.tasks.filter((t) => t.late && !b.tasks.some((u) => u.number === t.number && u.late)).map((t) => t.number);
  const lateOnlyInB = b.tasks.filter((t) => t.late && !a.tasks.some((u) => u.number === t.number && u.late)).map((t) => t.number);
  return {
    a: { scenario: a.scenario.id, seed: a.scenario.seed },
    b: { scenario: b.scenario.id, seed: b.scenario.seed },
    lateOnlyInA,
    lateOnlyInB,
    tasks,
    units,
    totals,
    same: tasks.length === 0 && units.length === 0 && totals.length === 0,
  };
}
