import { ActivityErrorCode, ChannelError, DubanActivityError, EmailChannel, Secret, emailMessageId, type EmailChannelOptions } from '@duban/activities';
import type { AddressObject } from 'mailparser';
import { memoryLogger, rejectionOf } from '../fixtures';
import { closedPort, localCertificate, startSmtp, supervisionMessage } from './receivers';

const tls = localCertificate();
const PASSWORD = 'smtp-pa55-西湖-secret';
const users = { 'duban@xihu.nc.gov.cn': PASSWORD };
const recipients = [
  { id: 'chengguan-head', name: '王建国', email: 'wangjg@chengguan.xihu.nc.gov.cn' },
  { id: 'hq-director', name: '李明', email: 'liming@xihu.nc.gov.cn', copy: true },
];

let server: Awaited<ReturnType<typeof startSmtp>> | undefined;
let channel: EmailChannel | undefined;
afterEach(async () => {
  await channel?.close();
  await server?.close();
  channel = undefined;
  server = undefined;
});

function emailChannel(port: number, overrides: Partial<EmailChannelOptions> = {}): EmailChannel {
  channel = new EmailChannel({
    name: 'hq-mail',
    host: '127.0.0.1',
    port,
    security: 'starttls',
    ca: tls.cert,
    user: 'duban@xihu.nc.gov.cn',
    password: new Secret('xihu-smtp', PASSWORD),
    from: { name: '南昌市西湖区督办', address: 'duban@xihu.nc.gov.cn' },
    timeoutMs: 5000,
    ...overrides,
  });
  return channel;
}

function addresses(field: AddressObject | AddressObject[] | undefined): Array<{ name: string; address: string | undefined }> {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((group) => group.value.map((a) => ({ name: a.name, address: a.address })));
}

/** The header line as the wire carried it (folded lines joined), to check its encoding. */
function rawHeader(raw: string, name: string): string {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  if (line === undefined) throw new Error(`no ${name} header in:\n${head}`);
  return line.slice(name.length + 1).trim();
}

test('delivers a Chinese 督办单 over STARTTLS with AUTH: encoded subject and sender name, UTF-8 body, To and Cc in headers and envelope', async () => {
  server = await startSmtp({ tls, users });
  const mail = emailChannel(server.port);
  const message = supervisionMessage({ recipients });

  const receipt = await mail.send(message);

  expect(server.mails).toHaveLength(1);
  const [received] = server.mails;
  if (received === undefined) throw new Error('no mail received');
  // Envelope: every recipient, Cc included; the session was encrypted and logged in.
  expect(received.mailFrom).toBe('duban@xihu.nc.gov.cn');
  expect(received.rcptTo.sort()).toEqual(['liming@xihu.nc.gov.cn', 'wangjg@chengguan.xihu.nc.gov.cn']);
  expect(received.user).toBe('duban@xihu.nc.gov.cn');
  expect(received.secure).toBe(true);

  // Headers as parsed by a mail reader...
  const { parsed, raw } = received;
  expect(parsed.subject).toBe(message.subject);
  expect(message.subject).toMatch(/督办/);
  expect(addresses(parsed.from)).toEqual([{ name: '南昌市西湖区督办', address: 'duban@xihu.nc.gov.cn' }]);
  expect(addresses(parsed.to)).toEqual([{ name: '王建国', address: 'wangjg@chengguan.xihu.nc.gov.cn' }]);
  expect(addresses(parsed.cc)).toEqual([{ name: '李明', address: 'liming@xihu.nc.gov.cn' }]);
  expect(parsed.text?.trimEnd()).toBe(message.text);
  expect(parsed.headers.get('x-duban-idempotency-key')).toBe(message.idempotencyKey);
  expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
  expect(parsed.messageId).toBe(emailMessageId(message.idempotencyKey, 'xihu.nc.gov.cn'));

  // ...and as they went over the wire: 7-bit headers with RFC 2047 encoded words, a UTF-8 body.
  expect(raw).not.toMatch(/[^\t\r\n\x20-\x7e]/);
  expect(rawHeader(raw, 'Subject')).toMatch(/^(=\?UTF-8\?[BQ]\?[^?]*\?=\s*)+$/i);
  expect(rawHeader(raw, 'From')).toMatch(/^=\?UTF-8\?[BQ]\?[^?]*\?= <duban@xihu\.nc\.gov\.cn>$/i);
  expect(rawHeader(raw, 'Content-Type')).toMatch(/^text\/plain; charset=utf-8$/i);
  expect(rawHeader(raw, 'Content-Transfer-Encoding')).toMatch(/^(base64|quoted-printable)$/i);

  expect(receipt).toEqual({
    channel: 'hq-mail',
    type: 'email',
    idempotencyKey: message.idempotencyKey,
    sentAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    endpoint: `smtp://127.0.0.1:${server.port}`,
    status: 250,
    messageId: parsed.messageId,
    accepted: ['wangjg@chengguan.xihu.nc.gov.cn', 'liming@xihu.nc.gov.cn'],
    rejected: [],
    response: expect.stringMatching(/^250/),
  });
});

