/**
 * One unit never acknowledges (社会事务办, primary lead of tasks 10 and 19), everyone else
 * on time: its tasks climb the whole ladder on the dates the seed plan's policy gives, and
 * the bulletins rank it last once its first deadline has passed.
 */
import { DateTime, Duration } from 'luxon';
import { loadPlanFile } from '@duban/plan';
import { removeTemporaryDirectories } from '../harness';
import { fixture, outcomeOf, SEED_PLAN, simulateCli, YEAR } from './helpers';

afterAll(removeTemporaryDirectories);

it('climbs the ladder of its tasks on the policy dates, and the bulletin ranks it last', async () => {
  const run = await simulateCli(['--scenario', fixture('seed-shehui-silent.yaml'), '--until', `${YEAR + 1}-01-10`, '--json']);
  expect(run.stderr).not.toContain('duban:');
  expect(run.code).toBe(0);
  const outcome = outcomeOf(run);
  const plan = await loadPlanFile(SEED_PLAN);

  // The policy: the acknowledgement window from the launch, then each rung's wait after the previous one.
  const days = (iso: string) => Duration.fromISO(iso).as('days');
  let at = DateTime.fromISO(outcome.launchedOn, { zone: plan.timeZone }).plus({ days: days(plan.policies.acknowledgementWindow) });
  const expected: Array<[string, string]> = [];
  for (const step of plan.policies.escalation) {
    at = at.plus({ days: days(step.wait) });
    expected.push([at.toFormat('yyyy-MM-dd'), step.rung]);
  }
  expect(expected.map(([, rung]) => rung)).toEqual(['reminder', 'supervision-notice', 'interview', 'accountability']);
  for (const task of [10, 19]) {
    expect(outcome.escalations.filter((r) => r.task === task).map((r) => [r.on, r.rung])).toEqual(expected);
  }
  expect(outcome.escalations.every((r) => r.unit === 'shehui')).toBe(true);
  expect(outcome.tasks.filter((t) => t.number === 10 || t.number === 19).map((t) => t.status)).toEqual(['assigned', 'assigned']);

  // Task 10 was due by the end of the first year: the bulletins since rank 社会事务办 last (worst).
  const after = outcome.bulletins.headlines.filter((b) => b.on >= `${YEAR + 1}-01-01`);
  expect(after.length).toBeGreaterThan(0);
  for (const b of after) expect(b.bottom).toBe('shehui');
  expect(outcome.units[outcome.units.length - 1]?.unit).toBe('shehui');
  // Every other unit's tasks ran on time.
  expect(outcome.tasks.filter((t) => t.primaryLead !== 'shehui' && t.late)).toEqual([]);
}, 600_000);

