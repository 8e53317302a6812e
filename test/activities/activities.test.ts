import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import {
  ActivityErrorCode,
  AuditStoreError,
  LogAndWebhookNotifier,
  WebhookError,
  toApplicationFailure,
  SqliteAuditStore,
  createActivities,
  type DubanActivities,
} from '@duban/activities';
import { DubanError, ErrorCode, isDubanError } from '@duban/common';
import { auditEntry, memoryLogger, notification, rejectionOf, startWebhook, tempDir } from './fixtures';

/** An activity context for one attempt; quiet, since these tests fail attempts on purpose. */
function activityEnv(attempt = 1): MockActivityEnvironment {
  return new MockActivityEnvironment({ attempt }, { logger: new DefaultLogger('ERROR') });
}

let dir: string;
let removeDir: () => void;
let store: SqliteAuditStore;
let webhook: Awaited<ReturnType<typeof startWebhook>>;
let activities: DubanActivities;
let answer: (n: number) => { status: number } | 'hang';

beforeEach(async () => {
  ({ dir, remove: removeDir } = tempDir());
  store = SqliteAuditStore.open(join(dir, 'audit.sqlite'));
  answer = () => ({ status: 200 });
  webhook = await startWebhook((n) => answer(n));
  activities = createActivities({
    auditStore: store,
    notifier: new LogAndWebhookNotifier({ webhook: { url: webhook.url, timeoutMs: 20_000 }, outbox: store.outbox(), logger: memoryLogger() }),
  });
});
afterEach(async () => {
  await webhook.close();
  await store.close();
  removeDir();
});

const failureOf = (promise: Promise<unknown>): Promise<ApplicationFailure> => rejectionOf(promise, ApplicationFailure);

test('appendAudit run as an activity writes one row however often it is retried', async () => {
  const entry = auditEntry();
  for (let attempt = 1; attempt <= 3; attempt++) {
    const env = activityEnv(attempt);
    await env.run(activities.appendAudit, entry);
  }
  expect(await store.count()).toBe(1);
});

test('an invalid audit entry fails the activity as a non-retryable INVALID_INPUT', async () => {
  const env = activityEnv();
  const error = await failureOf(env.run(activities.appendAudit, auditEntry({ idempotencyKey: '' })));
  expect(error).toMatchObject({ type: ActivityErrorCode.INVALID_INPUT, nonRetryable: true });
});

test('a closed store fails the activity retryably, so entries wait for the store instead of being lost', async () => {
  await store.close();
  const error = await failureOf(activityEnv().run(activities.appendAudit, auditEntry()));
  expect(error).toMatchObject({ type: ActivityErrorCode.AUDIT_STORE_CLOSED, nonRetryable: false });
});

test('notify fails retryably on a 500 and sends once across the retry and a repeated call', async () => {
  answer = (n) => (n === 1 ? { status: 500 } : { status: 200 });
  const n = notification();

  const first = await failureOf(activityEnv(1).run(activities.notify, n));
  expect(first).toMatchObject({ type: ActivityErrorCode.WEBHOOK_UNAVAILABLE, nonRetryable: false });
  await expect(activityEnv(2).run(activities.notify, n)).resolves.toEqual({ sent: true });
  await expect(activityEnv(3).run(activities.notify, n)).resolves.toEqual({ sent: false });

  expect(webhook.requests).toHaveLength(2);
});

test('notify fails as a non-retryable WEBHOOK_REJECTED ApplicationFailure on a 4xx', async () => {
  answer = () => ({ status: 403 });
  const error = await failureOf(activityEnv().run(activities.notify, notification()));
  expect(error).toMatchObject({ type: ActivityErrorCode.WEBHOOK_REJECTED, nonRetryable: true });
  expect(error.details?.[0]).toMatchObject({ status: 403, endpoint: webhook.url });
  expect(await store.outbox().list()).toEqual([]);
});

test('cancelling the activity aborts a webhook call that hangs, well before its timeout', async () => {
  const env = activityEnv();
  // Cancel once the request has arrived, so the abort hits an in-flight call.
  answer = () => {
    setImmediate(() => env.cancel());
    return 'hang';
  };
  const started = Date.now();

  await expect(env.run(activities.notify, notification())).rejects.toThrow();
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(webhook.requests).toHaveLength(1);
  expect(await store.outbox().list()).toEqual([]);
});

test('activity errors are DubanErrors with codes from the registry and retryability from it', () => {
  const closed = new AuditStoreError(ActivityErrorCode.AUDIT_STORE_CLOSED, 'closed', '/tmp/audit.sqlite');
  const rejected = new WebhookError(ActivityErrorCode.WEBHOOK_REJECTED, 'rejected', 'http://hooks.example/x', 404);
  expect(closed).toBeInstanceOf(DubanError);
  expect(isDubanError(rejected)).toBe(true);
  expect(closed).toMatchObject({ code: 'AUDIT_STORE_CLOSED', kind: 'unavailable', retryable: true, file: '/tmp/audit.sqlite' });
  expect(rejected).toMatchObject({ kind: 'refused', retryable: false, status: 404, details: { endpoint: 'http://hooks.example/x', status: 404 } });
  expect(ActivityErrorCode.WEBHOOK_UNAVAILABLE).toBe(ErrorCode.WEBHOOK_UNAVAILABLE);
});

test('any DubanError crosses the activity boundary with its code; other errors pass as they are', () => {
  const failure = toApplicationFailure(new DubanError(ErrorCode.INVALID_TIME_ZONE, 'bad zone', { details: { timeZone: 'Mars/Olympus' } }));
  expect(failure).toMatchObject({ type: 'INVALID_TIME_ZONE', nonRetryable: true, details: [{ timeZone: 'Mars/Olympus' }] });
  const plain = new Error('boom');
  expect(toApplicationFailure(plain)).toBe(plain);
});
