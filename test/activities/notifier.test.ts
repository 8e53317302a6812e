import { join } from 'node:path';
import {
  ActivityErrorCode,
  InMemoryOutbox,
  LogAndWebhookNotifier,
  SqliteAuditStore,
  WebhookError,
  renderNotice,
} from '@duban/activities';
import { ErrorCode, NOTICE_DELIVERY } from '@duban/common';
import { memoryLogger, notification, NOTICES, rejectionOf, startWebhook, tempDir } from './fixtures';

let webhook: Awaited<ReturnType<typeof startWebhook>> | undefined;
afterEach(async () => {
  await webhook?.close();
  webhook = undefined;
});

const failure = (promise: Promise<unknown>): Promise<WebhookError> => rejectionOf(promise, WebhookError);

test('posts the notice and its rendered words as JSON with its Idempotency-Key header, and logs the subject', async () => {
  webhook = await startWebhook();
  const logger = memoryLogger();
  const notifier = new LogAndWebhookNotifier({ webhook: webhook.url, logger });
  const n = notification();

  await expect(notifier.notify(n)).resolves.toEqual({ sent: true });

  expect(webhook.requests).toHaveLength(1);
  const [request] = webhook.requests;
  expect(request?.method).toBe('POST');
  expect(request?.url).toBe('/hooks/duban');
  expect(request?.headers['idempotency-key']).toBe(n.idempotencyKey);
  expect(request?.headers['content-type']).toMatch(/^application\/json/);
  const { subject, body } = renderNotice(n.notice);
  expect(JSON.parse(request?.body ?? '')).toEqual({ ...n, subject, body });
  expect(logger.lines).toEqual([
    expect.objectContaining({ level: 'info', message: `notification reminder: ${subject}`, meta: expect.objectContaining({ idempotencyKey: n.idempotencyKey, channel: 'webhook', httpStatus: 200 }) }),
  ]);
});

test('a 500 answer throws a retryable WEBHOOK_UNAVAILABLE, records nothing, and the retry delivers', async () => {
  webhook = await startWebhook((n) => (n === 1 ? { status: 500, body: 'database down' } : { status: 202 }));
  const outbox = new InMemoryOutbox();
  const notifier = new LogAndWebhookNotifier({ webhook: webhook.url, outbox, logger: memoryLogger() });
  const n = notification();

  const error = await failure(notifier.notify(n));
  expect(error).toMatchObject({ code: ActivityErrorCode.WEBHOOK_UNAVAILABLE, retryable: true, status: 500 });
  expect(await outbox.wasSent(n.idempotencyKey)).toBe(false);

  await expect(notifier.notify(n)).resolves.toEqual({ sent: true });
  expect(await outbox.wasSent(n.idempotencyKey)).toBe(true);
  expect(webhook.requests.map((r) => r.headers['idempotency-key'])).toEqual([n.idempotencyKey, n.idempotencyKey]);
});

test('a key already delivered is not posted again, also by a new notifier on the same database', async () => {
  webhook = await startWebhook();
  const { dir, remove } = tempDir();
  try {
    const file = join(dir, 'audit.sqlite');
    const n = notification();
    const store = SqliteAuditStore.open(file);
    const notifier = new LogAndWebhookNotifier({ webhook: webhook.url, outbox: store.outbox(), logger: memoryLogger() });
    await expect(notifier.notify(n)).resolves.toEqual({ sent: true });
    await expect(notifier.notify(n)).resolves.toEqual({ sent: false });
    await store.close();

    // A restarted worker: new connection, new notifier.
    const reopened = SqliteAuditStore.open(file);
    const restarted = new LogAndWebhookNotifier({ webhook: webhook.url, outbox: reopened.outbox(), logger: memoryLogger() });
    await expect(restarted.notify(n)).resolves.toEqual({ sent: false });
    expect(await reopened.outbox().list()).toEqual([expect.objectContaining({ idempotencyKey: n.idempotencyKey, channel: 'webhook', httpStatus: 200 })]);
    await reopened.close();

    expect(webhook.requests).toHaveLength(1);
  } finally {
    remove();
  }
});

test.each([400, 401, 404, 422])('a %i answer is a non-retryable WEBHOOK_REJECTED', async (status) => {
  webhook = await startWebhook(() => ({ status, body: 'no such hook' }));
  const notifier = new LogAndWebhookNotifier({ webhook: webhook.url, logger: memoryLogger() });

  const error = await failure(notifier.notify(notification()));
  expect(error).toMatchObject({ code: ActivityErrorCode.WEBHOOK_REJECTED, retryable: false, status, details: expect.objectContaining({ responseExcerpt: 'no such hook' }) });
});

