import { createHmac, timingSafeEqual } from 'node:crypto';
import { ActivityErrorCode, ChannelError, DEFAULT_TRUNCATION_MARKER, DingTalkRobotChannel, Secret, type DingTalkRobotChannelOptions } from '@duban/activities';
import { rejectionOf, startWebhook, type ReceivedRequest } from '../fixtures';
import { supervisionMessage } from './receivers';

const TOKEN = 'a3f1c0ffee5e1b2d7c9e8f00112233445566778899aabbccddeeff0011223344';
const SIGN_SECRET = 'SEC7d1c0b5a3e4f29d8c6b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9';
const recipients = [
  { id: 'chengguan-head', name: '王建国', mobile: '13800000001' },
  { id: 'chengguan-staff', name: '张伟', userId: 'zhangwei' },
];

let robot: Awaited<ReturnType<typeof startWebhook>> | undefined;
afterEach(async () => {
  await robot?.close();
  robot = undefined;
});

type Answer = ReturnType<Parameters<typeof startWebhook>[0] & object>;

/** The signature as 钉钉 computes it, written here from its documentation, independently of the channel. */
function expectedSign(timestamp: string): string {
  return createHmac('sha256', SIGN_SECRET).update(`${timestamp}\n${SIGN_SECRET}`).digest('base64');
}

/**
 * Answers as the 钉钉 robot does: 300001 for an unknown token, 310000 when the 加签 check
 * fails (a signature that does not match, or a timestamp more than an hour off), 40035 for
 * a body outside the published formats, 0 otherwise.
 */
function dingtalkAnswer(req: ReceivedRequest): Answer {
  const url = new URL(req.url, 'http://robot');
  const reply = (errcode: number, errmsg: string): Answer => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errcode, errmsg }) });
  if (req.method !== 'POST' || url.pathname !== '/robot/send') return { status: 404 };
  if (url.searchParams.get('access_token') !== TOKEN) return reply(300001, 'token is not exist');
  const timestamp = url.searchParams.get('timestamp') ?? '';
  const sign = Buffer.from(url.searchParams.get('sign') ?? '');
  const expected = Buffer.from(expectedSign(timestamp));
  if (Math.abs(Date.now() - Number(timestamp)) > 3_600_000) return reply(310000, 'sign not match, timestamp is expired');
  if (sign.length !== expected.length || !timingSafeEqual(sign, expected)) return reply(310000, 'sign not match');
  const body = JSON.parse(req.body) as { msgtype?: string; text?: { content?: unknown }; markdown?: { title?: unknown; text?: unknown }; at?: { isAtAll?: unknown } };
  const wellFormed =
    (body.msgtype === 'text' && typeof body.text?.content === 'string') ||
    (body.msgtype === 'markdown' && typeof body.markdown?.title === 'string' && typeof body.markdown.text === 'string');
  if (!wellFormed || typeof body.at?.isAtAll !== 'boolean') return reply(40035, 'invalid parameter');
  return reply(0, 'ok');
}

async function dingtalk(answer: (n: number, req: ReceivedRequest) => Answer = (_n, req) => dingtalkAnswer(req), options: Partial<DingTalkRobotChannelOptions> = {}) {
  robot = await startWebhook(answer);
  const channel = new DingTalkRobotChannel({
    name: 'hq-dingtalk',
    accessToken: new Secret('hq-dingtalk-token', TOKEN),
    signSecret: new Secret('hq-dingtalk-sign', SIGN_SECRET),
    url: `${new URL(robot.url).origin}/robot/send`,
    ...options,
  });
  return { channel, requests: robot.requests };
}

const posted = (req: ReceivedRequest | undefined): Record<string, unknown> => JSON.parse(req?.body ?? '') as Record<string, unknown>;

test('posts text with at.atMobiles and at.atUserIds, named in the content, signed with timestamp and sign that the receiver verifies', async () => {
  const { channel, requests } = await dingtalk();
  const message = supervisionMessage({ recipients });
  const before = Date.now();

  const receipt = await channel.send(message);

  const [req] = requests;
  const query = new URL(req?.url ?? '', 'http://robot').searchParams;
  expect(Number(query.get('timestamp'))).toBeGreaterThanOrEqual(before);
  expect(Number(query.get('timestamp'))).toBeLessThanOrEqual(Date.now());
  expect(query.get('sign')).toBe(expectedSign(query.get('timestamp') ?? ''));
  expect(req?.headers['idempotency-key']).toBe(message.idempotencyKey);
  expect(posted(req)).toEqual({
    msgtype: 'text',
    text: { content: `${message.subject}\n\n${message.text}\n\n@13800000001 @zhangwei` },
    at: { atMobiles: ['13800000001'], atUserIds: ['zhangwei'], isAtAll: false },
  });
  expect(receipt).toMatchObject({ channel: 'hq-dingtalk', type: 'dingtalk', status: 200, format: 'text', mentioned: 2, truncated: false, response: 'ok' });
  expect(receipt.endpoint).toBe(`${new URL(robot!.url).origin}/robot/send`);
});

