/**
 * Done when (issue 13): the whole seed campaign, simulated, sends the right kinds to the
 * right people through each channel. `duban simulate`'s engine plays
 * `scenarios/chengjian-late-task4.yaml` on the seed plan from the launch to the campaign's
 * end (two years, 21 tasks with the amendment's, so 交办, 催办, 督办单, 约谈, 问责, 退回,
 * 延期, 计划调整, 表扬, 待审核 and the weekly 通报 all occur), and the worker's notifier is
 * the plan's own routing delivering over real local receivers on 127.0.0.1: an SMTP server
 * for the HQ mailbox, 企业微信 and 钉钉 robot endpoints that check key, token and 加签, and
 * a webhook receiver that checks the HMAC signature (`duban dev`'s receivers).
 *
 * The expectation is built apart from the routing code: the notices come from the audit
 * trail (each notice goes with the audit entry the workflow recorded), and the routing
 * table of the seed plan is written out below. Quiet hours and the daily digest are
 * modelled from the plan's times: a non-urgent message to people issued between 22:00 and
 * 07:30 (plan time) is held and sent when they end, and supervisor-li, who chose a daily
 * digest, gets her non-urgent mail in one message a day at 08:30.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { envSecrets, LogAndWebhookNotifier, RoutingNotifier, type NotificationInput, type Notifier } from '@duban/activities';
import { startDevReceivers, type DevMessage, type DevReceivers } from '@duban/cli';
import type { NoticeKind } from '@duban/common';
import { describeDue, loadPlanFile, rebasePlan, type Plan } from '@duban/plan';
import { loadScenarioFile, simulate, type SimulationOutcome } from '@duban/simulate';
import { debug, removeTemporaryDirectories, SEED_PLAN_PATH, temporaryDirectory } from '../harness';
import { repoRoot } from '../cli/run';
import { ISO_INSTANT, SEED_SECRET_ENV } from './fixtures';

jest.setTimeout(300_000);

const SCENARIO = join(repoRoot, 'scenarios', 'chengjian-late-task4.yaml');
const BUNDLE = join(repoRoot, '.duban', 'test', 'workflows-bundle.js');
/** Next year in the plan's zone: every re-dated date lies ahead of the time-skipping server's clock. */
const YEAR = DateTime.now().setZone('Asia/Shanghai').year + 1;
const ZONE = 'Asia/Shanghai';
/** A date in Chinese: a day (2027年12月31日), or a deadline in the plan's words (2027年内, 2028年底, 2027年国庆节前). */
const LOCAL_DATE = /\d{4}年(\d{1,2}月\d{1,2}日|\d{1,2}月底|底|内|\S{1,4}前)/;

// ------------------------------------------------------------------ the routing table of the seed plan

/** Each unit's group robot (`routing.robots`): the offices' 企业微信 robots, the communities' shared 钉钉 robot. */
const ROBOT: Record<string, string> = {
  chengjian: 'chengjian-robot',
  chengguan: 'chengguan-robot',
  jingfa: 'jingfa-robot',
  shehui: 'shehui-robot',
  dangzheng: 'dangzheng-robot',
  langonglu: 'communities-robot',
  'example-community-a': 'communities-robot',
  'example-community-b': 'communities-robot',
  'example-community-c': 'communities-robot',
  'example-community-d': 'communities-robot',
  'example-community-e': 'communities-robot',
};
/** Each unit's head on the roster. */
const HEAD: Record<string, string> = {
  chengjian: 'chengjian-head',
  chengguan: 'chengguan-head',
  jingfa: 'jingfa-head',
  shehui: 'shehui-head',
  dangzheng: 'dangzheng-head',
};
const HQ_OFFICE = ['hq-office-clerk'];
/** Headquarters: its leaders and its office (the bulletin's readers). */
const HQ = ['hq-secretary', 'hq-director', 'hq-office-clerk'];
const SUPERVISORS = ['hq-secretary', 'hq-director', 'supervisor-li', 'supervisor-zhou'];
const ACCOUNTABILITY_GROUP = ['accountability-officer'];
/** The one person with `contact.digest: daily`. */
const DIGEST_READER = 'supervisor-li';
/** Kinds that never wait (schedule.ts says why; written out here so the test does not take it from the code). */
const URGENT = new Set<NoticeKind>(['supervision-notice', 'interview', 'accountability', 'notification-failed']);

