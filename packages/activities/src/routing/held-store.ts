/**
 * Held deliveries: messages that wait for the end of the quiet hours or for a person's
 * daily digest, kept durably in the audit database (the `held_deliveries` table of the
 * SQLite file, `duban_held_deliveries` in PostgreSQL; both created by the stores'
 * migrations) until the dispatcher sends them.
 *
 * Idempotent on the delivery key: a retried `notify` activity holds a message once. Several
 * workers may dispatch: one claims a group of due rows (one message, or one digest batch)
 * for a lease before sending it, so two workers never send the same group at once; a
 * worker that dies mid-send leaves a lease that runs out, and the next claim finds the
 * delivery in the outbox (sent) or sends it again with the same key.
 */
import { ActivityErrorCode, AuditStoreError } from '../errors';
import type { ChannelMessage } from '../channels';
import { isPostgresUrl, PostgresDatabase, type OpenPostgresOptions } from '../postgres';
import { openSqliteDatabase, sqliteFailure, type OpenSqliteOptions, type SqliteDatabase } from '../sqlite';

/** A delivery to hold. */
export interface HeldDeliveryInput {
  deliveryKey: string;
  /** What is sent together: the digest batch, or the delivery key for a message sent alone. */
  groupKey: string;
  planId: string;
  workflowId: string;
  kind: string;
  channel: string;
  /** A person id or unit code (`*` for a channel's whole group). */
  addressee: string;
  /** True when it goes out in a digest (with the other rows of its group). */
  digest: boolean;
  /** Not before this instant (epoch ms). */
  sendAfterMs: number;
  /** The rendered message, as the channel will get it (no secrets: channels add those on the wire). */
  message: ChannelMessage;
}

export type HeldState = 'held' | 'sent' | 'failed';

/** A held delivery as stored. */
export interface HeldDelivery extends HeldDeliveryInput {
  heldAt: string;
  /** Claims so far (each claim is one sending attempt). */
  attempts: number;
  state: HeldState;
  sentAt?: string;
  /** Why the last attempt failed (channel errors hold no secrets). */
  lastError?: string;
}

export interface ClaimOptions {
  nowMs: number;
  /** Who claims: the worker's identity. */
  owner: string;
  /** How long the claim holds; a claim older than this is free again. */
  leaseMs: number;
  /** At most this many groups. */
  limit: number;
  /** Only deliveries of these plans (those the claiming worker routes). */
  planIds: readonly string[];
}

export interface HeldDeliveryStore {
  /** Stores the delivery unless its key is held already; true when it was inserted. */
  hold(delivery: HeldDeliveryInput): Promise<boolean>;
  /** Claims whole groups that are due and unclaimed (or whose lease ran out), oldest first; returns their rows. */
  claimDue(options: ClaimOptions): Promise<HeldDelivery[]>;
  /** The claimed rows were delivered. Only the claim's owner may say so. */
  markSent(keys: readonly string[], owner: string, sentAt: string): Promise<void>;
  /** The claimed rows failed for now: free them, to be tried again from `retryAtMs`. */
  release(keys: readonly string[], owner: string, retryAtMs: number, error: string): Promise<void>;
  /** The claimed rows failed for good (refused, or too many attempts). */
  fail(keys: readonly string[], owner: string, error: string): Promise<void>;
  /** Every row (for `duban` commands and tests), oldest first; optionally of one plan or state. */
  list(query?: { planId?: string; state?: HeldState }): Promise<HeldDelivery[]>;
  close(): Promise<void>;
}

interface HeldRow {
  delivery_key: string;
  group_key: string;
  plan_id: string;
  workflow_id: string;
  kind: string;
  channel: string;
  addressee: string;
  digest: number | boolean;
  send_after_ms: number | string;
  message: string | ChannelMessage;
  held_at: string | Date;
  attempts: number | string;
  sent_at: string | null;
  failed_at: string | null;
  last_error: string | null;
}

