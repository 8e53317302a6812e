/**
 * The task commands through `main` in this process against one dev server for the whole
 * file, with a duban worker in this process: every task command's success path, the audit
 * export and the ledger, then refusals (exit 1) and usage errors (exit 2). The tests of a
 * describe block run in order and build on each other (one task's life).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { BOM } from '@duban/cli';
import { DubanClient } from '@duban/client';
import { loadPlanFile, rebasePlan, type Plan } from '@duban/plan';
import { freePort } from '@duban/servers';
import { createDubanWorker, type DubanWorker } from '@duban/worker';
import { dubanSearchAttributes, type TaskState } from '@duban/workflows';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { removeTemporaryDirectories, serverAddress, startDevServer, temporaryDirectory, workflowBundle } from '../harness';
import { keysPerFile } from '../harness/keys';
import { duban as run, expectRun, repoRoot, type Run } from './run';

jest.setTimeout(300_000);

const YEAR = new Date().getFullYear() + 1;

let env: TestWorkflowEnvironment;
let worker: DubanWorker;
let running: Promise<void>;
let client: DubanClient;
let plan: Plan;
let planFile: string;
let auditDb: string;
let dir: string;
const keys = keysPerFile();

/** `duban ARGS…` in English against this file's server with the roster's keys; `extraEnv` may set DUBAN_AS or another address. */
function duban(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return run(args, { env: { TEMPORAL_ADDRESS: serverAddress(env), ...keys().env, ...extraEnv } });
}

/** A CSV file as Excel on Chinese Windows needs it: the UTF-8 BOM, then RFC 4180 records. */
function readCsv(file: string): string[][] {
  const text = readFileSync(file, 'utf8');
  expect(text.startsWith(BOM)).toBe(true);
  return parse(text, { bom: true, relax_column_count: false }) as string[][];
}

async function showJson(n: number): Promise<TaskState> {
  const run = await duban(['task', 'show', planFile, String(n), '--json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as TaskState;
}

/** Audit entries are written by activities after the update returns: wait until the trail has caught up. */
async function auditCaughtUp(taskNumber: number, entries: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await worker.auditStore.count({ planId: plan.id, taskNumber })) < entries) {
    if (Date.now() > deadline) throw new Error(`audit trail of task ${taskNumber} did not reach ${entries} entries`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  env = await startDevServer({ searchAttributes: [...dubanSearchAttributes] });
  dir = temporaryDirectory('duban-cli-task-');
  auditDb = join(dir, 'audit.sqlite');
  worker = await createDubanWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    auditDbPath: auditDb,
    workflowBundle: await workflowBundle(),
  });
  running = worker.run();
  // Deadlines in the future; assisting reports not required, so one unit can carry a task to review.
  const seed = rebasePlan(await loadPlanFile(join(repoRoot, 'plans', 'xihu-2020.yaml')), YEAR);
  plan = { ...seed, policies: { ...seed.policies, requireAssistingReports: false } };
  planFile = join(dir, 'plan.yaml');
  // JSON is YAML: the CLI reads the rebased plan through the same loader as any plan file.
  writeFileSync(planFile, JSON.stringify(plan, null, 2));
  client = new DubanClient(env.client);
});

afterAll(async () => {
  await worker?.shutdown();
  await running;
  await env?.teardown();
  removeTemporaryDirectories();
});