/** What a notice says about its task: the units involved and the primary lead (from the audit trail's assignment). */
interface TaskUnits {
  lead: string;
  involved: string[];
}

const robots = (units: string[]) => units.map((unit) => `${ROBOT[unit] ?? `no robot for ${unit}`}>${unit}`);
const mail = (people: string[]) => people.map((person) => `hq-mail>${person}`);
const head = (unit: string) => HEAD[unit] ?? `no head for ${unit}`;

/**
 * The seed plan's routes, per kind, as `channel>addressee` (a unit by its robot, a person
 * by the HQ mailbox, `*` for the platform's copy of every notice):
 * day-to-day work to the units' robots; 督办单 and 约谈 by email to the people the task
 * names (the lead's head and HQ office; for 约谈 the accountability group and the lead's
 * head); 问责 only to HQ office and the accountability group; what HQ and the supervisors
 * decide or read, by email.
 */
function routesOf(kind: NoticeKind, task: TaskUnits | undefined): string[] {
  const lead = task?.lead ?? '';
  const table: Record<NoticeKind, () => string[]> = {
    assignment: () => robots(task?.involved ?? []),
    reminder: () => robots([lead]),
    returned: () => robots([lead]),
    'extension-decided': () => robots([lead]),
    amended: () => robots([lead]),
    cancelled: () => robots(task?.involved ?? []),
    'supervision-notice': () => mail([head(lead), ...HQ_OFFICE]),
    interview: () => mail([...ACCOUNTABILITY_GROUP, head(lead)]),
    accountability: () => mail([...HQ_OFFICE, ...ACCOUNTABILITY_GROUP]),
    'review-requested': () => mail(SUPERVISORS),
    'review-overdue': () => mail([...SUPERVISORS, ...HQ_OFFICE]),
    'extension-requested': () => mail(HQ_OFFICE),
    commendation: () => mail([head(lead), ...HQ_OFFICE]),
    'notification-failed': () => mail(HQ_OFFICE),
    bulletin: () => mail(HQ),
    // The seed plan gives no duty to another body (每月调度 by an office): none is sent.
    'duty-due': () => [],
  };
  return [...table[kind](), 'ops-hook>*'];
}

/** The audit entries that carry a notice, and its kind. */
const NOTICE_OF_EVENT: Record<string, NoticeKind> = {
  'task.assigned': 'assignment',
  'escalation.reminder': 'reminder',
  'escalation.supervision-notice': 'supervision-notice',
  'escalation.interview': 'interview',
  'escalation.accountability': 'accountability',
  'task.submitted': 'review-requested',
  'review.overdue': 'review-overdue',
  'review.returned': 'returned',
  'task.commended': 'commendation',
  'extension.requested': 'extension-requested',
  'extension.approved': 'extension-decided',
  'extension.refused': 'extension-decided',
  'task.amended': 'amended',
  'task.cancelled': 'cancelled',
  'notification.failed': 'notification-failed',
  'campaign.bulletin': 'bulletin',
};

interface IssuedNotice {
  key: string;
  kind: NoticeKind;
  at: string;
  task: number | undefined;
}

interface AuditRow {
  idempotency_key: string;
  at: string;
  task_number: number | null;
  event: string;
  details: string;
}

/** Minutes since local midnight. */
const minutesOf = (t: DateTime) => t.hour * 60 + t.minute;
/** 22:00–07:30 plan time (`routing.quietHours`). */
const inQuietHours = (t: DateTime) => minutesOf(t) >= 22 * 60 || minutesOf(t) < 7 * 60 + 30;
/** The digest that carries a message issued at `t`: the next 08:30 plan time. */
function digestOf(t: DateTime): DateTime {
  const today = t.startOf('day').set({ hour: 8, minute: 30 });
  return today > t ? today : today.plus({ days: 1 });
}

