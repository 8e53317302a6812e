import type { AuditLink } from '@duban/identity';
import type { AppendAuditResult, AuditEntryInput } from './contract';
import { ActivityErrorCode, AuditStoreError, DubanActivityError } from './errors';
import { PostgresOutbox, SqliteOutbox, type PersistentOutbox } from './outbox';
import { PostgresCampaignStore, SqliteCampaignStore, type CampaignStore } from './campaign-store';
import { PostgresDatabase, type OpenPostgresOptions } from './postgres';
import { AUDIT_INSERT_SQL, openSqliteDatabase, sqliteFailure, type AuditInsertRow, type OpenSqliteOptions, type SqliteDatabase } from './sqlite';
import { SqliteWriterThread, type SqliteDurability } from './sqlite-writer';
import { parseInstant, validateAuditEntry } from './validate';

/**
 * One stored line of the audit trail: the entry as the workflow sent it (`at` with its
 * offset, `chain` when it has a link), plus what the store adds.
 */
export interface AuditRecord extends AuditEntryInput {
  /**
   * Insertion order; breaks ties between entries with the same `at`. Within one chain it
   * follows the chain's seq (the audit lane writes one entry at a time): `audit verify`
   * relies on it.
   */
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

/**
 * A store that lives somewhere, a file or a database server: what `openAuditStore`
 * returns for the worker, the CLI and embedders.
 */
export interface PersistentAuditStore extends AuditStore {
  /** Where the store is, safe for logs and errors: the file path, or the URL without password or query. */
  readonly location: string;
  /** The notification outbox beside the entries (same file or database), closed with the store. */
  outbox(): PersistentOutbox;
  /** Stored plans and campaign snapshots beside the entries (same file or database), closed with the store. */
  campaignStore(): CampaignStore;
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
  chain_seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

/** The link of a stored row, when all three columns are set (rows written before chains have none). */
function linkOf(seq: number | string | null, prevHash: string | null, hash: string | null): { chain?: AuditLink } {
  if (seq === null || prevHash === null || hash === null) return {};
  return { chain: { seq: Number(seq), prevHash, hash } };
}

/** The link's columns for an insert: NULLs for an entry without one. */
function linkColumns(entry: AuditEntryInput): { chainSeq: number | null; prevHash: string | null; hash: string | null } {
  const link = entry.chain;
  return link ? { chainSeq: link.seq, prevHash: link.prevHash, hash: link.hash } : { chainSeq: null, prevHash: null, hash: null };
}

/** `since` of a query as epoch ms; throws `INVALID_INPUT` for an invalid Date or text. */
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

/** A query's limit, checked the same way by every store. */
function checkedLimit(limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new DubanActivityError(ActivityErrorCode.INVALID_INPUT, 'Invalid audit query: limit must be a non-negative integer.', {
      details: { field: 'limit' },
    });
  }
  return limit;
}

/** Query fields matched by equality, and their columns (the same names in SQLite and PostgreSQL). */
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
    ...linkOf(row.chain_seq, row.prev_hash, row.hash),
  };
}