function toHeld(row: HeldRow): HeldDelivery {
  const state: HeldState = row.sent_at !== null ? 'sent' : row.failed_at !== null ? 'failed' : 'held';
  return {
    deliveryKey: row.delivery_key,
    groupKey: row.group_key,
    planId: row.plan_id,
    workflowId: row.workflow_id,
    kind: row.kind,
    channel: row.channel,
    addressee: row.addressee,
    digest: row.digest === true || row.digest === 1,
    sendAfterMs: Number(row.send_after_ms),
    message: typeof row.message === 'string' ? (JSON.parse(row.message) as ChannelMessage) : row.message,
    heldAt: row.held_at instanceof Date ? row.held_at.toISOString() : row.held_at,
    attempts: Number(row.attempts),
    state,
    ...(row.sent_at === null ? {} : { sentAt: row.sent_at }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
  };
}

/** Messages of errors go into a column: bounded. */
const errorText = (error: string) => error.slice(0, 1000);

const byHeldOrder = (a: HeldDelivery, b: HeldDelivery) => a.sendAfterMs - b.sendAfterMs || a.heldAt.localeCompare(b.heldAt) || a.deliveryKey.localeCompare(b.deliveryKey);

/** Held deliveries in the duban SQLite database. */
export class SqliteHeldDeliveries implements HeldDeliveryStore {
  private constructor(
    private readonly db: SqliteDatabase,
    readonly file: string,
  ) {}

  /** Opens (creating and migrating when needed) the database at `file`, on a connection of its own. */
  static open(file: string, options: OpenSqliteOptions = {}): SqliteHeldDeliveries {
    const db = openSqliteDatabase(file, options);
    return new SqliteHeldDeliveries(db, db.name);
  }

  async hold(d: HeldDeliveryInput): Promise<boolean> {
    return this.run('hold a delivery in', () => {
      const result = this.db
        .prepare(
          `INSERT INTO held_deliveries
             (delivery_key, group_key, plan_id, workflow_id, kind, channel, addressee, digest, send_after_ms, message, held_at)
           VALUES (@deliveryKey, @groupKey, @planId, @workflowId, @kind, @channel, @addressee, @digest, @sendAfterMs, @message, @heldAt)
           ON CONFLICT (delivery_key) DO NOTHING`,
        )
        .run({ ...d, digest: d.digest ? 1 : 0, message: JSON.stringify(d.message), heldAt: new Date().toISOString() });
      return result.changes === 1;
    });
  }

  async claimDue(o: ClaimOptions): Promise<HeldDelivery[]> {
    return this.run('claim held deliveries in', () =>
      // IMMEDIATE: one writer at a time, so two workers on the file never claim the same group.
      this.db
        .transaction(() => {
          const rows = this.db
            .prepare(
              `UPDATE held_deliveries SET claimed_by = @owner, claim_until_ms = @until, attempts = attempts + 1
               WHERE sent_at IS NULL AND failed_at IS NULL AND (claim_until_ms IS NULL OR claim_until_ms <= @now)
                 AND group_key IN (
                   SELECT group_key FROM held_deliveries
                   WHERE sent_at IS NULL AND failed_at IS NULL AND send_after_ms <= @now AND (claim_until_ms IS NULL OR claim_until_ms <= @now)
                     AND plan_id IN (SELECT value FROM json_each(@plans))
                   GROUP BY group_key ORDER BY MIN(send_after_ms) LIMIT @limit)
               RETURNING *`,
            )
            .all({ owner: o.owner, until: o.nowMs + o.leaseMs, now: o.nowMs, limit: o.limit, plans: JSON.stringify(o.planIds) }) as HeldRow[];
          return rows.map(toHeld).sort(byHeldOrder);
        })
        .immediate(),
    );
  }

  async markSent(keys: readonly string[], owner: string, sentAt: string): Promise<void> {
    this.each('record a held delivery as sent in', keys, (key) =>
      this.db.prepare('UPDATE held_deliveries SET sent_at = ?, claim_until_ms = NULL, last_error = NULL WHERE delivery_key = ? AND claimed_by = ?').run(sentAt, key, owner),
    );
  }

  async release(keys: readonly string[], owner: string, retryAtMs: number, error: string): Promise<void> {
    this.each('release a held delivery in', keys, (key) =>
      this.db
        .prepare('UPDATE held_deliveries SET claim_until_ms = NULL, send_after_ms = ?, last_error = ? WHERE delivery_key = ? AND claimed_by = ? AND sent_at IS NULL')
        .run(retryAtMs, errorText(error), key, owner),
    );
  }

  async fail(keys: readonly string[], owner: string, error: string): Promise<void> {
    this.each('record a failed held delivery in', keys, (key) =>
      this.db
        .prepare('UPDATE held_deliveries SET failed_at = ?, claim_until_ms = NULL, last_error = ? WHERE delivery_key = ? AND claimed_by = ? AND sent_at IS NULL')
        .run(new Date().toISOString(), errorText(error), key, owner),
    );
  }

  async list(query: { planId?: string; state?: HeldState } = {}): Promise<HeldDelivery[]> {
    return this.run('read held deliveries from', () => {
      const rows = this.db.prepare('SELECT * FROM held_deliveries ORDER BY send_after_ms, held_at, delivery_key').all() as HeldRow[];
      return rows.map(toHeld).filter((d) => (query.planId === undefined || d.planId === query.planId) && (query.state === undefined || d.state === query.state));
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private each(doing: string, keys: readonly string[], statement: (key: string) => unknown): void {
    this.run(doing, () => this.db.transaction(() => keys.forEach(statement))());
  }

  private run<T>(doing: string, work: () => T): T {
    if (!this.db.open) {
      throw new AuditStoreError(ActivityErrorCode.AUDIT_STORE_CLOSED, `Could not ${doing} ${this.file}: the held deliveries were closed.`, this.file);
    }
    try {
      return work();
    } catch (err) {
      throw sqliteFailure(err, this.file, doing);
    }
  }
}

/** Held deliveries in the shared PostgreSQL database, claimed across workers. */
export class PostgresHeldDeliveries implements HeldDeliveryStore {
  private constructor(private readonly db: PostgresDatabase) {}

  /** Connects (a small pool of its own) and migrates, as the audit store does. */
  static async open(url: string, options: OpenPostgresOptions = {}): Promise<PostgresHeldDeliveries> {
    return new PostgresHeldDeliveries(await PostgresDatabase.open(url, { maxConnections: 2, ...options }));
  }

  get location(): string {
    return this.db.location;
  }

  async hold(d: HeldDeliveryInput): Promise<boolean> {
    const result = await this.db.query(
      `INSERT INTO duban_held_deliveries
         (delivery_key, group_key, plan_id, workflow_id, kind, channel, addressee, digest, send_after_ms, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::json)
       ON CONFLICT (delivery_key) DO NOTHING`,
      [d.deliveryKey, d.groupKey, d.planId, d.workflowId, d.kind, d.channel, d.addressee, d.digest, d.sendAfterMs, JSON.stringify(d.message)],
      'hold a delivery in',
    );
    return result.rowCount === 1;
  }

  async claimDue(o: ClaimOptions): Promise<HeldDelivery[]> {
    // A concurrent claim of the same rows waits for this one's row locks, then re-checks the
    // outer WHERE on the rows as this one left them (claimed): it skips them.
    const { rows } = await this.db.query<HeldRow>(
      `WITH due AS (
         SELECT group_key FROM duban_held_deliveries
         WHERE sent_at IS NULL AND failed_at IS NULL AND send_after_ms <= $1 AND (claim_until_ms IS NULL OR claim_until_ms <= $1)
           AND plan_id = ANY($5)
         GROUP BY group_key ORDER BY MIN(send_after_ms) LIMIT $4)
       UPDATE duban_held_deliveries h SET claimed_by = $2, claim_until_ms = $3, attempts = h.attempts + 1
       FROM due
       WHERE h.group_key = due.group_key AND h.sent_at IS NULL AND h.failed_at IS NULL AND (h.claim_until_ms IS NULL OR h.claim_until_ms <= $1)
       RETURNING h.*`,
      [o.nowMs, o.owner, o.nowMs + o.leaseMs, o.limit, [...o.planIds]],
      'claim held deliveries in',
    );
    return rows.map(toHeld).sort(byHeldOrder);
  }

  async markSent(keys: readonly string[], owner: string, sentAt: string): Promise<void> {
    await this.db.query(
      'UPDATE duban_held_deliveries SET sent_at = $1, claim_until_ms = NULL, last_error = NULL WHERE delivery_key = ANY($2) AND claimed_by = $3',
      [sentAt, [...keys], owner],
      'record a held delivery as sent in',
    );
  }

  async release(keys: readonly string[], owner: string, retryAtMs: number, error: string): Promise<void> {
    await this.db.query(
      'UPDATE duban_held_deliveries SET claim_until_ms = NULL, send_after_ms = $1, last_error = $2 WHERE delivery_key = ANY($3) AND claimed_by = $4 AND sent_at IS NULL',
      [retryAtMs, errorText(error), [...keys], owner],
      'release a held delivery in',
    );
  }

  async fail(keys: readonly string[], owner: string, error: string): Promise<void> {
    await this.db.query(
      'UPDATE duban_held_deliveries SET failed_at = $1, claim_until_ms = NULL, last_error = $2 WHERE delivery_key = ANY($3) AND claimed_by = $4 AND sent_at IS NULL',
      [new Date().toISOString(), errorText(error), [...keys], owner],
      'record a failed held delivery in',
    );
  }

  async list(query: { planId?: string; state?: HeldState } = {}): Promise<HeldDelivery[]> {
    const { rows } = await this.db.query<HeldRow>('SELECT * FROM duban_held_deliveries ORDER BY send_after_ms, held_at, delivery_key', [], 'read held deliveries from');
    return rows.map(toHeld).filter((d) => (query.planId === undefined || d.planId === query.planId) && (query.state === undefined || d.state === query.state));
  }

  async close(): Promise<void> {
    await this.db.end();
  }
}

/** Held deliveries in memory: for tests and embedding without a database; lost with the process. */
export class InMemoryHeldDeliveries implements HeldDeliveryStore {
  private readonly rows = new Map<string, HeldDelivery & { claimedBy?: string; claimUntilMs?: number }>();

  async hold(d: HeldDeliveryInput): Promise<boolean> {
    if (this.rows.has(d.deliveryKey)) return false;
    this.rows.set(d.deliveryKey, { ...structuredClone(d), heldAt: new Date().toISOString(), attempts: 0, state: 'held' });
    return true;
  }

  async claimDue(o: ClaimOptions): Promise<HeldDelivery[]> {
    const free = (r: { state: HeldState; claimUntilMs?: number }) => r.state === 'held' && (r.claimUntilMs === undefined || r.claimUntilMs <= o.nowMs);
    const due = [...this.rows.values()].filter((r) => free(r) && r.sendAfterMs <= o.nowMs && o.planIds.includes(r.planId)).sort(byHeldOrder);
    const groups = [...new Set(due.map((r) => r.groupKey))].slice(0, o.limit);
    const claimed = [...this.rows.values()].filter((r) => groups.includes(r.groupKey) && free(r));
    for (const row of claimed) Object.assign(row, { claimedBy: o.owner, claimUntilMs: o.nowMs + o.leaseMs, attempts: row.attempts + 1 });
    return claimed.map(({ claimedBy: _c, claimUntilMs: _u, ...row }) => structuredClone(row)).sort(byHeldOrder);
  }

  async markSent(keys: readonly string[], owner: string, sentAt: string): Promise<void> {
    for (const row of this.owned(keys, owner)) Object.assign(row, { state: 'sent', sentAt, claimUntilMs: undefined });
  }

  async release(keys: readonly string[], owner: string, retryAtMs: number, error: string): Promise<void> {
    for (const row of this.owned(keys, owner)) Object.assign(row, { sendAfterMs: retryAtMs, lastError: errorText(error), claimUntilMs: undefined });
  }

  async fail(keys: readonly string[], owner: string, error: string): Promise<void> {
    for (const row of this.owned(keys, owner)) Object.assign(row, { state: 'failed', lastError: errorText(error), claimUntilMs: undefined });
  }

  async list(query: { planId?: string; state?: HeldState } = {}): Promise<HeldDelivery[]> {
    return [...this.rows.values()]
      .filter((d) => (query.planId === undefined || d.planId === query.planId) && (query.state === undefined || d.state === query.state))
      .map(({ claimedBy: _c, claimUntilMs: _u, ...row }) => structuredClone(row))
      .sort(byHeldOrder);
  }

  async close(): Promise<void> {}

  private owned(keys: readonly string[], owner: string) {
    return keys.flatMap((key) => {
      const row = this.rows.get(key);
      return row !== undefined && row.claimedBy === owner && row.state === 'held' ? [row] : [];
    });
  }
}

/**
 * Opens the held deliveries beside the audit store `target` names (`openAuditStore`'s
 * target): the same PostgreSQL database or SQLite file, on a connection of their own.
 */
export async function openHeldDeliveries(target: string, options: { sqlite?: OpenSqliteOptions; postgres?: OpenPostgresOptions } = {}): Promise<HeldDeliveryStore> {
  const given = target.trim();
  if (isPostgresUrl(given)) return PostgresHeldDeliveries.open(given, options.postgres);
  return SqliteHeldDeliveries.open(given, options.sqlite);
}
