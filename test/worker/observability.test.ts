/**
 * The worker's capacity (defaults chosen from `pnpm bench`, overridable field by field
 * from variables, flags or code) and what a platform team watches it with: one
 * OpenTelemetry trace across the client, the workflow and its activities, and the
 * runtime's Prometheus endpoint. On the dev server.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { InMemoryAuditStore, LogAndWebhookNotifier } from '@duban/activities';
import { DEFAULT_NAMESPACE, ENV } from '@duban/common';
import { freePort } from '@duban/servers';
import { createDubanWorker, DEFAULT_WORKER_TUNING, readWorkerSettings, startTracing, WORKFLOW_TRACING_MODULE, WorkerErrorCode } from '@duban/worker';
import { acknowledgeUpdate, cancelUpdate, taskWorkflowId, workflowBundleOptions } from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import { removeTemporaryDirectories, startDevServer, temporaryDirectory, workflowBundle } from '../harness';
import { freshTaskNumber, rid, taskInput } from '../workflows/fixtures';
import { spawnWorker, type WorkerProcess } from './worker-process';

jest.setTimeout(180_000);

let env: TestWorkflowEnvironment;
const spawned: WorkerProcess[] = [];

beforeAll(async () => {
  env = await startDevServer();
});

afterAll(async () => {
  for (const w of spawned) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(spawned.map((w) => w.exited));
  await env?.teardown();
  removeTemporaryDirectories();
});

const quiet = new DefaultLogger('ERROR');
const notifier = () => new LogAndWebhookNotifier({ logger: quiet });

describe('capacity', () => {
  test('the variables set it field by field, flags win over them, and a value that is no whole number stops the worker', () => {
    const env = { [ENV.workerCacheSize]: '250', [ENV.workerWorkflowTasks]: '4', [ENV.metricsAddress]: '0.0.0.0:9464' };
    expect(readWorkerSettings(env)).toMatchObject({ tuning: { maxCachedWorkflows: 250, maxConcurrentWorkflowTaskExecutions: 4 }, metricsAddress: '0.0.0.0:9464' });
    expect(readWorkerSettings(env, { tuning: { maxConcurrentWorkflowTaskExecutions: 8 } }).tuning).toEqual({ maxCachedWorkflows: 250, maxConcurrentWorkflowTaskExecutions: 8 });
    expect(readWorkerSettings({}).tuning).toBeUndefined();
    expect(() => readWorkerSettings({ [ENV.workerActivityTasks]: 'many' })).toThrow(expect.objectContaining({ code: WorkerErrorCode.WORKER_CONFIG_INVALID, message: expect.stringContaining(ENV.workerActivityTasks) }));
    expect(() => readWorkerSettings({ [ENV.workerWorkflowTasks]: '0' })).toThrow(expect.objectContaining({ code: WorkerErrorCode.WORKER_CONFIG_INVALID }));
  });

  test('a worker runs with the defaults unless told otherwise, one field at a time', async () => {
    const worker = await createDubanWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? DEFAULT_NAMESPACE,
      taskQueue: `capacity-${Date.now()}`,
      auditStore: new InMemoryAuditStore(),
      notifier: notifier(),
      workflowBundle: await workflowBundle(),
      logger: quiet,
      tuning: { maxCachedWorkflows: 50, maxConcurrentActivityTaskExecutions: undefined },
    });
    try {
      const { options } = worker.worker;
      expect(options.maxCachedWorkflows).toBe(50);
      expect(options.tuner).toMatchObject({
        workflowTaskSlotSupplier: { numSlots: DEFAULT_WORKER_TUNING.maxConcurrentWorkflowTaskExecutions },
        activityTaskSlotSupplier: { numSlots: DEFAULT_WORKER_TUNING.maxConcurrentActivityTaskExecutions },
      });
    } finally {
      await worker.shutdown();
    }
  });
});

test('one trace covers the client starting and messaging a task, the task workflow and its activities', async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ spanProcessor: new SimpleSpanProcessor(exporter), serviceName: 'duban-test' });
  try {
    // Workflow spans need the tracing interceptors in the bundle, as the worker bundles when tracing.
    const bundle = await bundleWorkflowCode({ ...workflowBundleOptions(), workflowInterceptorModules: [WORKFLOW_TRACING_MODULE], logger: quiet });
    const taskQueue = `traced-${Date.now()}`;
    const worker = await createDubanWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? DEFAULT_NAMESPACE,
      taskQueue,
      auditStore: new InMemoryAuditStore(),
      notifier: notifier(),
      workflowBundle: bundle,
      logger: quiet,
      tracing,
    });
    const running = worker.run();
    try {
      const client = new Client({ connection: env.connection, namespace: env.namespace ?? DEFAULT_NAMESPACE, interceptors: tracing.clientInterceptors });
      const input = taskInput(Date.now(), { planId: 'traced', taskNumber: freshTaskNumber() });
      const handle = await client.workflow.start<typeof taskWorkflow>('taskWorkflow', { taskQueue, workflowId: taskWorkflowId(input.planId, input.taskNumber), args: [input] });
      await handle.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid('ack'), actor: 'chengjian-staff' }] });
      await handle.executeUpdate(cancelUpdate, { args: [{ requestId: rid('cancel'), actor: 'hq-1', reason: 'test over' }] });
      await handle.result();
    } finally {
      await worker.shutdown();
      await running;
    }
    const spans = exporter.getFinishedSpans();
    const names = spans.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['StartWorkflow:taskWorkflow', 'RunWorkflow:taskWorkflow', 'StartActivity:appendAudit', 'RunActivity:appendAudit', 'RunActivity:notify']));
    // One trace: the workflow's and the activities' spans descend from the client's start.
    const start = spans.find((s) => s.name === 'StartWorkflow:taskWorkflow');
    const traced = spans.filter((s) => ['RunWorkflow:taskWorkflow', 'RunActivity:appendAudit'].includes(s.name));
    expect(new Set(traced.map((s) => s.spanContext().traceId))).toEqual(new Set([start?.spanContext().traceId]));
    expect(spans.every((s) => s.resource.attributes['service.name'] === 'duban-test')).toBe(true);
  } finally {
    await tracing.shutdown();
  }
});

test('the worker process serves the runtime’s metrics for Prometheus when asked to', async () => {
  const dir = temporaryDirectory('duban-metrics-');
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await workflowBundle()).code);
  const metrics = `127.0.0.1:${await freePort()}`;
  const worker = await spawnWorker({
    [ENV.address]: env.address,
    [ENV.namespace]: env.namespace ?? DEFAULT_NAMESPACE,
    [ENV.auditDb]: join(dir, 'audit.sqlite'),
    [ENV.workflowBundle]: bundlePath,
    [ENV.taskQueue]: `metrics-${Date.now()}`,
    [ENV.metricsAddress]: metrics,
  });
  spawned.push(worker);
  expect(worker.output()).toContain(`http://${metrics}/metrics`);
  const response = await fetch(`http://${metrics}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  // The runtime's own: pollers, and the slots of this worker (the workflow slots duban's default).
  expect(text).toMatch(/^temporal_num_pollers\{/m);
  expect(text).toMatch(new RegExp(`^temporal_worker_task_slots_available\\{[^}]*worker_type="WorkflowWorker"[^}]*\\} ${DEFAULT_WORKER_TUNING.maxConcurrentWorkflowTaskExecutions}$`, 'm'));
  worker.child.kill('SIGTERM');
  expect(await worker.exited).toEqual({ code: 0, signal: null });
});
