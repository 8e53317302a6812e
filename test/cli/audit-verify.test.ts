/**
 * `duban audit verify` end to end: real tasks on a dev server write their chained trail
 * through the duban worker into a SQLite file; copies of the file are then tampered with
 * as someone with access to it could (a reviewer and score changed, rows deleted, rows
 * inserted), and the command names the row and exits 1; the untouched file exits 0. Then
 * the same against a PostgreSQL store (`--audit-url`).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { WorkflowHandle } from '@temporalio/client';
import { PostgresAuditStore, SqliteAuditStore, type AuditRecord } from '@duban/activities';
import { DUBAN_TASK_QUEUE, TASK_WORKFLOW_TYPE, taskWorkflowId } from '@duban/common';
import { linkAuditEntry } from '@duban/identity';
import { acknowledgeUpdate, reportProgressUpdate, reviewUpdate, submitUpdate } from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import { serverAddress, serverPerFile, startDevServerWithWorker, temporaryDirectory } from '../harness';
import { POSTGRES_PASSWORD, databaseOf, postgresPerFile } from '../harness/postgres';
import { freshTaskNumber, rid, taskInput } from '../workflows/fixtures';
import { duban as run, expectRun, type Run } from './run';

jest.setTimeout(300_000);

const PLAN = 'verify-plan';
const dir = temporaryDirectory('duban-audit-verify-');
const auditDb = join(dir, 'audit.sqlite');
const env = serverPerFile(() => startDevServerWithWorker(auditDb));
const postgres = postgresPerFile();

let finished: WorkflowHandle<typeof taskWorkflow>;
let running: WorkflowHandle<typeof taskWorkflow>;
let trail: AuditRecord[];
let copies = 0;

/** `duban audit verify ARGS…` in English against this file's server. */
function verify(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return run(['audit', 'verify', ...args], { env: { TEMPORAL_ADDRESS: serverAddress(env()), ...extraEnv } });
}

/** A consistent copy of the worker's live file, to tamper with. */
function copyOfTrail(): string {
  copies += 1;
  const copy = join(dir, `copy-${copies}.sqlite`);
  const db = new Database(auditDb, { readonly: true });
  db.prepare('VACUUM INTO ?').run(copy);
  db.close();
  return copy;
}

function tamper(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  const changed = db.prepare(sql).run(...params).changes;
  db.close();
  expect(changed).toBe(1);
}

function rowOf(workflowId: string, event: string): AuditRecord {
  const row = trail.find((r) => r.workflowId === workflowId && r.event === event);
  if (!row?.chain) throw new Error(`no chained ${event} row of ${workflowId}`);
  return row;
}

/** How the command names a row: id, seq, event and idempotency key. */
function named(row: AuditRecord): string {
  return `row ${row.id} (seq ${row.chain?.seq}, ${row.event}, key ${row.idempotencyKey})`;
}

async function startTask(): Promise<WorkflowHandle<typeof taskWorkflow>> {
  const input = taskInput(Date.now(), { planId: PLAN, taskNumber: freshTaskNumber() });
  return env().client.workflow.start<typeof taskWorkflow>(TASK_WORKFLOW_TYPE, {
    taskQueue: DUBAN_TASK_QUEUE,
    workflowId: taskWorkflowId(input.planId, input.taskNumber),
    args: [input],
  });
}

beforeAll(async () => {
  // One task approved (its workflow closed: checked against its history), one still running (also against its head).
  finished = await startTask();
  await finished.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid('ack'), actor: 'chengjian-staff' }] });
  await finished.executeUpdate(reportProgressUpdate, { args: [{ requestId: rid('half'), actor: 'chengjian-staff', percent: 60, note: '过半' }] });
  await finished.executeUpdate(reportProgressUpdate, {
    args: [{ requestId: rid('done'), actor: 'chengjian-staff', percent: 100, note: '完成', evidence: ['https://example.org/photo.jpg'] }],
  });
  await finished.executeUpdate(submitUpdate, { args: [{ requestId: rid('submit'), actor: 'chengjian-head', summary: '牵头汇总' }] });
  await finished.executeUpdate(reviewUpdate, { args: [{ requestId: rid('approve'), actor: 'supervisor-1', decision: 'approve', score: 92 }] });
  await finished.result();

  running = await startTask();
  await running.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid('ack'), actor: 'chengjian-staff' }] });
  await running.executeUpdate(reportProgressUpdate, { args: [{ requestId: rid('report'), actor: 'chengjian-staff', percent: 40, note: '进行中' }] });

  const store = SqliteAuditStore.open(auditDb);
  trail = (await store.list({ planId: PLAN })).sort((a, b) => a.id - b.id);
  await store.close();
  expect(trail.filter((r) => r.workflowId === running.workflowId)).toHaveLength(3);
  expect(trail.every((r) => r.chain !== undefined)).toBe(true);
}, 300_000);

