/**
 * The one way the worker, the CLI and embedders open the audit store: a `postgres://`
 * URL gives the shared PostgreSQL store, anything else is a SQLite file path.
 */
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_PATHS, ENV } from '@duban/common';
import { PostgresAuditStore, SqliteAuditStore, type PersistentAuditStore } from './audit-store';
import { ActivityErrorCode, AuditStoreError } from './errors';
import { isPostgresUrl, redactPostgresUrl, type OpenPostgresOptions } from './postgres';
import type { OpenSqliteOptions } from './sqlite';

export interface OpenAuditStoreOptions {
  sqlite?: OpenSqliteOptions;
  postgres?: OpenPostgresOptions;
}

/** A scheme the audit store does not speak (`mysql://…`), told apart from a file path. */
const OTHER_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Opens the audit store `target` names, with its notification outbox beside it:
 * `postgres://USER:PASSWORD@HOST:5432/DB` (or `postgresql://`) for the PostgreSQL store
 * shared by several workers, a file path (or `:memory:`) for SQLite. Either is migrated
 * to the current schema on open.
 *
 * @example
 * ```ts
 * const store = await openAuditStore(process.env.DUBAN_AUDIT_URL ?? '.duban/audit.sqlite');
 * console.log(store.location); // the path, or the URL without its password
 * const notifier = new LogAndWebhookNotifier({ outbox: store.outbox() });
 * ```
 *
 * @throws AuditStoreError `AUDIT_STORE_URL_INVALID` for another URL scheme; otherwise the
 *   errors of {@link SqliteAuditStore.open} and {@link PostgresAuditStore.open}.
 */
export async function openAuditStore(target: string, options: OpenAuditStoreOptions = {}): Promise<PersistentAuditStore> {
  const given = target.trim();
  if (isPostgresUrl(given)) return PostgresAuditStore.open(given, options.postgres);
  if (OTHER_URL.test(given)) {
    const scheme = given.slice(0, given.indexOf(':'));
    throw new AuditStoreError(
      ActivityErrorCode.AUDIT_STORE_URL_INVALID,
      `duban keeps its audit trail in PostgreSQL (postgres://…) or in a SQLite file, not at a ${scheme}:// URL.`,
      `${scheme}://…`,
    );
  }
  if (given === '') {
    throw new AuditStoreError(ActivityErrorCode.AUDIT_STORE_URL_INVALID, 'The audit store target is empty: give a postgres:// URL or a file path.', '');
  }
  return SqliteAuditStore.open(given, options.sqlite);
}

/** Where the audit store is, as flags (or options) give it; each overrides the environment. */
export interface AuditStoreChoice {
  /** A `postgres://` URL (the CLI's `--audit-url`). */
  url?: string | undefined;
  /** A SQLite file (the CLI's `--audit-db`), relative to `cwd`. */
  file?: string | undefined;
}

/**
 * The audit store target, in this order: the URL given, the file given, then
 * `DUBAN_AUDIT_URL`, `DUBAN_AUDIT_DB`, and `.duban/audit.sqlite` under `cwd`. Files come
 * back absolute; a URL as it is (log it with {@link describeAuditTarget}).
 */
export function auditStoreTarget(choice: AuditStoreChoice = {}, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const nonEmpty = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());
  const url = nonEmpty(choice.url);
  if (url !== undefined) return url;
  const file = nonEmpty(choice.file);
  if (file !== undefined) return absolute(file, cwd);
  const envUrl = nonEmpty(env[ENV.auditUrl]);
  if (envUrl !== undefined) return envUrl;
  return absolute(nonEmpty(env[ENV.auditDb]) ?? DEFAULT_PATHS.auditDb, cwd);
}

function absolute(file: string, cwd: string): string {
  if (file === ':memory:' || isPostgresUrl(file) || OTHER_URL.test(file)) return file;
  return isAbsolute(file) ? file : resolve(cwd, file);
}

/** A target as it may be logged: a URL without its password, a path as it is. */
export function describeAuditTarget(target: string): string {
  return isPostgresUrl(target) || OTHER_URL.test(target) ? redactPostgresUrl(target) : target;
}
