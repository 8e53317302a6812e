/**
 * The routing notifier against real local endpoints: `duban dev`'s receivers (an SMTP
 * server per mailbox channel, 企业微信 and 钉钉 robot endpoints that check the key, token
 * and 加签 signature, a webhook receiver that checks the HMAC signature), plus SMTP and
 * HTTP servers that fail on purpose. No Temporal server: the activities' contract (what
 * is retried, what fails for good) is checked on the errors themselves.
 */
import { DateTime } from 'luxon';
import {
  ActivityErrorCode,
  DubanActivityError,
  InMemoryOutbox,
  LogAndWebhookNotifier,
  RoutingNotifier,
  SqliteHeldDeliveries,
  envSecrets,
  toApplicationFailure,
  type NotificationInput,
  type RoutedPlan,
  type RoutingSettings,
} from '@duban/activities';
import { startDevReceivers, type DevReceivers } from '@duban/cli';
import { DubanError, ErrorCode } from '@duban/common';
import { loadPlanFile, type Plan } from '@duban/plan';
import { ApplicationFailure } from '@temporalio/common';
import { SEED_PLAN_PATH, temporaryDirectory, removeTemporaryDirectories } from '../harness';
import { memoryLogger } from '../activities/fixtures';
import { localCertificate, startSmtp } from '../activities/channels/receivers';
import { CHINESE_DATE, ISO_INSTANT, SEED_SECRET_ENV, assignment, notificationOf, rung } from './fixtures';

const secrets = envSecrets({ env: SEED_SECRET_ENV });
const shanghai = (local: string) => DateTime.fromISO(local, { zone: 'Asia/Shanghai' }).toMillis();

let seed: Plan;
let receivers: DevReceivers;
/** The seed plan with its channels pointed at the receivers. */
let routed: RoutedPlan;

beforeAll(async () => {
  seed = await loadPlanFile(SEED_PLAN_PATH);
  receivers = await startDevReceivers({ plans: [seed], secrets });
  routed = receivers.plans[0] as RoutedPlan;
});
afterAll(async () => {
  await receivers.close();
  removeTemporaryDirectories();
});
beforeEach(() => {
  receivers.messages.splice(0);
});

interface Rig {
  notifier: RoutingNotifier;
  outbox: InMemoryOutbox;
  logger: ReturnType<typeof memoryLogger>;
  now: { ms: number };
}

/** A routing notifier for `plan` on a wall clock the test sets (10:00 in Nanchang unless told). */
async function rig(plan: RoutedPlan = routed, options: { at?: string; held?: SqliteHeldDeliveries; secretSource?: typeof secrets } = {}): Promise<Rig> {
  const outbox = new InMemoryOutbox();
  const logger = memoryLogger();
  const now = { ms: shanghai(options.at ?? '2027-03-02T10:00') };
  const notifier = await RoutingNotifier.create({
    plans: [plan],
    outbox,
    ...(options.held ? { held: options.held } : {}),
    fallback: new LogAndWebhookNotifier({ outbox, logger }),
    secrets: options.secretSource ?? secrets,
    logger,
    clock: () => now.ms,
  });
  return { notifier, outbox, logger, now };
}

/** The routed plan with some of its routing replaced. */
function withRouting(plan: RoutedPlan, patch: Partial<RoutingSettings>): RoutedPlan {
  if (plan.routing === undefined) throw new Error('the plan has no routing');
  return { ...plan, routing: { ...plan.routing, ...patch } };
}

/** The messages received, as `channel type → to` lines, sorted. */
const received = () => receivers.messages.map((m) => `${m.channel} ${m.type} → ${m.to.join(' ')}`).sort();

