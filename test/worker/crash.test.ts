/**
 * The worker process dies (SIGKILL) in the middle of a task, while a notification is
 * being delivered; a new process finishes the task. Every audit entry of the task's
 * timeline must be in the SQLite trail exactly once, and the notification outbox must
 * record the interrupted notification once although the webhook saw it twice.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowUpdateStage, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SqliteAuditStore, openSqliteDatabase } from '@duban/activities';
import { DEFAULT_NAMESPACE, DUBAN_TASK_QUEUE, ENV, TASK_WORKFLOW_TYPE, isDubanError, taskWorkflowId } from '@duban/common';
import { DubanWorkerError, WorkerErrorCode, ensureSearchAttributes } from '@duban/worker';
import { acknowledgeUpdate, dubanSearchAttributes, reportProgressUpdate, reviewUpdate, submitUpdate, taskStateQuery } from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import { removeTemporaryDirectories, startDevServer, temporaryDirectory, workflowBundle } from '../harness';
import { startWebhook } from '../activities/fixtures';
import { freshTaskNumber, rid, taskInput } from '../workflows/fixtures';
import { spawnWorker, type WorkerProcess } from './worker-process';

jest.setTimeout(300_000);

let env: TestWorkflowEnvironment;
let dir: string;
let workerEnv: Record<string, string>;
let auditDb: string;
let webhook: Awaited<ReturnType<typeof startWebhook>>;
const workers: WorkerProcess[] = [];

/** Called by the webhook when a request arrives; the test sets it per phase. */
let onRequest: (key: string) => { status: number } | 'hang' = () => ({ status: 200 });

beforeAll(async () => {
  // No search attributes at server start: the worker registers them (ensureSearchAttributes).
  env = await startDevServer();
  dir = temporaryDirectory('duban-crash-');
  webhook = await startWebhook((_n, req) => onRequest(String(req.headers['idempotency-key'])));
  // Bundle once here; both worker processes load the file instead of bundling again.
  const bundlePath = join(dir, 'workflow-bundle.js');
  auditDb = join(dir, 'state', 'audit.sqlite');
  writeFileSync(bundlePath, (await workflowBundle()).code);
  workerEnv = {
    [ENV.address]: env.address,
    [ENV.namespace]: env.namespace ?? DEFAULT_NAMESPACE,
    [ENV.auditDb]: auditDb,
    [ENV.webhookUrl]: webhook.url,
    [ENV.workflowBundle]: bundlePath,
  };
});

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await webhook?.close();
  await env?.teardown();
  removeTemporaryDirectories();
});

async function startWorker(): Promise<WorkerProcess> {
  const worker = await spawnWorker(workerEnv);
  workers.push(worker);
  return worker;
}

