/**
 * One contract for every audit store: SQLite, in memory and PostgreSQL (a throwaway
 * cluster for this file) behave the same for idempotency, ordering, filters, the hash
 * chain's columns, the notification outbox and a closed store. Then what only one kind
 * has: migrating an old SQLite file, and PostgreSQL's migrations, credentials and
 * concurrency.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  ActivityErrorCode,
  InMemoryAuditStore,
  InMemoryOutbox,
  POSTGRES_SCHEMA_VERSION,
  PostgresAuditStore,
  SQLITE_SCHEMA_VERSION,
  SqliteAuditStore,
  auditStoreTarget,
  openAuditStore,
  verifyAuditTrail,
  type AuditStore,
  type NotificationOutbox,
  type SentNotification,
} from '@duban/activities';
import { ENV } from '@duban/common';
import { auditEntryHash } from '@duban/identity';
import { POSTGRES_PASSWORD, databaseOf, postgresPerFile } from '../harness/postgres';
import { TASK_EVENTS, chainOf } from './chains';
import { auditEntry, tempDir } from './fixtures';

jest.setTimeout(60_000);

const postgres = postgresPerFile();

let dir: string;
let removeDir: () => void;
beforeEach(() => {
  ({ dir, remove: removeDir } = tempDir());
});
afterEach(() => removeDir());

interface Opened {
  store: AuditStore;
  outbox: NotificationOutbox;
}

const kinds: Array<[string, () => Promise<Opened>]> = [
  [
    'SQLite',
    async () => {
      const store = SqliteAuditStore.open(join(dir, 'audit.sqlite'));
      return { store, outbox: store.outbox() };
    },
  ],
  ['in memory', async () => ({ store: new InMemoryAuditStore(), outbox: new InMemoryOutbox() })],
  [
    'PostgreSQL',
    async () => {
      const store = await PostgresAuditStore.open(await postgres().createDatabase());
      return { store, outbox: store.outbox() };
    },
  ],
];

describe.each(kinds)('the %s audit store', (_kind, open) => {
  let store: AuditStore;
  let outbox: NotificationOutbox;
  beforeEach(async () => {
    ({ store, outbox } = await open());
  });
  afterEach(async () => {
    await outbox.close();
    await store.close();
  });

  test('stores an idempotency key once: a retry with other details is reported as not inserted and changes nothing', async () => {
    const entry = auditEntry();
    await expect(store.append(entry)).resolves.toEqual({ inserted: true });
    await expect(store.append({ ...entry, details: { note: 'a retry with other details' } })).resolves.toEqual({ inserted: false });

    const rows = await store.list();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ idempotencyKey: entry.idempotencyKey, details: { note: '签收' } });
    expect(rows[0]?.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(await store.count()).toBe(1);
  });

  test('two appends of one key at the same moment insert it once', async () => {
    const entry = auditEntry();
    const results = await Promise.all([store.append(entry), store.append(entry), store.append(entry)]);
    expect(results.filter((r) => r.inserted)).toHaveLength(1);
    expect(await store.count()).toBe(1);
  });

  test('lists by instant, not by text, then by insertion order for equal instants', async () => {
    // 09:00+08:00 is 01:00Z: earlier than 02:00Z although its text sorts after it.
    const second = auditEntry({ at: '2020-09-01T02:00:00Z', event: 'second' });
    const first = auditEntry({ at: '2020-09-01T09:00:00+08:00', event: 'first' });
    const thirdA = auditEntry({ at: '2020-09-01T03:00:00.000Z', event: 'third-a' });
    const thirdB = auditEntry({ at: '2020-09-01T11:00:00+08:00', event: 'third-b' });
    for (const e of [second, thirdA, first, thirdB]) await store.append(e);

    const rows = await store.list();
    expect(rows.map((r) => r.event)).toEqual(['first', 'second', 'third-a', 'third-b']);
    // Ids follow insertion: the verifier reads a chain's order from them.
    const byEvent = Object.fromEntries(rows.map((r) => [r.event, r.id]));
    expect(byEvent.second).toBeLessThan(byEvent['third-a'] ?? 0);
    expect(byEvent['third-a']).toBeLessThan(byEvent.first ?? 0);
    // `at` comes back as written, with its offset.
    expect(rows[0]?.at).toBe('2020-09-01T09:00:00+08:00');
  });

  test('filters by plan, task, workflow, event and time, with a limit, and count agrees with list', async () => {
    await store.append(auditEntry({ taskNumber: 3, at: '2020-09-01T09:00:00+08:00' }));
    await store.append(auditEntry({ taskNumber: 3, at: '2020-09-02T09:00:00+08:00', event: 'task.progress-reported' }));
    await store.append(auditEntry({ taskNumber: 4, workflowId: 'duban-xihu-2020-task-4', at: '2020-09-03T09:00:00+08:00' }));
    await store.append(auditEntry({ planId: 'other-plan', at: '2020-09-04T09:00:00+08:00' }));

    expect(await store.count({ planId: 'xihu-2020' })).toBe(3);
    expect(await store.count({ planId: 'xihu-2020', taskNumber: 3 })).toBe(2);
    expect((await store.list({ planId: 'xihu-2020', taskNumber: 3 })).map((r) => r.event)).toEqual(['task.acknowledged', 'task.progress-reported']);
    expect(await store.count({ workflowId: 'duban-xihu-2020-task-4' })).toBe(1);
    expect(await store.count({ event: 'task.progress-reported' })).toBe(1);
    const since = await store.list({ since: '2020-09-02T01:00:00Z' });
    expect(since.map((r) => r.at)).toEqual(['2020-09-02T09:00:00+08:00', '2020-09-03T09:00:00+08:00', '2020-09-04T09:00:00+08:00']);
    expect(await store.count({ since: new Date('2020-09-03T00:00:00Z') })).toBe(2);
    expect((await store.list({ since: new Date('2020-09-03T00:00:00Z'), limit: 1 })).map((r) => r.planId)).toEqual(['xihu-2020']);
    expect(await store.list({ limit: 0 })).toEqual([]);
    await expect(store.list({ limit: -1 })).rejects.toMatchObject({ code: ActivityErrorCode.INVALID_INPUT, details: { field: 'limit' } });
  });

  test('keeps each entry\'s chain link, returns none for an entry written without one, and the stored rows verify', async () => {
    const legacy = auditEntry({ workflowId: 'duban/xihu-2020/task-9', taskNumber: 9 });
    await store.append(legacy);
    const chain = chainOf('duban/xihu-2020/task-3', TASK_EVENTS);
    for (const entry of chain) await store.append(entry);

    const rows = await store.list({ workflowId: 'duban/xihu-2020/task-3' });
    expect(rows.map((r) => r.chain)).toEqual(chain.map((e) => e.chain));
    const [unlinked] = await store.list({ workflowId: 'duban/xihu-2020/task-9' });
    expect(unlinked).toBeDefined();
    expect(unlinked && 'chain' in unlinked).toBe(false);
    expect(verifyAuditTrail(await store.list())).toMatchObject({ ok: true, entries: 6, linked: 5, unlinked: 1 });
  });

  test('gives details back so that they hash as they were sent: Chinese, nested, numbers and control characters', async () => {
    const details = {
      note: '河湖水环境整治 ✓ 🚣',
      nested: { list: [1, 2.5, -0.001, 1e21, 9007199254740991], flag: false, none: null },
      control: 'tab\there, nul\u0000there, quote " and backslash \\',
      zeroWidth: 'a\u200bb',
    };
    const [entry] = chainOf('duban/xihu-2020/task-5', ['task.assigned']);
    if (!entry?.chain) throw new Error('no chained entry');
    await store.append({ ...entry, details, chain: { ...entry.chain, hash: auditEntryHash(entry.chain.seq, entry.chain.prevHash, { ...entry, details }) } });
    const [row] = await store.list();
    expect(row?.details).toEqual(details);
    expect(row && auditEntryHash(row.chain?.seq ?? 0, row.chain?.prevHash ?? '', row)).toBe(row?.chain?.hash);
  });

  test('refuses a malformed link with a non-retryable INVALID_INPUT naming its field, and stores nothing', async () => {
    const [entry] = chainOf('duban/xihu-2020/task-3', ['task.assigned']);
    if (!entry?.chain) throw new Error('no chained entry');
    await expect(store.append({ ...entry, chain: { ...entry.chain, hash: 'not-a-hash' } })).rejects.toMatchObject({
      code: ActivityErrorCode.INVALID_INPUT,
      retryable: false,
      details: { field: 'chain.hash' },
    });
    await expect(store.append({ ...entry, chain: { ...entry.chain, seq: 0 } })).rejects.toMatchObject({ details: { field: 'chain.seq' } });
    expect(await store.count()).toBe(0);
  });

  test('the outbox remembers a delivered notification once', async () => {
    const sent: SentNotification = { idempotencyKey: 'duban/xihu-2020/task-3:1:notify.assignment', workflowId: 'duban/xihu-2020/task-3', kind: 'assignment', channel: 'webhook', httpStatus: 200, sentAt: '2020-09-01T01:00:00.000Z' };
    expect(await outbox.wasSent(sent.idempotencyKey)).toBe(false);
    await outbox.markSent(sent);
    await outbox.markSent({ ...sent, httpStatus: 202 });
    expect(await outbox.wasSent(sent.idempotencyKey)).toBe(true);
    expect(await outbox.wasSent('duban/xihu-2020/task-3:2:notify.reminder')).toBe(false);
  });

  test('a closed store fails every call with AUDIT_STORE_CLOSED (retryable), not a driver error', async () => {
    await store.append(auditEntry());
    await store.close();
    await expect(store.append(auditEntry())).rejects.toMatchObject({ code: ActivityErrorCode.AUDIT_STORE_CLOSED, retryable: true });
    await expect(store.list()).rejects.toMatchObject({ code: ActivityErrorCode.AUDIT_STORE_CLOSED });
    await expect(store.count()).rejects.toMatchObject({ code: ActivityErrorCode.AUDIT_STORE_CLOSED });
    await expect(store.close()).resolves.toBeUndefined();
  });
});

/** The schema duban 0.1 created (migration 1): a file written before chains existed. */
const SCHEMA_V1 = `
  CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
  CREATE TABLE audit_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, idempotency_key TEXT NOT NULL UNIQUE, at TEXT NOT NULL, at_ms INTEGER NOT NULL,
    plan_id TEXT NOT NULL, task_number INTEGER NOT NULL, workflow_id TEXT NOT NULL, actor TEXT NOT NULL, event TEXT NOT NULL,
    details TEXT NOT NULL CHECK (json_valid(details)), recorded_at TEXT NOT NULL
  );
  CREATE INDEX audit_entries_by_time ON audit_entries (at_ms, id);
  CREATE INDEX audit_entries_by_task ON audit_entries (plan_id, task_number, at_ms, id);
  CREATE INDEX audit_entries_by_workflow ON audit_entries (workflow_id, at_ms, id);
  CREATE TABLE notifications (
    idempotency_key TEXT PRIMARY KEY, workflow_id TEXT NOT NULL, kind TEXT NOT NULL, channel TEXT NOT NULL,
    http_status INTEGER, sent_at TEXT NOT NULL
  );
  INSERT INTO schema_version VALUES (1, '2020-08-01T00:00:00.000Z');
`;