/** `<notification key>><channel>><addressee>` → its parts. */
function partsOf(key: string | undefined): { notification: string; route: string } {
  const [notification = '', channel = '', addressee = ''] = (key ?? '').split('>');
  return { notification, route: `${channel}>${decodeURIComponent(addressee)}` };
}

/** Counts of `channel kind addressee`: the table the test compares. */
function tally(entries: Array<{ kind: string; route: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { kind, route } of entries) {
    const [channel, addressee] = route.split('>');
    const name = `${channel} ${kind} ${addressee}`;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

// ------------------------------------------------------------------ the run

let plan: Plan;
let receivers: DevReceivers | undefined;
let routing: RoutingNotifier | undefined;
let outcome: SimulationOutcome;
/** The notifications the worker's notify activity was given, by key (a retried activity gives the same key). */
const given = new Map<string, NotificationInput>();
/** The notices of the audit trail. */
let notices: IssuedNotice[] = [];
const tasks = new Map<number, TaskUnits>();
/** Messages received while the campaign ran; the rest came when the held deliveries were sent after it. */
let duringCampaign = 0;
let wallMs = 0;
/** What a receiver refused (a key, token or signature that did not check). */
const refused: string[] = [];

beforeAll(async () => {
  const started = Date.now();
  plan = await loadPlanFile(SEED_PLAN_PATH);
  const scenario = await loadScenarioFile(SCENARIO, plan);
  const secrets = envSecrets({ env: SEED_SECRET_ENV });
  receivers = await startDevReceivers({ plans: [plan], secrets, onRefused: (channel, reason) => refused.push(`${channel}: ${reason}`) });
  const routedPlans = receivers.plans;

  // Quiet hours and digests are decided by the notifier's clock. Here that is the virtual
  // instant the workflow issued the notice (its `at`), carried into the synchronous clock
  // of each notify call; the held deliveries are sent once the campaign is over.
  const issuedAt = new AsyncLocalStorage<number>();
  let afterCampaignMs = 0;
  const clock = () => issuedAt.getStore() ?? afterCampaignMs;
  let inFlight = 0;
  const dir = temporaryDirectory('duban-campaign-delivery-');

  const run = await simulate({
    plan,
    planFile: SEED_PLAN_PATH,
    scenario,
    campaignYear: YEAR,
    outDir: dir,
    env: process.env,
    ...(existsSync(BUNDLE) ? { workflowBundle: { codePath: BUNDLE } } : {}),
    notifier: async ({ outbox, logger }): Promise<Notifier> => {
      routing = await RoutingNotifier.create({ plans: routedPlans, outbox, secrets, clock, logger, fallback: new LogAndWebhookNotifier({ outbox, logger }) });
      const routed = routing;
      return {
        notify: async (notification, options) => {
          given.set(notification.idempotencyKey, notification);
          inFlight += 1;
          try {
            return await issuedAt.run(Date.parse(notification.at), () => routed.notify(notification, options));
          } finally {
            inFlight -= 1;
          }
        },
      };
    },
    onServer: async () => {
      // The last notices' deliveries finish; then what was held is due.
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      duringCampaign = receivers?.messages.length ?? 0;
      afterCampaignMs = DateTime.fromObject({ year: YEAR + 3 }, { zone: ZONE }).toMillis();
      const dispatcher = routing?.dispatcher({ owner: 'campaign-delivery-test', limit: 500 });
      if (dispatcher === undefined) throw new Error('the routing notifier was not built');
      for (let pass = 0; pass < 20; pass += 1) {
        const sent = await dispatcher.dispatchDue();
        if (sent.length === 0) break;
        const unsent = sent.filter((s) => s.status !== 'sent');
        if (unsent.length > 0) throw new Error(`held deliveries not sent: ${JSON.stringify(unsent)}`);
      }
    },
  });
  outcome = run.outcome;

  // The notices, from the audit trail the workflows wrote (each notice goes with its entry).
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dir, 'audit.sqlite'), { readonly: true });
  const rows = db.prepare('SELECT idempotency_key, at, task_number, event, details FROM audit_entries ORDER BY id').all() as AuditRow[];
  db.close();
  for (const row of rows) {
    if (row.event === 'task.assigned' && row.task_number !== null) {
      const d = JSON.parse(row.details) as { primaryLead: string; assistingLeads: string[]; responsible: string[] };
      tasks.set(row.task_number, { lead: d.primaryLead, involved: [...new Set([d.primaryLead, ...d.assistingLeads, ...d.responsible])] });
    }
    const kind = NOTICE_OF_EVENT[row.event];
    if (kind === undefined) continue;
    // A key or the campaign's end changed by an amendment is recorded without telling anyone.
    if (row.event === 'task.amended' && !/"(deadline|leads)"/.test(row.details)) continue;
    const key = kind === 'bulletin' ? row.idempotency_key : row.idempotency_key.replace(/:[^:]+$/, `:notify.${kind}`);
    notices.push({ key, kind, at: row.at, task: row.task_number ?? undefined });
  }
  notices = [...new Map(notices.map((n) => [n.key, n])).values()];
  wallMs = Date.now() - started;
  if (debug) process.stderr.write(`campaign-delivery: ${notices.length} notices, ${receivers.messages.length} messages, ${wallMs} ms\n`);
});

