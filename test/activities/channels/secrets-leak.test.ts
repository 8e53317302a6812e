/**
 * Sends through every channel, to receivers that accept, refuse, fail, echo the request
 * (key, token and all) back in their answers, or are not there, and looks for the secrets
 * in everything duban wrote: errors (as thrown, as Temporal records them), receipts, the
 * log. None may be found.
 */
import { inspect } from 'node:util';
import {
  ChannelError,
  Secret,
  createChannels,
  envSecrets,
  secretEnvName,
  toApplicationFailure,
  EmailChannel,
  type Channel,
  type ChannelConfig,
  type ChannelMessage,
} from '@duban/activities';
import { memoryLogger, startWebhook, type ReceivedRequest } from '../fixtures';
import { closedPort, localCertificate, startSmtp, supervisionMessage } from './receivers';

const SECRETS = {
  'xihu-smtp': "smtp p@ss+w/rd!~'()=",
  'xihu-smtp-old': 'old+smtp/pass=word~',
  'chengguan-wecom-key': "wk 1f2e+3d/4c=5b!~'()",
  'hq-dingtalk-token': 'dt+token/value=with~chars',
  'hq-dingtalk-sign': 'SECsign+secret/value=督办',
  'ops-hook': 'hook secret 督办 +/=~',
};
const SMTP_USER = 'duban@xihu.nc.gov.cn';

/** Every form a secret could be written in: as is, URL- and form-encoded, base64, and inside an SMTP AUTH PLAIN token. */
function forms(value: string): string[] {
  return [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    Buffer.from(value).toString('base64'),
    Buffer.from(`\u0000${SMTP_USER}\u0000${value}`).toString('base64'),
  ];
}

/** Answers that repeat what they were sent, as a misconfigured proxy or a verbose server would. */
const echo = (req: ReceivedRequest): string => `${req.method} ${req.url} ${JSON.stringify(req.headers)} ${req.body}`;

