/**
 * `--until` on the seed plan: the run stops on the date given, the campaign's board then
 * equals every task's own state, and the same seed prints the same summary twice.
 */
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { DubanClient } from '@duban/client';
import { loadPlanFile } from '@duban/plan';
import { loadScenarioFile, simulate, type SimulationOutcome } from '@duban/simulate';
import type { CampaignBoard, TaskState } from '@duban/workflows';
import { repoRoot } from '../cli/run';
import { removeTemporaryDirectories, temporaryDirectory } from '../harness';
import { BUNDLE_ENV, SEED_PLAN, simulateCli, YEAR } from './helpers';

afterAll(removeTemporaryDirectories);

it("stops at the end of the --until date, and the board then equals the tasks' states", async () => {
  const plan = await loadPlanFile(SEED_PLAN);
  const scenario = await loadScenarioFile(join(repoRoot, 'scenarios', 'default.yaml'), plan);
  const until = `${YEAR}-02-15`;
  let seen: { board: CampaignBoard; states: TaskState[] } | undefined;
  const { outcome } = await simulate({
    plan,
    planFile: 'plans/xihu-2020.yaml',
    scenario,
    campaignYear: YEAR,
    until,
    outDir: temporaryDirectory('duban-simulate-'),
    workflowBundle: { codePath: BUNDLE_ENV.DUBAN_WORKFLOW_BUNDLE },
    // Read through a client of our own at the stop, while the server still runs.
    onServer: async ({ address, namespace }) => {
      const connection = await Connection.connect({ address });
      try {
        const duban = await DubanClient.connect({ connection, namespace });
        const board = await duban.campaign(plan.id).board();
        const states = await Promise.all(board.tasks.map((t) => duban.task(plan.id, t.taskNumber).state()));
        seen = { board, states };
      } finally {
        await connection.close();
      }
    },
  });
  expect(outcome).toMatchObject({ endedBy: 'until', until, stoppedOn: until, launchedOn: `${YEAR}-01-01` });
  if (seen === undefined) throw new Error('onServer was not called');
  const { board, states } = seen;
  expect(board.tasks).toHaveLength(20);
  // The board's line of every task is the task's own state, up to its latest event.
  for (const state of states) {
    const line = board.tasks.find((t) => t.taskNumber === state.taskNumber);
    expect({ n: state.taskNumber, seq: line?.seq, status: line?.status, light: line?.light, percent: line?.percent, level: line?.escalationLevel }).toEqual({
      n: state.taskNumber,
      seq: state.timeline[state.timeline.length - 1]?.seq,
      status: state.status,
      light: state.light,
      percent: state.percent,
      level: state.escalation.level,
    });
  }
  // Things happened up to the --until date (people reported that week) and nothing after it (Asia/Shanghai is UTC+8).
  const last = states.flatMap((s) => s.timeline.map((e) => e.at)).sort().pop() ?? '';
  expect(last < `${until}T16:00:00.000Z`).toBe(true);
  expect(last > `${YEAR}-02-08`).toBe(true);
  // The outcome shows those states.
  expect(outcome.tasks.map((t) => [t.number, t.status, t.light, t.percent])).toEqual(states.map((s) => [s.taskNumber, s.status, s.light, s.percent]));
}, 600_000);

it('prints the same summary for the same seed, byte for byte', async () => {
  const out = temporaryDirectory('duban-simulate-');
  const args = ['--until', `${YEAR}-04-30`, '--seed', '7'];
  const first = await simulateCli(args, out);
  const second = await simulateCli(args, out);
  expect(first.code).toBe(0);
  expect(first.stdout).toContain(`Stopped at the end of ${YEAR}-04-30 (--until)`);
  expect(first.stdout).toContain('scenario default (');
  expect(second.stdout).toBe(first.stdout);
  expect(first.stdout).toMatch(/report \(HTML\) +\S+report\.html/);
  const json = await simulateCli([...args, '--json'], out);
  expect((JSON.parse(json.stdout) as SimulationOutcome).scenario).toMatchObject({ id: 'default', seed: 7 });
}, 600_000);
