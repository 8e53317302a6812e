/**
 * The PostgreSQL database behind the shared audit store and its notification outbox:
 * a `pg` pool, the schema migrations and the mapping of driver errors to
 * {@link AuditStoreError}s. Workers on several machines write to one database, so the
 * trail of a campaign is never split between files.
 */
import { Pool, type QueryResult, type QueryResultRow } from 'pg';
import { messageOf } from '@duban/common';
import { ActivityErrorCode, AuditStoreError } from './errors';

export interface OpenPostgresOptions {
  /**
   * Connections in the pool. Default 8: each task's audit lane writes one entry at a time,
   * and an insert takes milliseconds, so a few connections serve a worker's many tasks.
   */
  maxConnections?: number;
  /** How long to wait for a connection before failing, in ms. Default 10000. */
  connectTimeoutMs?: number;
  /**
   * Longest a statement may run, in ms. Default 20000: under the activities' 30-second
   * attempt timeout, so a statement stuck behind a lock fails as
   * `AUDIT_STORE_UNAVAILABLE` (and is retried) instead of timing the attempt out.
   */
  statementTimeoutMs?: number;
}

/**
 * Schema changes, in order. `duban_schema_version` records those applied; opening applies
 * the missing ones in one transaction under an advisory lock, so workers that start
 * together migrate once. Never edit a shipped migration: add the next one. Table names
 * carry a `duban_` prefix: the database may be shared with other applications.
 */
const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE duban_audit_entries (
        id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        idempotency_key TEXT        NOT NULL UNIQUE,
        -- As the workflow sent it, with its offset; at_ms orders by instant.
        at              TEXT        NOT NULL,
        at_ms           BIGINT      NOT NULL,
        plan_id         TEXT        NOT NULL,
        task_number     BIGINT      NOT NULL,
        workflow_id     TEXT        NOT NULL,
        actor           TEXT        NOT NULL,
        event           TEXT        NOT NULL,
        -- json, not jsonb: the text is kept as written (jsonb refuses \\u0000 in strings).
        details         JSON        NOT NULL,
        recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
        -- The hash chain (@duban/identity); NULL for entries written before chains.
        chain_seq       BIGINT,
        prev_hash       TEXT,
        hash            TEXT,
        CHECK ((hash IS NULL) = (chain_seq IS NULL) AND (hash IS NULL) = (prev_hash IS NULL))
      );
      CREATE INDEX duban_audit_entries_by_time ON duban_audit_entries (at_ms, id);
      CREATE INDEX duban_audit_entries_by_task ON duban_audit_entries (plan_id, task_number, at_ms, id);
      CREATE INDEX duban_audit_entries_by_workflow ON duban_audit_entries (workflow_id, at_ms, id);
      CREATE INDEX duban_audit_entries_by_chain ON duban_audit_entries (workflow_id, chain_seq);

      CREATE TABLE duban_notifications (
        idempotency_key TEXT        PRIMARY KEY,
        workflow_id     TEXT        NOT NULL,
        kind            TEXT        NOT NULL,
        channel         TEXT        NOT NULL,
        http_status     INTEGER,
        sent_at         TEXT        NOT NULL,
        recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now()
      );
    `,
  },
  {
    // Routed messages waiting for the end of quiet hours or for a daily digest
    // (routing/held-store.ts); group_key is what goes out together (a digest batch).
    version: 2,
    sql: `
      CREATE TABLE duban_held_deliveries (
        delivery_key   TEXT        PRIMARY KEY,
        group_key      TEXT        NOT NULL,
        plan_id        TEXT        NOT NULL,
        workflow_id    TEXT        NOT NULL,
        kind           TEXT        NOT NULL,
        channel        TEXT        NOT NULL,
        addressee      TEXT        NOT NULL,
        digest         BOOLEAN     NOT NULL,
        send_after_ms  BIGINT      NOT NULL,
        message        JSON        NOT NULL,
        held_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
        attempts       INTEGER     NOT NULL DEFAULT 0,
        claimed_by     TEXT,
        claim_until_ms BIGINT,
        sent_at        TEXT,
        failed_at      TEXT,
        last_error     TEXT
      );
      CREATE INDEX duban_held_deliveries_due ON duban_held_deliveries (send_after_ms) WHERE sent_at IS NULL AND failed_at IS NULL;
      CREATE INDEX duban_held_deliveries_by_group ON duban_held_deliveries (group_key);
    `,
  },
  {
    // What keeps a campaign's payloads small (campaign-store.ts): the plans it was launched
    // from, content-addressed and stored once per hash, and the snapshot each run saves
    // before continuing as new; both JSON texts in parts.
    version: 3,
    sql: `
      CREATE TABLE duban_plans (
        hash      TEXT        NOT NULL,
        part      INTEGER     NOT NULL,
        parts     INTEGER     NOT NULL,
        plan_id   TEXT        NOT NULL,
        body      TEXT        NOT NULL,
        stored_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (hash, part)
      );
      CREATE TABLE duban_campaign_snapshots (
        workflow_id TEXT        NOT NULL,
        run_id      TEXT        NOT NULL,
        part        INTEGER     NOT NULL,
        parts       INTEGER     NOT NULL,
        body        TEXT        NOT NULL,
        stored_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (workflow_id, run_id, part)
      );
    `,
  },
];

/** The schema version this build of duban writes to PostgreSQL. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** The advisory lock migrations take: ('duba', 1), one value any DBA can recognise in pg_locks. */
const MIGRATION_LOCK = [0x64756261, 1] as const;

/** Whether `target` names a PostgreSQL database (`postgres://` or `postgresql://`). */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target.trim());
}

