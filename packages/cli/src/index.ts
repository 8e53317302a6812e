/**
 * The duban command line as a library: `main(argv)` returns an exit code, so services
 * and tests can run commands without spawning a process.
 *
 * @example
 * ```ts
 * import { main } from '@duban/cli';
 * const exitCode = await main(['node', 'duban', 'doctor', '--json']);
 * ```
 */
export { main, buildProgram } from './main';
export { CliError, CliErrorCode, ExitCode, UsageError } from './errors';
export type { CommandContext } from './context';
export type { Output } from './output';
export { runDoctor } from './commands/doctor';
export type { DoctorReport } from './commands/doctor';
export { runTaskShow } from './commands/task-show';
export type { TaskShowOptions } from './commands/task-show';
export { runTaskMessage } from './commands/task-messages';
export type { TaskMessage, TaskMessageOptions, Who } from './commands/task-messages';
export { runAuditExport, auditCsv, auditJsonLines, toCsv } from './commands/audit-export';
export type { AuditExportOptions, AuditFormat } from './commands/audit-export';
export { runLedger } from './commands/ledger';
export type { LedgerFormat, LedgerOptions, LedgerRow } from './commands/ledger';
export { runWorker } from './commands/worker';
export type { WorkerCommandOptions } from './commands/worker';
export { runDev, DEV_PORT, DEV_DB_PATH } from './commands/dev';
export type { DevOptions } from './commands/dev';
export { AUDIT_DB_ENV, DEFAULT_AUDIT_DB, WEBHOOK_ENV } from './commands/lazy';
export { defaultLang, LANGS, t } from './i18n';
export type { Lang, MessageKey } from './i18n';
export { runLaunch } from './commands/launch';
export type { LaunchCommandOptions } from './commands/launch';
export { runAmend } from './commands/amend';
export type { AmendCommandOptions } from './commands/amend';
export { runBoard, boardOrder } from './commands/board';
export type { BoardCommandOptions } from './commands/board';
export { runBulletin, bulletinLines } from './commands/bulletin';
export type { BulletinCommandOptions, BulletinReport } from './commands/bulletin';