/** Six answers in turn: accepted, rate-limited, 500, not JSON, credentials refused, 403; each but the first repeating the request. */
function robotAnswer(req: ReceivedRequest, n: number) {
  const dingtalk = req.url.startsWith('/robot/send');
  const [rateLimited, refused] = dingtalk ? [130101, 310000] : [45009, 93000];
  return [
    { status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok' }) },
    { status: 200, body: JSON.stringify({ errcode: rateLimited, errmsg: `too fast: ${echo(req)}` }) },
    { status: 500, body: echo(req) },
    { status: 200, body: `<html>${echo(req)}</html>` },
    { status: 200, body: JSON.stringify({ errcode: refused, errmsg: `refused ${req.url}` }) },
    { status: 403, body: echo(req) },
  ][(n - 1) % 6]!;
}

test('no secret appears in any error, receipt or log line, whatever the receivers answer', async () => {
  const env = Object.fromEntries(Object.entries(SECRETS).map(([name, value]) => [secretEnvName(name), value]));
  const tls = localCertificate();
  const smtp = await startSmtp({
    tls,
    users: { [SMTP_USER]: SECRETS['xihu-smtp'] },
    // The second message is refused with a reply that repeats the password.
    answer: (n) => (n % 2 === 0 ? { code: 451, message: `busy, try later (${SECRETS['xihu-smtp']})` } : 'accept'),
  });
  const robot = await startWebhook((n, req) => robotAnswer(req, n));
  const hook = await startWebhook((n, req) => (n === 1 ? { status: 204 } : { status: n === 2 ? 400 : 401, body: echo(req) }));
  const nowhere = await closedPort();
  const robotOrigin = new URL(robot.url).origin;
  const logger = memoryLogger();

  const configs: Record<string, ChannelConfig> = {
    'hq-mail': { type: 'email', host: '127.0.0.1', port: smtp.port, ca: tls.cert, user: SMTP_USER, passwordSecret: 'xihu-smtp', from: { name: '南昌市西湖区督办', address: SMTP_USER } },
    'old-mail': { type: 'email', host: '127.0.0.1', port: smtp.port, ca: tls.cert, user: SMTP_USER, passwordSecret: 'xihu-smtp-old', from: { address: SMTP_USER } },
    'gone-mail': { type: 'email', host: '127.0.0.1', port: nowhere, user: SMTP_USER, passwordSecret: 'xihu-smtp', from: { address: SMTP_USER } },
    'chengguan-robot': { type: 'wecom', keySecret: 'chengguan-wecom-key', url: `${robotOrigin}/cgi-bin/webhook/send` },
    'gone-wecom': { type: 'wecom', keySecret: 'chengguan-wecom-key', url: `http://127.0.0.1:${nowhere}/cgi-bin/webhook/send` },
    'hq-dingtalk': { type: 'dingtalk', accessTokenSecret: 'hq-dingtalk-token', signSecret: 'hq-dingtalk-sign', url: `${robotOrigin}/robot/send` },
    'gone-dingtalk': { type: 'dingtalk', accessTokenSecret: 'hq-dingtalk-token', signSecret: 'hq-dingtalk-sign', url: `http://127.0.0.1:${nowhere}/robot/send` },
    'ops-hook': { type: 'webhook', url: hook.url, signingSecret: 'ops-hook' },
    'gone-hook': { type: 'webhook', url: `http://127.0.0.1:${nowhere}/duban`, signingSecret: 'ops-hook' },
  };
  const channels = await createChannels(configs, { secrets: envSecrets({ env }), logger });
  // A channel built by hand, the way a test or a tool might, with the secret in a Secret.
  const manual = new EmailChannel({ name: 'manual-mail', host: '127.0.0.1', port: nowhere, user: SMTP_USER, password: new Secret('xihu-smtp', SECRETS['xihu-smtp']), from: { address: SMTP_USER } });

  const written: string[] = [];
  const keep = (value: unknown): void => {
    written.push(inspect(value, { depth: 20, showHidden: true }));
    written.push(JSON.stringify(value) ?? '');
  };
  const message = (): ChannelMessage =>
    supervisionMessage({ recipients: [{ id: 'chengguan-head', name: '王建国', email: 'wangjg@chengguan.xihu.nc.gov.cn', mobile: '13800000001' }] });
  const attempts: Array<[Channel, number]> = [
    [channels.get('hq-mail')!, 3],
    [channels.get('old-mail')!, 1],
    [channels.get('gone-mail')!, 1],
    [channels.get('chengguan-robot')!, 6],
    [channels.get('gone-wecom')!, 1],
    [channels.get('hq-dingtalk')!, 6],
    [channels.get('gone-dingtalk')!, 1],
    [channels.get('ops-hook')!, 3],
    [channels.get('gone-hook')!, 1],
    [manual, 1],
  ];
  const outcomes: string[] = [];
  try {
    for (const [channel, times] of attempts) {
      for (let i = 0; i < times; i += 1) {
        try {
          keep(await channel.send(message()));
          outcomes.push(`${channel.name}: sent`);
        } catch (err) {
          if (!(err instanceof ChannelError)) throw err;
          outcomes.push(`${channel.name}: ${err.code}`);
          keep(err);
          keep(err.message);
          keep(err.stack);
          keep(toApplicationFailure(err));
        }
      }
    }
    keep(logger.lines);
    keep(channels);
  } finally {
    await Promise.all([...channels.values(), manual].map((c) => c.close()));
    await smtp.close();
    await robot.close();
    await hook.close();
  }

  // Every kind of outcome happened, and the receivers really echoed secrets back.
  expect(outcomes).toEqual([
    'hq-mail: sent',
    'hq-mail: CHANNEL_UNAVAILABLE',
    'hq-mail: sent',
    'old-mail: CHANNEL_AUTH_FAILED',
    'gone-mail: CHANNEL_UNAVAILABLE',
    'chengguan-robot: sent',
    'chengguan-robot: CHANNEL_UNAVAILABLE',
    'chengguan-robot: CHANNEL_UNAVAILABLE',
    'chengguan-robot: CHANNEL_UNAVAILABLE',
    'chengguan-robot: CHANNEL_AUTH_FAILED',
    'chengguan-robot: CHANNEL_AUTH_FAILED',
    'gone-wecom: CHANNEL_UNAVAILABLE',
    'hq-dingtalk: sent',
    'hq-dingtalk: CHANNEL_UNAVAILABLE',
    'hq-dingtalk: CHANNEL_UNAVAILABLE',
    'hq-dingtalk: CHANNEL_UNAVAILABLE',
    'hq-dingtalk: CHANNEL_AUTH_FAILED',
    'hq-dingtalk: CHANNEL_AUTH_FAILED',
    'gone-dingtalk: CHANNEL_UNAVAILABLE',
    'ops-hook: sent',
    'ops-hook: CHANNEL_REJECTED',
    'ops-hook: CHANNEL_AUTH_FAILED',
    'gone-hook: CHANNEL_UNAVAILABLE',
    'manual-mail: CHANNEL_UNAVAILABLE',
  ]);
  expect(logger.lines).toHaveLength(outcomes.length - 1); // the hand-built channel has no logger
  const everything = written.join('\n');
  expect(everything).toContain('[secret chengguan-wecom-key]');
  expect(everything).toContain('[secret hq-dingtalk-token]');
  expect(everything).toContain('[secret xihu-smtp]');
  expect(everything).toContain('[secret xihu-smtp-old]');

  const found = Object.entries(SECRETS).flatMap(([name, value]) => forms(value).filter((form) => everything.includes(form)).map((form) => `${name}: ${form}`));
  expect(found).toEqual([]);
});
