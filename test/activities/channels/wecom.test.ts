import {
  ActivityErrorCode,
  ChannelError,
  DEFAULT_TRUNCATION_MARKER,
  Secret,
  WECOM_MARKDOWN_MAX_BYTES,
  WECOM_TEXT_MAX_BYTES,
  WeComRobotChannel,
  type WeComRobotChannelOptions,
} from '@duban/activities';
import { rejectionOf, startWebhook, type ReceivedRequest } from '../fixtures';
import { supervisionMessage } from './receivers';

const KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
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

/**
 * Answers as the 企业微信 robot does: errcode 93000 for a wrong key, 40008 for a body that
 * is not one of the published formats or is over its byte limit, 0 otherwise.
 */
function wecomAnswer(req: ReceivedRequest): Answer {
  const url = new URL(req.url, 'http://robot');
  const reply = (errcode: number, errmsg: string): Answer => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errcode, errmsg }) });
  if (req.method !== 'POST' || url.pathname !== '/cgi-bin/webhook/send') return { status: 404 };
  if (url.searchParams.get('key') !== KEY) return reply(93000, 'invalid webhook url');
  const body = JSON.parse(req.body) as { msgtype?: string; text?: { content?: unknown }; markdown?: { content?: unknown } };
  const content = body.msgtype === 'text' ? body.text?.content : body.msgtype === 'markdown' ? body.markdown?.content : undefined;
  const limit = body.msgtype === 'text' ? WECOM_TEXT_MAX_BYTES : WECOM_MARKDOWN_MAX_BYTES;
  if (typeof content !== 'string' || Buffer.byteLength(content) > limit) return reply(40008, 'invalid message type or content size exceed');
  return reply(0, 'ok');
}

async function wecom(answer: (n: number, req: ReceivedRequest) => Answer = (_n, req) => wecomAnswer(req), options: Partial<WeComRobotChannelOptions> = {}) {
  robot = await startWebhook(answer);
  const channel = new WeComRobotChannel({ name: 'chengguan-robot', key: new Secret('chengguan-wecom-key', KEY), url: `${new URL(robot.url).origin}/cgi-bin/webhook/send`, ...options });
  return { channel, requests: robot.requests };
}

const posted = (req: ReceivedRequest | undefined): Record<string, unknown> => JSON.parse(req?.body ?? '') as Record<string, unknown>;

/** Offsets between the grapheme clusters of a text (where a cut leaves no half character). */
function boundaries(text: string): Set<number> {
  const offsets = new Set<number>([text.length]);
  for (const { index } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) offsets.add(index);
  return offsets;
}

