/**
 * `duban simulate` of a campaign re-dated to a year already under way (issue 12, point 9):
 * the time-skipping server's clock starts today, so the simulation launches on the next day
 * with some of the seed's tasks already due. Launches refuse such tasks (DEADLINES_PASSED)
 * unless allowed; the simulation chooses "now" itself, so it allows them, and each records
 * that it was launched past its deadline — the run goes on as it did before the refusal.
 */
import { Connection } from '@temporalio/client';
import { DateTime } from 'luxon';
import { DubanClient, tasksPastDeadline } from '@duban/client';
import { loadPlanFile, rebasePlan } from '@duban/plan';
import { loadScenarioFile, simulate } from '@duban/simulate';
import type { TaskState } from '@duban/workflows';
import { join } from 'node:path';
import { repoRoot } from '../cli/run';
import { removeTemporaryDirectories, temporaryDirectory } from '../harness';
import { BUNDLE_ENV, SEED_PLAN } from '../simulate/helpers';

afterAll(removeTemporaryDirectories);

const ZONE = 'Asia/Shanghai';

it('simulates a campaign re-dated to a year under way: the tasks already due launch, each recording it', async () => {
  const plan = await loadPlanFile(SEED_PLAN);
  // The seed's campaign runs two years: re-dated to start last year, it is under way and
  // ends this 31 December (on that very day, a year later).
  const tomorrow = DateTime.now().setZone(ZONE).plus({ days: 1 });
  const year = tomorrow.year - 1;
  const launchedOn = tomorrow.toISODate() ?? '';
  // A day of work after the launch day, within the campaign (it ends 31 December).
  const stopOn = (tomorrow.month === 12 && tomorrow.day === 31 ? tomorrow : tomorrow.plus({ days: 1 })).toISODate() ?? '';
  const past = tasksPastDeadline(rebasePlan(plan, year), tomorrow.startOf('day'));
  expect(past.length).toBeGreaterThan(0);
  const scenario = await loadScenarioFile(join(repoRoot, 'scenarios', 'default.yaml'), plan);
  let late: TaskState | undefined;
  const { outcome } = await simulate({
    plan,
    planFile: 'plans/xihu-2020.yaml',
    scenario,
    campaignYear: year,
    until: stopOn,
    outDir: temporaryDirectory('duban-simulate-past-'),
    workflowBundle: { codePath: BUNDLE_ENV.DUBAN_WORKFLOW_BUNDLE },
    onServer: async ({ address, namespace }) => {
      const connection = await Connection.connect({ address });
      try {
        const duban = await DubanClient.connect({ connection, namespace });
        late = await duban.task(plan.id, past[0]?.taskNumber ?? 0).state();
      } finally {
        await connection.close();
      }
    },
  });
  expect(outcome).toMatchObject({ endedBy: 'until', launchedOn, stoppedOn: stopOn, plan: { campaignYear: year } });
  // The first task already due was launched, and says so first of all.
  expect(late?.timeline[0]).toMatchObject({ kind: 'launch.past-deadline', details: { deadlineAt: new Date(past[0]?.deadlineAt ?? '').toISOString() } });
  expect(late?.light).toBe('red');
});
