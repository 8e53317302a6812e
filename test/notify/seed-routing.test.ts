/**
 * Done when: the seed plan's routing, pointed at real local receivers (an SMTP server,
 * 企业微信 and 钉钉 robot endpoints that check key, token and 加签 signature, a webhook
 * receiver that checks the HMAC signature), carries a task of the seed plan through
 * assignment, the ladder's 催办 and 督办单, submission and approval, driven by signed
 * updates on the time-skipping server with the real duban worker. Every message received
 * is counted per channel, kind and addressee against the routing table below: each once,
 * in Chinese, with dates in the plan's zone. The secrets the channels used appear in no
 * file duban wrote (audit database with its outbox and held deliveries, the worker's log)
 * nor in the CLI's output.
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger, LogLevel, LogMetadata } from '@temporalio/common';
import { DateTime } from 'luxon';
import { envSecrets } from '@duban/activities';
import { startDevReceivers, type DevMessage, type DevReceivers } from '@duban/cli';
import { buildTaskInput } from '@duban/client';
import { DUBAN_TASK_QUEUE } from '@duban/common';
import { loadPlanFile, rebasePlan, type Plan } from '@duban/plan';
import { createDubanWorker, type DubanWorker } from '@duban/worker';
import { acknowledgeUpdate, reportProgressUpdate, reviewUpdate, submitUpdate, taskStateQuery, taskWorkflowId } from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEED_PLAN_PATH, removeTemporaryDirectories, startTimeSkipping, temporaryDirectory, workflowBundle } from '../harness';
import { keysPerFile } from '../harness/keys';
import { send, type TaskHandle } from '../identity/task-signing';
import { duban } from '../cli/run';
import { CHINESE_DATE, ISO_INSTANT, SEED_SECRETS, SEED_SECRET_ENV } from './fixtures';

jest.setTimeout(120_000);

const DAY = 86_400_000;
const TASK = 9; // 经发办 leads; the six communities are responsible.
let testEnv: TestWorkflowEnvironment | undefined;
const env = (): TestWorkflowEnvironment => {
  if (testEnv === undefined) throw new Error('the server is not started');
  return testEnv;
};
const keys = keysPerFile();
const dir = temporaryDirectory('duban-seed-routing-');
const logFile = join(dir, 'worker.log');
const secrets = envSecrets({ env: SEED_SECRET_ENV });
/** The wall clock of quiet hours and digests: a working morning in Nanchang. */
const now = { ms: DateTime.fromISO('2027-03-02T10:00', { zone: 'Asia/Shanghai' }).toMillis() };

/** Every line the worker logs, as JSON lines in a file: the log is one of the files searched for secrets. */
const fileLogger: Logger = {
  log: (level: LogLevel, message: string, meta?: LogMetadata) => appendFileSync(logFile, `${JSON.stringify({ level, message, ...meta })}\n`),
  trace: (message, meta) => fileLogger.log('TRACE', message, meta),
  debug: (message, meta) => fileLogger.log('DEBUG', message, meta),
  info: (message, meta) => fileLogger.log('INFO', message, meta),
  warn: (message, meta) => fileLogger.log('WARN', message, meta),
  error: (message, meta) => fileLogger.log('ERROR', message, meta),
};

/**
 * The routing table of the seed plan for task 9, written out: for each kind, the
 * deliveries as `channel>addressee` (a person by email, a unit by its robot, `*` for the
 * platform's copy). Review requests reach supervisor-li in her daily digest instead.
 */
const COMMUNITIES = ['langonglu', 'example-community-a', 'example-community-b', 'example-community-c', 'example-community-d', 'example-community-e'];
const ROUTING_TABLE: Record<string, string[]> = {
  assignment: ['jingfa-robot>jingfa', ...COMMUNITIES.map((c) => `communities-robot>${c}`), 'ops-hook>*'],
  reminder: ['jingfa-robot>jingfa', 'ops-hook>*'],
  'supervision-notice': ['hq-mail>jingfa-head', 'hq-mail>hq-office-clerk', 'ops-hook>*'],
  'review-requested': ['hq-mail>hq-secretary', 'hq-mail>hq-director', 'hq-mail>supervisor-zhou', 'ops-hook>*'],
  commendation: ['hq-mail>jingfa-head', 'hq-mail>hq-office-clerk', 'ops-hook>*'],
};

let plan: Plan;
let receivers: DevReceivers;
let worker: DubanWorker;
let running: Promise<void>;

beforeAll(async () => {
  testEnv = await startTimeSkipping();
  plan = rebasePlan(await loadPlanFile(SEED_PLAN_PATH), DateTime.now().setZone('Asia/Shanghai').year + 1);
  receivers = await startDevReceivers({ plans: [plan], secrets });
  worker = await createDubanWorker({
    connection: env().nativeConnection,
    auditDbPath: join(dir, 'audit.sqlite'),
    workflowBundle: await workflowBundle(),
    plans: receivers.plans,
    secrets,
    clock: () => now.ms,
    logger: fileLogger,
    dispatchIntervalMs: 3_600_000,
  });
  running = worker.run();
});

