import { Command, CommanderError } from 'commander';
import { TemporalServerError } from '@duban/servers';
import { registerDoctor } from './commands/doctor';
import { registerPlan } from './commands/plan';
import type { CommandContext } from './context';
import { CliError, ExitCode } from './errors';
import { processOutput, type Output } from './output';

/** Every command, in the order `--help` lists them. */
const commands: Array<(program: Command, ctx: CommandContext) => void> = [registerDoctor, registerPlan];

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('duban')
    .description('督办 duban: run a government action plan as durable Temporal workflows')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.output.line(text.trimEnd()),
      writeErr: (text) => ctx.output.error(text.trimEnd()),
    });
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
    return report(error, context.output, context.env.DUBAN_DEBUG === '1');
  }
}

function report(error: unknown, output: Output, debug: boolean): number {
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
