/**
 * The audit store as CLI commands open it (`audit export`, `audit verify`): the flags,
 * then the environment, as the worker reads them, and never an empty file created by
 * mistake.
 */
import { existsSync } from 'node:fs';
import type { PersistentAuditStore } from '@duban/activities';
import { DubanError, ENV, ErrorCode } from '@duban/common';
import type { CommandContext } from './context';
import { UsageError } from './errors';

/** Where a command reads the audit trail: `--audit-url` or `--audit-db`, else the environment, else the default file. */
export interface AuditStoreFlags {
  auditDb?: string;
  auditUrl?: string;
}

/**
 * Opens the audit store the worker writes, as the flags and environment name it (the
 * same order as the worker: a URL wins over a file). The caller closes it.
 *
 * @throws UsageError for both flags at once; DubanError `AUDIT_DB_NOT_FOUND` for a
 *   SQLite file that does not exist; the store's errors (`AUDIT_STORE_*`).
 */
export async function openAuditStoreForCli(ctx: CommandContext, flags: AuditStoreFlags): Promise<PersistentAuditStore> {
  if (flags.auditDb !== undefined && flags.auditUrl !== undefined) throw new UsageError('Give --audit-db FILE or --audit-url URL, not both.');
  // Loaded on demand: better-sqlite3 and pg are not needed by most commands.
  const { auditStoreTarget, isPostgresUrl, openAuditStore } = await import('@duban/activities');
  const target = auditStoreTarget({ url: flags.auditUrl, file: flags.auditDb }, ctx.env, ctx.cwd);
  // Opening would create an empty database: a wrong path must not look like an empty trail.
  if (!isPostgresUrl(target) && !existsSync(target)) {
    throw new DubanError(
      ErrorCode.AUDIT_DB_NOT_FOUND,
      `No audit database at ${target}. Point --audit-db (or ${ENV.auditDb}) at the file the worker writes (its --audit-db), ` +
        `or --audit-url (or ${ENV.auditUrl}) at its PostgreSQL store.`,
      { details: { file: target } },
    );
  }
  return openAuditStore(target);
}
