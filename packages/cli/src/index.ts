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
