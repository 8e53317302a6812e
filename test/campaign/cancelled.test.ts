/**
 * A cancelled task, end to end on one dev server with the duban worker: its refusals say it
 * was cancelled (not "closed (COMPLETED)", the status it shares with an approved task), in
 * English and in Chinese; the campaign's bulletin and board count it as cancelled, under no
 * light. The pure decisions are checked first, including the bulletins of histories
 * recorded before the change (patch `duban-bulletin-cancelled-apart`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { DubanClient } from '@duban/client';
import { loadPlanFile, rebasePlan, type Plan } from '@duban/plan';
import { buildBulletin, unitCounts, type BoardTask, type Bulletin } from '@duban/workflows';
import { serverAddress, serverPerFile, SEED_PLAN_PATH, startDevServerWithWorker, temporaryDirectory } from '../harness';
import { keysPerFile } from '../harness/keys';
import { duban as run, type Run } from '../cli/run';
import { eventually } from '../harness/poll';

jest.setTimeout(300_000);

const dir = temporaryDirectory('duban-cancelled-');
const env = serverPerFile(() => startDevServerWithWorker(join(dir, 'audit.sqlite')));
const keys = keysPerFile();
const campaignYear = DateTime.now().setZone('Asia/Shanghai').year + 1;
let client: DubanClient;
let plan: Plan;
let planFile: string;

function duban(args: string[]): Promise<Run> {
  return run(args, { env: { TEMPORAL_ADDRESS: serverAddress(env()), ...keys().env } });
}

const line = (overrides: Partial<BoardTask>): BoardTask => ({
  taskNumber: 1,
  workflowId: 'duban/p/task-1',
  title: { zh: '任务', en: 'Task' },
  actionNumber: 1,
  seq: 1,
  at: '2027-03-01T00:00:00.000Z',
  status: 'in-progress',
  light: 'green',
  percent: 0,
  escalationLevel: 0,
  rungs: [],
  deadlineAt: '2027-12-31T16:00:00.000Z',
  primaryLead: 'jingfa',
  assistingLeads: [],
  yellows: 0,
  reds: 0,
  escalationsStarted: 0,
  escalationsStopped: 0,
  ...overrides,
});

describe('the campaign decisions', () => {
  // A cancelled task keeps the light it had when HQ cancelled it: here green, and on a rung.
  const board = [
    line({ taskNumber: 1, status: 'cancelled', light: 'green', escalationLevel: 1 }),
    line({ taskNumber: 2, status: 'in-progress', light: 'yellow' }),
    line({ taskNumber: 3, status: 'approved', light: 'green' }),
    line({ taskNumber: 4, status: 'cancelled', light: 'red', primaryLead: 'chengguan' }),
  ];
  const facts = { board, number: 1, at: '2027-03-08T00:00:00.000Z', periodStart: '2027-03-01T00:00:00.000Z', opened: [], closed: [] };

  test('the bulletin counts a cancelled task as cancelled, in no light and in no ranking', () => {
    const bulletin = buildBulletin(facts);
    expect(bulletin.totals).toEqual({ tasks: 4, green: 1, yellow: 1, red: 0, approved: 1, cancelled: 2 });
    expect(bulletin.overdue).toEqual([]);
    expect(bulletin.atRisk.map((r) => r.tasks.map((t) => t.taskNumber))).toEqual([[2]]);
  });

  test('a bulletin of a history recorded before the change is rebuilt as it was (cancelled under its light)', () => {
    expect(buildBulletin({ ...facts, cancelledApart: false }).totals).toEqual({ tasks: 4, green: 2, yellow: 1, red: 1, approved: 1, cancelled: 2 });
  });

  test('the board counts per unit put a cancelled task under cancelled only, not under a light or escalated', () => {
    expect(unitCounts(board)).toEqual([
      { unit: 'chengguan', total: 1, green: 0, yellow: 0, red: 0, escalated: 0, approved: 0, cancelled: 1 },
      { unit: 'jingfa', total: 3, green: 1, yellow: 1, red: 0, escalated: 0, approved: 1, cancelled: 1 },
    ]);
  });
});

describe('a task HQ cancelled', () => {
  beforeAll(async () => {
    client = new DubanClient(env().client);
    plan = rebasePlan(await loadPlanFile(SEED_PLAN_PATH), campaignYear);
    planFile = join(dir, 'plan.yaml');
    writeFileSync(planFile, JSON.stringify(plan, null, 2));
    // The first weekly dispatch a little later: task 9 is cancelled before it.
    await client.launch(plan, { keyring: keys().keyring, firstDispatchAt: DateTime.now().plus({ seconds: 12 }), dispatchIntervalMs: 60_000 });
    await eventually(
      () => client.task(plan.id, 9).state().catch(() => undefined),
      (state) => state !== undefined,
      { timeoutMs: 60_000 },
    );
    const task9 = client.task(plan.id, 9).as(await keys().key('hq-office-clerk'));
    await task9.cancel({ actor: 'hq-office-clerk', reason: '并入任务8' });
    const closed = await eventually(
      () => env().client.workflow.getHandle(task9.workflowId).describe(),
      (d) => d.status.name !== 'RUNNING',
      { timeoutMs: 60_000 },
    );
    expect(closed.status.name).toBe('COMPLETED');
  });

  test('refuses a message through the client saying it was cancelled, with the outcome in the details', async () => {
    const refused = await client
      .task(plan.id, 9)
      .as(await keys().key('jingfa-head'))
      .reportProgress({ actor: 'jingfa-head', percent: 10, note: '继续推进' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'INVALID_STATE', details: { status: 'COMPLETED', outcome: 'cancelled', closed: true, taskNumber: 9 } });
    expect((refused as Error).message).toBe('Task 9 of plan xihu-2020 was cancelled (its workflow is closed): it takes no more messages such as reportProgress.');
  });

  test('duban task report says it was cancelled, in English and in Chinese', async () => {
    const args = ['task', 'report', planFile, '9', '--as', 'jingfa-head', '--unit', 'jingfa', '--percent', '10', '--note', '继续推进'];
    const en = await duban(args);
    expect(en.code).toBe(1);
    expect(en.stderr).toContain('duban: refused: Task 9 of plan xihu-2020 was cancelled (its workflow is closed): it takes no more messages such as reportProgress. [INVALID_STATE]');
    expect(en.stderr).not.toContain('COMPLETED');
    const zh = await duban(['--lang', 'zh', ...args]);
    expect(zh.code).toBe(1);
    expect(zh.stderr).toContain('计划 xihu-2020 的任务 9 已撤销（其工作流已结束），不再受理 reportProgress 等消息。 [INVALID_STATE]');
    expect(zh.stderr).not.toContain('COMPLETED');
  });

  test('the dispatched bulletin counts it as cancelled, not green', async () => {
    const { latest } = await eventually(
      () => client.campaign(plan.id).bulletins(),
      (b) => b.latest !== undefined,
      { timeoutMs: 60_000 },
    );
    const totals = (latest as Bulletin).totals;
    expect(totals).toEqual({ tasks: 20, green: 19, yellow: 0, red: 0, approved: 0, cancelled: 1 });
  });

  test('duban bulletin prints the cancelled count in both languages', async () => {
    const en = await duban(['bulletin', planFile]);
    expect(en.code).toBe(0);
    expect(en.stdout).toContain('20 tasks: 19 green, 0 yellow, 0 red, 0 approved, 1 cancelled');
    const zh = await duban(['--lang', 'zh', 'bulletin', planFile]);
    expect(zh.stdout).toContain('共 20 项任务：绿灯 19，黄灯 0，红灯 0，已办结 0，已撤销 1');
  });

  test('the board counts it under its unit as cancelled, in no light', async () => {
    const board = await client.campaign(plan.id).board();
    expect(board.counts.find((c) => c.unit === 'jingfa')).toEqual({ unit: 'jingfa', total: 1, green: 0, yellow: 0, red: 0, escalated: 0, approved: 0, cancelled: 1 });
    const lit = board.counts.reduce((n, c) => n + c.green + c.yellow + c.red, 0);
    expect(lit).toBe(19);

    const text = await duban(['board', planFile]);
    expect(text.code).toBe(0);
    const rows = text.stdout.split('\n');
    const header = rows.find((r) => r.startsWith('Unit'));
    expect(header?.split(/ {2,}/)).toEqual(['Unit', 'Tasks', 'green', 'yellow', 'red', 'Escalated', 'Approved', 'Cancelled']);
    expect(rows.find((r) => r.startsWith('经发办'))?.split(/ {2,}/)).toEqual(['经发办', '1', '0', '0', '0', '0', '0', '1']);
  });
});