afterAll(async () => {
  await routing?.close();
  await receivers?.close();
  removeTemporaryDirectories();
});

const messages = (): DevMessage[] => receivers?.messages ?? [];
const kindOfKey = (key: string | undefined): NoticeKind | undefined => {
  const notification = partsOf(key).notification;
  return given.get(notification)?.notice.kind;
};
/** The body people read: a 钉钉 post's closing @-mentions are addresses, not words. */
const bodyOf = (m: DevMessage) => `${m.subject}\n${m.text.replace(/\n\n(@\S+ ?)+$/, '')}`;

/** Per delivery expected: the notice, the route, and whether it waits (quiet hours) or goes in a digest. */
function expectedDeliveries(): Array<{ key: string; kind: NoticeKind; route: string; held: boolean; digest: string | undefined }> {
  return notices.flatMap((notice) => {
    const task = notice.task === undefined ? undefined : tasks.get(notice.task);
    const issued = DateTime.fromISO(notice.at, { zone: ZONE });
    return routesOf(notice.kind, task).map((route) => {
      const toPeople = !route.startsWith('ops-hook>');
      const waits = toPeople && !URGENT.has(notice.kind);
      const digest = waits && route === `hq-mail>${DIGEST_READER}` ? digestOf(issued).toFormat("yyyy-MM-dd'T'HH:mm") : undefined;
      return { key: `${notice.key}>${route}`, kind: notice.kind, route, held: waits && digest === undefined && inQuietHours(issued), digest };
    });
  });
}

test('the campaign ran to its end and every rung of the ladder, returns, extensions, an amendment and the weekly bulletins occurred', () => {
  expect(outcome.endedBy).not.toBe('until');
  expect(outcome.totals.tasks).toBe(21);
  const kinds = new Set(notices.map((n) => n.kind));
  for (const kind of ['assignment', 'reminder', 'supervision-notice', 'interview', 'accountability', 'returned', 'review-requested', 'commendation', 'extension-requested', 'extension-decided', 'amended', 'bulletin'] as const) {
    expect([kind, kinds.has(kind)]).toEqual([kind, true]);
  }
  // The notices of the audit trail are the notifications the worker was given, no more, no fewer.
  expect([...given.keys()].sort()).toEqual(notices.map((n) => n.key).sort());
  // Every task's lead on the audit trail is the plan's primary lead (the first lead unit).
  for (const action of plan.actions) for (const t of action.tasks) expect([t.number, tasks.get(t.number)?.lead]).toEqual([t.number, t.lead[0]]);
  // The receivers accepted every key, token, 加签 and signature, and every delivery went through.
  expect(refused).toEqual([]);
  expect(notices.filter((n) => n.kind === 'notification-failed')).toEqual([]);
  if (debug) process.stderr.write(`campaign-delivery: wall ${wallMs} ms\n`);
});