/**
 * The audit trail in a SQLite file (better-sqlite3): one row per entry, idempotent on
 * the entry's key, safe to share between worker processes on one host. Entries are
 * written by a thread of the store's own (`sqlite-writer.ts`): `append` resolves once its
 * entry is committed with `synchronous = FULL` (durable through a killed process and a
 * power loss), and the worker's event loop never waits for the disk. Reads, the outbox
 * and the campaign store use the connection on the calling thread.
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
export class SqliteAuditStore implements PersistentAuditStore {
  private readonly insert: ReturnType<SqliteDatabase['prepare']>;
  private outboxInstance: SqliteOutbox | undefined;
  private campaignStoreInstance: SqliteCampaignStore | undefined;
  /** The writer thread of a file (an in-memory database exists on this connection only, and is written inline). */
  private readonly writer: SqliteWriterThread | undefined;

  private constructor(
    private readonly db: SqliteDatabase,
    /** Absolute path of the database file (or `:memory:`). */
    readonly file: string,
    options: OpenSqliteOptions,
  ) {
    this.insert = db.prepare(AUDIT_INSERT_SQL);
    this.writer = db.memory ? undefined : new SqliteWriterThread(file, options.busyTimeoutMs ?? 5000);
  }

  /** The file, as {@link PersistentAuditStore.location}. */
  get location(): string {
    return this.file;
  }

  /**
   * Opens or creates the database at `file` (and its directory).
   *
   * @throws AuditStoreError `AUDIT_STORE_UNAVAILABLE` when the file cannot be opened or
   *   created, `AUDIT_STORE_CORRUPT` when it is not a SQLite database.
   */
  static open(file: string, options: OpenSqliteOptions = {}): SqliteAuditStore {
    const db = openSqliteDatabase(file, options);
    return new SqliteAuditStore(db, db.name, options);
  }

  /** How appends reach the disk: the journal mode and sync setting of the connection that writes them, and where it runs. */
  async durability(): Promise<SqliteDurability> {
    if (this.writer) return this.writer.durability();
    const synchronous = String(this.db.pragma('synchronous', { simple: true }));
    return { journalMode: String(this.db.pragma('journal_mode', { simple: true })), synchronous: synchronous === '2' ? 'full' : synchronous, writer: 'inline' };
  }

  /**
   * The notification outbox in the same file, on the same connection: one file to back
   * up, and closed with this store.
   */
  outbox(): SqliteOutbox {
    this.outboxInstance ??= SqliteOutbox.onConnection(this.db, this.file);
    return this.outboxInstance;
  }

  /** Stored plans and campaign snapshots in the same file, on the same connection. */
  campaignStore(): SqliteCampaignStore {
    this.campaignStoreInstance ??= SqliteCampaignStore.onConnection(this.db, this.file);
    return this.campaignStoreInstance;
  }

  async append(entry: AuditEntryInput): Promise<AppendAuditResult> {
    const { atMs, detailsJson } = validateAuditEntry(entry);
    this.assertOpen('append an audit entry to');
    const { idempotencyKey, at, planId, taskNumber, workflowId, actor, event } = entry;
    const row: AuditInsertRow = { idempotencyKey, at, atMs, planId, taskNumber, workflowId, actor, event, details: detailsJson, ...linkColumns(entry) };
    if (this.writer) return { inserted: await this.writer.append(row) };
    try {
      return { inserted: this.insert.run({ ...row, recordedAt: new Date().toISOString() }).changes === 1 };
    } catch (err) {
      throw sqliteFailure(err, this.file, 'append an audit entry to');
    }
  }

  async list(query: AuditQuery = {}): Promise<AuditRecord[]> {
    this.assertOpen('read the audit trail from');
    const { sql, params } = whereClause(query);
    const checked = checkedLimit(query.limit);
    const limit = checked === undefined ? '' : 'LIMIT @limit';
    if (checked !== undefined) params.limit = checked;
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

  /** Lets the entries already appended be written, then closes the writer and the connection (and the outbox on it). Safe to call twice. */
  async close(): Promise<void> {
    await this.writer?.close();
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
 * idempotency, ordering and errors as {@link SqliteAuditStore}; lost when the process ends.
 */
export class InMemoryAuditStore implements AuditStore {
  private readonly records: Array<AuditRecord & { atMs: number }> = [];
  private readonly keys = new Set<string>();
  private closed = false;

  async append(entry: AuditEntryInput): Promise<AppendAuditResult> {
    const { atMs, detailsJson } = validateAuditEntry(entry);
    this.assertOpen('append an audit entry to');
    if (this.keys.has(entry.idempotencyKey)) return { inserted: false };
    this.keys.add(entry.idempotencyKey);
    const { chain, ...fields } = entry;
    this.records.push({
      ...fields,
      id: this.records.length + 1,
      atMs,
      // A copy through JSON, as SQLite would store it: later mutation of the input does not leak in.
      details: JSON.parse(detailsJson) as Record<string, unknown>,
      recordedAt: new Date().toISOString(),
      ...(chain ? { chain: { seq: chain.seq, prevHash: chain.prevHash, hash: chain.hash } } : {}),
    });
    return { inserted: true };
  }

  async list(query: AuditQuery = {}): Promise<AuditRecord[]> {
    this.assertOpen('read the audit trail from');
    const limit = checkedLimit(query.limit);
    const matching = this.matching(query);
    const limited = limit === undefined ? matching : matching.slice(0, limit);
    return limited.map(({ atMs: _atMs, ...record }) => structuredClone(record));
  }

  async count(query: Omit<AuditQuery, 'limit'> = {}): Promise<number> {
    this.assertOpen('count the audit trail in');
    return this.matching(query).length;
  }

  /** Ends the store: later calls fail with `AUDIT_STORE_CLOSED`, as a closed file would. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(doing: string): void {
    if (this.closed) {
      throw new AuditStoreError(ActivityErrorCode.AUDIT_STORE_CLOSED, `Could not ${doing} the in-memory audit store: it was closed.`, ':memory:');
    }
  }

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

interface PostgresAuditRow {
  id: string;
  idempotency_key: string;
  at: string;
  plan_id: string;
  task_number: string;
  workflow_id: string;
  actor: string;
  event: string;
  /** `pg` parses json columns. */
  details: Record<string, unknown>;
  recorded_at: Date;
  chain_seq: string | null;
  prev_hash: string | null;
  hash: string | null;
}

/** A query's WHERE clause with numbered parameters (`$1`, `$2`, …). */
function postgresWhere(query: AuditQuery, params: unknown[]): string {
  const conditions: string[] = [];
  for (const field of EQUALITY_FIELDS) {
    const value = query[field];
    if (value === undefined) continue;
    params.push(value);
    conditions.push(`${EQUALITY_FILTERS[field]} = $${params.length}`);
  }
  if (query.since !== undefined) {
    params.push(sinceMs(query.since));
    conditions.push(`at_ms >= $${params.length}`);
  }
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}

function fromPostgres(row: PostgresAuditRow): AuditRecord {
  return {
    // BIGINT columns come back as text; ids and task numbers stay far below 2^53.
    id: Number(row.id),
    idempotencyKey: row.idempotency_key,
    at: row.at,
    planId: row.plan_id,
    taskNumber: Number(row.task_number),
    workflowId: row.workflow_id,
    actor: row.actor,
    event: row.event,
    details: row.details,
    recordedAt: row.recorded_at.toISOString(),
    ...linkOf(row.chain_seq, row.prev_hash, row.hash),
  };
}

/**
 * The audit trail in a PostgreSQL database shared by every worker (`pg`): one row per
 * entry, idempotent on the entry's key (UNIQUE, `ON CONFLICT DO NOTHING`), ordered and
 * filtered as {@link SqliteAuditStore}. Selected with `DUBAN_AUDIT_URL=postgres://…`.
 *
 * @example
 * ```ts
 * const store = await PostgresAuditStore.open('postgres://duban:secret@db.internal:5432/duban');
 * await store.append(entry); // { inserted: true }, from any worker
 * const trail = await store.list({ planId: 'xihu-2020' });
 * await store.close();
 * ```
 */
export class PostgresAuditStore implements PersistentAuditStore {
  private outboxInstance: PostgresOutbox | undefined;
  private campaignStoreInstance: PostgresCampaignStore | undefined;

  private constructor(private readonly db: PostgresDatabase) {}

  /**
   * Connects and migrates the schema (once, whichever worker opens first).
   *
   * @throws AuditStoreError `AUDIT_STORE_URL_INVALID`, `AUDIT_STORE_UNAVAILABLE`,
   *   `AUDIT_STORE_CORRUPT` or `AUDIT_STORE_SCHEMA_TOO_NEW`; messages never hold the password.
   */
  static async open(url: string, options: OpenPostgresOptions = {}): Promise<PostgresAuditStore> {
    return new PostgresAuditStore(await PostgresDatabase.open(url, options));
  }

  /** The URL without password or query. */
  get location(): string {
    return this.db.location;
  }

  /** The notification outbox in the same database, on the same pool; closed with this store. */
  outbox(): PostgresOutbox {
    this.outboxInstance ??= new PostgresOutbox(this.db);
    return this.outboxInstance;
  }

  /** Stored plans and campaign snapshots in the same database, on the same pool. */
  campaignStore(): PostgresCampaignStore {
    this.campaignStoreInstance ??= new PostgresCampaignStore(this.db);
    return this.campaignStoreInstance;
  }

  async append(entry: AuditEntryInput): Promise<AppendAuditResult> {
    const { atMs, detailsJson } = validateAuditEntry(entry);
    const { chainSeq, prevHash, hash } = linkColumns(entry);
    const result = await this.db.query(
      `INSERT INTO duban_audit_entries
         (idempotency_key, at, at_ms, plan_id, task_number, workflow_id, actor, event, details, chain_seq, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json, $10, $11, $12)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [entry.idempotencyKey, entry.at, atMs, entry.planId, entry.taskNumber, entry.workflowId, entry.actor, entry.event, detailsJson, chainSeq, prevHash, hash],
      'append an audit entry to',
    );
    return { inserted: result.rowCount === 1 };
  }

  async list(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const params: unknown[] = [];
    const where = postgresWhere(query, params);
    const limit = checkedLimit(query.limit);
    if (limit !== undefined) params.push(limit);
    const { rows } = await this.db.query<PostgresAuditRow>(
      `SELECT id, idempotency_key, at, plan_id, task_number, workflow_id, actor, event, details, recorded_at, chain_seq, prev_hash, hash
       FROM duban_audit_entries ${where} ORDER BY at_ms, id ${limit === undefined ? '' : `LIMIT $${params.length}`}`,
      params,
      'read the audit trail from',
    );
    return rows.map(fromPostgres);
  }

  async count(query: Omit<AuditQuery, 'limit'> = {}): Promise<number> {
    const params: unknown[] = [];
    const where = postgresWhere(query, params);
    const { rows } = await this.db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM duban_audit_entries ${where}`, params, 'count the audit trail in');
    return Number(rows[0]?.n ?? 0);
  }

  /** Closes the pool (and the outbox on it). Safe to call twice. */
  async close(): Promise<void> {
    await this.db.end();
  }
}