test('posts Markdown with the subject as title, and @all through isAtAll', async () => {
  const { channel, requests } = await dingtalk();
  const message = supervisionMessage({ markdown: '**情况**：进度滞后', recipients: [recipients[0]!], mentionAll: true });

  await channel.send(message);

  expect(posted(requests[0])).toEqual({
    msgtype: 'markdown',
    markdown: { title: message.subject, text: `### ${message.subject}\n\n**情况**：进度滞后\n\n@13800000001` },
    at: { atMobiles: ['13800000001'], isAtAll: true },
  });
});

test('the sign is URL-encoded: a signature with "+" and "/" arrives intact', async () => {
  // A timestamp whose signature holds both characters a raw query would mangle ("+" reads as a space).
  let timestamp = Date.now();
  while (!/[+]/.test(expectedSign(String(timestamp))) || !/[/]/.test(expectedSign(String(timestamp)))) timestamp += 1;
  const { channel, requests } = await dingtalk(undefined, { now: () => timestamp });

  // The receiver decodes the query as 钉钉 does and verifies the signature.
  await expect(channel.send(supervisionMessage())).resolves.toMatchObject({ response: 'ok' });

  const rawQuery = (requests[0]?.url ?? '').split('?')[1] ?? '';
  expect(rawQuery).toContain(`timestamp=${timestamp}`);
  expect(rawQuery).toContain(`sign=${encodeURIComponent(expectedSign(String(timestamp)))}`);
  expect(rawQuery).not.toMatch(/sign=[^&]*[+/]/);
});

test('a wrong 加签 secret, a clock more than an hour off and an unknown token are refused by the robot: CHANNEL_AUTH_FAILED, not retried', async () => {
  const { channel: wrongSecret } = await dingtalk(undefined, { signSecret: new Secret('hq-dingtalk-sign', 'SECwrong') });
  const stale = new DingTalkRobotChannel({
    name: 'hq-dingtalk',
    accessToken: new Secret('hq-dingtalk-token', TOKEN),
    signSecret: new Secret('hq-dingtalk-sign', SIGN_SECRET),
    url: `${new URL(robot!.url).origin}/robot/send`,
    now: () => Date.now() - 2 * 3_600_000,
  });
  const wrongToken = new DingTalkRobotChannel({
    name: 'hq-dingtalk',
    accessToken: new Secret('hq-dingtalk-token', 'not-a-token'),
    signSecret: new Secret('hq-dingtalk-sign', SIGN_SECRET),
    url: `${new URL(robot!.url).origin}/robot/send`,
  });

  const errors = [
    await rejectionOf(wrongSecret.send(supervisionMessage()), ChannelError),
    await rejectionOf(stale.send(supervisionMessage()), ChannelError),
    await rejectionOf(wrongToken.send(supervisionMessage()), ChannelError),
  ];

  expect(errors.map((e) => [e.code, e.retryable, e.errcode])).toEqual([
    [ActivityErrorCode.CHANNEL_AUTH_FAILED, false, 310000],
    [ActivityErrorCode.CHANNEL_AUTH_FAILED, false, 310000],
    [ActivityErrorCode.CHANNEL_AUTH_FAILED, false, 300001],
  ]);
  expect(errors[1]?.message).toContain('clock');
});

test.each([
  [130101, 'send too fast, exceed 20 times per minute', ActivityErrorCode.CHANNEL_UNAVAILABLE, true, 60_000],
  [-1, 'system busy', ActivityErrorCode.CHANNEL_UNAVAILABLE, true, undefined],
  [40035, 'invalid parameter', ActivityErrorCode.CHANNEL_REJECTED, false, undefined],
])('errcode %i (%s) throws %s, retryable %s', async (errcode, errmsg, code, retryable, delay) => {
  const { channel } = await dingtalk(() => ({ status: 200, body: JSON.stringify({ errcode, errmsg }) }));

  const error = await rejectionOf(channel.send(supervisionMessage()), ChannelError);

  expect(error).toMatchObject({ code, retryable, errcode, channelType: 'dingtalk' });
  expect(error.nextRetryDelayMs).toBe(delay);
});

test('a long body is cut to maxBytes between characters, the mentions kept after the cut', async () => {
  const { channel, requests } = await dingtalk(undefined, { maxBytes: 1000 });
  const long = '请于期限内书面说明滞后原因。'.repeat(200);

  const receipt = await channel.send(supervisionMessage({ text: long, recipients: [recipients[0]!] }));

  const content = (posted(requests[0]).text as { content: string }).content;
  expect(Buffer.byteLength(content)).toBeLessThanOrEqual(1000);
  expect(content).not.toContain('\uFFFD');
  expect(content.endsWith(`${DEFAULT_TRUNCATION_MARKER}\n\n@13800000001`)).toBe(true);
  expect(receipt.truncated).toBe(true);
});

test('without a 加签 secret the URL carries only the token', async () => {
  const { channel, requests } = await dingtalk(() => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' }), { signSecret: undefined });

  await channel.send(supervisionMessage());

  expect([...new URL(requests[0]?.url ?? '', 'http://robot').searchParams.keys()]).toEqual(['access_token']);
});
