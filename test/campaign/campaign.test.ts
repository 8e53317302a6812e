/**
 * The campaign end to end on ONE dev server: launch the year-rebased seed plan, see its 20
 * task workflows in visibility, launch again, amend it, and read the board, a bulletin,
 * the audit export and the ledger. The worker runs in-process with the real activities
 * and a temporary SQLite audit database.
 */
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { runAuditExport, runLedger, type AuditExportOptions, type CommandContext, type LedgerRow } from '@duban/cli';
import { DubanClient, planTaskNumbers } from '@duban/client';
import { DubanError, ErrorCode } from '@duban/common';
import { dueInstant, findTask, loadAmendmentFile, loadPlanFile, type Plan } from '@duban/plan';
import {
  planSearchAttribute,
  primaryLeadSearchAttribute,
  taskNumberSearchAttribute,
  taskWorkflowId,
  type CampaignBoard,
} from '@duban/workflows';
import { serverAddress, serverPerFile, startDevServerWithWorker, temporaryDirectory } from '../harness';
import { keysPerFile } from '../harness/keys';
import { eventually } from '../harness/poll';

const repoRoot = join(__dirname, '..', '..');
const seedFile = join(repoRoot, 'plans', 'xihu-2020.yaml');
const amendmentFile = join(repoRoot, 'plans', 'amendments', 'xihu-2021-tasks.yaml');
// Next year: every rebased deadline lies ahead.
const campaignYear = DateTime.now().setZone('Asia/Shanghai').year + 1;
const DISPATCH_INTERVAL_MS = 15_000;

const auditDb = join(temporaryDirectory('duban-campaign-'), 'audit.sqlite');
const env = serverPerFile(() => startDevServerWithWorker(auditDb));
const keys = keysPerFile();
let duban: DubanClient;
let plan: Plan;

beforeAll(async () => {
  duban = new DubanClient(env().client);
  plan = await loadPlanFile(seedFile);
});

async function listIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of env().client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids.sort();
}

function capture(): { ctx: CommandContext; lines: string[]; json: unknown[] } {
  const lines: string[] = [];
  const json: unknown[] = [];
  return {
    lines,
    json,
    ctx: {
      cwd: repoRoot,
      env: { ...process.env, TEMPORAL_ADDRESS: serverAddress(env()), TEMPORAL_NAMESPACE: 'default' },
      output: { line: (text) => lines.push(text), error: (text) => lines.push(text), json: (value) => json.push(value), color: false },
    },
  };
}

const task = (board: CampaignBoard, n: number) => board.tasks.find((t) => t.taskNumber === n);