test("an assignment goes to each unit's robot, @-mentioning its people, and a copy to the platform; in Chinese, with local dates", async () => {
  const { notifier } = await rig();
  expect(await notifier.notify(notificationOf(seed, 9, assignment(seed, 9)))).toEqual({ sent: true });
  const communities = ['langonglu', 'community-a', 'community-b', 'community-c', 'community-d', 'community-e'];
  expect(received()).toEqual(
    [
      'jingfa-robot wecom → @JingFaZhuRen @JingFaGanShi @13800000031 @13800000032',
      'communities-robot dingtalk → @langonglu-shuji @langonglu-wanggeyuan @13900000001 @13900000002',
      ...communities.slice(1).map((c, i) => `communities-robot dingtalk → @${c}-shuji @139000000${i + 1}1`),
      'ops-hook webhook → 经发办主任（示例） 经发办干事（示例） 兰宫路社区书记（示例） 兰宫路社区网格员（示例） 示例社区甲书记（示例） 示例社区乙书记（示例） 示例社区丙书记（示例） 示例社区丁书记（示例） 示例社区戊书记（示例）',
    ].sort(),
  );
  for (const m of receivers.messages) {
    expect(m.subject).toMatch(/^【交办】.*任务9「/);
    expect(m.text).toMatch(CHINESE_DATE);
    expect(m.text).not.toMatch(ISO_INSTANT);
  }
});

test('a 督办单 goes by email to the unit head and HQ, each alone, with a key per delivery derived from the notification', async () => {
  const { notifier, outbox } = await rig();
  const notification = notificationOf(seed, 9, rung('supervision-notice', 2));
  await notifier.notify(notification);
  const mails = receivers.messages.filter((m) => m.type === 'email');
  expect(mails.map((m) => m.to)).toEqual(
    expect.arrayContaining([['经发办主任（示例） <jingfa-head@example.gov.cn>'], ['指挥部办公室专员（示例） <hq-office@example.gov.cn>']]),
  );
  expect(mails).toHaveLength(2);
  expect(mails.map((m) => m.idempotencyKey).sort()).toEqual([`${notification.idempotencyKey}>hq-mail>hq-office-clerk`, `${notification.idempotencyKey}>hq-mail>jingfa-head`]);
  expect(mails[0]?.subject).toMatch(/督办/);
  expect(receivers.messages.filter((m) => m.type === 'webhook')).toHaveLength(1);
  // The notification and each delivery are in the outbox: a retried activity sends nothing.
  const keys = (await outbox.list()).map((r) => `${r.channel} ${r.idempotencyKey}`);
  expect(keys).toEqual(expect.arrayContaining([`routing ${notification.idempotencyKey}`, `hq-mail ${notification.idempotencyKey}>hq-mail>jingfa-head`]));
  expect(await notifier.notify(notification)).toEqual({ sent: false });
  expect(receivers.messages).toHaveLength(3);
});

test('问责 goes only to HQ and the accountability group, whoever the task names', async () => {
  const { notifier } = await rig();
  const notification = { ...notificationOf(seed, 9, rung('accountability', 4)), recipients: [{ person: 'jingfa-head', unit: 'jingfa', role: 'unit-head' }] };
  await notifier.notify(notification);
  const mails = receivers.messages.filter((m) => m.type === 'email').flatMap((m) => m.to);
  expect(mails.sort()).toEqual(['作风问责组组长（示例） <accountability@example.gov.cn>', '指挥部办公室专员（示例） <hq-office@example.gov.cn>']);
});

test('a person who reads English gets English; the others Chinese (one rendering per language)', async () => {
  const english: RoutedPlan = {
    ...routed,
    people: routed.people.map((p) => (p.id === 'jingfa-head' ? { ...p, contact: { ...p.contact, lang: 'en' as const } } : p)),
  };
  const { notifier } = await rig(english);
  await notifier.notify(notificationOf(seed, 9, rung('supervision-notice', 2)));
  const mail = (who: string) => receivers.messages.find((m) => m.to.some((to) => to.includes(who)));
  expect(mail('jingfa-head')?.subject).toMatch(/^Supervision notice/);
  expect(mail('jingfa-head')?.text).not.toMatch(CHINESE_DATE);
  expect(mail('jingfa-head')?.text).toMatch(/Dec 2027|2027-12-31/);
  expect(mail('hq-office')?.text).toMatch(CHINESE_DATE);
  expect(mail('hq-office')?.subject).toMatch(/^【督办单/);
});

