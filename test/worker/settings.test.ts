import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivityErrorCode, InMemoryAuditStore } from '@duban/activities';
import { DEFAULT_NAMESPACE, DEFAULT_TEMPORAL_ADDRESS, isDubanError } from '@duban/common';
import { DubanWorkerError, WORKER_ENV, WorkerErrorCode, createDubanWorker, readWorkerSettings } from '@duban/worker';
import { WORKER_BIN } from './worker-process';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'duban-worker-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('readWorkerSettings', () => {
  test('defaults to the local dev server, the default namespace and registering search attributes', () => {
    // The same address the client and the CLI default to: `duban dev`'s server.
    expect(DEFAULT_TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(readWorkerSettings({})).toEqual({ address: DEFAULT_TEMPORAL_ADDRESS, namespace: DEFAULT_NAMESPACE, registerSearchAttributes: true });
  });

  test('reads every documented variable and lets explicit overrides win', () => {
    const env = {
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'duban',
      DUBAN_AUDIT_DB: '/var/lib/duban/audit.sqlite',
      DUBAN_WEBHOOK_URL: 'https://hooks.example.org/duban',
      DUBAN_TASK_QUEUE: 'duban-blue',
      DUBAN_WORKFLOW_BUNDLE: '/opt/duban/bundle.js',
      DUBAN_REGISTER_SEARCH_ATTRIBUTES: '0',
    };
    expect(readWorkerSettings(env, { namespace: 'from-flag' })).toEqual({
      address: 'temporal.internal:7233',
      namespace: 'from-flag',
      auditDbPath: '/var/lib/duban/audit.sqlite',
      webhookUrl: 'https://hooks.example.org/duban',
      taskQueue: 'duban-blue',
      workflowBundlePath: '/opt/duban/bundle.js',
      registerSearchAttributes: false,
    });
  });

  test('treats empty variables as unset', () => {
    expect(readWorkerSettings({ TEMPORAL_ADDRESS: ' ', DUBAN_WEBHOOK_URL: '' })).toEqual(readWorkerSettings({}));
  });

  test('rejects a register flag that is neither 0 nor 1 with WORKER_CONFIG_INVALID naming the variable', () => {
    expect(() => readWorkerSettings({ [WORKER_ENV.registerSearchAttributes]: 'yes please' })).toThrow(
      expect.objectContaining({ code: WorkerErrorCode.WORKER_CONFIG_INVALID, details: { variable: 'DUBAN_REGISTER_SEARCH_ATTRIBUTES' } }),
    );
  });
});

describe('createDubanWorker', () => {
  test('fails with WORKER_CONNECTION_FAILED naming the address when no server answers', async () => {
    const error = await createDubanWorker({
      address: '127.0.0.1:1',
      auditStore: new InMemoryAuditStore(),
      workflowBundle: { code: '' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DubanWorkerError);
    expect(isDubanError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'WORKER_CONNECTION_FAILED', details: { address: '127.0.0.1:1' } });
    expect((error as Error).message).toContain('TEMPORAL_ADDRESS');
  });

  test('fails with WORKER_WORKFLOW_BUNDLE_FAILED when the prebuilt bundle file is missing', async () => {
    const codePath = join(dir, 'missing-bundle.js');
    await expect(
      createDubanWorker({ auditStore: new InMemoryAuditStore(), workflowBundle: { codePath } }),
    ).rejects.toMatchObject({ code: WorkerErrorCode.WORKER_WORKFLOW_BUNDLE_FAILED, details: { codePath } });
  });

  test('refuses an unusable webhook URL before connecting, with WEBHOOK_URL_INVALID', async () => {
    await expect(
      createDubanWorker({ auditDbPath: join(dir, 'audit.sqlite'), webhookUrl: 'ftp://example.org/hook', workflowBundle: { code: '' } }),
    ).rejects.toMatchObject({ code: ActivityErrorCode.WEBHOOK_URL_INVALID });
  });
});

test('the worker script exits with status 1 and the error code when it cannot reach Temporal', async () => {
  const child = spawn(process.execPath, [WORKER_BIN], {
    env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', DUBAN_AUDIT_DB: join(dir, 'audit.sqlite') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(stderr).toContain('duban-worker: WORKER_CONNECTION_FAILED: Could not connect to Temporal at 127.0.0.1:1');
});
