import { ActivityErrorCode, AuditStoreError } from './errors';
import type { PostgresDatabase } from './postgres';
import { openSqliteDatabase, sqliteFailure, type OpenSqliteOptions, type SqliteDatabase } from './sqlite';

/**
 * How a notification went out: `log` or `webhook` (the default notifier), `routing` (a
 * routed notification, all its deliveries done), or the name of the plan's channel that
 * took one delivery (`hq-mail`, `chengguan-robot`).
 */
export type NotificationChannel = string;

/** What the outbox keeps about a delivered notification. */
export interface SentNotification {
  idempotencyKey: string;
  workflowId: string;
  kind: string;
  channel: NotificationChannel;
  /** The webhook's HTTP status, when it went to a webhook. */
  httpStatus?: number;
  sentAt: string;
}

/**
 * Remembers which notifications were delivered, so a retried `notify` activity does
 * not send one twice. Written only after delivery succeeded.
 */
export interface NotificationOutbox {
  wasSent(idempotencyKey: string): Promise<boolean>;
  /** Records a delivery; recording the same key again is a no-op. */
  markSent(record: SentNotification): Promise<void>;
  close(): Promise<void>;
}

/** The outbox a store keeps beside its entries (SQLite, PostgreSQL, in memory): it can also list what it holds. */
export interface PersistentOutbox extends NotificationOutbox {
  /** Every delivered notification, oldest first (for exports, checks and tests). */
  list(): Promise<SentNotification[]>;
}

interface NotificationRow {
  idempotency_key: string;
  workflow_id: string;
  kind: string;
  channel: NotificationChannel;
  http_status: number | null;
  sent_at: string;
}

/**
 * The outbox as the `notifications` table of the duban SQLite database. Usually taken
 * from the audit store (`auditStore.outbox()`, same file and connection); `open` gives
 * one with its own connection.
 */
export class SqliteOutbox implements PersistentOutbox {
  private constructor(
    private readonly db: SqliteDatabase,
    readonly file: string,
    /** False when the connection belongs to an audit store, which closes it. */
    private readonly ownsConnection: boolean,
  ) {}

  /** Opens or creates the database at `file`; see `SqliteAuditStore.open` for the errors. */
  static open(file: string, options: OpenSqliteOptions = {}): SqliteOutbox {
    const db = openSqliteDatabase(file, options);
    return new SqliteOutbox(db, db.name, true);
  }

  /** @internal An outbox on a connection someone else owns and closes. */
  static onConnection(db: SqliteDatabase, file: string): SqliteOutbox {
    return new SqliteOutbox(db, file, false);
  }

  async wasSent(idempotencyKey: string): Promise<boolean> {
    this.assertOpen();
    try {
      return this.db.prepare('SELECT 1 FROM notifications WHERE idempotency_key = ?').get(idempotencyKey) !== undefined;
    } catch (err) {
      throw sqliteFailure(err, this.file, 'read the notification outbox in');
    }
  }

  async markSent(record: SentNotification): Promise<void> {
    this.assertOpen();
    try {
      this.db
        .prepare(
          `INSERT INTO notifications (idempotency_key, workflow_id, kind, channel, http_status, sent_at)
           VALUES (@idempotencyKey, @workflowId, @kind, @channel, @httpStatus, @sentAt)
           ON CONFLICT (idempotency_key) DO NOTHING`,
        )
        .run({ ...record, httpStatus: record.httpStatus ?? null });
    } catch (err) {
      throw sqliteFailure(err, this.file, 'record a sent notification in');
    }
  }

  /** Every delivered notification, oldest first (for exports and tests). */
  async list(): Promise<SentNotification[]> {
    this.assertOpen();
    const rows = this.db.prepare('SELECT * FROM notifications ORDER BY sent_at, rowid').all() as NotificationRow[];
    return rows.map(toSent);
  }

  async close(): Promise<void> {
    if (this.ownsConnection && this.db.open) this.db.close();
  }

  private assertOpen(): void {
    if (!this.db.open) {
      throw new AuditStoreError(
        ActivityErrorCode.AUDIT_STORE_CLOSED,
        `Could not use the notification outbox in ${this.file}: the database was closed.`,
        this.file,
      );
    }
  }
}

function toSent(row: NotificationRow): SentNotification {
  return {
    idempotencyKey: row.idempotency_key,
    workflowId: row.workflow_id,
    kind: row.kind,
    channel: row.channel,
    ...(row.http_status === null ? {} : { httpStatus: row.http_status }),
    sentAt: row.sent_at,
  };
}

/**
 * The outbox as the `duban_notifications` table of the shared PostgreSQL database: a
 * notification one worker delivered is not sent again by another. Taken from the store
 * (`PostgresAuditStore#outbox()`), on its pool, and closed with it.
 */
export class PostgresOutbox implements PersistentOutbox {
  /** @internal Built by `PostgresAuditStore#outbox()`. */
  constructor(private readonly db: PostgresDatabase) {}

  async wasSent(idempotencyKey: string): Promise<boolean> {
    const { rowCount } = await this.db.query('SELECT 1 FROM duban_notifications WHERE idempotency_key = $1', [idempotencyKey], 'read the notification outbox in');
    return (rowCount ?? 0) > 0;
  }

  async markSent(record: SentNotification): Promise<void> {
    await this.db.query(
      `INSERT INTO duban_notifications (idempotency_key, workflow_id, kind, channel, http_status, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [record.idempotencyKey, record.workflowId, record.kind, record.channel, record.httpStatus ?? null, record.sentAt],
      'record a sent notification in',
    );
  }

  /** Every delivered notification, oldest first (for exports and tests). */
  async list(): Promise<SentNotification[]> {
    const { rows } = await this.db.query<NotificationRow>(
      'SELECT idempotency_key, workflow_id, kind, channel, http_status, sent_at FROM duban_notifications ORDER BY sent_at, recorded_at',
      [],
      'read the notification outbox in',
    );
    return rows.map(toSent);
  }

  /** The pool belongs to the audit store, which closes it. */
  async close(): Promise<void> {}
}

/** An outbox in memory: deduplicates within one process only. */
export class InMemoryOutbox implements PersistentOutbox {
  private readonly sent = new Map<string, SentNotification>();

  async wasSent(idempotencyKey: string): Promise<boolean> {
    return this.sent.has(idempotencyKey);
  }

  async markSent(record: SentNotification): Promise<void> {
    if (!this.sent.has(record.idempotencyKey)) this.sent.set(record.idempotencyKey, { ...record });
  }

  async list(): Promise<SentNotification[]> {
    return [...this.sent.values()];
  }

  async close(): Promise<void> {}
}
