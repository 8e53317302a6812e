/**
 * What-if on the small plan: two scenarios that differ in one thing (城建办 finishes task 2
 * thirty days late) played on the time-skipping server, and `--compare` reports that one
 * difference and nothing else.
 */
import { loadPlanFile } from '@duban/plan';
import { comparisonLines } from '@duban/cli';
import type { OutcomeComparison, SimulationOutcome } from '@duban/simulate';
import { removeTemporaryDirectories } from '../harness';
import { fixture, SMALL_PLAN, simulateCli } from './helpers';

afterAll(removeTemporaryDirectories);

it('--compare reports exactly the injected difference: task 2 late, the rungs it climbed, its score and its unit', async () => {
  const run = await simulateCli([SMALL_PLAN, '--compare', fixture('small-on-time.yaml'), fixture('small-task2-late.yaml'), '--json']);
  expect(run.stderr).not.toContain('duban:');
  expect(run.code).toBe(0);
  const { a, b, comparison } = JSON.parse(run.stdout) as { a: SimulationOutcome; b: SimulationOutcome; comparison: OutcomeComparison };

  expect(comparison.lateOnlyInA).toEqual([]);
  expect(comparison.lateOnlyInB).toEqual([2]);
  expect(comparison.tasks.map((t) => t.task)).toEqual([2]);
  const [task2] = comparison.tasks;
  expect(task2).toMatchObject({ unit: 'chengjian', late: { a: false, b: true }, rungs: { a: 0, b: expect.any(Number) }, topRung: { a: null } });
  expect(task2?.topRung?.b).not.toBeNull();
  expect(task2?.score?.b).toBeLessThan(task2?.score?.a ?? 0);
  expect(comparison.units.map((u) => u.unit)).toEqual(['chengjian']);

  // Everything else is the same record in both runs: the other tasks, the other unit.
  expect(b.tasks.filter((t) => t.number !== 2)).toEqual(a.tasks.filter((t) => t.number !== 2));
  expect(b.units.find((u) => u.unit === 'chengguan')).toMatchObject({ ...a.units.find((u) => u.unit === 'chengguan'), rank: expect.any(Number) });
  // B's task 2 climbed from the day after its deadline, as the ladder says: red at the deadline, a reminder three days on.
  const late = b.tasks.find((t) => t.number === 2);
  expect(late?.deadline).toBe(`${a.plan.campaignYear}-04-30`);
  expect(b.escalations.filter((r) => r.task === 2).map((r) => [r.on, r.rung])[0]).toEqual([`${a.plan.campaignYear}-05-04`, 'reminder']);
  expect(a.escalations).toEqual([]);

  const plan = await loadPlanFile(SMALL_PLAN);
  const names = (codes: readonly string[]) => codes.map((c) => plan.units.find((u) => u.code === c)?.name ?? c).join('、');
  const lines = comparisonLines(comparison, 'en', names);
  expect(lines).toContain('Late only in B: tasks 2');
  expect(lines.filter((l) => l.startsWith('  task '))).toHaveLength(1);
  expect(lines.find((l) => l.startsWith('  task 2 (城建办): late no → yes; highest rung none → '))).toBeDefined();
}, 600_000);
