/**
 * How the SQLite audit store writes: on a thread of its own (the worker's event loop never
 * waits for the disk), every commit fsynced (`synchronous = FULL` in WAL mode), entries
 * that arrive together committed together in the order they were appended, and an entry
 * whose append resolved survives the process being killed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { SqliteAuditStore } from '@duban/activities';
import { auditEntry, tempDir } from './fixtures';

let dir: string;
let removeDir: () => void;
beforeEach(() => {
  ({ dir, remove: removeDir } = tempDir());
});
afterEach(() => removeDir());

test('appends are written by a thread of the store with the WAL journal and synchronous = FULL', async () => {
  const store = SqliteAuditStore.open(join(dir, 'audit.sqlite'));
  try {
    await expect(store.append(auditEntry())).resolves.toEqual({ inserted: true });
    await expect(store.durability()).resolves.toEqual({ journalMode: 'wal', synchronous: 'full', writer: 'thread' });
  } finally {
    await store.close();
  }
});

test('the event loop keeps turning while an append waits for the file, and the append lands once the file is free', async () => {
  const file = join(dir, 'audit.sqlite');
  const store = SqliteAuditStore.open(file);
  // Another process's long write transaction holds the file's write lock.
  const other = new Database(file);
  try {
    await store.append(auditEntry({ idempotencyKey: 'before' }));
    other.exec('BEGIN IMMEDIATE');
    const appended = store.append(auditEntry({ idempotencyKey: 'while-locked' }));
    let settled = false;
    void appended.finally(() => (settled = true));
    // Written on this thread, the append would hold the event loop until the lock is gone
    // (or the busy timeout): this timer could not fire, nor the lock be released below.
    await sleep(200);
    expect(settled).toBe(false);
    other.exec('COMMIT');
    await expect(appended).resolves.toEqual({ inserted: true });
    expect((await store.list()).map((r) => r.idempotencyKey)).toEqual(['before', 'while-locked']);
  } finally {
    other.close();
    await store.close();
  }
});

test('entries appended together are committed in the order they were appended, each once', async () => {
  const store = SqliteAuditStore.open(join(dir, 'audit.sqlite'));
  try {
    const at = '2020-09-01T09:00:00+08:00';
    const keys = Array.from({ length: 60 }, (_, i) => `together-${String(i).padStart(2, '0')}`);
    const results = await Promise.all([...keys, keys[7] as string].map((idempotencyKey) => store.append(auditEntry({ idempotencyKey, at }))));
    expect(results.filter((r) => r.inserted)).toHaveLength(60);
    expect(results[60]).toEqual({ inserted: false });
    // Equal instants list in insertion order: the order of the append calls.
    expect((await store.list()).map((r) => r.idempotencyKey)).toEqual(keys);
  } finally {
    await store.close();
  }
});

/** A process that appends entries 8 at a time until killed, printing each key once its append resolved. */
const APPENDER = `
const { SqliteAuditStore } = require('@duban/activities');
const store = SqliteAuditStore.open(process.argv[1]);
let n = 0;
const lane = async () => {
  for (;;) {
    const key = 'entry-' + n++;
    await store.append({ idempotencyKey: key, at: new Date().toISOString(), planId: 'p', taskNumber: 1, workflowId: 'w', actor: 'system', event: 'e', details: { n } });
    process.stdout.write(key + '\\n');
  }
};
for (let i = 0; i < 8; i++) void lane();
`;

test('a process killed (SIGKILL) while appending loses no entry whose append had resolved', async () => {
  const file = join(dir, 'audit.sqlite');
  const child = spawn(process.execPath, ['-e', APPENDER, file], { cwd: __dirname, stdio: ['ignore', 'pipe', 'pipe'] });
  const acknowledged: string[] = [];
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  let partial = '';
  const killed = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      acknowledged.push(...lines);
      // Killed mid-stream: appends are in flight on the writer thread.
      if (acknowledged.length >= 300) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    void killed.then(() => reject(new Error(`the appender exited early: ${errors}`)));
  });
  await killed;
  const store = SqliteAuditStore.open(file);
  try {
    const stored = new Set((await store.list()).map((r) => r.idempotencyKey));
    expect(acknowledged.filter((key) => !stored.has(key))).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(acknowledged.length);
  } finally {
    await store.close();
  }
});