test.each([408, 429, 503])('a %i answer is retryable', async (status) => {
  webhook = await startWebhook(() => ({ status }));
  const notifier = new LogAndWebhookNotifier({ webhook: webhook.url, logger: memoryLogger() });

  await expect(notifier.notify(notification())).rejects.toMatchObject({ code: ActivityErrorCode.WEBHOOK_UNAVAILABLE, retryable: true, status });
});

test('a Retry-After header becomes the delay before the next retry', async () => {
  webhook = await startWebhook(() => ({ status: 429, headers: { 'retry-after': '7' } }));
  const notifier = new LogAndWebhookNotifier({ webhook: webhook.url, logger: memoryLogger() });

  await expect(notifier.notify(notification())).rejects.toMatchObject({ nextRetryDelayMs: 7000 });
});

test('a redirect is a rejection, not followed with the credentials on it', async () => {
  webhook = await startWebhook(() => ({ status: 307, headers: { location: 'http://127.0.0.1:1/elsewhere' } }));
  const notifier = new LogAndWebhookNotifier({ webhook: webhook.url, logger: memoryLogger() });

  await expect(notifier.notify(notification())).rejects.toMatchObject({ code: ActivityErrorCode.WEBHOOK_REJECTED, status: 307 });
  expect(webhook.requests).toHaveLength(1);
});

test('a webhook that does not answer within the timeout fails retryably', async () => {
  webhook = await startWebhook(() => 'hang');
  const notifier = new LogAndWebhookNotifier({ webhook: { url: webhook.url, timeoutMs: 200 }, logger: memoryLogger() });

  const error = await failure(notifier.notify(notification()));
  expect(error).toMatchObject({ code: ActivityErrorCode.WEBHOOK_UNAVAILABLE, retryable: true });
  expect(error.message).toContain('200 ms');
});

test('an unreachable webhook fails retryably with the system error named', async () => {
  const closed = await startWebhook();
  const url = closed.url;
  await closed.close();
  const notifier = new LogAndWebhookNotifier({ webhook: url, logger: memoryLogger() });

  const error = await failure(notifier.notify(notification()));
  expect(error).toMatchObject({ code: ActivityErrorCode.WEBHOOK_UNAVAILABLE, retryable: true });
  expect(error.message).toContain('ECONNREFUSED');
});