test('the untouched trail verifies against its links, the running task\'s head and both histories: exit 0', async () => {
  const result = await verify(['--plan', PLAN, '--audit-db', copyOfTrail()]);
  expectRun(result, 0, 'stdout', [
    `${trail.length} audit entries in 2 chains`,
    `Compared with the workflows on ${serverAddress(env())}: 1 chain heads, 2 histories.`,
    'All 2 chains are whole',
  ]);
  expect(result.stderr).toBe('');

  const json = await verify(['--plan', PLAN, '--audit-db', auditDb, '--json']);
  expect(json.code).toBe(0);
  const report = JSON.parse(json.stdout) as { ok: boolean; entries: number; chains: Array<{ workflowId: string; compared: object; last: { seq: number } }> };
  expect(report).toMatchObject({ ok: true, entries: trail.length, temporal: { asked: true, reachable: true, heads: 1, histories: 2 } });
  expect(report.chains.find((c) => c.workflowId === running.workflowId)).toMatchObject({ compared: { head: true, history: true }, last: { seq: 3 } });
});

test('a reviewer and score changed in the file: the row is named as altered, exit 1', async () => {
  const approved = rowOf(finished.workflowId, 'review.approved');
  expect(approved.details).toMatchObject({ score: 92 });
  const file = copyOfTrail();
  tamper(file, "UPDATE audit_entries SET actor = 'supervisor-2', details = json_set(details, '$.score', 100) WHERE id = ?", approved.id);

  const result = await verify(['--plan', PLAN, '--audit-db', file]);
  expectRun(result, 1, 'stdout', [`✗ ${finished.workflowId}: ${named(approved)} was altered: its content`]);
  expectRun(result, 1, 'stderr', ['1 of 2 audit chains are broken', '[AUDIT_TRAIL_BROKEN]']);
  // The other task's chain is not blamed.
  expect(result.stdout).not.toContain(running.workflowId);
  // And `audit export` shows why this matters: it prints the forged score as it is.
  const exported = await run(['audit', 'export', '--audit-db', file, '--json']);
  expect(exported.stdout).toContain('"score":100');
});

test('a middle row deleted: the missing seq is named with the row after the gap, exit 1', async () => {
  const reports = trail.filter((r) => r.workflowId === finished.workflowId && r.event === 'progress.reported');
  const deleted = reports[0];
  const after = reports[1];
  if (!deleted?.chain || !after) throw new Error('two progress reports expected');
  const file = copyOfTrail();
  tamper(file, 'DELETE FROM audit_entries WHERE id = ?', deleted.id);

  const result = await verify(['--audit-db', file]);
  expectRun(result, 1, 'stdout', [`the entries seq ${deleted.chain.seq} to ${deleted.chain.seq} are missing before ${named(after)}: they were deleted.`]);
});

test('the last row deleted: only the workflow can tell, and with --plan the command names what is missing', async () => {
  const last = trail.filter((r) => r.workflowId === finished.workflowId).at(-1);
  const before = trail.filter((r) => r.workflowId === finished.workflowId).at(-2);
  if (!last?.chain || !before) throw new Error('rows expected');
  const file = copyOfTrail();
  tamper(file, 'DELETE FROM audit_entries WHERE id = ?', last.id);

  // The links alone cannot see it, and say so.
  const linksOnly = await verify(['--audit-db', file]);
  expectRun(linksOnly, 0, 'stdout', ['Checked the hash links only; give --plan']);

  const result = await verify(['--plan', PLAN, '--audit-db', file]);
  expectRun(result, 1, 'stdout', [
    `the entries seq ${last.chain.seq} to ${last.chain.seq} are missing after ${named(before)}, the last stored, though the workflow history shows them written`,
  ]);
});

test('a forged row inserted with a real row\'s link: named as inserted, exit 1', async () => {
  const approved = rowOf(finished.workflowId, 'review.approved');
  const file = copyOfTrail();
  tamper(
    file,
    `INSERT INTO audit_entries (idempotency_key, at, at_ms, plan_id, task_number, workflow_id, actor, event, details, recorded_at, chain_seq, prev_hash, hash)
     SELECT idempotency_key || '-again', at, at_ms, plan_id, task_number, workflow_id, 'supervisor-2', event, json_set(details, '$.score', 100), recorded_at, chain_seq, prev_hash, hash
     FROM audit_entries WHERE id = ?`,
    approved.id,
  );
  const db = new Database(file, { readonly: true });
  const forged = db.prepare('SELECT MAX(id) AS id FROM audit_entries').get() as { id: number };
  db.close();

  const result = await verify(['--audit-db', file]);
  expectRun(result, 1, 'stdout', [
    `row ${forged.id} (seq ${approved.chain?.seq}, review.approved, key ${approved.idempotencyKey}-again) repeats seq ${approved.chain?.seq}, which ${named(approved)} holds: it was inserted.`,
  ]);
});