test('a worker killed while delivering a notification is replaced, the task completes, and every audit entry is stored exactly once', async () => {
  const first = await startWorker();
  const input = { ...taskInput(Date.now(), { planId: 'crash-plan', taskNumber: freshTaskNumber() }), searchAttributes: true };
  const workflowId = taskWorkflowId(input.planId, input.taskNumber);
  const handle: WorkflowHandle<typeof taskWorkflow> = await env.client.workflow.start<typeof taskWorkflow>(TASK_WORKFLOW_TYPE, {
    taskQueue: DUBAN_TASK_QUEUE,
    workflowId,
    args: [input],
  });

  await handle.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid('ack'), actor: 'chengjian-staff' }] });
  await handle.executeUpdate(reportProgressUpdate, {
    args: [{ requestId: rid('report'), actor: 'chengjian-staff', percent: 100, note: '100% done', evidence: ['https://example.org/photo.jpg'] }],
  });

  // Submitting writes the `task.submitted` entry, then notifies the supervisors: the
  // webhook holds that notification and the worker is killed while it waits.
  const reviewRequested = `${workflowId}:`;
  let killed!: () => void;
  const killedNow = new Promise<void>((resolve) => (killed = resolve));
  onRequest = (key) => {
    if (key.startsWith(reviewRequested) && key.endsWith(':notify.review-requested') && !first.child.killed) {
      first.child.kill('SIGKILL');
      killed();
      return 'hang';
    }
    return { status: 200 };
  };
  const submitted = await handle.startUpdate(submitUpdate, {
    args: [{ requestId: rid('submit'), actor: 'chengjian-head', summary: '牵头汇总: all parts reported' }],
    waitForStage: WorkflowUpdateStage.ACCEPTED,
  });
  await killedNow;
  expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

  // What the dead worker wrote survived the kill. The submission's own entry travels on the
  // audit lane beside the held notification, so it may or may not have been written yet.
  const midway = SqliteAuditStore.open(auditDb);
  const written = (await midway.list({ workflowId })).map((r) => r.event);
  expect(written.slice(0, 3)).toEqual(['task.assigned', 'task.acknowledged', 'progress.reported']);
  expect(written.slice(3)).toEqual(written.length > 3 ? ['task.submitted'] : []);
  await midway.close();

  // A new process takes over; the interrupted activity is retried after its timeout.
  const second = await startWorker();
  expect(await submitted.result()).toMatchObject({ applied: true, status: 'submitted' });
  await handle.executeUpdate(reviewUpdate, { args: [{ requestId: rid('approve'), actor: 'supervisor-1', decision: 'approve', score: 96 }] });
  expect(await handle.result()).toMatchObject({ status: 'approved', assessment: { score: 96 } });
  const { timeline } = await handle.query(taskStateQuery);

  // SIGTERM: the worker drains, closes its database and exits cleanly.
  second.child.kill('SIGTERM');
  expect(await second.exited).toEqual({ code: 0, signal: null });
  expect(second.output()).toContain('duban worker: stopped');

  const kinds = timeline.map((e) => e.kind);
  expect(kinds.filter((k) => ['task.assigned', 'task.acknowledged', 'progress.reported', 'task.submitted', 'review.approved'].includes(k))).toEqual([
    'task.assigned',
    'task.acknowledged',
    'progress.reported',
    'task.submitted',
    'review.approved',
  ]);

  const store = SqliteAuditStore.open(auditDb);
  try {
    const rows = await store.list({ workflowId });
    // Exactly the timeline, in its order, one row per event.
    expect(rows.map((r) => r.event)).toEqual(kinds);
    expect(rows.map((r) => r.idempotencyKey)).toEqual(timeline.map((e) => `${workflowId}:${e.seq}:${e.kind}`));
    expect(rows.map((r) => r.actor)).toEqual(timeline.map((e) => e.actor));

    const db = openSqliteDatabase(auditDb);
    const counts = db
      .prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT idempotency_key) AS keys FROM audit_entries WHERE workflow_id = ?')
      .get(workflowId) as { n: number; keys: number };
    db.close();
    expect(counts).toEqual({ n: timeline.length, keys: timeline.length });

    // The webhook saw the interrupted notification twice, with one key; the outbox has it once.
    const posted = webhook.requests.map((r) => String(r.headers['idempotency-key'])).filter((k) => k.startsWith(`${workflowId}:`));
    const interrupted = posted.filter((k) => k.endsWith(':notify.review-requested'));
    expect(interrupted).toHaveLength(2);
    expect(new Set(interrupted).size).toBe(1);
    const sent = (await store.outbox().list()).filter((n) => n.workflowId === workflowId);
    expect(sent.map((n) => n.kind)).toEqual(['assignment', 'review-requested', 'commendation']);
    expect(new Set(sent.map((n) => n.idempotencyKey)).size).toBe(sent.length);
  } finally {
    await store.close();
  }
});

test('ensureSearchAttributes leaves registered attributes alone, adds missing ones, and refuses a type clash', async () => {
  const namespace = env.namespace ?? DEFAULT_NAMESPACE;
  // Whether or not a worker registered them already, registering again adds nothing.
  await ensureSearchAttributes(env.connection, namespace);
  await expect(ensureSearchAttributes(env.connection, namespace)).resolves.toEqual({
    added: [],
    present: dubanSearchAttributes.map((k) => k.name),
  });

  const extra = { name: 'DubanCrashTestExtra', type: 'KEYWORD' } as const;
  await expect(ensureSearchAttributes(env.connection, namespace, [extra])).resolves.toEqual({ added: [extra.name], present: [] });

  const clash = await ensureSearchAttributes(env.connection, namespace, [{ name: 'DubanPlan', type: 'INT' }]).catch((e: unknown) => e);
  expect(clash).toBeInstanceOf(DubanWorkerError);
  expect(isDubanError(clash)).toBe(true);
  expect(clash).toMatchObject({ code: WorkerErrorCode.SEARCH_ATTRIBUTE_TYPE_MISMATCH, details: { name: 'DubanPlan', wanted: 'INT' } });
});