/**
 * The URL as it may appear in logs and errors: scheme, user, host, port and database;
 * never the password, nor the query (it may carry `password=` or key file paths).
 */
export function redactPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username === '' ? '' : `${decodeURIComponent(parsed.username)}@`;
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}

/** The secrets of `url` in the forms a driver message could repeat them, to scrub from messages. */
function secretsOf(url: URL): string[] {
  const secrets = new Set<string>();
  for (const value of [url.password, url.searchParams.get('password') ?? '']) {
    if (value === '') continue;
    secrets.add(value);
    try {
      secrets.add(decodeURIComponent(value));
    } catch {
      // A malformed escape: the raw form is scrubbed all the same.
    }
  }
  return [...secrets];
}

/** SQLSTATE classes that mean "try again later": connection, resources, operator, system, locks, rollbacks. */
const UNAVAILABLE_STATES = /^(08|53|54|55|57|58|40|28|3D)/;
/** Data that PostgreSQL refuses (a NUL character, a number out of range, a failed CHECK): the entry itself is wrong. */
const INVALID_DATA_STATES = /^(22|23)/;
/** duban's tables are missing a column or have another type: someone else's tables, or a damaged schema. */
const SCHEMA_STATES = /^(42P01|42703|42804|42P07|42710)$/;
const CORRUPT_STATES = /^XX/;

function codeOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** An error message with every secret of the URL replaced. */
function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

/**
 * Maps a `pg` or network error to an {@link AuditStoreError} naming the database
 * (password removed) and saying what to do; `doing` completes "could not ...".
 */
export function postgresFailure(err: unknown, location: string, doing: string, secrets: readonly string[] = []): AuditStoreError {
  if (err instanceof AuditStoreError) return err;
  const code = codeOf(err);
  const reason = scrub(messageOf(err), secrets);
  const details = code === undefined ? {} : { postgresCode: code };
  // The cause stays out: a driver error may hold connection parameters; its code and message are kept.
  if (code !== undefined && CORRUPT_STATES.test(code)) {
    return new AuditStoreError(
      ActivityErrorCode.AUDIT_STORE_CORRUPT,
      `Could not ${doing} ${location}: PostgreSQL reports damaged data (${reason}). Restore the database from a backup.`,
      location,
      { details },
    );
  }
  if (code !== undefined && SCHEMA_STATES.test(code)) {
    return new AuditStoreError(
      ActivityErrorCode.AUDIT_STORE_CORRUPT,
      `Could not ${doing} ${location}: its duban tables do not have the shape this duban expects (${reason}). ` +
        'Point DUBAN_AUDIT_URL at a database of its own, or restore this one from a backup.',
      location,
      { details },
    );
  }
  if (code !== undefined && INVALID_DATA_STATES.test(code)) {
    return new AuditStoreError(ActivityErrorCode.INVALID_INPUT, `Could not ${doing} ${location}: PostgreSQL refused the data (${reason}).`, location, {
      details,
    });
  }
  let hint = `Check that PostgreSQL runs at ${location} and accepts connections from this host.`;
  if (code?.startsWith('28')) hint = 'Check the user and password in DUBAN_AUDIT_URL.';
  else if (code === '3D000') hint = 'Create the database (createdb), or fix its name in DUBAN_AUDIT_URL.';
  else if (code === '42501') hint = 'Grant the user of DUBAN_AUDIT_URL the rights to create and write the duban_ tables.';
  else if (code !== undefined && UNAVAILABLE_STATES.test(code)) hint = 'PostgreSQL is busy or restarting: the activity retries.';
  return new AuditStoreError(ActivityErrorCode.AUDIT_STORE_UNAVAILABLE, `Could not ${doing} ${location}: ${reason}. ${hint}`, location, { details });
}