test('each message reaches the channel and person the routing table names, once: counted per channel, kind and recipient', () => {
  const expected = expectedDeliveries();
  const received = messages().filter((m) => !(m.idempotencyKey ?? '').startsWith('digest/'));
  // Each delivered once: no key twice, and nothing without a key.
  const keys = messages().map((m) => m.idempotencyKey);
  expect(keys.filter((k) => k === undefined)).toEqual([]);
  expect(new Set(keys).size).toBe(keys.length);

  const got = received.map((m) => ({ kind: kindOfKey(m.idempotencyKey) ?? '?', route: partsOf(m.idempotencyKey).route }));
  const want = expected.filter((d) => d.digest === undefined);
  expect(tally(got)).toEqual(tally(want));
  if (debug) process.stderr.write(`campaign-delivery table:\n${Object.entries(tally(want)).map(([name, n]) => `  ${name}: ${n}`).join('\n')}\n`);
  expect(received.map((m) => m.idempotencyKey).sort()).toEqual(want.map((d) => d.key).sort());

  // 问责 only to HQ office and the accountability group (and the platform's copy), never to the unit.
  const accountability = received.filter((m) => kindOfKey(m.idempotencyKey) === 'accountability');
  expect(accountability.length).toBeGreaterThan(0);
  expect(new Set(accountability.map((m) => partsOf(m.idempotencyKey).route))).toEqual(new Set(['hq-mail>hq-office-clerk', 'hq-mail>accountability-officer', 'ops-hook>*']));
  expect(accountability.filter((m) => m.type === 'email').map((m) => m.to)).toEqual(
    expect.arrayContaining([['指挥部办公室专员（示例） <hq-office@example.gov.cn>'], ['作风问责组组长（示例） <accountability@example.gov.cn>']]),
  );
  // 约谈 to the accountability group and the lead's head, by email.
  const interviews = received.filter((m) => kindOfKey(m.idempotencyKey) === 'interview' && m.type === 'email');
  expect(interviews.length).toBeGreaterThan(0);
  for (const m of interviews) {
    const lead = tasks.get(given.get(partsOf(m.idempotencyKey).notification)?.taskNumber ?? 0)?.lead ?? '';
    expect(['hq-mail>accountability-officer', `hq-mail>${head(lead)}`]).toContain(partsOf(m.idempotencyKey).route);
  }
  // Robots @-mention the unit's people: 企业微信 by user id and mobile, 钉钉 likewise.
  const chengjian = received.find((m) => m.channel === 'chengjian-robot' && kindOfKey(m.idempotencyKey) === 'reminder');
  expect(chengjian?.to).toEqual(['@ChengJianZhuRen', '@ChengJianGanShi', '@13800000011', '@13800000012']);
});

test('quiet hours hold non-urgent messages to people until 07:30; urgent notices and the platform copy go at once', () => {
  const expected = expectedDeliveries();
  const afterwards = messages()
    .slice(duringCampaign)
    .filter((m) => !(m.idempotencyKey ?? '').startsWith('digest/'))
    .map((m) => m.idempotencyKey)
    .sort();
  const held = expected.filter((d) => d.held);
  // The campaign's timers (deadlines at midnight, the ladder counted from them) issue notices at night.
  expect(held.length).toBeGreaterThan(0);
  expect(afterwards).toEqual(held.map((d) => d.key).sort());
  expect(held.every((d) => !URGENT.has(d.kind) && !d.route.startsWith('ops-hook>'))).toBe(true);
});

