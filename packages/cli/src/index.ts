/**
 * The duban command line as a library: `main(argv, ctx)` returns an exit code, so services
 * and tests run commands in-process, with their own working directory, environment and
 * output sinks, exactly as the `duban` binary does.
 *
 * @example
 * ```ts
 * import { main, type Output } from '@duban/cli';
 * const lines: string[] = [];
 * const output: Output = { line: (s) => lines.push(s), error: (s) => lines.push(s), json: (v) => lines.push(JSON.stringify(v)), color: false };
 * const exitCode = await main(['node', 'duban', 'plan', 'validate', 'plans/xihu-2020.yaml'], { output, env: { LANG: 'zh_CN.UTF-8' } });
 * // exitCode: 0 valid, 1 refused or failed, 2 the command line is wrong
 * ```
 */
export { main, buildProgram, COMMANDS } from './main';
export type { CommandEntry, RegisterCommand } from './main';
export { ExitCode, exitCodeOf, UsageError } from './errors';
export type { CommandContext } from './context';
export { table, paint } from './output';
export type { Output, Colour } from './output';
export { BOM, toCsv, writeCsvFile } from './csv';
export { runDoctor } from './commands/doctor';
export type { DoctorReport } from './commands/doctor';
export { runTaskShow } from './commands/task-show';
export type { TaskShowOptions } from './commands/task-show';
export { runTaskMessage } from './commands/task-messages';
export type { TaskMessage, TaskMessageOptions, Who } from './commands/task-messages';
export { runAuditExport, auditCsv, auditJsonLines } from './commands/audit-export';
export type { AuditExportOptions, AuditFormat } from './commands/audit-export';
export { runLedger } from './commands/ledger';
export type { LedgerFormat, LedgerOptions, LedgerRow } from './commands/ledger';
export { runWorker } from './commands/worker';
export type { WorkerCommandOptions } from './commands/worker';
export { runDev } from './commands/dev';
export type { DevOptions } from './commands/dev';
export { defaultLang, LANGS, t, statusLabel, lightLabel, rungLabel, roleLabel } from './i18n';
export type { Lang, MessageKey, ShownStatus } from './i18n';
export { runPlanValidate } from './commands/plan-validate';
export type { PlanValidateOptions, PlanValidateReport } from './commands/plan-validate';
export { runPlanShow } from './commands/plan-show';
export type { PlanShowOptions } from './commands/plan-show';
export { runLaunch } from './commands/launch';
export type { LaunchCommandOptions } from './commands/launch';
export { runKeysList } from './commands/keys';
export type { KeysListOptions, KeysListReport, KeysListRow } from './commands/keys';
export { runKeysChange } from './commands/keys-change';
export type { CampaignKeysState, KeysAction, KeysChangeOptions, KeysChangeReport } from './commands/keys-change';
export { runAmend } from './commands/amend';
export type { AmendCommandOptions } from './commands/amend';
export { runBoard, boardOrder } from './commands/board';
export type { BoardCommandOptions } from './commands/board';
export { runBulletin, bulletinLines } from './commands/bulletin';
export { runSimulate, simulationLines, comparisonLines, DEFAULT_SIMULATION } from './commands/simulate';
export type { ProgressDisplay, SimulateCommandOptions, SimulateCommandResult } from './commands/simulate';
export type { BulletinCommandOptions, BulletinReport } from './commands/bulletin';
export { runNotifyTest, sampleNotice } from './commands/notify';
export type { NotifyTestOptions } from './commands/notify';
export { describeDevMessage, startDevReceivers, startDevRouting } from './dev-receivers';
export type { DevMessage, DevReceivers, DevReceiversOptions, DevRouting } from './dev-receivers';