test('a notification partly delivered fails retryably, and its retry sends only what is missing', async () => {
  const tls = localCertificate();
  // The second message (the second person's) is refused for now with 451.
  const smtp = await startSmtp({ tls, noStarttls: true, users: { 'duban@example.gov.cn': 'smtp-Pa55+w/rd=督办~' }, answer: (n) => (n === 2 ? { code: 451, message: 'try later' } : 'accept') });
  try {
    const plan = withRouting(routed, {
      channels: { 'hq-mail': { type: 'email', host: '127.0.0.1', port: smtp.port, security: 'none', user: 'duban@example.gov.cn', passwordSecret: 'xihu-smtp', from: { address: 'duban@example.gov.cn' } } },
      routes: [{ kinds: ['supervision-notice'], via: 'hq-mail' }],
    });
    const { notifier } = await rig(plan);
    const notification = notificationOf(seed, 9, rung('supervision-notice', 2));
    const failure = await notifier.notify(notification).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(DubanActivityError);
    expect(failure).toMatchObject({ code: ActivityErrorCode.CHANNEL_UNAVAILABLE, retryable: true });
    expect((toApplicationFailure(failure) as ApplicationFailure).nonRetryable).toBe(false);
    expect(smtp.mails).toHaveLength(1);

    expect(await notifier.notify(notification)).toEqual({ sent: true });
    expect(await notifier.notify(notification)).toEqual({ sent: false });
    // Each person got it once: the first was not sent again.
    expect(smtp.mails.map((m) => m.rcptTo).sort()).toEqual([['hq-office@example.gov.cn'], ['jingfa-head@example.gov.cn']]);
  } finally {
    await smtp.close();
  }
});

test('a refusal that sending again cannot fix fails for good (the task then records notification.failed)', async () => {
  // The worker holds another key than the robot's: 企业微信 answers 93000.
  const wrong = envSecrets({ env: { ...SEED_SECRET_ENV, DUBAN_SECRET_JINGFA_WECOM_KEY: 'not-the-key' } });
  const { notifier } = await rig(routed, { secretSource: wrong });
  const failure = await notifier.notify(notificationOf(seed, 9, rung('reminder', 1))).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toMatchObject({ code: ActivityErrorCode.CHANNEL_AUTH_FAILED, retryable: false });
  expect((toApplicationFailure(failure) as ApplicationFailure).nonRetryable).toBe(true);
  expect(String((failure as Error).message)).not.toContain('not-the-key');
  // The platform's copy went; the robot's did not.
  expect(receivers.messages.map((m) => m.channel)).toEqual(['ops-hook']);
});

test('a notification whose routes reach nobody fails for good as NOTIFICATION_UNROUTABLE; a kind no route carries is only logged', async () => {
  const mailOnly = withRouting(routed, { routes: [{ kinds: ['commendation'], via: 'hq-mail' }] });
  const { notifier, logger } = await rig(mailOnly);
  const nobody: NotificationInput = { ...notificationOf(seed, 9, { kind: 'commendation', score: 98 }), recipients: [{ unit: 'jingfa' }] };
  const failure = await notifier.notify(nobody).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(DubanError);
  expect(failure).toMatchObject({ code: ErrorCode.NOTIFICATION_UNROUTABLE });
  expect((toApplicationFailure(failure) as ApplicationFailure).nonRetryable).toBe(true);

  expect(await notifier.notify(notificationOf(seed, 9, rung('reminder', 1)))).toEqual({ sent: true });
  expect(receivers.messages).toEqual([]);
  expect(logger.lines.map((l) => l.message)).toContainEqual(expect.stringContaining('no route of plan xihu-2020 carries it'));
});