describe('a launched campaign', () => {
  it('starts the 20 seed tasks with their IDs and search attributes', async () => {
    // startNow: the campaign starts next year, and its tasks would wait for the start; this test watches them act now.
    const result = await duban.launch(plan, { campaignYear, startNow: true, firstDispatchAt: DateTime.now().plus({ seconds: 15 }), dispatchIntervalMs: DISPATCH_INTERVAL_MS, keyring: keys().keyring });
    expect(result.started).toBe(true);
    expect(result.campaignWorkflowId).toBe('duban/xihu-2020/campaign');
    expect(result.tasks).toEqual(planTaskNumbers(plan).map((n) => taskWorkflowId('xihu-2020', n)));
    expect(result.tasks).toHaveLength(20);

    const all = await eventually(() => listIds(`DubanPlan = 'xihu-2020'`), (ids) => ids.length === 20);
    expect(all).toEqual([...result.tasks].sort());

    // The primary lead is the first lead unit as the plan lists it.
    const chengjian = planTaskNumbers(plan).filter((n) => findTask(plan, n).lead[0] === 'chengjian');
    const expected = chengjian.map((n) => taskWorkflowId('xihu-2020', n)).sort();
    const found = await eventually(() => listIds(`DubanPlan = 'xihu-2020' AND DubanPrimaryLead = 'chengjian'`), (ids) => ids.length === expected.length);
    expect(found).toEqual(expected);
    expect(expected).toHaveLength(10);

    const attributes = (await env().client.workflow.getHandle(taskWorkflowId('xihu-2020', 8)).describe()).typedSearchAttributes;
    expect(attributes.get(planSearchAttribute)).toBe('xihu-2020');
    expect(attributes.get(taskNumberSearchAttribute)).toBe(8);
    expect(attributes.get(primaryLeadSearchAttribute)).toBe('chengguan');
  });

  it('starts nothing new when the plan is launched again, and says how many tasks already run', async () => {
    const again = await duban.launch(plan, { campaignYear, keyring: keys().keyring });
    expect(again).toMatchObject({ started: false, alreadyRunning: 20 });
    expect(again.tasks).toHaveLength(20);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await env().client.workflow.count(`DubanPlan = 'xihu-2020'`)).count).toBe(20);
    expect((await env().client.workflow.count(`WorkflowType = 'campaignWorkflow'`)).count).toBe(1);
  });

  it('applies the example amendment: a 2021 task is added and a deadline moved, once', async () => {
    const amendment = await loadAmendmentFile(amendmentFile, plan);
    const campaign = duban.campaign(plan.id).as(await keys().key('hq-office-clerk'));
    const result = await campaign.amend(plan, amendment);
    expect(result).toEqual({ amendmentId: 'xihu-2021-tasks', applied: true, added: [21], moved: [7], reassigned: [] });

    // 2021-03-31 "by", shifted to the campaign's second year.
    const moved = dueInstant(`${campaignYear + 1}-03-31`, 'by', 'Asia/Shanghai').toUTC().toISO();
    const task7 = await eventually(() => duban.task('xihu-2020', 7).state(), (s) => s.timeline.some((e) => e.kind === 'task.amended'));
    expect(task7.deadlineAt).toBe(moved);
    expect(task7.timeline.find((e) => e.kind === 'task.amended')?.details).toMatchObject({ amendmentId: 'xihu-2021-tasks', deadline: { to: moved } });

    const task21 = await eventually(
      () => duban.task('xihu-2020', 21).state().catch(() => undefined),
      (s) => s !== undefined,
    );
    expect(task21).toMatchObject({ taskNumber: 21, status: 'assigned', deadlineAt: dueInstant(`${campaignYear + 1}-11-30`, 'by', 'Asia/Shanghai').toUTC().toISO() });
    expect(task21?.units.map((u) => [u.unit, u.role])).toEqual(expect.arrayContaining([['chengjian', 'primary'], ['chengguan', 'assisting']]));

    expect(await campaign.amend(plan, amendment)).toMatchObject({ applied: false });
  });

  it('reassigns a lead unit, and refuses an amendment naming a task the campaign does not run', async () => {
    const base = await loadAmendmentFile(amendmentFile, plan);
    const campaign = duban.campaign(plan.id).as(await keys().key('hq-office-clerk'));
    const reassigned = await campaign.amend(plan, { ...base, id: 'reassign-9', addTasks: [], moveDeadlines: [], reassign: [{ task: 9, lead: ['chengguan', 'jingfa'], reason: '调整牵头单位' }] });
    expect(reassigned.reassigned).toEqual([9]);
    const task9 = await eventually(() => duban.task('xihu-2020', 9).state(), (s) => s.units[0]?.unit === 'chengguan');
    expect(task9.units.slice(0, 2).map((u) => [u.unit, u.role])).toEqual([['chengguan', 'primary'], ['jingfa', 'assisting']]);

    const refused = campaign.amend(plan, { ...base, id: 'unknown-task', addTasks: [], moveDeadlines: [{ task: 99, deadline: { date: '2021-06-30', rule: 'by', source: 's' }, reason: 'r' }] });
    // The campaign's refusal reaches the caller as a duban error with the workflow's code.
    await expect(refused).rejects.toBeInstanceOf(DubanError);
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_TASK });
  });

  it('keeps a live board: 21 tasks, a task falling overdue turns red and escalates, counts per unit', async () => {
    // A deadline a few seconds ahead (finer than an amendment file's dates): the task falls overdue while the test watches.
    await duban
      .campaign('xihu-2020')
      .as(await keys().key('hq-office-clerk'))
      .amendPlan({ amendmentId: 'due-now', actor: 'hq-office-clerk', reason: '测试：限期完成', addTasks: [], reassign: [], moveDeadlines: [{ taskNumber: 5, deadlineAt: new Date(Date.now() + 3000).toISOString(), reason: 'test' }] });
    const board = await eventually(() => duban.campaign('xihu-2020').board(), (b) => task(b, 5)?.light === 'red' && task(b, 5)?.escalationsStarted === 1);
    expect(board.tasks).toHaveLength(21);
    expect(task(board, 5)).toMatchObject({ light: 'red', primaryLead: 'chengjian', escalationsStarted: 1 });
    expect(task(board, 9)).toMatchObject({ primaryLead: 'chengguan' });
    expect(board.amendments.map((a) => a.amendmentId)).toEqual(['xihu-2021-tasks', 'reassign-9', 'due-now']);
    const byUnit = Object.fromEntries(board.counts.map((c) => [c.unit, c]));
    expect(byUnit['chengjian']).toMatchObject({ total: 11, red: 1, green: 10 });
    expect(byUnit['chengguan']).toMatchObject({ total: 6 });
    expect(byUnit['jingfa']).toBeUndefined();
    expect(board.counts.reduce((n, c) => n + c.total, 0)).toBe(21);
    expect(board.campaignYear).toBe(campaignYear);
  });

  it('sends HQ a bulletin at the dispatch: the overdue task ranked under its unit, the escalation opened', async () => {
    const bulletins = await eventually(
      () => duban.campaign('xihu-2020').bulletins(),
      (b) => b.latest?.overdue.some((r) => r.unit === 'chengjian') === true && b.kept.some((k) => k.escalationsOpened.some((e) => e.taskNumber === 5)),
      { timeoutMs: 60_000 },
    );
    const latest = bulletins.latest;
    expect(latest?.number).toBeGreaterThanOrEqual(1);
    expect(latest?.overdue[0]).toMatchObject({ rank: 1, unit: 'chengjian', tasks: [expect.objectContaining({ taskNumber: 5, light: 'red' })] });
    expect(latest?.totals).toMatchObject({ tasks: 21, red: 1 });
    expect(bulletins.kept.flatMap((k) => k.escalationsOpened)).toEqual([expect.objectContaining({ taskNumber: 5, unit: 'chengjian' })]);
    expect(bulletins.preview.number).toBe(0);
  });

  it('writes the campaign and the amended tasks to the audit trail, exported with the task entries', async () => {
    const { ctx } = capture();
    const options: AuditExportOptions = { lang: 'en', profile: undefined, format: 'jsonl', planId: 'xihu-2020', auditDb };
    const exported = await eventually(
      () => runAuditExport(ctx, options),
      ({ text }) => text.includes('"campaign.bulletin"') && text.includes('"campaign.amended"') && (text.match(/"task\.assigned"/g) ?? []).length === 20,
    );
    const entries = exported.text.trim().split('\n').map((l) => JSON.parse(l) as { event: string; taskNumber: number; actor: string; details: Record<string, unknown> });
    const events = (name: string) => entries.filter((e) => e.event === name);
    expect(events('campaign.launched')).toHaveLength(1);
    expect(events('campaign.launched')[0]?.details['tasks']).toHaveLength(20);
    expect(events('campaign.amended').map((e) => e.details['amendmentId'])).toEqual(['xihu-2021-tasks', 'reassign-9', 'due-now']);
    expect(events('campaign.amended')[0]).toMatchObject({ taskNumber: 0, actor: 'hq-office-clerk' });
    expect(events('task.amended').map((e) => e.taskNumber).sort((a, b) => a - b)).toEqual([5, 7, 9]);
    expect(events('campaign.bulletin').length).toBeGreaterThanOrEqual(1);
    // The 20 launched at once (startNow); task 21, added by the amendment, waits for the campaign's start next year.
    expect(new Set(events('task.assigned').map((e) => e.taskNumber)).size).toBe(20);
  });

  it('lists every plan task in the ledger with its light and the amended deadline', async () => {
    const { ctx } = capture();
    const rows: LedgerRow[] = await runLedger(ctx, { lang: 'en', profile: undefined, file: seedFile, format: 'csv', json: true });
    expect(rows).toHaveLength(20);
    expect(rows.find((r) => r.number === 5)).toMatchObject({ light: 'red', primaryLead: '城建办', status: 'assigned' });
    // Moved to the end of 31 March: said as that day, not as 1 April 00:00.
    expect(rows.find((r) => r.number === 7)?.deadline).toBe(`by ${campaignYear + 1}-03-31`);
    expect(rows.every((r) => r.status !== 'not-launched')).toBe(true);
  });
});
