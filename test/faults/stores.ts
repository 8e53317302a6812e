/**
 * The audit stores the fault suite runs against, with the two things it does to each:
 * hold its writers off for a while (another connection holds the write lock: the store is
 * "unavailable" to the workers, which as root cannot be done with file permissions), and
 * alter one row as someone with access to the store could.
 */
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { ENV } from '@duban/common';
import { databaseOf, type PostgresCluster } from '../harness/postgres';

export interface AuditBackend {
  kind: 'sqlite' | 'postgres';
  /** What the workers' environment says about the store. */
  workerEnv: Record<string, string>;
  /** What `openAuditStore` opens. */
  target: string;
  /** How `duban audit verify` is pointed at the store. */
  cliFlags: string[];
  /** Holds the write lock from another connection for `ms`; resolves once released. */
  lock(ms: number): Promise<void>;
  /** Changes one row's actor or details; returns the rows changed. */
  alter(id: number, what: 'actor' | 'details'): Promise<number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The SQLite file the workers share. `BEGIN EXCLUSIVE` (in WAL mode: the write lock)
 * makes every writer wait out its busy timeout (5 s) and fail with SQLITE_BUSY; readers
 * still read.
 */
export function sqliteBackend(file: string): AuditBackend {
  return {
    kind: 'sqlite',
    workerEnv: { [ENV.auditDb]: file },
    target: file,
    cliFlags: ['--audit-db', file],
    async lock(ms) {
      const db = new Database(file, { timeout: 10_000 });
      try {
        db.exec('BEGIN EXCLUSIVE');
        await sleep(ms);
        db.exec('COMMIT');
      } finally {
        db.close();
      }
    },
    async alter(id, what) {
      const db = new Database(file);
      try {
        const sql =
          what === 'actor'
            ? "UPDATE audit_entries SET actor = 'forged-reviewer' WHERE id = ?"
            : "UPDATE audit_entries SET details = json_set(details, '$.note', 'altered') WHERE id = ?";
        return db.prepare(sql).run(id).changes;
      } finally {
        db.close();
      }
    },
  };
}

/**
 * A database of the throwaway PostgreSQL cluster, shared by the workers. `LOCK TABLE …
 * IN EXCLUSIVE MODE` makes inserts wait (reads go on); past the store's statement timeout
 * (20 s) they fail as AUDIT_STORE_UNAVAILABLE and are retried.
 */
export function postgresBackend(cluster: PostgresCluster, url: string): AuditBackend {
  const database = databaseOf(url);
  return {
    kind: 'postgres',
    workerEnv: { [ENV.auditUrl]: url },
    target: url,
    cliFlags: ['--audit-url', url],
    async lock(ms) {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query('LOCK TABLE duban_audit_entries, duban_notifications IN EXCLUSIVE MODE');
        await sleep(ms);
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
    },
    async alter(id, what) {
      const sql =
        what === 'actor'
          ? "UPDATE duban_audit_entries SET actor = 'forged-reviewer' WHERE id = $1 RETURNING id"
          : "UPDATE duban_audit_entries SET details = jsonb_set(details::jsonb, '{note}', '\"altered\"')::json WHERE id = $1 RETURNING id";
      return (await cluster.sql(database, sql, [id])).length;
    },
  };
}