test('a 451 answer throws a retryable CHANNEL_UNAVAILABLE; the retry carries the same Message-ID and idempotency key', async () => {
  server = await startSmtp({ tls, users, answer: (n) => (n === 1 ? { code: 451, message: 'Local error in processing, try again' } : 'accept') });
  const mail = emailChannel(server.port);
  const message = supervisionMessage({ recipients });

  const error = await rejectionOf(mail.send(message), ChannelError);
  expect(error).toMatchObject({ code: ActivityErrorCode.CHANNEL_UNAVAILABLE, retryable: true, status: 451, channel: 'hq-mail', channelType: 'email' });

  const receipt = await mail.send(message);
  expect(server.attempts()).toBe(2);
  expect(server.mails).toHaveLength(1);
  expect(server.mails[0]?.parsed.messageId).toBe(receipt.messageId);
  expect(receipt.messageId).toBe(emailMessageId(message.idempotencyKey, 'xihu.nc.gov.cn'));
  expect(server.mails[0]?.parsed.headers.get('x-duban-idempotency-key')).toBe(message.idempotencyKey);

  // Another key, another Message-ID.
  const other = await mail.send(supervisionMessage({ recipients }));
  expect(other.messageId).not.toBe(receipt.messageId);
});

test('a wrong password is a non-retryable CHANNEL_AUTH_FAILED that names the secret, not its value', async () => {
  server = await startSmtp({ tls, users });
  const mail = emailChannel(server.port, { password: new Secret('xihu-smtp', 'not-the-password') });

  const error = await rejectionOf(mail.send(supervisionMessage({ recipients })), ChannelError);

  expect(error).toMatchObject({ code: ActivityErrorCode.CHANNEL_AUTH_FAILED, retryable: false, status: 535 });
  expect(error.message).toContain('password secret');
  expect(error.message).not.toContain('not-the-password');
  expect(server.attempts()).toBe(0);
});

test('recipients the server refuses: all of them is CHANNEL_REJECTED; some of them still sends and lists them in the receipt', async () => {
  server = await startSmtp({ tls, users, unknownRecipients: ['wangjg@chengguan.xihu.nc.gov.cn'] });
  const mail = emailChannel(server.port);

  const error = await rejectionOf(mail.send(supervisionMessage({ recipients: [recipients[0]!] })), ChannelError);
  expect(error).toMatchObject({ code: ActivityErrorCode.CHANNEL_REJECTED, retryable: false, status: 550 });

  const receipt = await mail.send(supervisionMessage({ recipients }));
  expect(receipt).toMatchObject({ accepted: ['liming@xihu.nc.gov.cn'], rejected: ['wangjg@chengguan.xihu.nc.gov.cn'] });
  expect(server.mails.map((m) => m.rcptTo)).toEqual([['liming@xihu.nc.gov.cn']]);
});

test('implicit TLS (SMTPS) delivers too', async () => {
  server = await startSmtp({ tls, users, implicitTls: true });
  const mail = emailChannel(server.port, { security: 'tls' });

  await mail.send(supervisionMessage({ recipients }));

  expect(server.mails[0]?.secure).toBe(true);
});