test('quiet hours hold non-urgent messages to people until they end; urgent ones and the platform get theirs at once', async () => {
  const held = SqliteHeldDeliveries.open(`${temporaryDirectory('duban-quiet-')}/audit.sqlite`);
  try {
    const { notifier, now } = await rig(routed, { at: '2027-03-02T23:00', held });
    const dispatcher = notifier.dispatcher({ owner: 'test' });
    await notifier.notify(notificationOf(seed, 9, rung('reminder', 1)));
    await notifier.notify(notificationOf(seed, 12, rung('supervision-notice', 2)));
    expect(received()).toEqual(
      [
        'ops-hook webhook → 经发办主任（示例） 经发办干事（示例）',
        'ops-hook webhook → 城管办主任（示例） 指挥部办公室专员（示例）',
        'hq-mail email → 城管办主任（示例） <chengguan-head@example.gov.cn>',
        'hq-mail email → 指挥部办公室专员（示例） <hq-office@example.gov.cn>',
      ].sort(),
    );
    const [row] = await held.list({ state: 'held' });
    expect(row).toMatchObject({ channel: 'jingfa-robot', addressee: 'jingfa', digest: false, sendAfterMs: shanghai('2027-03-03T07:30') });

    now.ms = shanghai('2027-03-03T06:00');
    expect(await dispatcher.dispatchDue()).toEqual([]);
    now.ms = shanghai('2027-03-03T07:31');
    expect(await dispatcher.dispatchDue()).toEqual([expect.objectContaining({ status: 'sent', channel: 'jingfa-robot' })]);
    expect(await dispatcher.dispatchDue()).toEqual([]);
    expect(receivers.messages.filter((m) => m.channel === 'jingfa-robot')).toHaveLength(1);
    expect(await held.list({ state: 'held' })).toEqual([]);
  } finally {
    await held.close();
  }
});

test('a person who chose a daily digest gets their non-urgent mail once a day, in one message; the others at once', async () => {
  const held = SqliteHeldDeliveries.open(`${temporaryDirectory('duban-digest-')}/audit.sqlite`);
  try {
    const { notifier, now } = await rig(routed, { held });
    const dispatcher = notifier.dispatcher({ owner: 'test' });
    const review = (n: number) => ({ kind: 'review-requested' as const, submittedBy: 'jingfa-head', summary: `第${n}批整改已完成`, reviewDueAt: '2027-03-09T16:00:00.000Z' });
    await notifier.notify(notificationOf(seed, 9, review(1)));
    now.ms = shanghai('2027-03-02T15:00');
    await notifier.notify(notificationOf(seed, 12, review(2)));
    const mailsTo = (who: string) => receivers.messages.filter((m) => m.type === 'email' && m.to.some((to) => to.includes(who)));
    expect(mailsTo('supervisor-zhou')).toHaveLength(2);
    expect(mailsTo('supervisor-li')).toHaveLength(0);

    now.ms = shanghai('2027-03-03T08:31');
    expect(await dispatcher.dispatchDue()).toEqual([expect.objectContaining({ status: 'sent', channel: 'hq-mail', addressee: 'supervisor-li', keys: [expect.any(String), expect.any(String)] })]);
    expect(await dispatcher.dispatchDue()).toEqual([]);
    const [digest] = mailsTo('supervisor-li');
    expect(mailsTo('supervisor-li')).toHaveLength(1);
    expect(digest?.subject).toBe('【督办每日汇总】2027年3月3日，共2条通知');
    expect(digest?.text).toContain('第1批整改已完成');
    expect(digest?.text).toContain('第2批整改已完成');
  } finally {
    await held.close();
  }
});

test('an urgent kind is never folded into a digest', async () => {
  const held = SqliteHeldDeliveries.open(`${temporaryDirectory('duban-urgent-')}/audit.sqlite`);
  try {
    const { notifier } = await rig(routed, { held, at: '2027-03-02T23:30' });
    // supervisor-li is on no 督办单 route; the accountability group's officer is reached at once by 问责.
    await notifier.notify(notificationOf(seed, 9, rung('accountability', 4)));
    expect(receivers.messages.filter((m) => m.type === 'email')).toHaveLength(2);
    expect(await held.list()).toEqual([]);
  } finally {
    await held.close();
  }
});

test('the webhook receiver refuses a message signed with another secret', async () => {
  const wrong = envSecrets({ env: { ...SEED_SECRET_ENV, DUBAN_SECRET_XIHU_OPS_HOOK: 'another-secret' } });
  const { notifier } = await rig(routed, { secretSource: wrong });
  const failure = await notifier.notify(notificationOf(seed, 9, rung('supervision-notice', 2))).catch((err: unknown) => err);
  expect(failure).toMatchObject({ code: ActivityErrorCode.CHANNEL_AUTH_FAILED, retryable: false });
  expect(receivers.messages.map((m) => m.channel)).toEqual(['hq-mail', 'hq-mail']);
});
