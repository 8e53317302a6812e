import type { AppendAuditResult, AuditEntryInput } from './contract';
import { ActivityErrorCode, AuditStoreError, DubanActivityError } from './errors';
import { SqliteOutbox } from './outbox';
import { openSqliteDatabase, sqliteFailure, type OpenSqliteOptions, type SqliteDatabase } from './sqlite';
import { parseInstant, validateAuditEntry } from './validate';

/** One stored line of the audit trail: the entry as the workflow sent it (`at` with its offset), plus what the store adds. */
export interface AuditRecord extends AuditEntryInput {
  /** Insertion order; breaks ties between entries with the same `at`. */
  id: number;
  /** When the store wrote the row (ISO, UTC); later than `at` when an activity was retried. */
  recordedAt: string;
}

/** Filters for {@link AuditStore.list} and {@link AuditStore.count}; all optional, combined with AND. */
export interface AuditQuery {
  planId?: string;
  taskNumber?: number;
  workflowId?: string;
  event?: string;
  /** Entries at or after this instant (ISO with offset, or a Date). */
  since?: string | Date;
  /** At most this many entries (list only). */
  limit?: number;
}

/**
 * Where audit entries go. `append` must be idempotent on `idempotencyKey`: activities
 * are retried, and a retry after a lost acknowledgement repeats an append that succeeded.
 */
export interface AuditStore {
  /** Stores the entry unless one with its idempotency key exists; `inserted` says which. */
  append(entry: AuditEntryInput): Promise<AppendAuditResult>;
  /** Entries ordered by `at` (as an instant), then by insertion order. */
  list(query?: AuditQuery): Promise<AuditRecord[]>;
  count(query?: Omit<AuditQuery, 'limit'>): Promise<number>;
  close(): Promise<void>;
}

interface AuditRow {
  id: number;
  idempotency_key: string;
  at: string;
  plan_id: string;
  task_number: number;
  workflow_id: string;
  actor: string;
  event: string;
  details: string;
  recorded_at: string;
}

function sinceMs(since: string | Date): number {
  if (since instanceof Date) {
    const ms = since.getTime();
    if (!Number.isFinite(ms)) {
      throw new DubanActivityError(ActivityErrorCode.INVALID_INPUT, 'Invalid audit query: since is an invalid Date.', {
        details: { field: 'since' },
      });
    }
    return ms;
  }
  return parseInstant('audit query', since, 'since');
}

/** Query fields matched by equality, and their columns. */
const EQUALITY_FILTERS = { planId: 'plan_id', taskNumber: 'task_number', workflowId: 'workflow_id', event: 'event' } as const;
const EQUALITY_FIELDS = Object.keys(EQUALITY_FILTERS) as Array<keyof typeof EQUALITY_FILTERS>;