test("supervisor-li's non-urgent mail comes in one digest a day at 08:30, each notice once", () => {
  const digests = messages().filter((m) => (m.idempotencyKey ?? '').startsWith('digest/'));
  const items = expectedDeliveries().filter((d) => d.digest !== undefined);
  const batches = new Map<string, number>();
  for (const d of items) batches.set(d.digest ?? '', (batches.get(d.digest ?? '') ?? 0) + 1);
  expect(items.length).toBeGreaterThan(0);
  expect(
    digests
      .map((m) => {
        const [, date = '', count = ''] = /^【督办每日汇总】(\d{4}年\d{1,2}月\d{1,2}日)，共(\d+)条通知$/.exec(m.subject) ?? [];
        return `${date} ${count}`;
      })
      .sort(),
  ).toEqual([...batches].map(([batch, count]) => `${DateTime.fromISO(batch, { zone: ZONE }).toFormat('yyyy年M月d日')} ${count}`).sort());
  for (const m of digests) expect(m.to).toEqual(['督查考核组组长（示例） <supervisor-li@example.gov.cn>']);
  // No per-event mail reached her for a kind the digest carries.
  const perEvent = messages().filter((m) => !(m.idempotencyKey ?? "").startsWith('digest/') && partsOf(m.idempotencyKey).route === `hq-mail>${DIGEST_READER}`);
  expect(perEvent.filter((m) => !URGENT.has(kindOfKey(m.idempotencyKey) ?? 'bulletin')).map((m) => m.idempotencyKey)).toEqual([]);
});

test('every message is in Chinese, names units and people (never their codes), and shows dates in the plan zone', () => {
  const codes = [...plan.units.map((u) => u.code), ...plan.people.map((p) => p.id)];
  const code = new RegExp(`(?<![A-Za-z0-9@-])(${codes.map((c) => c.replace(/-/g, '\\-')).join('|')})(?![A-Za-z0-9-])`);
  const english = /\b(Assigned|Reminder|Supervision notice|Interview notice|Accountability|Deadline|Lead unit|Responsible|Please|Open the task|Submitted for review|Commendation|Returned for rework|Extension|[Bb]ulletin|Daily digest)\b/;
  for (const m of messages()) {
    const body = bodyOf(m);
    expect([m.idempotencyKey, /[\u4e00-\u9fff]/.test(m.subject) && /[\u4e00-\u9fff]/.test(m.text)]).toEqual([m.idempotencyKey, true]);
    expect([m.idempotencyKey, body.match(english)?.[0]]).toEqual([m.idempotencyKey, undefined]);
    expect([m.idempotencyKey, body.match(code)?.[0]]).toEqual([m.idempotencyKey, undefined]);
    expect([m.idempotencyKey, body.match(ISO_INSTANT)?.[0] ?? body.match(/\d{4}-\d{2}-\d{2}/)?.[0]]).toEqual([m.idempotencyKey, undefined]);
  }
  for (const m of messages().filter((m) => ['assignment', 'reminder', 'supervision-notice', 'interview', 'accountability', 'bulletin'].includes(kindOfKey(m.idempotencyKey) ?? ''))) {
    expect(m.text).toMatch(LOCAL_DATE);
  }

  // The deadline as the plan gives it, in the plan's zone: "by 31 Dec" is 31 Dec, never 1 Jan 00:00.
  const launched = rebasePlan(plan, YEAR);
  for (const action of launched.actions) {
    for (const task of action.tasks) {
      const due = task.deadline ?? { date: launched.campaign.end, rule: 'by' as const };
      const date = DateTime.fromISO(due.date, { zone: ZONE });
      const day = (d: DateTime) => d.toFormat('yyyy年M月d日');
      const said = [day(date), describeDue(due, 'zh')];
      const assigned = messages().filter((m) => kindOfKey(m.idempotencyKey) === 'assignment' && given.get(partsOf(m.idempotencyKey).notification)?.taskNumber === task.number);
      expect(assigned.length).toBeGreaterThan(0);
      for (const m of assigned) {
        // Robots show Markdown: the label is bold there.
        const text = m.text.replace(/\*\*/g, '');
        expect([task.number, said.some((s) => text.includes(`完成时限：${s}`))]).toEqual([task.number, true]);
        if (due.rule === 'by') expect(m.text).not.toContain(day(date.plus({ days: 1 })));
      }
    }
  }
  // A 督办单 names the lead unit and its head's office, and says the task's number and title.
  const notice = messages().find((m) => kindOfKey(m.idempotencyKey) === 'supervision-notice' && m.type === 'email');
  expect(notice?.subject).toMatch(/^【督办单】任务\d+「.+」$/);
  expect(notice?.text).toMatch(/督办〔\d{4}〕\d+-\d+号/);
});
