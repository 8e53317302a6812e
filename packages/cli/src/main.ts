import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_TEMPORAL_ADDRESS, ENV, ErrorCode, errorKind, isDubanError, messageOf, type DubanError } from '@duban/common';
import { registerAmend } from './commands/amend';
import { registerAudit } from './commands/audit-export';
import { registerBoard } from './commands/board';
import { registerBulletin } from './commands/bulletin';
import { registerDev } from './commands/dev';
import { registerDoctor } from './commands/doctor';
import { registerKeys } from './commands/keys';
import { registerLaunch } from './commands/launch';
import { registerLedger } from './commands/ledger';
import { registerNotify } from './commands/notify';
import { registerPlan } from './commands/plan';
import { registerSimulate } from './commands/simulate';
import { registerTask } from './commands/task';
import { registerWorker } from './commands/worker';
import type { CommandContext } from './context';
import { ExitCode, exitCodeOf } from './errors';
import { defaultLang, isLang, LANGS, statusLabel, t, type Lang } from './i18n';
import { isClosedPipe, processOutput, type Output } from './output';

/** Every command, in the order `--help` lists them. */
const commands: Array<(program: Command, ctx: CommandContext) => void> = [
  registerDoctor,
  registerPlan,
  registerDev,
  registerSimulate,
  registerWorker,
  registerKeys,
  registerLaunch,
  registerAmend,
  registerBoard,
  registerBulletin,
  registerTask,
  registerAudit,
  registerLedger,
  registerNotify,
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
      `\nConnection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS and API key variables, or a --profile;\nwithout any, the \`duban dev\` server at ${DEFAULT_TEMPORAL_ADDRESS}.\n\nExamples:\n  $ pnpm duban dev\n  $ pnpm duban task show plans/xihu-2020.yaml 3\n  $ pnpm duban --lang zh ledger plans/xihu-2020.yaml --format xlsx --out 台账.xlsx`,
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
  // The command that ran, for its --json flag when it fails.
  let ran: Command = program;
  program.hook('preAction', (_program, action) => {
    ran = action;
  });
  try {
    await program.parseAsync(argv);
    return ExitCode.OK;
  } catch (error) {
    const chosen = program.opts<{ lang?: string }>().lang;
    const lang: Lang = chosen !== undefined && isLang(chosen) ? chosen : defaultLang(context.env);
    const json = ran.opts<{ json?: boolean }>().json === true;
    return report(error, context.output, { debug: context.env[ENV.debug] === '1', lang, json });
  }
}

/**
 * An error's message in the reader's language where the CLI knows its facts; otherwise the
 * message it carries. A closed task says what closed it: cancelled reads as cancelled, not
 * as the execution status COMPLETED it shares with an approved task.
 */
function wording(error: DubanError, lang: Lang): string {
  const d = error.details ?? {};
  if (error.code === ErrorCode.INVALID_STATE && d['closed'] === true) {
    const facts = { task: String(d['taskNumber']), plan: String(d['planId']), message: String(d['message']) };
    const outcome = d['outcome'];
    if (outcome === 'approved' || outcome === 'cancelled') return t(lang, 'msg.taskClosedAs', { ...facts, outcome: statusLabel(lang, outcome) });
    return t(lang, 'msg.taskClosed', { ...facts, status: String(d['status']) });
  }
  return error.message;
}

function report(error: unknown, output: Output, how: { debug: boolean; lang: Lang; json: boolean }): number {
  // The reader of our output went away (`| head -1`) while a command streamed to it: what it
  // wanted it has; there is nobody to tell, and nothing failed.
  if (isClosedPipe(error)) return ExitCode.OK;
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
      return ExitCode.OK;
    }
    // Commander has already printed its message.
    return ExitCode.USAGE;
  }
  if (isDubanError(error)) {
    // Every package's errors (the client's, the worker's, the servers') carry a registry code.
    const refused = errorKind(error.code) === 'refused' ? `${t(how.lang, 'msg.refused')}: ` : '';
    output.error(`duban: ${refused}${wording(error, how.lang)} [${error.code}]`);
    // On stderr: stdout keeps the command's own JSON (a plan's problems, say) parseable.
    if (how.json) output.error(JSON.stringify({ error: { code: error.code, kind: errorKind(error.code), message: error.message, details: error.details } }));
    return exitCodeOf(error.code);
  }
  output.error(`duban: unexpected error: ${messageOf(error)}`);
  if (how.debug && error instanceof Error && error.stack) output.error(error.stack);
  else output.error(`(set ${ENV.debug}=1 to see where it happened)`);
  return ExitCode.FAILED;
}
