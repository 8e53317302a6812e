import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ActivityErrorCode,
  AuditStoreError,
  DubanActivityError,
  InMemoryAuditStore,
  SQLITE_SCHEMA_VERSION,
  SqliteAuditStore,
  openSqliteDatabase,
  type AuditStore,
} from '@duban/activities';
import { auditEntry, tempDir } from './fixtures';

let dir: string;
let removeDir: () => void;
beforeEach(() => {
  ({ dir, remove: removeDir } = tempDir());
});
afterEach(() => removeDir());

const stores: Array<[string, () => AuditStore]> = [
  ['SqliteAuditStore', () => SqliteAuditStore.open(join(dir, 'audit.sqlite'))],
  ['InMemoryAuditStore', () => new InMemoryAuditStore()],
];

describe.each(stores)('%s', (_name, open) => {
  let store: AuditStore;
  beforeEach(() => {
    store = open();
  });
  afterEach(async () => store.close());

  test('appending the same idempotency key twice stores one entry and reports the second as not inserted', async () => {
    const entry = auditEntry();
    await expect(store.append(entry)).resolves.toEqual({ inserted: true });
    await expect(store.append({ ...entry, details: { note: 'a retry with other details' } })).resolves.toEqual({ inserted: false });

    const rows = await store.list();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ idempotencyKey: entry.idempotencyKey, event: entry.event, details: { note: '签收' } });
    expect(await store.count()).toBe(1);
  });

  test('lists entries by instant, not by text, then by insertion order for equal instants', async () => {
    // 09:00+08:00 is 01:00Z: earlier than 02:00Z although its text sorts after it.
    const second = auditEntry({ at: '2020-09-01T02:00:00Z', event: 'second' });
    const first = auditEntry({ at: '2020-09-01T09:00:00+08:00', event: 'first' });
    const thirdA = auditEntry({ at: '2020-09-01T03:00:00.000Z', event: 'third-a' });
    const thirdB = auditEntry({ at: '2020-09-01T11:00:00+08:00', event: 'third-b' });
    for (const e of [second, thirdA, first, thirdB]) await store.append(e);

    expect((await store.list()).map((r) => r.event)).toEqual(['first', 'second', 'third-a', 'third-b']);
  });

  test('filters by plan, task, workflow, event and time, and count agrees with list', async () => {
    await store.append(auditEntry({ taskNumber: 3, at: '2020-09-01T09:00:00+08:00' }));
    await store.append(auditEntry({ taskNumber: 3, at: '2020-09-02T09:00:00+08:00', event: 'task.progress-reported' }));
    await store.append(auditEntry({ taskNumber: 4, workflowId: 'duban-xihu-2020-task-4', at: '2020-09-03T09:00:00+08:00' }));
    await store.append(auditEntry({ planId: 'other-plan', at: '2020-09-04T09:00:00+08:00' }));

    expect(await store.count({ planId: 'xihu-2020' })).toBe(3);
    expect(await store.count({ planId: 'xihu-2020', taskNumber: 3 })).toBe(2);
    expect(await store.count({ workflowId: 'duban-xihu-2020-task-4' })).toBe(1);
    expect(await store.count({ event: 'task.progress-reported' })).toBe(1);
    const since = await store.list({ since: '2020-09-02T01:00:00Z' });
    expect(since.map((r) => r.at)).toEqual(['2020-09-02T09:00:00+08:00', '2020-09-03T09:00:00+08:00', '2020-09-04T09:00:00+08:00']);
    expect(await store.list({ since: new Date('2020-09-03T00:00:00Z'), limit: 1 })).toHaveLength(1);
  });

  test('rejects an entry whose time has no offset with a non-retryable INVALID_INPUT naming the field', async () => {
    const error = await store.append(auditEntry({ at: '2020-09-01T09:00:00' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DubanActivityError);
    expect(error).toMatchObject({ code: ActivityErrorCode.INVALID_INPUT, retryable: false, details: { field: 'at' } });
    expect(await store.count()).toBe(0);
  });
});

describe('SqliteAuditStore on disk', () => {
  test('keeps entries across close and reopen, and records the schema version', async () => {
    const file = join(dir, 'audit.sqlite');
    const first = SqliteAuditStore.open(file);
    const entry = auditEntry();
    await first.append(entry);
    await first.close();

    const again = SqliteAuditStore.open(file);
    expect(await again.append(entry)).toEqual({ inserted: false });
    expect((await again.list()).map((r) => r.idempotencyKey)).toEqual([entry.idempotencyKey]);
    await again.close();

    const db = openSqliteDatabase(file);
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: SQLITE_SCHEMA_VERSION });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  test('creates the directories of a database path that does not exist yet', async () => {
    const file = join(dir, 'nested', 'deeper', 'audit.sqlite');
    const store = SqliteAuditStore.open(file);
    await store.append(auditEntry());
    expect(store.file).toBe(file);
    expect(await store.count()).toBe(1);
    await store.close();
  });

  test('opening a file that is not a SQLite database fails with AUDIT_STORE_CORRUPT naming the file', () => {
    const file = join(dir, 'audit.sqlite');
    writeFileSync(file, 'this is a text file, not a database\n'.repeat(200));
    let error: unknown;
    try {
      SqliteAuditStore.open(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AuditStoreError);
    expect(error).toMatchObject({ code: ActivityErrorCode.AUDIT_STORE_CORRUPT, file });
    expect((error as Error).message).toContain(file);
  });

  test('opening a path under a regular file fails with AUDIT_STORE_UNAVAILABLE naming the file', () => {
    const blocker = join(dir, 'not-a-directory');
    writeFileSync(blocker, '');
    const file = join(blocker, 'audit.sqlite');
    expect(() => SqliteAuditStore.open(file)).toThrow(expect.objectContaining({ code: ActivityErrorCode.AUDIT_STORE_UNAVAILABLE, file }));
  });

  test('refuses a database written with a newer schema instead of guessing at it', async () => {
    const file = join(dir, 'audit.sqlite');
    const db = openSqliteDatabase(file);
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(SQLITE_SCHEMA_VERSION + 1, new Date().toISOString());
    db.close();

    expect(() => SqliteAuditStore.open(file)).toThrow(
      expect.objectContaining({ code: ActivityErrorCode.AUDIT_STORE_SCHEMA_TOO_NEW, retryable: false }),
    );
  });

  test('a closed store fails with AUDIT_STORE_CLOSED instead of a driver error', async () => {
    const store = SqliteAuditStore.open(join(dir, 'audit.sqlite'));
    await store.close();
    await expect(store.append(auditEntry())).rejects.toMatchObject({ code: ActivityErrorCode.AUDIT_STORE_CLOSED });
  });

  test('two stores on one file see each other\'s entries and still deduplicate', async () => {
    const file = join(dir, 'audit.sqlite');
    const a = SqliteAuditStore.open(file);
    const b = SqliteAuditStore.open(file);
    const entry = auditEntry();
    expect(await a.append(entry)).toEqual({ inserted: true });
    expect(await b.append(entry)).toEqual({ inserted: false });
    expect(await b.count()).toBe(1);
    await a.close();
    await b.close();
  });
});
