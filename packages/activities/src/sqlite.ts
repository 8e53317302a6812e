import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { messageOf } from '@duban/common';
import { ActivityErrorCode, AuditStoreError } from './errors';

/** A better-sqlite3 connection, as the audit store and the outbox share it. */
export type SqliteDatabase = Database.Database;

export interface OpenSqliteOptions {
  /**
   * How long a write waits for another connection's lock before failing, in ms.
   * Several workers on one host may share the file; WAL lets readers through, and this
   * covers the short write transactions. Default 5000.
   */
  busyTimeoutMs?: number;
}

/**
 * Schema changes, in order. A database records the highest version applied in
 * `schema_version`; opening applies the missing ones in one transaction each. Never
 * edit a shipped migration: add the next one.
 */
const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE audit_entries (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        idempotency_key TEXT    NOT NULL UNIQUE,
        at              TEXT    NOT NULL,
        -- ISO strings with different offsets do not sort by instant; this does.
        at_ms           INTEGER NOT NULL,
        plan_id         TEXT    NOT NULL,
        task_number     INTEGER NOT NULL,
        workflow_id     TEXT    NOT NULL,
        actor           TEXT    NOT NULL,
        event           TEXT    NOT NULL,
        details         TEXT    NOT NULL CHECK (json_valid(details)),
        recorded_at     TEXT    NOT NULL
      );
      CREATE INDEX audit_entries_by_time ON audit_entries (at_ms, id);
      CREATE INDEX audit_entries_by_task ON audit_entries (plan_id, task_number, at_ms, id);
      CREATE INDEX audit_entries_by_workflow ON audit_entries (workflow_id, at_ms, id);

      CREATE TABLE notifications (
        idempotency_key TEXT    PRIMARY KEY,
        workflow_id     TEXT    NOT NULL,
        kind            TEXT    NOT NULL,
        channel         TEXT    NOT NULL,
        http_status     INTEGER,
        sent_at         TEXT    NOT NULL
      );
    `,
  },
  {
    // The hash chain (@duban/identity): nullable, since entries written before chains
    // existed have no link; all three or none.
    version: 2,
    sql: `
      ALTER TABLE audit_entries ADD COLUMN chain_seq INTEGER;
      ALTER TABLE audit_entries ADD COLUMN prev_hash TEXT;
      ALTER TABLE audit_entries ADD COLUMN hash TEXT
        CHECK ((hash IS NULL) = (chain_seq IS NULL) AND (hash IS NULL) = (prev_hash IS NULL));
      CREATE INDEX audit_entries_by_chain ON audit_entries (workflow_id, chain_seq);
    `,
  },
  {
    // Routed messages waiting for the end of quiet hours or for a daily digest
    // (routing/held-store.ts); group_key is what goes out together (a digest batch).
    version: 3,
    sql: `
      CREATE TABLE held_deliveries (
        delivery_key   TEXT    PRIMARY KEY,
        group_key      TEXT    NOT NULL,
        plan_id        TEXT    NOT NULL,
        workflow_id    TEXT    NOT NULL,
        kind           TEXT    NOT NULL,
        channel        TEXT    NOT NULL,
        addressee      TEXT    NOT NULL,
        digest         INTEGER NOT NULL,
        send_after_ms  INTEGER NOT NULL,
        message        TEXT    NOT NULL CHECK (json_valid(message)),
        held_at        TEXT    NOT NULL,
        attempts       INTEGER NOT NULL DEFAULT 0,
        claimed_by     TEXT,
        claim_until_ms INTEGER,
        sent_at        TEXT,
        failed_at      TEXT,
        last_error     TEXT
      );
      CREATE INDEX held_deliveries_due ON held_deliveries (send_after_ms) WHERE sent_at IS NULL AND failed_at IS NULL;
      CREATE INDEX held_deliveries_by_group ON held_deliveries (group_key);
    `,
  },
  {
    // What keeps a campaign's payloads small (campaign-store.ts): the plans it was launched
    // from, content-addressed and stored once per hash, and the snapshot each run saves
    // before continuing as new; both JSON texts in parts.
    version: 4,
    sql: `
      CREATE TABLE plans (
        hash      TEXT    NOT NULL,
        part      INTEGER NOT NULL,
        parts     INTEGER NOT NULL,
        plan_id   TEXT    NOT NULL,
        body      TEXT    NOT NULL,
        stored_at TEXT    NOT NULL,
        PRIMARY KEY (hash, part)
      );
      CREATE TABLE campaign_snapshots (
        workflow_id TEXT    NOT NULL,
        run_id      TEXT    NOT NULL,
        part        INTEGER NOT NULL,
        parts       INTEGER NOT NULL,
        body        TEXT    NOT NULL,
        stored_at   TEXT    NOT NULL,
        PRIMARY KEY (workflow_id, run_id, part)
      );
    `,
  },
];

/** One audit entry as the insert binds it (named parameters; `recordedAt` is added by the writer). */
export interface AuditInsertRow {
  idempotencyKey: string;
  at: string;
  atMs: number;
  planId: string;
  taskNumber: number;
  workflowId: string;
  actor: string;
  event: string;
  /** The details as JSON text. */
  details: string;
  chainSeq: number | null;
  prevHash: string | null;
  hash: string | null;
}

/** Stores an audit entry unless one with its idempotency key exists (`changes` says which). */
export const AUDIT_INSERT_SQL = `
  INSERT INTO audit_entries
    (idempotency_key, at, at_ms, plan_id, task_number, workflow_id, actor, event, details, recorded_at, chain_seq, prev_hash, hash)
  VALUES
    (@idempotencyKey, @at, @atMs, @planId, @taskNumber, @workflowId, @actor, @event, @details, @recordedAt, @chainSeq, @prevHash, @hash)
  ON CONFLICT (idempotency_key) DO NOTHING