describe('duban task: the success path of one task', () => {
  test('starting a task twice through the client starts it once', async () => {
    // Assigned at once: the rebased campaign starts next year, and a task waits for its start otherwise.
    const options = { keyring: keys().keyring, startNow: true };
    const first = await client.startTask(plan, 3, options);
    const second = await client.startTask(plan, 3, options);
    expect(first).toMatchObject({ workflowId: `duban/${plan.id}/task-3`, started: true });
    expect(second).toMatchObject({ workflowId: first.workflowId, started: false, runId: first.runId });
    await client.startTask(plan, 4, options);
    await client.startTask(plan, 9, options);
  });

  test('ack by the primary lead’s head is applied and the task is acknowledged', async () => {
    const run = await duban(['task', 'ack', planFile, '3', '--as', 'chengguan-head', '--note', '收到']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('acknowledge applied to task 3 (duban/xihu-2020/task-3): now acknowledged');
  });

  test('the same request id sent twice is applied once and says "already applied", and the actor may come from DUBAN_AS', async () => {
    const args = ['task', 'ack', planFile, '3', '--request-id', 'ack-chengjian-1'];
    const first = await duban(args, { DUBAN_AS: 'chengjian-staff' });
    // The retry is signed anew: it reaches the workflow, which answers it as a repeat of the first.
    const again = await duban(args, { DUBAN_AS: 'chengjian-staff' });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('acknowledge applied');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Request ack-chengjian-1 was already applied to task 3; nothing changed');
    const acks = (await showJson(3)).timeline.filter((e) => e.kind === 'task.acknowledged' && e.actor === 'chengjian-staff');
    expect(acks).toHaveLength(1);
  });

  test('report sets the unit’s progress with a note and evidence, and --json prints the result', async () => {
    const run = await duban([
      'task', 'report', planFile, '3', '--as', 'chengguan-staff', '--unit', 'chengguan',
      '--percent', '40', '--note', '西桃花河清淤过半, "第一段"', '--evidence', 'https://example.org/p1', '--json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ applied: true, status: 'in-progress' });
    const state = await showJson(3);
    expect(state.percent).toBe(40);
    expect(state.units.find((u) => u.unit === 'chengguan')).toMatchObject({ percent: 40, reports: 1 });
  });

  test('submit by a worker of the primary lead puts the task under review', async () => {
    const run = await duban(['task', 'submit', planFile, '3', '--as', 'hq-office-clerk', '--summary', '水系清淤完成', '--evidence', 'https://example.org/report']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('now submitted');
  });

  test('extend asks for a later deadline read in the plan’s time zone, and HQ approves it', async () => {
    const ask = await duban(['task', 'extend', planFile, '4', '--as', 'chengjian-head', '--to', `${YEAR + 1}-01-15`, '--reason', '雨季施工受阻']);
    expect(ask.code).toBe(0);
    const decide = await duban(['task', 'decide-extension', planFile, '4', '--as', 'hq-office-clerk', '--approve']);
    expect(decide.code).toBe(0);
    // "By 15 January" is the end of that day in Asia/Shanghai.
    expect(Date.parse((await showJson(4)).deadlineAt)).toBe(Date.parse(`${YEAR + 1}-01-16T00:00:00.000+08:00`));
  });

  test('cancel by HQ cancels the task', async () => {
    const run = await duban(['task', 'cancel', planFile, '9', '--as', 'hq-office-clerk', '--reason', '并入任务8']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('now cancelled');
  });

  test('review --approve by a supervisor approves the task with the score', async () => {
    // The task stands at 40%: approving unfinished work needs a recorded reason.
    const run = await duban(['task', 'review', planFile, '3', '--as', 'supervisor-li', '--approve', '--score', '92', '--note', '主体工程完成, 扫尾纳入日常管护']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('now approved');
  });

  test('show prints the state, the units by name and the timeline', async () => {
    const run = await duban(['task', 'show', planFile, '3']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('xihu-2020 Task 3  河湖水环境整治');
    expect(run.stdout).toContain('Status: approved');
    expect(run.stdout).toContain('Primary lead: 城管办');
    expect(run.stdout).toContain('Assisting: 城建办');
    for (const kind of ['task.assigned', 'task.acknowledged', 'progress.reported', 'task.submitted', 'review.approved']) expect(run.stdout).toContain(kind);
  });

  test('show --lang zh labels in Chinese and keeps names as the plan writes them', async () => {
    const run = await duban(['--lang', 'zh', 'task', 'show', planFile, '3']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('状态: 已办结');
    expect(run.stdout).toContain('牵头单位: 城管办');
  });

  test('show --json gives the whole state with the assessment', async () => {
    const state = await showJson(3);
    expect(state).toMatchObject({ planId: plan.id, taskNumber: 3, status: 'approved' });
    expect(state.assessment?.reviewerScore).toBe(92);
    expect(state.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['task.acknowledged', 'review.approved']));
  });
});

describe('duban audit export and duban ledger', () => {
  let state3: TaskState;
  beforeAll(async () => {
    state3 = await showJson(3);
    await auditCaughtUp(3, state3.timeline.length);
  });

  test('audit export --format csv writes every entry of the task with quoted details', async () => {
    const out = join(dir, 'audit.csv');
    const run = await duban(['audit', 'export', '--plan', plan.id, '--task', '3', '--format', 'csv', '--out', out, '--audit-db', auditDb]);
    expect(run.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.slice(1).split('\r\n')[0]).toBe('at,actor,plan,task,event,details_json,idempotency_key');
    const [header, ...records] = readCsv(out);
    expect(header).toEqual(['at', 'actor', 'plan', 'task', 'event', 'details_json', 'idempotency_key']);
    expect(records).toHaveLength(state3.timeline.length);
    const ack = records.find((r) => r[4] === 'task.acknowledged' && r[1] === 'chengguan-head');
    expect(ack?.slice(1, 5)).toEqual(['chengguan-head', 'xihu-2020', '3', 'task.acknowledged']);
    expect(JSON.parse(ack?.[5] ?? '{}')).toMatchObject({ unit: 'chengguan' });
    // The note with a comma and quotes survives as one field and parses back.
    const report = records.find((r) => r[4] === 'progress.reported');
    expect(JSON.parse(report?.[5] ?? '{}')).toMatchObject({ note: '西桃花河清淤过半, "第一段"' });
  });

  test('audit export --format jsonl prints one JSON object per entry', async () => {
    const run = await duban(['audit', 'export', '--plan', plan.id, '--task', '3', '--format', 'jsonl', '--audit-db', auditDb]);
    expect(run.code).toBe(0);
    const entries = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { event: string; actor: string; idempotencyKey: string });
    // Entries at the same instant may be stored in either order: compare as sets of events.
    expect(entries.map((e) => e.event).sort()).toEqual(state3.timeline.map((e) => e.kind).sort());
    expect(entries.find((e) => e.event === 'review.approved')?.actor).toBe('supervisor-li');
    expect(new Set(entries.map((e) => e.idempotencyKey)).size).toBe(entries.length);
  });

  test('ledger --format csv has one row per task: approved, cancelled and not launched', async () => {
    const out = join(dir, 'ledger.csv');
    const run = await duban(['ledger', planFile, '--out', out]);
    expect(run.code).toBe(0);
    const rows = readCsv(out);
    expect(rows[0]).toEqual(['No', 'Action', 'Title', 'Primary lead', 'Assisting', 'Responsible', 'Deadline', 'Status', 'Light', 'Escalation level', 'Rungs climbed', 'Score', 'Commended']);
    expect(rows).toHaveLength(21);
    const row3 = rows[3] ?? [];
    expect(row3.slice(0, 5)).toEqual(['3', '2', '河湖水环境整治', '城管办', '城建办']);
    expect(row3[7]).toBe('approved');
    expect(row3[11]).toBe(String(state3.assessment?.score));
    expect(row3[12]).toBe('no');
    // Extended to the end of 15 January: said as that day, not as 16 January 00:00.
    expect(rows[4]?.[6]).toBe(`by ${YEAR + 1}-01-15`);
    expect(rows[9]?.[7]).toBe('cancelled');
    expect(rows[5]?.[7]).toBe('not launched');
    // A responsible list with 、 and a title with “quotes” survive as single fields.
    expect(rows[8]?.[2]).toBe('“厕所革命”行动');
    expect(rows[8]?.[5]).toContain('兰宫路社区、');
  });

  test('ledger --format xlsx reads back with the same rows', async () => {
    const out = join(dir, 'ledger.xlsx');
    const run = await duban(['--lang', 'zh', 'ledger', planFile, '--format', 'xlsx', '--out', out]);
    expect(run.code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    const sheet = workbook.getWorksheet('台账');
    expect(sheet?.rowCount).toBe(21);
    expect(sheet?.getRow(1).getCell(8).value).toBe('状态');
    const row3 = sheet?.getRow(4);
    expect(row3?.getCell(1).value).toBe(3);
    expect(row3?.getCell(3).value).toBe('河湖水环境整治');
    expect(row3?.getCell(4).value).toBe('城管办');
    expect(row3?.getCell(8).value).toBe('已办结');
    expect(row3?.getCell(12).value).toBe(state3.assessment?.score);
    expect(sheet?.getRow(6).getCell(8).value).toBe('未启动');
  });
});

describe('duban task: refusals (exit 1) and usage errors (exit 2)', () => {
  beforeAll(async () => {
    await client.startTask(plan, 8, { keyring: keys().keyring, startNow: true });
    const run = await duban(['task', 'ack', planFile, '8', '--as', 'hq-office-clerk']);
    expect(run.code).toBe(0);
    const submitted = await duban(['task', 'submit', planFile, '8', '--as', 'hq-office-clerk', '--summary', '新建公厕']);
    expect(submitted.code).toBe(0);
  });

  // [what happens, the command line after `duban`, the exit code, what stderr says]
  const refusals: Array<[string, () => string[], number, string[]]> = [
    ['a task number the plan does not have is refused with the plan’s numbers', () => ['task', 'show', planFile, '99'], 1, ['has no task 99; its tasks are 1, 2, 3', '[TASK_NOT_IN_PLAN]']],
    ['a task that was never launched is refused with a hint to launch the plan', () => ['task', 'show', planFile, '5'], 1, ['Task 5 of plan xihu-2020 has no workflow', 'duban launch', '[TASK_NOT_FOUND]']],
    [
      'a message from a person without the role is refused with WRONG_ROLE',
      () => ['task', 'review', planFile, '8', '--as', 'chengguan-staff', '--approve', '--score', '90'],
      1,
      ['refused: ', 'may not review on task 8', '[WRONG_ROLE]'],
    ],
    [
      'a person not on the roster holds no key: refused with KEY_FILE_MISSING saying how to get one',
      () => ['task', 'ack', planFile, '8', '--as', 'nobody'],
      1,
      ['No key of nobody for plan xihu-2020 on this machine', 'pnpm duban keys issue PLAN --person nobody', '[KEY_FILE_MISSING]'],
    ],
    [
      'a reviewer who submitted the work is refused with SELF_REVIEW',
      () => ['task', 'review', planFile, '8', '--as', 'hq-office-clerk', '--approve', '--score', '95'],
      1,
      ['submitted this work and cannot review it', '[SELF_REVIEW]'],
    ],
    ['a message to a closed task is refused with INVALID_STATE', () => ['task', 'report', planFile, '9', '--as', 'jingfa-head', '--percent', '10', '--note', '已撤销'], 1, ['[INVALID_STATE]']],
    [
      'report --unit naming another unit than the actor’s is refused',
      () => ['task', 'report', planFile, '8', '--as', 'chengguan-staff', '--unit', 'chengjian', '--percent', '10', '--note', 'x'],
      1,
      ['belongs to chengguan, not chengjian', '[WRONG_ROLE]'],
    ],
    [
      'an extension to a date that does not exist is a usage error',
      () => ['task', 'extend', planFile, '8', '--as', 'chengguan-head', '--to', `${YEAR}-13-45`, '--reason', '延期'],
      2,
      ['--to needs a date such as 2021-01-15 (the end of that day in Asia/Shanghai)', '[USAGE]'],
    ],
    ['a plan file that does not exist is refused with FILE_NOT_FOUND', () => ['task', 'show', join(dir, 'missing.yaml'), '3'], 1, ['FILE_NOT_FOUND', '[PLAN_INVALID]']],
    ['an unknown option is a usage error', () => ['task', 'show', planFile, '3', '--bogus'], 2, ["unknown option '--bogus'"]],
    ['a message without --as or DUBAN_AS is a usage error that says how to name the actor', () => ['task', 'ack', planFile, '8'], 2, ['Say who is acting with --as PERSON']],
    [
      'a percent out of range is a usage error',
      () => ['task', 'report', planFile, '8', '--as', 'chengguan-head', '--percent', '140', '--note', 'x'],
      2,
      ['--percent must be a whole number from 0 to 100, got "140"'],
    ],
    [
      'an argument the client refuses as malformed is a usage error naming its flag',
      () => ['task', 'report', planFile, '8', '--as', 'chengguan-head', '--percent', '10', '--note', '  '],
      2,
      ['--note has a value the message cannot take', 'Malformed reportProgress argument: note', '[USAGE]'],
    ],
    [
      'review with both --approve and --return is a usage error',
      () => ['task', 'review', planFile, '8', '--as', 'supervisor-li', '--approve', '--score', '90', '--return', '--reason', 'x'],
      2,
      ['Give either --approve or --return, not both.'],
    ],
    [
      'a malformed evidence link is a usage error',
      () => ['task', 'submit', planFile, '8', '--as', 'chengguan-head', '--summary', 'x', '--evidence', 'not-a-link'],
      2,
      ['--evidence needs an http(s) link'],
    ],
    ['audit export from a database that does not exist is refused instead of exporting nothing', () => ['audit', 'export', '--audit-db', join(dir, 'nope.sqlite')], 1, ['[AUDIT_DB_NOT_FOUND]']],
  ];

  test.each(refusals)('%s', async (_what, args, code, says) => {
    expectRun(await duban(args()), code, 'stderr', says);
  });

  test('an unreachable server is refused with SERVER_UNREACHABLE and how to start one', async () => {
    const closed = await freePort();
    const run = await duban(['task', 'show', planFile, '3'], { TEMPORAL_ADDRESS: `127.0.0.1:${closed}` });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`No Temporal server answers at 127.0.0.1:${closed}`);
    expect(run.stderr).toContain('[SERVER_UNREACHABLE]');
  });

  test('--json adds the error as JSON with its code, kind and details, and keeps stdout for the result', async () => {
    const run = await duban(['task', 'show', planFile, '99', '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const error = JSON.parse(run.stderr.split('\n')[1] ?? '') as { error: { code: string; kind: string; details: Record<string, unknown> } };
    expect(error.error).toMatchObject({ code: 'TASK_NOT_IN_PLAN', kind: 'not-found', details: { planId: 'xihu-2020', taskNumber: 99 } });
  });
});