describe('an audit file written before chains existed', () => {
  test('opens, upgrades to the current schema keeping every row and the outbox, and takes linked entries after them', async () => {
    const file = join(dir, 'audit.sqlite');
    const old = new Database(file);
    old.exec(SCHEMA_V1);
    const insert = old.prepare(
      `INSERT INTO audit_entries (idempotency_key, at, at_ms, plan_id, task_number, workflow_id, actor, event, details, recorded_at)
       VALUES (?, ?, ?, 'xihu-2020', 3, 'duban/xihu-2020/task-3', 'system', ?, ?, '2020-09-01T01:00:01.000Z')`,
    );
    insert.run('duban/xihu-2020/task-3:1:task.assigned', '2020-09-01T09:00:00+08:00', Date.parse('2020-09-01T01:00:00Z'), 'task.assigned', '{"title":"河湖"}');
    insert.run('duban/xihu-2020/task-3:2:task.acknowledged', '2020-09-01T09:01:00+08:00', Date.parse('2020-09-01T01:01:00Z'), 'task.acknowledged', '{}');
    old.prepare(`INSERT INTO notifications VALUES ('duban/xihu-2020/task-3:1:notify.assignment', 'duban/xihu-2020/task-3', 'assignment', 'log', NULL, '2020-09-01T01:00:02.000Z')`).run();
    old.close();

    const store = await openAuditStore(file);
    const before = await store.list();
    expect(before.map((r) => [r.id, r.event, r.details])).toEqual([
      [1, 'task.assigned', { title: '河湖' }],
      [2, 'task.acknowledged', {}],
    ]);
    expect(before.every((r) => r.chain === undefined)).toBe(true);
    expect(await store.outbox().wasSent('duban/xihu-2020/task-3:1:notify.assignment')).toBe(true);

    // The task's chain starts at its next event, at the genesis hash (a legacy task's first link).
    const chained = chainOf('duban/xihu-2020/task-3', ['progress.reported', 'task.submitted'], { firstSeq: 3 });
    for (const entry of chained) expect(await store.append(entry)).toEqual({ inserted: true });
    const after = await store.list();
    expect([...after].sort((x, y) => x.id - y.id).map((r) => r.chain?.seq ?? null)).toEqual([null, null, 3, 4]);
    expect(verifyAuditTrail(after)).toMatchObject({ ok: true, linked: 2, unlinked: 2 });
    await store.close();

    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: SQLITE_SCHEMA_VERSION });
    expect(SQLITE_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
    db.close();
  });

  test('a half-written link is refused by the file itself, not only by the store', async () => {
    await SqliteAuditStore.open(join(dir, 'audit.sqlite')).close();
    const db = new Database(join(dir, 'audit.sqlite'));
    expect(() =>
      db
        .prepare(
          `INSERT INTO audit_entries (idempotency_key, at, at_ms, plan_id, task_number, workflow_id, actor, event, details, recorded_at, chain_seq)
           VALUES ('k', '2020-09-01T01:00:00Z', 0, 'p', 1, 'w', 'a', 'e', '{}', '2020-09-01T01:00:00Z', 1)`,
        )
        .run(),
    ).toThrow(/CHECK constraint failed/);
    db.close();
  });
});