`;

/** The schema version this build of duban writes. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

const UNAVAILABLE_CODES = /^(SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_PERM|SQLITE_BUSY|SQLITE_LOCKED|SQLITE_IOERR|SQLITE_FULL|SQLITE_AUTH)/;
const CORRUPT_CODES = /^(SQLITE_NOTADB|SQLITE_CORRUPT)/;

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * Maps a better-sqlite3 or file-system error to an {@link AuditStoreError} naming the
 * file and saying what to do; `doing` completes "could not ...".
 */
export function sqliteFailure(err: unknown, file: string, doing: string): AuditStoreError {
  if (err instanceof AuditStoreError) return err;
  const code = errorCode(err);
  const reason = messageOf(err);
  if (code !== undefined && CORRUPT_CODES.test(code)) {
    return new AuditStoreError(
      ActivityErrorCode.AUDIT_STORE_CORRUPT,
      `Could not ${doing}: ${file} is not a readable duban SQLite database (${reason}). ` +
        'Point DUBAN_AUDIT_DB at another file, or restore this one from a backup.',
      file,
      { cause: err, details: { sqliteCode: code } },
    );
  }
  // better-sqlite3 throws a TypeError like this for a closed connection.
  if (code === undefined && /connection is not open/i.test(reason)) {
    return new AuditStoreError(
      ActivityErrorCode.AUDIT_STORE_CLOSED,
      `Could not ${doing}: the database ${file} was already closed.`,
      file,
      { cause: err },
    );
  }
  const hint =
    code !== undefined && UNAVAILABLE_CODES.test(code)
      ? 'Check that the directory is writable, the disk has space, and no other program holds a long lock on it.'
      : 'Check the file and its directory.';
  return new AuditStoreError(
    ActivityErrorCode.AUDIT_STORE_UNAVAILABLE,
    `Could not ${doing} ${file}: ${reason}. ${hint}`,
    file,
    { cause: err, details: code === undefined ? {} : { sqliteCode: code } },
  );
}

function migrate(db: SqliteDatabase, file: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    applied_at TEXT    NOT NULL
  )`);
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null };
  const current = row.version ?? 0;
  if (current > SQLITE_SCHEMA_VERSION) {
    throw new AuditStoreError(
      ActivityErrorCode.AUDIT_STORE_SCHEMA_TOO_NEW,
      `${file} has schema version ${current}, newer than the ${SQLITE_SCHEMA_VERSION} this duban knows. ` +
        'Upgrade duban, or use another file.',
      file,
      { details: { schemaVersion: current, supportedVersion: SQLITE_SCHEMA_VERSION } },
    );
  }
  const record = db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)');
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    // IMMEDIATE: two workers opening a fresh file at once must not both migrate it.
    db.transaction(() => {
      const again = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null };
      if ((again.version ?? 0) >= migration.version) return;
      db.exec(migration.sql);
      record.run(migration.version, new Date().toISOString());
    }).immediate();
  }
}

/**
 * Opens (creating when missing, with its directory) the duban SQLite database at
 * `file`: WAL journal, busy timeout, full sync, schema migrated to
 * {@link SQLITE_SCHEMA_VERSION}. `:memory:` gives a private in-memory database. The audit
 * store writes its entries through a connection of its own on another thread
 * (`sqlite-writer.ts`), opened the same way.
 *
 * @throws AuditStoreError `AUDIT_STORE_UNAVAILABLE`, `AUDIT_STORE_CORRUPT` or `AUDIT_STORE_SCHEMA_TOO_NEW`.
 */
export function openSqliteDatabase(file: string, options: OpenSqliteOptions = {}): SqliteDatabase {
  const inMemory = file === ':memory:';
  const path = inMemory ? file : resolve(file);
  let db: SqliteDatabase | undefined;
  try {
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
    // The first statement that reads the header: a non-database file fails here.
    db.pragma('journal_mode = WAL');
    // An audit row must survive power loss once the activity has reported success to
    // Temporal, or the trail has a hole nobody retries; NORMAL would only survive a crash.
    // The fsync this costs on every commit is paid on the audit store's writer thread, not
    // on the worker's event loop (sqlite-writer.ts).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
    return db;
  } catch (err) {
    db?.close();
    throw sqliteFailure(err, path, 'open the audit database');
  }
}
