import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ActivityErrorCode, ChannelError, Secret, SignedWebhookChannel, verifyWebhookSignature, type SignedWebhookChannelOptions } from '@duban/activities';
import { rejectionOf, startWebhook, type ReceivedRequest } from '../fixtures';
import { supervisionMessage } from './receivers';

const SECRET = 'whsec-3c2f0e8a9b7d4c1e-督办';

type Verify = (headers: ReceivedRequest['headers'], rawBody: string, secret: string, options?: { toleranceSeconds?: number; now?: number }) => unknown;

/** The receiver snippet exactly as the README shows it, saved as a file and loaded as a receiver would. */
function readmeSnippet(): Verify {
  const readme = readFileSync(join(dirname(require.resolve('@duban/activities/package.json')), 'src', 'channels', 'README.md'), 'utf8');
  const match = /<!-- receiver-snippet: verify-duban-webhook\.js -->\s*```js\n([\s\S]*?)```/.exec(readme);
  if (match?.[1] === undefined) throw new Error('the README has no receiver snippet');
  const dir = mkdtempSync(join(tmpdir(), 'duban-snippet-'));
  try {
    const file = join(dir, 'verify-duban-webhook.js');
    writeFileSync(file, match[1]);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(file) as { verifyDubanWebhook: Verify }).verifyDubanWebhook;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const verifyDubanWebhook = readmeSnippet();

/** Runs the snippet; its error message, or 'ok'. */
function check(req: ReceivedRequest, body = req.body, secret = SECRET, now?: number): string {
  try {
    verifyDubanWebhook(req.headers, body, secret, now === undefined ? {} : { now });
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
}

let receiver: Awaited<ReturnType<typeof startWebhook>> | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** A receiver that verifies each request with the README's snippet: 204 when it passes, 401 otherwise. */
async function verifyingReceiver(secret = SECRET) {
  const verdicts: string[] = [];
  receiver = await startWebhook((_n, req) => {
    const verdict = check(req, req.body, secret);
    verdicts.push(verdict);
    return verdict === 'ok' ? { status: 204 } : { status: 401, body: verdict };
  });
  return { url: receiver.url, requests: receiver.requests, verdicts };
}

function webhook(url: string, overrides: Partial<SignedWebhookChannelOptions> = {}): SignedWebhookChannel {
  return new SignedWebhookChannel({ name: 'ops-hook', url, secret: new Secret('ops-hook', SECRET), timeoutMs: 5000, ...overrides });
}

test("the README's receiver check accepts duban's request; the body is the message, with the key in Idempotency-Key", async () => {
  const { url, requests, verdicts } = await verifyingReceiver();
  const message = supervisionMessage({
    markdown: '**情况**：进度滞后',
    recipients: [{ id: 'chengguan-head', name: '王建国', email: 'wangjg@chengguan.xihu.nc.gov.cn', mobile: '13800000001' }],
    data: { kind: 'supervision-notice', taskNumber: 3 },
  });

  const receipt = await webhook(`${url}?tenant=xihu`).send(message);

  expect(verdicts).toEqual(['ok']);
  const [req] = requests;
  expect(req?.url).toBe('/hooks/duban?tenant=xihu');
  expect(req?.headers['idempotency-key']).toBe(message.idempotencyKey);
  expect(req?.headers['x-duban-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  expect(Number(req?.headers['x-duban-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
  expect(JSON.parse(req?.body ?? '')).toEqual({
    idempotencyKey: message.idempotencyKey,
    channel: 'ops-hook',
    subject: message.subject,
    text: message.text,
    markdown: '**情况**：进度滞后',
    recipients: message.recipients,
    data: { kind: 'supervision-notice', taskNumber: 3 },
  });
  expect(verifyWebhookSignature(req!.headers, req!.body, SECRET)).toBe(true);
  expect(receipt).toEqual({
    channel: 'ops-hook',
    type: 'webhook',
    idempotencyKey: message.idempotencyKey,
    sentAt: expect.any(String),
    endpoint: url,
    status: 204,
  });
});

test("the README's check refuses a changed body, another secret and a replay outside the window; so does verifyWebhookSignature", async () => {
  const { url, requests } = await verifyingReceiver();
  // Signed at a moment far from the receiver's clock: the receiver refuses it, and the test
  // replays the captured request at chosen times.
  const sentAt = Date.now() + 3_600_000;
  const refused = await rejectionOf(webhook(url, { now: () => sentAt }).send(supervisionMessage()), ChannelError);
  expect(refused).toMatchObject({ code: ActivityErrorCode.CHANNEL_AUTH_FAILED, status: 401 });
  const req = requests[0]!;

  expect(check(req, req.body, SECRET, sentAt + 299_000)).toBe('ok');
  expect(check(req, req.body.replace('督办', '催办'), SECRET, sentAt)).toBe('signature does not match');
  expect(check(req, req.body, 'another-secret', sentAt)).toBe('signature does not match');
  expect(check(req, req.body, SECRET, sentAt + 301_000)).toBe('timestamp outside the tolerance window');
  expect(check({ ...req, headers: { ...req.headers, 'x-duban-signature': 'sha256=00' } }, req.body, SECRET, sentAt)).toBe('signature does not match');
  expect(check({ ...req, headers: { ...req.headers, 'x-duban-timestamp': undefined } }, req.body, SECRET, sentAt)).toBe('missing or malformed X-Duban-Timestamp');

  expect(verifyWebhookSignature(req.headers, req.body, SECRET, { nowMs: sentAt + 299_000 })).toBe(true);
  expect(verifyWebhookSignature(req.headers, req.body.replace('督办', '催办'), SECRET, { nowMs: sentAt })).toBe(false);
  expect(verifyWebhookSignature(req.headers, req.body, 'another-secret', { nowMs: sentAt })).toBe(false);
  expect(verifyWebhookSignature(req.headers, req.body, SECRET, { nowMs: sentAt + 301_000 })).toBe(false);
});

test('a retry is signed afresh and keeps its Idempotency-Key: 503 is retryable, then the receiver accepts', async () => {
  receiver = await startWebhook((n, req) => (n === 1 ? { status: 503, headers: { 'retry-after': '7' } } : check(req) === 'ok' ? { status: 200 } : { status: 401 }));
  let clock = Date.now() - 10_000;
  const channel = webhook(receiver.url, { now: () => clock });
  const message = supervisionMessage();

  const error = await rejectionOf(channel.send(message), ChannelError);
  expect(error).toMatchObject({ code: ActivityErrorCode.CHANNEL_UNAVAILABLE, retryable: true, status: 503, nextRetryDelayMs: 7000 });
  clock += 10_000;
  await expect(channel.send(message)).resolves.toMatchObject({ status: 200 });

  const [first, second] = receiver.requests;
  expect(first?.headers['idempotency-key']).toBe(message.idempotencyKey);
  expect(second?.headers['idempotency-key']).toBe(message.idempotencyKey);
  expect(first?.body).toBe(second?.body);
  expect(Number(second?.headers['x-duban-timestamp']) - Number(first?.headers['x-duban-timestamp'])).toBe(10);
  expect(second?.headers['x-duban-signature']).not.toBe(first?.headers['x-duban-signature']);
});

test('a receiver holding another secret answers 401: CHANNEL_AUTH_FAILED, not retried', async () => {
  const { url, verdicts } = await verifyingReceiver('the-receivers-other-secret');

  const error = await rejectionOf(webhook(url).send(supervisionMessage()), ChannelError);

  expect(verdicts).toEqual(['signature does not match']);
  expect(error).toMatchObject({ code: ActivityErrorCode.CHANNEL_AUTH_FAILED, retryable: false, status: 401, channelType: 'webhook' });
});

test('400 and a redirect are CHANNEL_REJECTED (the redirect is not followed); no answer ends by abort or by timeout', async () => {
  receiver = await startWebhook((n) => (n === 1 ? { status: 400, body: 'bad' } : n === 2 ? { status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } } : 'hang'));
  const channel = webhook(receiver.url, { timeoutMs: 400 });

  expect(await rejectionOf(channel.send(supervisionMessage()), ChannelError)).toMatchObject({ code: ActivityErrorCode.CHANNEL_REJECTED, status: 400 });
  expect(await rejectionOf(channel.send(supervisionMessage()), ChannelError)).toMatchObject({ code: ActivityErrorCode.CHANNEL_REJECTED, status: 302 });
  expect(receiver.requests).toHaveLength(2);

  const reason = new Error('activity cancelled');
  const controller = new AbortController();
  const patient = webhook(receiver.url, { timeoutMs: 30_000 });
  const sending = patient.send(supervisionMessage(), { signal: controller.signal });
  setTimeout(() => controller.abort(reason), 100);
  await expect(sending).rejects.toBe(reason);

  const timedOut = await rejectionOf(channel.send(supervisionMessage()), ChannelError);
  expect(timedOut).toMatchObject({ code: ActivityErrorCode.CHANNEL_UNAVAILABLE, retryable: true });
  expect(timedOut.message).toContain('400 ms');
});

test('a URL with a user name or password is refused; plain http to another machine is allowed (the body is signed)', () => {
  const secret = new Secret('ops-hook', SECRET);
  expect(() => new SignedWebhookChannel({ name: 'ops-hook', url: 'https://user:pw@ops.example.gov.cn/duban', secret })).toThrow(
    expect.objectContaining({ code: ActivityErrorCode.CHANNEL_CONFIG_INVALID }),
  );
  expect(new SignedWebhookChannel({ name: 'ops-hook', url: 'http://10.1.2.3:8080/duban?token=x', secret }).endpoint).toBe('http://10.1.2.3:8080/duban');
});