test('a server without STARTTLS is a configuration error when STARTTLS is required: the password is never sent in clear', async () => {
  server = await startSmtp({ tls, users, noStarttls: true });
  const mail = emailChannel(server.port);

  const error = await rejectionOf(mail.send(supervisionMessage({ recipients })), ChannelError);

  expect(error).toMatchObject({ code: ActivityErrorCode.CHANNEL_CONFIG_INVALID, retryable: false });
  expect(server.attempts()).toBe(0);
});

test('nobody listening is a retryable CHANNEL_UNAVAILABLE naming the system error', async () => {
  const mail = emailChannel(await closedPort());

  const error = await rejectionOf(mail.send(supervisionMessage({ recipients })), ChannelError);

  expect(error).toMatchObject({ code: ActivityErrorCode.CHANNEL_UNAVAILABLE, retryable: true });
  expect(error.message).toContain('ECONNREFUSED');
});

test('a server that never answers: the abort signal ends the send with its reason, the timeout with CHANNEL_UNAVAILABLE', async () => {
  server = await startSmtp({ tls, users, answer: () => 'hang' });

  const aborting = emailChannel(server.port, { timeoutMs: 30_000 });
  const controller = new AbortController();
  const reason = new Error('activity cancelled');
  const started = Date.now();
  const sending = aborting.send(supervisionMessage({ recipients }), { signal: controller.signal });
  setTimeout(() => controller.abort(reason), 300);
  await expect(sending).rejects.toBe(reason);
  expect(Date.now() - started).toBeLessThan(5000);
  await aborting.close();

  const timing = emailChannel(server.port, { timeoutMs: 500 });
  const error = await rejectionOf(timing.send(supervisionMessage({ recipients })), ChannelError);
  expect(error).toMatchObject({ code: ActivityErrorCode.CHANNEL_UNAVAILABLE, retryable: true });
  expect(error.message).toContain('500 ms');
});

test('a recipient without an email address is INVALID_INPUT, refused before connecting', async () => {
  server = await startSmtp({ tls, users });
  const logger = memoryLogger();
  const mail = emailChannel(server.port, { logger });

  const error = await rejectionOf(mail.send(supervisionMessage({ recipients: [{ id: 'beishan-head', mobile: '13800000003' }] })), DubanActivityError);

  expect(error).toMatchObject({ code: ActivityErrorCode.INVALID_INPUT, retryable: false, details: expect.objectContaining({ field: 'recipients[0].email' }) });
  expect(error.message).toContain('beishan-head');
  expect(server.attempts()).toBe(0);
});

test('settings that cannot work are refused at construction', () => {
  const base = { name: 'hq-mail', from: { address: 'duban@xihu.nc.gov.cn' } };
  const refused = (options: EmailChannelOptions): unknown => {
    try {
      new EmailChannel(options);
    } catch (err) {
      return err;
    }
    throw new Error('accepted');
  };
  expect(refused({ ...base, host: 'smtp.xihu.nc.gov.cn', security: 'none' })).toMatchObject({ code: ActivityErrorCode.CHANNEL_CONFIG_INVALID });
  expect(refused({ ...base, host: 'smtp.xihu.nc.gov.cn', user: 'duban' })).toMatchObject({ code: ActivityErrorCode.CHANNEL_CONFIG_INVALID });
  expect(refused({ ...base, host: 'smtp.xihu.nc.gov.cn', from: { address: 'not an address' } })).toMatchObject({ code: ActivityErrorCode.CHANNEL_CONFIG_INVALID });
  expect(refused({ ...base, host: 'smtp.xihu.nc.gov.cn', port: 70_000 })).toMatchObject({ code: ActivityErrorCode.CHANNEL_CONFIG_INVALID });
  expect(new EmailChannel({ ...base, host: 'smtp.xihu.nc.gov.cn', security: 'tls' }).endpoint).toBe('smtp://smtp.xihu.nc.gov.cn:465');
});