test('credentials in the webhook URL are sent as Basic auth and appear in no log line or error', async () => {
  webhook = await startWebhook((n) => (n === 1 ? { status: 500 } : { status: 200 }));
  const logger = memoryLogger();
  const secretUrl = webhook.url.replace('http://', 'http://duban:s3cret-pass@') + '?token=s3cret-token';
  const notifier = new LogAndWebhookNotifier({ webhook: secretUrl, logger });

  const error = await failure(notifier.notify(notification()));
  await notifier.notify(notification());

  expect(webhook.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('duban:s3cret-pass').toString('base64')}`);
  expect(webhook.requests[0]?.url).toBe('/hooks/duban?token=s3cret-token');
  const visible = JSON.stringify(logger.lines) + error.message + JSON.stringify(error.details) + String(notifier.endpoint);
  expect(visible).not.toContain('s3cret');
  expect(logger.lines.length).toBeGreaterThanOrEqual(2);
});

test('without a webhook it only logs, and still sends a key once', async () => {
  const logger = memoryLogger();
  const notifier = new LogAndWebhookNotifier({ logger });
  const n = notification();

  await expect(notifier.notify(n)).resolves.toEqual({ sent: true });
  await expect(notifier.notify(n)).resolves.toEqual({ sent: false });
  expect(logger.lines).toHaveLength(2);
  const { subject, body } = renderNotice(n.notice);
  expect(logger.lines[0]).toMatchObject({ level: 'info', message: expect.stringContaining(subject), meta: { channel: 'log', body } });
  expect(logger.lines[1]).toMatchObject({ message: expect.stringContaining('already sent') });
  expect(notifier.endpoint).toBeUndefined();
});

test('an unusable webhook URL is refused at construction with WEBHOOK_URL_INVALID', () => {
  expect(() => new LogAndWebhookNotifier({ webhook: 'not a url' })).toThrow(expect.objectContaining({ code: ActivityErrorCode.WEBHOOK_URL_INVALID }));
  expect(() => new LogAndWebhookNotifier({ webhook: 'ftp://example.org/x' })).toThrow(expect.objectContaining({ code: ActivityErrorCode.WEBHOOK_URL_INVALID }));
});

test('renders in the language and zone it was given', async () => {
  const logger = memoryLogger();
  const notifier = new LogAndWebhookNotifier({ logger, lang: 'en', timeZone: 'Europe/Berlin' });

  await notifier.notify(notification());
  expect(logger.lines[0]?.message).toContain('Reminder');
  expect(logger.lines[0]?.meta?.body).toContain('finish by 31 Dec 2020, 17:00');
  expect(logger.lines[0]?.meta?.body).toContain('Dates and times are in the Europe/Berlin time zone.');
});

test('an unknown time zone or language is refused at construction', () => {
  expect(() => new LogAndWebhookNotifier({ timeZone: 'Mars/Olympus' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_TIME_ZONE }));
  expect(() => new LogAndWebhookNotifier({ lang: 'fr' as 'en' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
});

test('a notice of an unknown kind is refused as INVALID_INPUT before anything is sent', async () => {
  const logger = memoryLogger();
  const notifier = new LogAndWebhookNotifier({ logger });
  const bad = notification({ notice: { kind: 'gossip' } as unknown as ReturnType<typeof notification>['notice'] });

  await expect(notifier.notify(bad)).rejects.toMatchObject({ code: ActivityErrorCode.INVALID_INPUT, details: { field: 'notice.kind' } });
  expect(logger.lines).toEqual([]);
});

test('a notice missing its facts is refused as INVALID_INPUT, not retried', async () => {
  const notifier = new LogAndWebhookNotifier({ logger: memoryLogger() });
  const bad = notification({ notice: { kind: 'commendation' } as unknown as ReturnType<typeof notification>['notice'] });

  await expect(notifier.notify(bad)).rejects.toMatchObject({ code: ActivityErrorCode.INVALID_INPUT, retryable: false, details: { field: 'notice' } });
});

test('an attempt timeout the notify activity would cut first is refused at construction; the longest it allows is taken', () => {
  const url = 'http://127.0.0.1:1/hooks/duban';
  expect(() => new LogAndWebhookNotifier({ webhook: { url, timeoutMs: NOTICE_DELIVERY.maxWebhookTimeoutMs + 1 } })).toThrow(
    expect.objectContaining({ code: ActivityErrorCode.WEBHOOK_URL_INVALID, details: expect.objectContaining({ maxTimeoutMs: NOTICE_DELIVERY.maxWebhookTimeoutMs }) }),
  );
  expect(NOTICE_DELIVERY.maxWebhookTimeoutMs).toBeLessThan(NOTICE_DELIVERY.activityTimeoutMs);
  expect(new LogAndWebhookNotifier({ webhook: { url, timeoutMs: NOTICE_DELIVERY.maxWebhookTimeoutMs }, logger: memoryLogger() }).endpoint).toBe(url);
});

test('every attempt at one notification, the timed-out ones too, carries the same Idempotency-Key for the receiver to drop repeats', async () => {
  webhook = await startWebhook((n) => (n < 3 ? 'hang' : { status: 200 }));
  const notifier = new LogAndWebhookNotifier({ webhook: { url: webhook.url, timeoutMs: 200 }, logger: memoryLogger() });
  const n = notification();

  await failure(notifier.notify(n));
  await failure(notifier.notify(n));
  await expect(notifier.notify(n)).resolves.toEqual({ sent: true });
  expect(webhook.requests.map((r) => r.headers['idempotency-key'])).toEqual([n.idempotencyKey, n.idempotencyKey, n.idempotencyKey]);
});

test("posts HQ's notification-failed notice with its words, naming whom the undelivered notice was for", async () => {
  webhook = await startWebhook();
  const notifier = new LogAndWebhookNotifier({ webhook: webhook.url, logger: memoryLogger() });
  const n = notification({ recipients: [{ person: 'hq-director', role: 'hq-office' }], notice: NOTICES['notification-failed'] });

  await expect(notifier.notify(n)).resolves.toEqual({ sent: true });
  const posted = JSON.parse(webhook.requests[0]?.body ?? '{}') as { subject: string; body: string };
  expect(posted.subject).toBe('【通知未送达】任务3「河湖水环境整治」');
  expect(posted.body.split('\n')).toEqual([
    '2021年1月1日 00:00的「催办」通知（编号 duban/xihu-2020/task-3:7:notify.reminder）未能送达：接收方拒收（WEBHOOK_REJECTED）。',
    '应收对象：王建国、北山街道',
    '请通过其他方式通知相关人员；台账已记录此次失败（notification.failed）。',
  ]);
});
