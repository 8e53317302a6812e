import { Command, CommanderError, Option } from 'commander';
import { DubanClientError, DubanClientErrorCode } from '@duban/client';
import { TemporalServerError } from '@duban/servers';
import { registerAmend } from './commands/amend';
import { registerAudit } from './commands/audit-export';
import { registerBoard } from './commands/board';
import { registerBulletin } from './commands/bulletin';
import { registerDev } from './commands/dev';
import { registerDoctor } from './commands/doctor';
import { registerLaunch } from './commands/launch';
import { registerLedger } from './commands/ledger';
import { registerPlan } from './commands/plan';
import { registerTask } from './commands/task';
import { registerWorker } from './commands/worker';
import type { CommandContext } from './context';
import { CliError, ExitCode } from './errors';
import { defaultLang, isLang, LANGS, t, type Lang } from './i18n';
import { processOutput, type Output } from './output';

/** Every command, in the order `--help` lists them. */
const commands: Array<(program: Command, ctx: CommandContext) => void> = [
  registerDoctor,
  registerPlan,
  registerDev,
  registerWorker,
  registerLaunch,
  registerAmend,
  registerBoard,
  registerBulletin,
  registerTask,
  registerAudit,
  registerLedger,
];

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('duban')
    .description('督办 duban: run a government action plan as durable Temporal workflows')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.output.line(text.trimEnd()),
      writeErr: (text) => ctx.output.error(text.trimEnd()),
    })
    .addOption(
      new Option('--lang <lang>', 'language of labels and messages (default: zh when LANG or LC_ALL starts with zh, else en)').choices(LANGS),
    )
    .option('--profile <name>', 'profile of the Temporal config file to connect with (default: $TEMPORAL_PROFILE)')
    .addHelpText(
      'after',
      '\nConnection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS and API key variables, or a --profile;\nwithout any, the `duban dev` server at 127.0.0.1:7233.\n\nExamples:\n  $ pnpm duban dev\n  $ pnpm duban task show plans/xihu-2020.yaml 3\n  $ pnpm duban --lang zh ledger plans/xihu-2020.yaml --format xlsx --out 台账.xlsx',
    );
  for (const register of commands) register(program, ctx);
  return program;
}

/**
 * Runs the CLI and returns its exit code; the one place where errors become messages.
 */
export async function main(argv: string[], ctx: Partial<CommandContext> = {}): Promise<number> {
  const context: CommandContext = {
    output: ctx.output ?? processOutput(),
    cwd: ctx.cwd ?? process.cwd(),
    env: ctx.env ?? process.env,
  };
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv);
    return ExitCode.OK;
  } catch (error) {
    const chosen = program.opts<{ lang?: string }>().lang;
    const lang: Lang = chosen !== undefined && isLang(chosen) ? chosen : defaultLang(context.env);
    return report(error, context.output, context.env.DUBAN_DEBUG === '1', lang);
  }
}

function report(error: unknown, output: Output, debug: boolean, lang: Lang): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
      return ExitCode.OK;
    }
    // Commander has already printed its message.
    return ExitCode.USAGE;
  }
  if (error instanceof CliError) {
    output.error(`duban: ${error.message} [${error.code}]`);
    return error.exitCode;
  }
  if (error instanceof DubanClientError) {
    // The client checks arguments before sending: a malformed one came from the command line.
    const usage = error.code === DubanClientErrorCode.INVALID_ARGUMENT && error.field !== undefined;
    output.error(`duban: ${usage ? '' : `${t(lang, 'msg.refused')}: `}${error.message} [${error.code}]`);
    return usage ? ExitCode.USAGE : ExitCode.FAILED;
  }
  if (isCodedPackageError(error)) {
    output.error(`duban: ${error.message} [${error.code}]`);
    return ExitCode.FAILED;
  }
  if (error instanceof TemporalServerError) {
    output.error(`duban: ${error.message} [${error.code}]`);
    return ExitCode.FAILED;
  }
  const message = error instanceof Error ? error.message : String(error);
  output.error(`duban: unexpected error: ${message}`);
  if (debug && error instanceof Error && error.stack) output.error(error.stack);
  else output.error('(set DUBAN_DEBUG=1 to see where it happened)');
  return ExitCode.FAILED;
}

/**
 * The worker's and the activities' typed errors, recognised by name: importing their
 * classes here would load those packages (seconds) on every command.
 */
function isCodedPackageError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    (error.name === 'DubanWorkerError' || error.name === 'DubanActivityError' || error.name === 'AuditStoreError') &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}
