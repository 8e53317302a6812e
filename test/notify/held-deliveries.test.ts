/**
 * The held-delivery store (quiet hours, digests) in the audit database, SQLite and
 * PostgreSQL alike: holding is idempotent on the delivery key, a claim takes whole groups
 * for a lease, and two workers' dispatchers on one database send every group exactly once
 * (each through a real signed webhook, counted at the receiver by its Idempotency-Key).
 */
import { join } from 'node:path';
import {
  HeldDeliveryDispatcher,
  PostgresAuditStore,
  SignedWebhookChannel,
  Secret,
  SqliteOutbox,
  openHeldDeliveries,
  type HeldDeliveryInput,
  type HeldDeliveryStore,
  type NotificationOutbox,
  type RoutedPlan,
} from '@duban/activities';
import { postgresPerFile } from '../harness/postgres';
import { temporaryDirectory, removeTemporaryDirectories } from '../harness';
import { memoryLogger, startWebhook } from '../activities/fixtures';

afterAll(() => removeTemporaryDirectories());
const postgres = postgresPerFile();

const NOW = Date.parse('2027-03-03T00:00:00.000Z');
const plan: RoutedPlan = { id: 'xihu-2020', timeZone: 'Asia/Shanghai', units: [], people: [], organization: { groups: [] }, routing: { channels: {}, routes: [] } };

let n = 0;
function delivery(overrides: Partial<HeldDeliveryInput> = {}): HeldDeliveryInput {
  n += 1;
  const key = `duban/xihu-2020/task-9:${n}:notify.reminder>ops>*`;
  return {
    deliveryKey: key,
    groupKey: key,
    planId: 'xihu-2020',
    workflowId: 'duban/xihu-2020/task-9',
    kind: 'reminder',
    channel: 'ops',
    addressee: '*',
    digest: false,
    sendAfterMs: NOW - 1000,
    message: { idempotencyKey: key, subject: `【催办】第${n}条`, text: '请抓紧推进。', recipients: [] },
    ...overrides,
  };
}

interface Backend {
  /** Two stores and outboxes on one database, as two workers hold them. */
  open(): Promise<Array<{ held: HeldDeliveryStore; outbox: NotificationOutbox; close: () => Promise<void> }>>;
}

const backends: Array<[string, Backend]> = [
  [
    'SQLite',
    {
      async open() {
        const file = join(temporaryDirectory('duban-held-'), 'audit.sqlite');
        return Promise.all(
          [1, 2].map(async () => {
            const held = await openHeldDeliveries(file);
            const outbox = SqliteOutbox.open(file);
            return { held, outbox, close: async () => void (await Promise.all([held.close(), outbox.close()])) };
          }),
        );
      },
    },
  ],
  [
    'PostgreSQL',
    {
      async open() {
        const url = await postgres().createDatabase();
        return Promise.all(
          [1, 2].map(async () => {
            const held = await openHeldDeliveries(url);
            const store = await PostgresAuditStore.open(url);
            return { held, outbox: store.outbox(), close: async () => void (await Promise.all([held.close(), store.close()])) };
          }),
        );
      },
    },
  ],
];

describe.each(backends)('held deliveries in %s', (_name, backend) => {
  test('holding is idempotent on the delivery key; a claim takes whole due groups of its plans, for a lease', async () => {
    const [worker] = await backend.open();
    if (worker === undefined) throw new Error('no store');
    try {
      const { held } = worker;
      const alone = delivery();
      expect(await held.hold(alone)).toBe(true);
      expect(await held.hold({ ...alone, message: { ...alone.message, subject: 'changed' } })).toBe(false);
      const batch = 'xihu-2020>hq-mail>supervisor-li>2027-03-03T08:30';
      await held.hold(delivery({ groupKey: batch, digest: true }));
      await held.hold(delivery({ groupKey: batch, digest: true }));
      await held.hold(delivery({ sendAfterMs: NOW + 60_000 }));
      await held.hold(delivery({ planId: 'other-plan' }));
      expect(await held.list()).toHaveLength(5);

      const claimed = await held.claimDue({ nowMs: NOW, owner: 'a', leaseMs: 60_000, limit: 10, planIds: ['xihu-2020'] });
      expect(claimed.map((r) => r.groupKey).sort()).toEqual([alone.deliveryKey, batch, batch].sort());
      expect(claimed.find((r) => r.deliveryKey === alone.deliveryKey)?.message.subject).toBe(alone.message.subject);
      expect(await held.claimDue({ nowMs: NOW + 1000, owner: 'b', leaseMs: 60_000, limit: 10, planIds: ['xihu-2020'] })).toEqual([]);

      // Only the owner marks its claim sent; a lease that ran out is free for another.
      await held.markSent([alone.deliveryKey], 'b', new Date(NOW).toISOString());
      const retaken = await held.claimDue({ nowMs: NOW + 61_000, owner: 'b', leaseMs: 60_000, limit: 10, planIds: ['xihu-2020'] });
      expect(retaken.map((r) => r.deliveryKey)).toContain(alone.deliveryKey);
      expect(retaken.every((r) => r.attempts === 2 || r.sendAfterMs === NOW + 60_000)).toBe(true);
      await held.markSent(retaken.map((r) => r.deliveryKey), 'b', new Date(NOW).toISOString());
      expect((await held.list({ state: 'sent' })).map((r) => r.deliveryKey).sort()).toEqual(retaken.map((r) => r.deliveryKey).sort());
    } finally {
      await worker.close();
    }
  });

  test("two workers' dispatchers on one database send every held message exactly once", async () => {
    const workers = await backend.open();
    const receiver = await startWebhook(() => ({ status: 204 }));
    const channel = new SignedWebhookChannel({ name: 'ops', url: receiver.url, secret: new Secret('ops', 'ops-secret') });
    try {
      const first = workers[0];
      if (first === undefined) throw new Error('no store');
      const keys: string[] = [];
      for (let i = 0; i < 30; i += 1) {
        const d = delivery();
        keys.push(d.deliveryKey);
        await first.held.hold(d);
      }
      const dispatchers = workers.map(
        ({ held, outbox }, i) =>
          new HeldDeliveryDispatcher({
            held,
            outbox,
            channel: () => channel,
            plan: () => plan,
            planIds: [plan.id],
            owner: `worker-${i}`,
            logger: memoryLogger(),
            clock: () => NOW,
            limit: 4,
          }),
      );
      // Both pass until neither finds anything due.
      for (let round = 0; round < 20; round += 1) {
        const outcomes = (await Promise.all(dispatchers.map((d) => d.dispatchDue()))).flat();
        if (outcomes.length === 0) break;
      }
      const sent = receiver.requests.map((r) => r.headers['idempotency-key']);
      expect(sent.sort()).toEqual([...keys].sort());
      expect(await first.held.list({ state: 'held' })).toEqual([]);
      for (const key of keys) expect(await first.outbox.wasSent(key)).toBe(true);
    } finally {
      await channel.close();
      await receiver.close();
      for (const w of workers) await w.close();
    }
  });
});