afterAll(async () => {
  // The worker first: the server's connection cannot close while a worker holds it.
  await worker?.shutdown();
  await running?.catch(() => undefined);
  await receivers?.close();
  await testEnv?.teardown();
  removeTemporaryDirectories();
}, 60_000);

/** Waits until `done` holds for the messages received (the notice lane delivers after the update answered). */
async function messagesUntil(done: (messages: DevMessage[]) => boolean): Promise<DevMessage[]> {
  const giveUpAt = Date.now() + 30_000;
  while (!done(receivers.messages) && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 100));
  return receivers.messages;
}

const kindOf = (key: string | undefined) => /:notify\.([a-z-]+)>/.exec(key ?? '')?.[1];
const ofKind = (kind: string) => (messages: DevMessage[]) => messages.filter((m) => kindOf(m.idempotencyKey) === kind);

test('the seed plan routes a task from assignment through 催办 and 督办单 to approval: each message to the right place, once, in Chinese', async () => {
  // The time-skipping server has no search attributes.
  // startNow: assigned at once, not at the (re-dated) campaign's start.
  const input = { ...buildTaskInput(plan, TASK, { keyring: keys().keyring, startNow: true }), searchAttributes: false };
  const handle: TaskHandle = await env().client.workflow.start<typeof taskWorkflow>('taskWorkflow', {
    taskQueue: DUBAN_TASK_QUEUE,
    workflowId: taskWorkflowId(plan.id, TASK),
    args: [input],
  });
  const as = async (person: string) => ({ signer: await keys().key(person) });
  await messagesUntil((m) => ofKind('assignment')(m).length >= ROUTING_TABLE.assignment!.length);

  // Nobody acknowledges: the window (P3D) passes, the ladder starts; 催办 after P3D, 督办单 after P7D more.
  await env().sleep(7 * DAY);
  await messagesUntil((m) => ofKind('reminder')(m).length >= 2);
  await env().sleep(7 * DAY);
  await messagesUntil((m) => ofKind('supervision-notice')(m).length >= 3);
  expect((await handle.query(taskStateQuery)).escalation.level).toBe(2);

  await send(env(), handle, acknowledgeUpdate, { requestId: 'ack-1', actor: 'jingfa-head' }, await as('jingfa-head'));
  await send(env(), handle, reportProgressUpdate, { requestId: 'progress-1', actor: 'jingfa-head', percent: 100, note: '农贸市场整治全部完成' }, await as('jingfa-head'));
  // Every responsible community acknowledges and reports its part before the lead submits.
  for (const head of ['langonglu-head', 'community-a-head', 'community-b-head', 'community-c-head', 'community-d-head', 'community-e-head']) {
    await send(env(), handle, acknowledgeUpdate, { requestId: `ack-${head}`, actor: head }, await as(head));
    await send(env(), handle, reportProgressUpdate, { requestId: `progress-${head}`, actor: head, percent: 100, note: '本社区部分已完成' }, await as(head));
  }
  await send(env(), handle, submitUpdate, { requestId: 'submit-1', actor: 'jingfa-head', summary: '农贸市场环境整治已完成，请审核' }, await as('jingfa-head'));
  await send(env(), handle, reviewUpdate, { requestId: 'review-1', actor: 'supervisor-zhou', decision: 'approve', score: 98 }, await as('supervisor-zhou'));
  await handle.result();

  // What the task sent (the outbox records each notification once routed), and what arrived.
  const db = join(dir, 'audit.sqlite');
  const { default: Database } = await import('better-sqlite3');
  const read = new Database(db, { readonly: true });
  const emitted = (read.prepare("SELECT idempotency_key FROM notifications WHERE channel = 'routing'").all() as Array<{ idempotency_key: string }>).map(
    (row) => /:notify\.([a-z-]+)$/.exec(row.idempotency_key)?.[1] ?? '?',
  );
  const heldRows = read.prepare('SELECT addressee, kind FROM held_deliveries').all();
  read.close();
  expect(emitted).toEqual(expect.arrayContaining(['assignment', 'reminder', 'supervision-notice', 'review-requested']));
  expect(Object.keys(ROUTING_TABLE)).toEqual(expect.arrayContaining(emitted));
  expect(heldRows).toEqual([{ addressee: 'supervisor-li', kind: 'review-requested' }]);

  const expected = emitted.flatMap((kind) => (ROUTING_TABLE[kind] ?? []).map((delivery) => `${kind} ${delivery}`)).sort();
  const messages = await messagesUntil((m) => m.length >= expected.length);
  const got = messages.map((m) => {
    const [, channel = '', addressee = ''] = (m.idempotencyKey ?? '').split('>');
    return `${kindOf(m.idempotencyKey) ?? '?'} ${channel}>${decodeURIComponent(addressee)}`;
  });
  expect(got.sort()).toEqual(expected);
  // Each delivered exactly once: no key twice.
  expect(new Set(messages.map((m) => m.idempotencyKey)).size).toBe(messages.length);

  // Per channel: the robots @ the unit's people; the mails go to each person alone; the platform's copy names everyone.
  const jingfa = messages.find((m) => m.channel === 'jingfa-robot' && kindOf(m.idempotencyKey) === 'assignment');
  expect(jingfa?.to).toEqual(['@JingFaZhuRen', '@JingFaGanShi', '@13800000031', '@13800000032']);
  const langonglu = messages.find((m) => m.channel === 'communities-robot' && m.idempotencyKey?.endsWith('>langonglu'));
  expect(langonglu?.to).toEqual(['@langonglu-shuji', '@langonglu-wanggeyuan', '@13900000001', '@13900000002']);
  expect(ofKind('supervision-notice')(messages).filter((m) => m.type === 'email').map((m) => m.to)).toEqual(
    expect.arrayContaining([['经发办主任（示例） <jingfa-head@example.gov.cn>'], ['指挥部办公室专员（示例） <hq-office@example.gov.cn>']]),
  );

  // In Chinese, dates in the plan's zone.
  for (const m of messages) {
    expect(m.subject).toMatch(/^【.+】.*任务9「农贸市场环境整治」/);
    expect(`${m.subject}\n${m.text}`).not.toMatch(ISO_INSTANT);
  }
  for (const kind of ['assignment', 'reminder', 'supervision-notice', 'review-requested']) {
    for (const m of ofKind(kind)(messages)) expect(m.text).toMatch(CHINESE_DATE);
  }

  // supervisor-li's review request comes in her digest at 08:30 the next morning, once.
  now.ms = DateTime.fromISO('2027-03-03T08:31', { zone: 'Asia/Shanghai' }).toMillis();
  const dispatcher = worker.dispatcher;
  if (dispatcher === undefined) throw new Error('the worker routes the plan, so it has a dispatcher');
  expect(await dispatcher.dispatchDue()).toEqual([expect.objectContaining({ status: 'sent', addressee: 'supervisor-li' })]);
  expect(await dispatcher.dispatchDue()).toEqual([]);
  const digest = receivers.messages.filter((m) => m.to.some((to) => to.includes('supervisor-li')));
  expect(digest).toHaveLength(1);
  expect(digest[0]?.subject).toBe('【督办每日汇总】2027年3月3日，共1条通知');
  expect(digest[0]?.text).toContain('任务9「农贸市场环境整治」');
});