describe('the PostgreSQL audit store', () => {
  test('workers opening a new database at the same moment migrate it once', async () => {
    const url = await postgres().createDatabase();
    const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresAuditStore.open(url)));
    await Promise.all(stores.map((s, i) => s.append(auditEntry({ idempotencyKey: `concurrent-${i}` }))));
    expect(await stores[0]?.count()).toBe(4);
    await Promise.all(stores.map((s) => s.close()));
    const versions = await postgres().sql(databaseOf(url), 'SELECT version FROM duban_schema_version ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
  });

  test('two workers\' stores on one database see each other\'s entries and deduplicate between them', async () => {
    const url = await postgres().createDatabase();
    const [a, b] = await Promise.all([openAuditStore(url), openAuditStore(url)]);
    if (!a || !b) throw new Error('not opened');
    const entries = Array.from({ length: 20 }, () => auditEntry());
    // Every entry sent by both workers at once (a retried activity on another worker).
    const results = await Promise.all(entries.flatMap((e) => [a.append(e), b.append(e)]));
    expect(results.filter((r) => r.inserted)).toHaveLength(20);
    expect(await b.count()).toBe(20);
    await a.outbox().markSent({ idempotencyKey: 'n-1', workflowId: 'w', kind: 'reminder', channel: 'log', sentAt: '2020-09-01T01:00:00.000Z' });
    expect(await b.outbox().wasSent('n-1')).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  test('is chosen by a postgres:// URL, from DUBAN_AUDIT_URL or a flag, and logs its location without the password', async () => {
    const url = await postgres().createDatabase();
    expect(auditStoreTarget({}, { [ENV.auditUrl]: url, [ENV.auditDb]: '/tmp/ignored.sqlite' }, dir)).toBe(url);
    expect(auditStoreTarget({ file: 'mine.sqlite' }, { [ENV.auditUrl]: url }, dir)).toBe(join(dir, 'mine.sqlite'));
    expect(auditStoreTarget({}, {}, dir)).toBe(join(dir, '.duban', 'audit.sqlite'));
    const store = await openAuditStore(url);
    expect(store).toBeInstanceOf(PostgresAuditStore);
    expect(store.location).toBe(`postgres://duban@127.0.0.1:${postgres().port}/${databaseOf(url)}`);
    expect(store.location).not.toContain(POSTGRES_PASSWORD);
    await store.close();
  });

  test('a wrong password fails with AUDIT_STORE_UNAVAILABLE that says to check it, without showing any password', async () => {
    const url = postgres().url().replace(POSTGRES_PASSWORD, 'wrong-Pa55word');
    const error = await PostgresAuditStore.open(url).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ActivityErrorCode.AUDIT_STORE_UNAVAILABLE, retryable: true, details: { postgresCode: '28P01' } });
    const shown = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(shown).toContain('password');
    expect(shown).not.toContain('wrong-Pa55word');
    expect(shown).not.toContain(POSTGRES_PASSWORD);
  });

  test('no server, or no such database, fails with AUDIT_STORE_UNAVAILABLE naming the database without the password', async () => {
    const closedPort = `postgres://duban:${POSTGRES_PASSWORD}@127.0.0.1:1/duban`;
    const down = await PostgresAuditStore.open(closedPort, { connectTimeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(down).toMatchObject({ code: ActivityErrorCode.AUDIT_STORE_UNAVAILABLE, file: 'postgres://duban@127.0.0.1:1/duban' });
    expect((down as Error).message).not.toContain(POSTGRES_PASSWORD);

    const missing = await PostgresAuditStore.open(postgres().url('no_such_db')).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: ActivityErrorCode.AUDIT_STORE_UNAVAILABLE, details: { postgresCode: '3D000' } });
    expect((missing as Error).message).toMatch(/createdb/);
    expect((missing as Error).message).not.toContain(POSTGRES_PASSWORD);
  });

  test('a database whose duban tables have another shape fails with AUDIT_STORE_CORRUPT; a newer schema with AUDIT_STORE_SCHEMA_TOO_NEW', async () => {
    const foreign = await postgres().createDatabase();
    await postgres().sql(databaseOf(foreign), 'CREATE TABLE duban_schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    await postgres().sql(databaseOf(foreign), 'INSERT INTO duban_schema_version (version) VALUES (1)');
    await postgres().sql(databaseOf(foreign), 'CREATE TABLE duban_audit_entries (id SERIAL PRIMARY KEY, what TEXT)');
    const store = await PostgresAuditStore.open(foreign);
    await expect(store.append(auditEntry())).rejects.toMatchObject({ code: ActivityErrorCode.AUDIT_STORE_CORRUPT });
    await store.close();

    const newer = await postgres().createDatabase();
    await (await PostgresAuditStore.open(newer)).close();
    await postgres().sql(databaseOf(newer), 'INSERT INTO duban_schema_version (version) VALUES ($1)', [POSTGRES_SCHEMA_VERSION + 1]);
    await expect(PostgresAuditStore.open(newer)).rejects.toMatchObject({ code: ActivityErrorCode.AUDIT_STORE_SCHEMA_TOO_NEW, retryable: false });
  });

  test('text PostgreSQL cannot hold (a NUL character) fails with a non-retryable INVALID_INPUT', async () => {
    const store = await PostgresAuditStore.open(await postgres().createDatabase());
    await expect(store.append(auditEntry({ actor: 'chengguan\u0000head' }))).rejects.toMatchObject({ code: ActivityErrorCode.INVALID_INPUT, retryable: false });
    expect(await store.count()).toBe(0);
    await store.close();
  });

  test('another URL scheme fails with AUDIT_STORE_URL_INVALID', async () => {
    await expect(openAuditStore('mysql://duban:secret@db/duban')).rejects.toMatchObject({ code: ActivityErrorCode.AUDIT_STORE_URL_INVALID });
    const error = await openAuditStore('mysql://duban:secret@db/duban').catch((e: unknown) => e);
    expect((error as Error).message).not.toContain('secret');
  });
});