/**
 * A pool of connections to the duban PostgreSQL database, migrated on open. Shared by
 * the audit store and its outbox, and closed with the store.
 */
export class PostgresDatabase {
  private ended = false;

  private constructor(
    private readonly pool: Pool,
    /** The URL without password or query, for logs and errors. */
    readonly location: string,
    private readonly secrets: readonly string[],
  ) {}

  /**
   * Connects to `url` and migrates the schema to {@link POSTGRES_SCHEMA_VERSION}.
   *
   * @throws AuditStoreError `AUDIT_STORE_URL_INVALID` for a URL that is not `postgres://…`,
   *   `AUDIT_STORE_UNAVAILABLE` when the server cannot be reached or refuses the user,
   *   `AUDIT_STORE_CORRUPT` when duban's tables have another shape,
   *   `AUDIT_STORE_SCHEMA_TOO_NEW` when a newer duban migrated the database.
   */
  static async open(url: string, options: OpenPostgresOptions = {}): Promise<PostgresDatabase> {
    const location = redactPostgresUrl(url);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AuditStoreError(
        ActivityErrorCode.AUDIT_STORE_URL_INVALID,
        'The audit store URL is not a valid URL. Write it as postgres://USER:PASSWORD@HOST:5432/DATABASE (percent-encode special characters of the password).',
        location,
      );
    }
    if (!isPostgresUrl(url)) {
      throw new AuditStoreError(
        ActivityErrorCode.AUDIT_STORE_URL_INVALID,
        `The audit store URL must start with postgres:// or postgresql://, not ${parsed.protocol}//.`,
        location,
      );
    }
    const pool = new Pool({
      connectionString: url,
      max: options.maxConnections ?? 8,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      statement_timeout: options.statementTimeoutMs ?? 20_000,
      application_name: 'duban',
    });
    // An idle connection the server dropped (restart, failover) is discarded by the pool
    // and the next query opens a fresh one; without a listener Node would end the worker.
    pool.on('error', () => undefined);
    const database = new PostgresDatabase(pool, location, secretsOf(parsed));
    try {
      await database.migrate();
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw postgresFailure(err, location, 'open the audit database', database.secrets);
    }
    return database;
  }

  /** False once {@link end} was called. */
  get open(): boolean {
    return !this.ended;
  }

  /**
   * Runs one statement on a pooled connection (its own transaction).
   *
   * @throws AuditStoreError `AUDIT_STORE_CLOSED` after {@link end}; otherwise as {@link postgresFailure} maps it.
   */
  async query<R extends QueryResultRow>(sql: string, params: unknown[], doing: string): Promise<QueryResult<R>> {
    this.assertOpen(doing);
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw postgresFailure(err, this.location, doing, this.secrets);
    }
  }

  /** Closes every connection. Safe to call twice. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }

  assertOpen(doing: string): void {
    if (this.ended) {
      throw new AuditStoreError(
        ActivityErrorCode.AUDIT_STORE_CLOSED,
        `Could not ${doing} ${this.location}: the store was closed. Open a new one with openAuditStore.`,
        this.location,
      );
    }
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Held to the end of the transaction: a second worker opening now waits, then finds the work done.
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS duban_schema_version (
        version    INTEGER     PRIMARY KEY,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM duban_schema_version');
      const current = rows[0]?.version ?? 0;
      if (current > POSTGRES_SCHEMA_VERSION) {
        throw new AuditStoreError(
          ActivityErrorCode.AUDIT_STORE_SCHEMA_TOO_NEW,
          `${this.location} has schema version ${current}, newer than the ${POSTGRES_SCHEMA_VERSION} this duban knows. ` +
            'Upgrade duban, or use another database.',
          this.location,
          { details: { schemaVersion: current, supportedVersion: POSTGRES_SCHEMA_VERSION } },
        );
      }
      for (const migration of MIGRATIONS) {
        if (migration.version <= current) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO duban_schema_version (version) VALUES ($1)', [migration.version]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
