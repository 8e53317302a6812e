import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ActivityErrorCode, Secret, createChannel, createChannels, envSecrets, secretEnvName, type ChannelConfig } from '@duban/activities';
import { DubanError, ErrorCode } from '@duban/common';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'duban-secrets-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function thrown(run: () => unknown): DubanError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(DubanError);
    return err as DubanError;
  }
  throw new Error('nothing thrown');
}

test('a secret name maps to one DUBAN_SECRET_ variable; a name that could not be a variable is refused', () => {
  expect(secretEnvName('xihu-smtp')).toBe('DUBAN_SECRET_XIHU_SMTP');
  expect(secretEnvName('HQ_dingtalk-sign')).toBe('DUBAN_SECRET_HQ_DINGTALK_SIGN');
  for (const bad of ['', '-x', 'a b', '../etc/passwd', '西湖']) {
    expect(thrown(() => secretEnvName(bad))).toMatchObject({ code: ErrorCode.SECRET_INVALID });
  }
});

test('a secret comes from DUBAN_SECRET_<NAME>, or from the file DUBAN_SECRET_<NAME>_FILE names, without its trailing newline', () => {
  const file = join(dir, 'xihu-smtp');
  writeFileSync(file, 'from-a-file\r\n');
  const crlfFree = join(dir, 'robot');
  writeFileSync(crlfFree, 'line one\nline two\n');
  const secrets = envSecrets({ env: { DUBAN_SECRET_XIHU_SMTP_FILE: file, DUBAN_SECRET_WECOM: 'from-the-env', DUBAN_SECRET_ROBOT_FILE: crlfFree } });

  expect(secrets.get('xihu-smtp').reveal()).toBe('from-a-file');
  expect(secrets.get('wecom').reveal()).toBe('from-the-env');
  expect(secrets.get('robot').reveal()).toBe('line one\nline two');
});

test('missing, doubly set, unreadable and empty secrets are configuration errors that name variables and files, never values', () => {
  const empty = join(dir, 'empty');
  writeFileSync(empty, '\n');
  const secrets = envSecrets({
    env: {
      DUBAN_SECRET_TWICE: 'value-one',
      DUBAN_SECRET_TWICE_FILE: empty,
      DUBAN_SECRET_GONE_FILE: join(dir, 'no-such-file'),
      DUBAN_SECRET_EMPTY_FILE: empty,
    },
  });

  const missing = thrown(() => secrets.get('nowhere'));
  expect(missing).toMatchObject({ code: ErrorCode.SECRET_NOT_FOUND, kind: 'config' });
  expect(missing.message).toContain('DUBAN_SECRET_NOWHERE');
  expect(missing.message).toContain('DUBAN_SECRET_NOWHERE_FILE');
  const twice = thrown(() => secrets.get('twice'));
  expect(twice).toMatchObject({ code: ErrorCode.SECRET_INVALID });
  expect(`${twice.message}${JSON.stringify(twice.details)}`).not.toContain('value-one');
  expect(thrown(() => secrets.get('gone'))).toMatchObject({ code: ErrorCode.SECRET_INVALID, details: { file: join(dir, 'no-such-file') } });
  expect(thrown(() => secrets.get('empty')).message).toContain('is empty');
});

test('a Secret shows its name wherever it is printed, serialised or inspected; only reveal() gives the value', () => {
  const secret = new Secret('xihu-smtp', 'hunter2-西湖');
  const holder = { password: secret, nested: { list: [secret] } };

  for (const shown of [String(secret), `${secret}`, JSON.stringify(holder), inspect(holder, { depth: 10, showHidden: true }), inspect(secret)]) {
    expect(shown).not.toContain('hunter2');
    expect(shown).toContain('[secret xihu-smtp]');
  }
  expect(secret.reveal()).toBe('hunter2-西湖');
});

test('channels built from configuration resolve their secrets at once; inspecting a channel shows none of them', async () => {
  const env = {
    DUBAN_SECRET_XIHU_SMTP: 'smtp-value-1',
    DUBAN_SECRET_CHENGGUAN_WECOM_KEY: 'wecom-value-2',
    DUBAN_SECRET_HQ_DINGTALK_TOKEN: 'dingtalk-value-3',
    DUBAN_SECRET_HQ_DINGTALK_SIGN: 'SECdingtalk-value-4',
    DUBAN_SECRET_OPS_HOOK: 'hook-value-5',
  };
  const configs: Record<string, ChannelConfig> = {
    'hq-mail': { type: 'email', host: 'smtp.xihu.nc.gov.cn', user: 'duban@xihu.nc.gov.cn', passwordSecret: 'xihu-smtp', from: { name: '南昌市西湖区督办', address: 'duban@xihu.nc.gov.cn' } },
    'chengguan-robot': { type: 'wecom', keySecret: 'chengguan-wecom-key' },
    'hq-dingtalk': { type: 'dingtalk', accessTokenSecret: 'hq-dingtalk-token', signSecret: 'hq-dingtalk-sign' },
    'ops-hook': { type: 'webhook', url: 'https://ops.xihu.nc.gov.cn/duban', signingSecret: 'ops-hook' },
  };

  const channels = await createChannels(configs, { secrets: envSecrets({ env }) });

  expect([...channels.values()].map((c) => [c.name, c.type, c.endpoint])).toEqual([
    ['hq-mail', 'email', 'smtp://smtp.xihu.nc.gov.cn:587'],
    ['chengguan-robot', 'wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send'],
    ['hq-dingtalk', 'dingtalk', 'https://oapi.dingtalk.com/robot/send'],
    ['ops-hook', 'webhook', 'https://ops.xihu.nc.gov.cn/duban'],
  ]);
  const shown = `${inspect(channels, { depth: 20, showHidden: true })}${JSON.stringify([...channels.values()])}${JSON.stringify(configs)}`;
  for (const value of Object.values(env)) expect(shown).not.toContain(value);
  await Promise.all([...channels.values()].map((c) => c.close()));

  // One missing secret: nothing is built.
  const { DUBAN_SECRET_OPS_HOOK: _dropped, ...withoutHook } = env;
  await expect(createChannels(configs, { secrets: envSecrets({ env: withoutHook }) })).rejects.toMatchObject({ code: ErrorCode.SECRET_NOT_FOUND });
  expect(() => createChannel('odd', { type: 'fax' } as unknown as ChannelConfig, { secrets: envSecrets({ env }) })).toThrow(
    expect.objectContaining({ code: ActivityErrorCode.CHANNEL_CONFIG_INVALID }),
  );
});