test('posts text in the published format, with the key in the query, @ by mobile and userid, and the idempotency key header', async () => {
  const { channel, requests } = await wecom();
  const message = supervisionMessage({ recipients, markdown: '**情况**：进度滞后' });

  const receipt = await channel.send(message);

  expect(requests).toHaveLength(1);
  const [req] = requests;
  expect(req?.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(req?.headers['idempotency-key']).toBe(message.idempotencyKey);
  expect(posted(req)).toEqual({
    msgtype: 'text',
    text: { content: `${message.subject}\n\n${message.text}`, mentioned_list: ['zhangwei'], mentioned_mobile_list: ['13800000001'] },
  });
  expect(receipt).toEqual({
    channel: 'chengguan-robot',
    type: 'wecom',
    idempotencyKey: message.idempotencyKey,
    sentAt: expect.any(String),
    endpoint: `${new URL(robot!.url).origin}/cgi-bin/webhook/send`,
    status: 200,
    format: 'text',
    mentioned: 2,
    truncated: false,
    response: 'ok',
  });
  expect(JSON.stringify(receipt)).not.toContain(KEY);
  expect(channel.endpoint).not.toContain(KEY);
});

test('posts Markdown when nobody is to be mentioned, and text with @all when everyone is', async () => {
  const { channel, requests } = await wecom();

  await channel.send(supervisionMessage({ markdown: '**情况**：进度滞后\n> 请于 **2021年1月1日** 前书面说明' }));
  await channel.send(supervisionMessage({ markdown: '**情况**', mentionAll: true }));

  const subject = supervisionMessage().subject;
  expect(posted(requests[0])).toEqual({ msgtype: 'markdown', markdown: { content: `### ${subject}\n\n**情况**：进度滞后\n> 请于 **2021年1月1日** 前书面说明` } });
  expect(posted(requests[1])).toMatchObject({ msgtype: 'text', text: { mentioned_list: ['@all'] } });
});

test('cuts a body over the byte limits between characters, marks the cut, and says so in the receipt', async () => {
  const { channel, requests } = await wecom();
  // 3 bytes a 汉字, 18 bytes a family emoji (a ZWJ sequence): a byte cut would land inside either.
  const long = `${'督办事项进度滞后。'.repeat(60)}${'👨‍👩‍👧'.repeat(200)}`;
  const exact = supervisionMessage();
  const fits = 'x'.repeat(WECOM_TEXT_MAX_BYTES - Buffer.byteLength(`${exact.subject}\n\n`));

  const textReceipt = await channel.send(supervisionMessage({ text: long }));
  const markdownReceipt = await channel.send(supervisionMessage({ markdown: long }));
  const exactReceipt = await channel.send({ ...exact, text: fits });

  const text = (posted(requests[0]).text as { content: string }).content;
  const markdown = (posted(requests[1]).markdown as { content: string }).content;
  for (const [content, limit] of [
    [text, WECOM_TEXT_MAX_BYTES],
    [markdown, WECOM_MARKDOWN_MAX_BYTES],
  ] as const) {
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(limit);
    expect(Buffer.byteLength(content)).toBeGreaterThan(limit - 20);
    expect(content.endsWith(DEFAULT_TRUNCATION_MARKER)).toBe(true);
    expect(content).not.toContain('\uFFFD');
    const kept = content.slice(0, -DEFAULT_TRUNCATION_MARKER.length);
    const full = content.startsWith('### ') ? `### ${exact.subject}\n\n${long}` : `${exact.subject}\n\n${long}`;
    expect(full.startsWith(kept)).toBe(true);
    expect(boundaries(full).has(kept.length)).toBe(true);
  }
  expect(textReceipt.truncated).toBe(true);
  expect(markdownReceipt.truncated).toBe(true);
  expect(exactReceipt.truncated).toBe(false);
  expect(Buffer.byteLength((posted(requests[2]).text as { content: string }).content)).toBe(WECOM_TEXT_MAX_BYTES);
});

test.each([
  [45009, 'api freq out of limit', ActivityErrorCode.CHANNEL_UNAVAILABLE, true],
  [-1, 'system busy', ActivityErrorCode.CHANNEL_UNAVAILABLE, true],
  [93000, 'invalid webhook url', ActivityErrorCode.CHANNEL_AUTH_FAILED, false],
  [40008, 'invalid message type', ActivityErrorCode.CHANNEL_REJECTED, false],
])('errcode %i (%s) throws %s, retryable %s', async (errcode, errmsg, code, retryable) => {
  const { channel } = await wecom(() => ({ status: 200, body: JSON.stringify({ errcode, errmsg }) }));

  const error = await rejectionOf(channel.send(supervisionMessage({ recipients })), ChannelError);

  expect(error).toMatchObject({ code, retryable, errcode, status: 200, channel: 'chengguan-robot', channelType: 'wecom' });
  expect(error.message).toContain(String(errcode));
  expect(error.nextRetryDelayMs).toBe(errcode === 45009 ? 60_000 : undefined);
});

test('the real check of the key: a wrong key is refused by the robot with 93000', async () => {
  const { channel } = await wecom(undefined, { key: new Secret('chengguan-wecom-key', 'wrong-key') });

  const error = await rejectionOf(channel.send(supervisionMessage()), ChannelError);

  expect(error).toMatchObject({ code: ActivityErrorCode.CHANNEL_AUTH_FAILED, errcode: 93000 });
  expect(error.message).toContain('key secret');
  expect(error.message).not.toContain('wrong-key');
});

test('HTTP failures: 502 and a body without errcode are retryable, 404 is not, and a Retry-After is honoured', async () => {
  const answers: Answer[] = [{ status: 502, body: 'bad gateway' }, { status: 200, body: '<html>portal</html>' }, { status: 404 }, { status: 429, headers: { 'retry-after': '30' } }];
  const { channel } = await wecom((n) => answers[n - 1] ?? { status: 500 });

  const errors = [];
  for (let i = 0; i < answers.length; i += 1) errors.push(await rejectionOf(channel.send(supervisionMessage()), ChannelError));

  expect(errors.map((e) => [e.code, e.status])).toEqual([
    [ActivityErrorCode.CHANNEL_UNAVAILABLE, 502],
    [ActivityErrorCode.CHANNEL_UNAVAILABLE, 200],
    [ActivityErrorCode.CHANNEL_REJECTED, 404],
    [ActivityErrorCode.CHANNEL_UNAVAILABLE, 429],
  ]);
  expect(errors[3]?.nextRetryDelayMs).toBe(30_000);
});

test('a URL that would leak the key is refused at construction: plain http to another machine, or a key in the URL', () => {
  const key = new Secret('chengguan-wecom-key', KEY);
  const refusal = (url: string): unknown => {
    try {
      new WeComRobotChannel({ name: 'chengguan-robot', key, url });
    } catch (err) {
      return err;
    }
    throw new Error('accepted');
  };
  expect(refusal('http://qyapi.weixin.qq.com/cgi-bin/webhook/send')).toMatchObject({ code: ActivityErrorCode.CHANNEL_CONFIG_INVALID });
  const inUrl = refusal(`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}`);
  expect(inUrl).toMatchObject({ code: ActivityErrorCode.CHANNEL_CONFIG_INVALID });
  expect(JSON.stringify(inUrl) + String(inUrl)).not.toContain(KEY);
  expect(new WeComRobotChannel({ name: 'chengguan-robot', key }).endpoint).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send');
});
