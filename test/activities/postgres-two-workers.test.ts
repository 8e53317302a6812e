/**
 * Two worker processes on one task queue, as on two machines, both writing to one
 * PostgreSQL audit store (DUBAN_AUDIT_URL). Several tasks are driven from assignment to
 * approval; the trail in the shared store is whole: every event of every task exactly
 * once, in chain order, its links verifying, and both workers took part.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { POSTGRES_SCHEMA_VERSION, PostgresAuditStore, verifyAuditTrail } from '@duban/activities';
import { DEFAULT_NAMESPACE, DUBAN_TASK_QUEUE, ENV, TASK_WORKFLOW_TYPE, taskWorkflowId } from '@duban/common';
import { acknowledgeUpdate, reportProgressUpdate, reviewUpdate, submitUpdate, taskStateQuery } from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import { removeTemporaryDirectories, startDevServer, temporaryDirectory, workflowBundle } from '../harness';
import { POSTGRES_PASSWORD, databaseOf, postgresPerFile } from '../harness/postgres';
import { spawnWorker, type WorkerProcess } from '../worker/worker-process';
import { freshTaskNumber, rid, taskInput } from '../workflows/fixtures';

jest.setTimeout(300_000);

const TASKS = 6;
const postgres = postgresPerFile();
let env: TestWorkflowEnvironment;
let dir: string;
let auditUrl: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  env = await startDevServer();
  dir = temporaryDirectory('duban-two-workers-');
  auditUrl = await postgres().createDatabase();
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await workflowBundle()).code);
  const workerEnv = {
    [ENV.address]: env.address,
    [ENV.namespace]: env.namespace ?? DEFAULT_NAMESPACE,
    [ENV.auditUrl]: auditUrl,
    // Set too, to show the URL wins: nothing may be written here.
    [ENV.auditDb]: join(dir, 'not-used.sqlite'),
    [ENV.workflowBundle]: bundlePath,
    // The tasks run without search attributes; nothing to register.
    [ENV.registerSearchAttributes]: '0',
  };
  // Both open the new database at once: the migration runs once, under its lock.
  workers.push(...(await Promise.all([spawnWorker(workerEnv), spawnWorker(workerEnv)])));
}, 300_000);

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await env?.teardown();
  removeTemporaryDirectories();
});

async function driveToApproval(handle: WorkflowHandle<typeof taskWorkflow>, score: number): Promise<void> {
  await handle.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid('ack'), actor: 'chengjian-staff' }] });
  await handle.executeUpdate(reportProgressUpdate, { args: [{ requestId: rid('half'), actor: 'chengjian-staff', percent: 50, note: '过半' }] });
  await handle.executeUpdate(reportProgressUpdate, {
    args: [{ requestId: rid('done'), actor: 'chengjian-staff', percent: 100, note: '完成', evidence: ['https://example.org/photo.jpg'] }],
  });
  await handle.executeUpdate(submitUpdate, { args: [{ requestId: rid('submit'), actor: 'chengjian-head', summary: '牵头汇总' }] });
  await handle.executeUpdate(reviewUpdate, { args: [{ requestId: rid('approve'), actor: 'supervisor-1', decision: 'approve', score }] });
}

test('two workers on one task queue write one whole trail to the shared PostgreSQL store: every event once, in chain order', async () => {
  const handles = await Promise.all(
    Array.from({ length: TASKS }, async (_, i) => {
      const input = taskInput(Date.now(), { planId: 'two-workers', taskNumber: freshTaskNumber() });
      const handle = await env.client.workflow.start<typeof taskWorkflow>(TASK_WORKFLOW_TYPE, {
        taskQueue: DUBAN_TASK_QUEUE,
        workflowId: taskWorkflowId(input.planId, input.taskNumber),
        args: [input],
      });
      await driveToApproval(handle, 80 + i);
      expect(await handle.result()).toMatchObject({ status: 'approved', assessment: { score: 80 + i } });
      return handle;
    }),
  );

  const store = await PostgresAuditStore.open(auditUrl);
  try {
    const records = await store.list({ planId: 'two-workers' });
    for (const handle of handles) {
      const { timeline, auditChain } = await handle.query(taskStateQuery);
      const rows = records.filter((r) => r.workflowId === handle.workflowId).sort((a, b) => a.id - b.id);
      // The whole timeline, once each, in its order; the chain's seqs are the event seqs.
      expect(rows.map((r) => r.idempotencyKey)).toEqual(timeline.map((e) => `${handle.workflowId}:${e.seq}:${e.kind}`));
      expect(rows.map((r) => r.chain?.seq)).toEqual(timeline.map((e) => e.seq));
      expect(rows.map((r) => r.event)).toEqual(['task.assigned', 'task.acknowledged', 'progress.reported', 'progress.reported', 'task.submitted', 'review.approved']);
      // The last stored row is the workflow's own head.
      const last = rows[rows.length - 1];
      expect(auditChain).toEqual({ seq: last?.chain?.seq, hash: last?.chain?.hash });
    }
    const report = verifyAuditTrail(records);
    expect(report).toMatchObject({ ok: true, entries: TASKS * 6, linked: TASKS * 6, unlinked: 0 });
    expect(report.chains).toHaveLength(TASKS);

    // Both workers wrote to the store: the appendAudit activities ran on both.
    const identities = new Set<string>();
    for (const handle of handles) {
      const { events } = await handle.fetchHistory();
      const scheduled = new Set<string>();
      for (const event of events ?? []) {
        if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'appendAudit') scheduled.add(String(event.eventId));
        const started = event.activityTaskStartedEventAttributes;
        if (started && scheduled.has(String(started.scheduledEventId)) && started.identity) identities.add(started.identity);
      }
    }
    expect(identities.size).toBe(2);

    // One row per key in the table itself, and the migration ran once although both opened at once.
    const db = databaseOf(auditUrl);
    const [counts] = await postgres().sql(db, 'SELECT COUNT(*)::int AS n, COUNT(DISTINCT idempotency_key)::int AS keys FROM duban_audit_entries');
    expect(counts).toEqual({ n: TASKS * 6, keys: TASKS * 6 });
    const versions = await postgres().sql(db, 'SELECT version FROM duban_schema_version ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
    // The notification outbox is shared too: each task's notifications once (no commendation below 90).
    const sent = await postgres().sql<{ workflow_id: string; kind: string }>(db, 'SELECT workflow_id, kind FROM duban_notifications ORDER BY kind');
    for (const handle of handles) {
      expect(sent.filter((n) => n.workflow_id === handle.workflowId).map((n) => n.kind)).toEqual(['assignment', 'review-requested']);
    }
  } finally {
    await store.close();
  }

  // Each worker says where it writes, without the password; the SQLite path was never used.
  for (const worker of workers) {
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.output()).toContain(`postgres://duban@127.0.0.1:${postgres().port}/${databaseOf(auditUrl)}`);
    expect(worker.output()).not.toContain(POSTGRES_PASSWORD);
  }
  expect(existsSync(join(dir, 'not-used.sqlite'))).toBe(false);
});