function whereClause(query: AuditQuery): { sql: string; params: Record<string, string | number> } {
  const conditions: string[] = [];
  const params: Record<string, string | number> = {};
  for (const field of EQUALITY_FIELDS) {
    const value = query[field];
    if (value === undefined) continue;
    conditions.push(`${EQUALITY_FILTERS[field]} = @${field}`);
    params[field] = value;
  }
  if (query.since !== undefined) {
    conditions.push('at_ms >= @sinceMs');
    params.sinceMs = sinceMs(query.since);
  }
  return { sql: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`, params };
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    at: row.at,
    planId: row.plan_id,
    taskNumber: row.task_number,
    workflowId: row.workflow_id,
    actor: row.actor,
    event: row.event,
    details: JSON.parse(row.details) as Record<string, unknown>,
    recordedAt: row.recorded_at,
  };
}

/**
 * The audit trail in a SQLite file (better-sqlite3): one row per entry, idempotent on
 * the entry's key, safe to share between worker processes on one host.
 *
 * @example
 * ```ts
 * const store = SqliteAuditStore.open('.duban/audit.sqlite');
 * await store.append(entry); // { inserted: true }
 * await store.append(entry); // { inserted: false }: same idempotency key
 * const trail = await store.list({ planId: 'xihu-2020', taskNumber: 3 });
 * await store.close();
 * ```
 */
export class SqliteAuditStore implements AuditStore {
  private readonly insert: ReturnType<SqliteDatabase['prepare']>;
  private outboxInstance: SqliteOutbox | undefined;

  private constructor(
    private readonly db: SqliteDatabase,
    /** Absolute path of the database file (or `:memory:`). */
    readonly file: string,
  ) {
    this.insert = db.prepare(`
      INSERT INTO audit_entries
        (idempotency_key, at, at_ms, plan_id, task_number, workflow_id, actor, event, details, recorded_at)
      VALUES
        (@idempotencyKey, @at, @atMs, @planId, @taskNumber, @workflowId, @actor, @event, @details, @recordedAt)
      ON CONFLICT (idempotency_key) DO NOTHING
    `);
  }

  /**
   * Opens or creates the database at `file` (and its directory).
   *
   * @throws AuditStoreError `AUDIT_STORE_UNAVAILABLE` when the file cannot be opened or
   *   created, `AUDIT_STORE_CORRUPT` when it is not a SQLite database.
   */
  static open(file: string, options: OpenSqliteOptions = {}): SqliteAuditStore {
    const db = openSqliteDatabase(file, options);
    return new SqliteAuditStore(db, db.name);
  }

  /**
   * The notification outbox in the same file, on the same connection: one file to back
   * up, and closed with this store.
   */
  outbox(): SqliteOutbox {
    this.outboxInstance ??= SqliteOutbox.onConnection(this.db, this.file);
    return this.outboxInstance;
  }

  async append(entry: AuditEntryInput): Promise<AppendAuditResult> {
    const { atMs, detailsJson } = validateAuditEntry(entry);
    this.assertOpen('append an audit entry to');
    try {
      // Named parameters: fields of the entry the statement does not name are ignored.
      const result = this.insert.run({ ...entry, atMs, details: detailsJson, recordedAt: new Date().toISOString() });
      return { inserted: result.changes === 1 };
    } catch (err) {
      throw sqliteFailure(err, this.file, 'append an audit entry to');
    }
  }

  async list(query: AuditQuery = {}): Promise<AuditRecord[]> {
    this.assertOpen('read the audit trail from');
    const { sql, params } = whereClause(query);
    const limit = query.limit === undefined ? '' : 'LIMIT @limit';
    if (query.limit !== undefined) {
      if (!Number.isSafeInteger(query.limit) || query.limit < 0) {
        throw new DubanActivityError(ActivityErrorCode.INVALID_INPUT, 'Invalid audit query: limit must be a non-negative integer.', {
          details: { field: 'limit' },
        });
      }
      params.limit = query.limit;
    }
    try {
      const rows = this.db
        .prepare(`SELECT * FROM audit_entries ${sql} ORDER BY at_ms, id ${limit}`)
        .all(params) as AuditRow[];
      return rows.map(toRecord);
    } catch (err) {
      throw sqliteFailure(err, this.file, 'read the audit trail from');
    }
  }

  async count(query: Omit<AuditQuery, 'limit'> = {}): Promise<number> {
    this.assertOpen('count the audit trail in');
    const { sql, params } = whereClause(query);
    try {
      const row = this.db.prepare(`SELECT COUNT(*) AS n FROM audit_entries ${sql}`).get(params) as { n: number };
      return row.n;
    } catch (err) {
      throw sqliteFailure(err, this.file, 'count the audit trail in');
    }
  }

  /** Closes the connection (and the outbox on it). Safe to call twice. */
  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private assertOpen(doing: string): void {
    if (!this.db.open) {
      throw new AuditStoreError(
        ActivityErrorCode.AUDIT_STORE_CLOSED,
        `Could not ${doing} ${this.file}: the store was closed. Open a new SqliteAuditStore.`,
        this.file,
      );
    }
  }
}

/**
 * An audit store in memory, for tests and for embedding without a file. Same
 * idempotency and ordering as {@link SqliteAuditStore}; lost when the process ends.
 */
export class InMemoryAuditStore implements AuditStore {
  private readonly records: Array<AuditRecord & { atMs: number }> = [];
  private readonly keys = new Set<string>();

  async append(entry: AuditEntryInput): Promise<AppendAuditResult> {
    const { atMs, detailsJson } = validateAuditEntry(entry);
    if (this.keys.has(entry.idempotencyKey)) return { inserted: false };
    this.keys.add(entry.idempotencyKey);
    this.records.push({
      ...entry,
      id: this.records.length + 1,
      atMs,
      // A copy through JSON, as SQLite would store it: later mutation of the input does not leak in.
      details: JSON.parse(detailsJson) as Record<string, unknown>,
      recordedAt: new Date().toISOString(),
    });
    return { inserted: true };
  }

  async list(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const matching = this.matching(query);
    const limited = query.limit === undefined ? matching : matching.slice(0, query.limit);
    return limited.map(({ atMs: _atMs, ...record }) => record);
  }

  async count(query: Omit<AuditQuery, 'limit'> = {}): Promise<number> {
    return this.matching(query).length;
  }

  async close(): Promise<void> {}

  private matching(query: AuditQuery): Array<AuditRecord & { atMs: number }> {
    const since = query.since === undefined ? undefined : sinceMs(query.since);
    return this.records
      .filter(
        (r) =>
          EQUALITY_FIELDS.every((field) => query[field] === undefined || r[field] === query[field]) &&
          (since === undefined || r.atMs >= since),
      )
      .sort((a, b) => a.atMs - b.atMs || a.id - b.id);
  }
}