test('a row inserted without a link, after the chain began: named as inserted, not counted as old', async () => {
  const file = copyOfTrail();
  tamper(
    file,
    `INSERT INTO audit_entries (idempotency_key, at, at_ms, plan_id, task_number, workflow_id, actor, event, details, recorded_at)
     SELECT 'forged-approval', at, at_ms, plan_id, task_number, workflow_id, 'supervisor-2', 'review.approved', '{"score":100}', recorded_at
     FROM audit_entries WHERE workflow_id = ? ORDER BY id DESC LIMIT 1`,
    running.workflowId,
  );
  const result = await verify(['--plan', PLAN, '--audit-db', file, '--json']);
  expect(result.code).toBe(1);
  const report = JSON.parse(result.stdout) as { chains: Array<{ workflowId: string; problem?: { kind: string; reason: string; row: { idempotencyKey: string } } }> };
  expect(report.chains[0]).toMatchObject({ workflowId: running.workflowId, problem: { kind: 'inserted', reason: 'unlinked', row: { idempotencyKey: 'forged-approval' } } });
  expect(result.stderr).toContain('"code":"AUDIT_TRAIL_BROKEN"');
});

test('a row forged with a valid link after the running task\'s last entry: its links fit, the workflow names it inserted', async () => {
  const rows = trail.filter((r) => r.workflowId === running.workflowId);
  const last = rows.at(-1);
  if (!last?.chain) throw new Error('rows expected');
  // Someone who knows the hash function appends a fake approval that links after the real last entry.
  const fake = { ...last, idempotencyKey: `${running.workflowId}:${last.chain.seq + 1}:review.approved`, actor: 'supervisor-1', event: 'review.approved', details: { score: 100 } };
  const chain = linkAuditEntry(last.chain, fake, last.chain.seq + 1);
  const file = copyOfTrail();
  tamper(
    file,
    `INSERT INTO audit_entries (idempotency_key, at, at_ms, plan_id, task_number, workflow_id, actor, event, details, recorded_at, chain_seq, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    fake.idempotencyKey, fake.at, Date.parse(fake.at), fake.planId, fake.taskNumber, fake.workflowId, fake.actor, fake.event, JSON.stringify(fake.details), fake.recordedAt,
    chain.seq, chain.prevHash, chain.hash,
  );

  expectRun(await verify(['--audit-db', file]), 0, 'stdout', ['All 2 chains are whole']);
  const result = await verify(['--plan', PLAN, '--audit-db', file]);
  expectRun(result, 1, 'stdout', [`${fake.idempotencyKey}) is not among the entries the workflow wrote (its history ends at seq ${last.chain.seq})`]);
});

test('in Chinese, and with the Temporal server down: the links are still checked and the altered row named', async () => {
  const approved = rowOf(finished.workflowId, 'review.approved');
  const file = copyOfTrail();
  tamper(file, "UPDATE audit_entries SET details = json_set(details, '$.score', 100) WHERE id = ?", approved.id);

  const result = await verify(['--plan', PLAN, '--audit-db', file], { TEMPORAL_ADDRESS: '127.0.0.1:1', LANG: 'zh_CN.UTF-8' });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('127.0.0.1:1 无 Temporal 服务应答：仅核验哈希链接');
  expect(result.stdout).toContain(`第 ${approved.id} 行（序号 ${approved.chain?.seq}，review.approved，幂等键 ${approved.idempotencyKey}）被篡改`);
  expect(result.stderr).toContain('1 条审计链（共 2 条）已被破坏');
});

test('the store is named wrongly or twice: AUDIT_DB_NOT_FOUND (exit 1) or a usage error (exit 2)', async () => {
  expectRun(await verify(['--audit-db', join(dir, 'missing.sqlite')]), 1, 'stderr', ['No audit database at', '[AUDIT_DB_NOT_FOUND]']);
  expectRun(await verify(['--audit-db', auditDb, '--audit-url', 'postgres://x@localhost/duban']), 2, 'stderr', ['not both']);
});

test('--audit-url verifies the shared PostgreSQL store: a score changed there is named, and the URL shown has no password', async () => {
  const url = await postgres().createDatabase();
  const store = await PostgresAuditStore.open(url);
  for (const { id: _id, recordedAt: _at, ...entry } of trail) await store.append(entry);
  await store.close();

  const clean = await verify(['--plan', PLAN, '--audit-url', url]);
  expectRun(clean, 0, 'stdout', [`in postgres://duban@127.0.0.1:${postgres().port}/${databaseOf(url)};`, 'All 2 chains are whole']);
  expect(clean.stdout + clean.stderr).not.toContain(POSTGRES_PASSWORD);

  const approved = rowOf(finished.workflowId, 'review.approved');
  await postgres().sql(
    databaseOf(url),
    `UPDATE duban_audit_entries SET details = json_build_object('score', 100, 'decision', 'approve') WHERE idempotency_key = $1`,
    [approved.idempotencyKey],
  );
  const [row] = await postgres().sql<{ id: string }>(databaseOf(url), 'SELECT id FROM duban_audit_entries WHERE idempotency_key = $1', [approved.idempotencyKey]);
  const result = await verify(['--plan', PLAN], { DUBAN_AUDIT_URL: url });
  expectRun(result, 1, 'stdout', [`row ${row?.id} (seq ${approved.chain?.seq}, review.approved, key ${approved.idempotencyKey}) was altered`]);
  expect(result.stdout + result.stderr).not.toContain(POSTGRES_PASSWORD);
});