test('no secret the channels used is in any file duban wrote, nor in the CLI output', async () => {
  // The CLI sends a sample through the same receivers with the same secrets.
  const planFile = join(dir, 'routed-plan.json');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(planFile, JSON.stringify(receivers.plans[0], null, 2));
  const sample = await duban(['notify', 'test', '--plan', planFile, '--to', 'jingfa-head', '--kind', 'supervision-notice'], { env: SEED_SECRET_ENV });
  expect(sample.stderr).toBe('');
  expect(sample.code).toBe(0);
  expect(sample.stdout).toContain('hq-mail (email) → jingfa-head: 250');
  expect(sample.stdout).toContain('ops-hook (webhook)');
  const wrong = await duban(['notify', 'test', '--plan', planFile, '--to', 'jingfa-head'], { env: { ...SEED_SECRET_ENV, DUBAN_SECRET_JINGFA_WECOM_KEY: 'wk-not-the-key' } });
  expect(wrong.code).not.toBe(0);
  expect(wrong.stdout).toContain('CHANNEL_AUTH_FAILED');

  const written = readdirSync(dir)
    .filter((file) => file !== 'routed-plan.json')
    .map((file) => [file, readFileSync(join(dir, file))] as const);
  expect(written.map(([file]) => file)).toEqual(expect.arrayContaining(['audit.sqlite', 'worker.log']));
  const outputs = [sample.stdout, sample.stderr, wrong.stdout, wrong.stderr].map((text) => ['cli output', Buffer.from(text)] as const);
  for (const [name, value] of Object.entries(SEED_SECRETS)) {
    const forms = [value, encodeURIComponent(value), Buffer.from(value).toString('base64')];
    for (const [file, bytes] of [...written, ...outputs]) {
      for (const form of forms) {
        if (bytes.includes(form)) throw new Error(`the secret ${name} is in ${file}`);
      }
    }
  }
  // The log did record the deliveries (it is not empty by accident).
  expect(readFileSync(logFile, 'utf8')).toContain('hq-mail');
});
