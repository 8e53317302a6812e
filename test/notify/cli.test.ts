/**
 * `duban notify test` (a sample through one person's routes, receipts printed) against
 * `duban dev`'s receivers, and `duban dev --launch` itself: the embedded server, the
 * worker routing the seed plan to local catch-all receivers, one line per message.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSecrets, type RoutingReport } from '@duban/activities';
import { runDev, startDevReceivers, type CommandContext, type DevReceivers } from '@duban/cli';
import { loadPlanFile } from '@duban/plan';
import { freePort } from '@duban/servers';
import { removeTemporaryDirectories, SEED_PLAN_PATH, temporaryDirectory } from '../harness';
import { cliEnv, duban } from '../cli/run';
import { SEED_SECRET_ENV } from './fixtures';

jest.setTimeout(120_000);

const dir = temporaryDirectory('duban-notify-cli-');
const routedPlan = join(dir, 'routed-plan.json');
let receivers: DevReceivers;

beforeAll(async () => {
  receivers = await startDevReceivers({ plans: [await loadPlanFile(SEED_PLAN_PATH)], secrets: envSecrets({ env: SEED_SECRET_ENV }) });
  writeFileSync(routedPlan, JSON.stringify(receivers.plans[0], null, 2));
});
afterAll(async () => {
  await receivers.close();
  removeTemporaryDirectories();
});
beforeEach(() => {
  receivers.messages.splice(0);
});

describe('duban notify test', () => {
  test("sends a sample through the person's route and prints the receipts, in Chinese", async () => {
    const run = await duban(['--lang', 'zh', 'notify', 'test', '--plan', routedPlan, '--to', 'chengguan-head'], { env: SEED_SECRET_ENV });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // 催办 goes to the unit's 企业微信 robot (and the platform's copy), @-mentioning the person.
    expect(run.stdout).toMatch(/^向 城管办主任（示例） \(chengguan-head\) 发送「reminder」测试通知：/);
    expect(run.stdout).toContain('  ✓ chengguan-robot（wecom）→ chengguan：200，http://127.0.0.1:');
    expect(run.stdout).toContain('  ✓ ops-hook（webhook）→ 全群：200');
    expect(receivers.messages.map((m) => `${m.channel} ${m.to.join(' ')}`).sort()).toEqual(['chengguan-robot @ChengGuanZhuRen @13800000021', 'ops-hook 城管办主任（示例）']);
    expect(receivers.messages[0]?.subject).toContain('（测试通知，请忽略）');
  });

  test('--kind and --json: a 督办单 by email, the report as JSON without secrets', async () => {
    const run = await duban(['notify', 'test', '--plan', routedPlan, '--to', 'hq-office-clerk', '--kind', 'supervision-notice', '--json'], { env: SEED_SECRET_ENV });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as RoutingReport;
    expect(report.outcomes.map((o) => [o.channel, o.addressee, o.status])).toEqual(
      expect.arrayContaining([
        ['hq-mail', 'hq-office-clerk', 'sent'],
        ['ops-hook', '*', 'sent'],
      ]),
    );
    expect(report.outcomes.find((o) => o.type === 'email')?.receipt).toMatchObject({ accepted: ['hq-office@example.gov.cn'], status: 250 });
    for (const value of Object.values(SEED_SECRET_ENV)) expect(run.stdout).not.toContain(value);
  });

  test('a 问责 sample to a unit head reaches only the platform: its mail route is for HQ and the accountability group', async () => {
    const run = await duban(['notify', 'test', '--plan', routedPlan, '--to', 'chengguan-head', '--kind', 'accountability'], { env: SEED_SECRET_ENV });
    expect(run.code).toBe(0);
    expect(receivers.messages.map((m) => m.channel)).toEqual(['ops-hook']);
    const officer = await duban(['notify', 'test', '--plan', routedPlan, '--to', 'accountability-officer', '--kind', 'accountability'], { env: SEED_SECRET_ENV });
    expect(officer.code).toBe(0);
    expect(officer.stdout).toContain('hq-mail (email) → accountability-officer: 250');
  });

  test('says so when no route reaches the person with that kind', async () => {
    const plan = JSON.parse(readFileSync(routedPlan, 'utf8')) as { routing: { routes: unknown[] } };
    plan.routing.routes = [{ kinds: ['accountability'], via: 'hq-mail', to: ['role:hq-office'] }];
    const narrow = join(dir, 'narrow-plan.json');
    writeFileSync(narrow, JSON.stringify(plan));
    const run = await duban(['notify', 'test', '--plan', narrow, '--to', 'chengguan-head', '--kind', 'accountability'], { env: SEED_SECRET_ENV });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No route of the plan reaches chengguan-head with a notice of kind accountability');
    expect(run.stderr).toContain('[NOTIFICATION_UNROUTABLE]');
    expect(receivers.messages).toEqual([]);
  });

  test('refuses a person not in the roster, a plan without routing, and a secret that is not set', async () => {
    const nobody = await duban(['notify', 'test', '--plan', routedPlan, '--to', 'no-such-person'], { env: SEED_SECRET_ENV });
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('Plan xihu-2020 has no person no-such-person');
    expect(nobody.stderr).toContain('[NOT_FOUND]');

    const plain = join(dir, 'plain-plan.json');
    const { routing: _routing, ...withoutRouting } = await loadPlanFile(SEED_PLAN_PATH);
    writeFileSync(plain, JSON.stringify(withoutRouting));
    const unrouted = await duban(['notify', 'test', '--plan', plain, '--to', 'chengguan-head'], { env: SEED_SECRET_ENV });
    expect(unrouted.code).toBe(1);
    expect(unrouted.stderr).toContain('has no routing block');

    const { DUBAN_SECRET_XIHU_SMTP: _smtp, ...missing } = SEED_SECRET_ENV;
    const unset = await duban(['notify', 'test', '--plan', routedPlan, '--to', 'chengguan-head'], { env: { ...missing, DUBAN_SECRET_XIHU_SMTP: undefined } });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('The secret xihu-smtp is not set: set DUBAN_SECRET_XIHU_SMTP');
    expect(unset.stderr).toContain('[SECRET_NOT_FOUND]');
  });
});

test('duban dev routes the launched plan to local catch-all receivers and prints one line per message', async () => {
  const cwd = temporaryDirectory('duban-dev-routing-');
  const lines: string[] = [];
  const stop = new AbortController();
  const ctx: CommandContext = {
    cwd,
    env: cliEnv({ DUBAN_KEYS_DIR: join(cwd, 'keys') }),
    output: {
      line: (text) => {
        lines.push(text);
        // The platform's copies are never held by quiet hours: whatever the hour, they arrive.
        if (lines.filter((l) => l.includes('ops-hook (webhook)')).length >= 3) stop.abort();
      },
      error: (text) => lines.push(text),
      json: () => undefined,
      color: false,
    },
  };
  // The workspace's port is chosen free too: derived from the gRPC port it may be another test's.
  await runDev(ctx, { lang: 'en', profile: undefined, port: await freePort(), webPort: await freePort(), launch: SEED_PLAN_PATH, campaignYear: new Date().getFullYear() + 1, signals: [], stop: stop.signal });
  expect(lines).toContainEqual(expect.stringMatching(/^Catch-all receivers on 127\.0\.0\.1 \(nothing leaves this machine\): routed plans xihu-2020; other notifications to http:\/\/127\.0\.0\.1:\d+\/plain\./));
  const copies = lines.filter((l) => l.includes('ops-hook (webhook)'));
  expect(copies.length).toBeGreaterThanOrEqual(3);
  for (const line of copies) expect(line).toMatch(/^ {2}→ ops-hook \(webhook\) to .+: 【交办】.*任务\d+「/);
  // Nothing was refused: the receivers accepted every key, token and signature the worker used.
  expect(lines.filter((l) => l.includes('refused a request'))).toEqual([]);
});
