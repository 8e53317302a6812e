import { Command, CommanderError, Help, Option } from 'commander';
import { DEFAULT_TEMPORAL_ADDRESS, ENV, ErrorCode, errorKind, isDubanError, messageOf, type DubanError } from '@duban/common';
import type { CommandContext } from './context';
import { ExitCode, exitCodeOf } from './errors';
import { defaultLang, isLang, LANGS, statusLabel, t, type Lang, type MessageKey } from './i18n';
import { isClosedPipe, processOutput, type Output } from './output';

/** Adds one top-level command (with its subcommands, options and help) to the program. */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

/**
 * A top-level command as `duban --help` lists it, and how to load it in full. A command's
 * module (and what it imports: the Temporal client, the worker, exceljs…) is loaded only
 * when that command runs, so `duban plan validate` does not pay for `duban dev`.
 */
export interface CommandEntry {
  name: string;
  /** What the help's command list shows after the name: what commander derives from the full command. */
  usage: string;
  /** Its line in the help's command list, in the catalogue of each language. */
  description: MessageKey;
  load: () => Promise<RegisterCommand>;
}

/**
 * Every command, in the order `--help` lists them. `usage` and the English `description`
 * must read as the loaded command's own (test/cli/startup.test.ts compares them).
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'doctor', usage: '[options]', description: 'command.doctor', load: async () => (await import('./commands/doctor')).registerDoctor },
  { name: 'plan', usage: '', description: 'command.plan', load: async () => (await import('./commands/plan')).registerPlan },
  { name: 'dev', usage: '[options]', description: 'command.dev', load: async () => (await import('./commands/dev')).registerDev },
  { name: 'simulate', usage: '[options] [plan]', description: 'command.simulate', load: async () => (await import('./commands/simulate')).registerSimulate },
  { name: 'worker', usage: '[options]', description: 'command.worker', load: async () => (await import('./commands/worker')).registerWorker },
  { name: 'keys', usage: '', description: 'command.keys', load: async () => (await import('./commands/keys')).registerKeys },
  { name: 'launch', usage: '[options] <plan>', description: 'command.launch', load: async () => (await import('./commands/launch')).registerLaunch },
  { name: 'amend', usage: '[options] <plan> <amendment>', description: 'command.amend', load: async () => (await import('./commands/amend')).registerAmend },
  { name: 'board', usage: '[options] <plan>', description: 'command.board', load: async () => (await import('./commands/board')).registerBoard },
  { name: 'bulletin', usage: '[options] <plan>', description: 'command.bulletin', load: async () => (await import('./commands/bulletin')).registerBulletin },
  { name: 'task', usage: '', description: 'command.task', load: async () => (await import('./commands/task')).registerTask },
  { name: 'audit', usage: '', description: 'command.audit', load: async () => (await import('./commands/audit-export')).registerAudit },
  { name: 'ledger', usage: '[options] <plan>', description: 'command.ledger', load: async () => (await import('./commands/ledger')).registerLedger },
  { name: 'notify', usage: '', description: 'command.notify', load: async () => (await import('./commands/notify')).registerNotify },
  { name: 'serve', usage: '[options]', description: 'command.serve', load: async () => (await import('./commands/serve')).registerServe },
  { name: 'users', usage: '', description: 'command.users', load: async () => (await import('./commands/users')).registerUsers },
];

/**
 * Thrown by the stand-in of a command not loaded yet when commander dispatches to it (to
 * run it, or for its help): `main` then loads that command and parses the same arguments
 * again. Commander itself decides which command runs (global options anywhere, `help plan`,
 * a typo's suggestion), so no reading of the command line of our own can disagree with it.
 */
class CommandNotLoaded extends Error {
  constructor(readonly entry: CommandEntry) {
    super(`duban ${entry.name} is not loaded`);
    this.name = 'CommandNotLoaded';
  }
}

/** A command listed by its catalogue line, that runs nothing of its own: see `CommandNotLoaded`. */
class StandIn extends Command {
  constructor(readonly entry: CommandEntry) {
    super(entry.name);
  }

  /** `duban help NAME` asks the command itself for its help: the loaded command gives it. */
  override help(): never {
    throw new CommandNotLoaded(this.entry);
  }
}

/**
 * The `duban` program: the commands in `loaded` registered in full, every other one as a
 * stand-in that `--help` lists by its catalogue line (in the `--lang` language) and that
 * asks to be loaded when it runs.
 */
export function buildProgram(ctx: CommandContext, loaded: ReadonlyMap<string, RegisterCommand> = new Map()): Command {
  const program = new Command('duban')
    .description('督办 duban: run a government action plan as durable Temporal workflows')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.output.line(text.trimEnd()),
      writeErr: (text) => ctx.output.error(text.trimEnd()),
    })
    .configureHelp({
      subcommandTerm(this: Help, cmd: Command): string {
        if (!(cmd instanceof StandIn)) return Help.prototype.subcommandTerm.call(this, cmd);
        return [cmd.entry.name, cmd.entry.usage].filter((part) => part !== '').join(' ');
      },
      subcommandDescription(this: Help, cmd: Command): string {
        if (!(cmd instanceof StandIn)) return Help.prototype.subcommandDescription.call(this, cmd);
        // Help is written after the options are parsed: `--lang` is known wherever it stands.
        return t(chosenLang(program, ctx), cmd.entry.description);
      },
    })
    .addOption(
      new Option('--lang <lang>', 'language of labels and messages (default: zh when LANG or LC_ALL starts with zh, else en)').choices(LANGS),
    )
    .option('--profile <name>', 'profile of the Temporal config file to connect with (default: $TEMPORAL_PROFILE)')
    .addHelpText(
      'after',
      `\nConnection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS and API key variables, or a --profile;\nwithout any, the \`duban dev\` server at ${DEFAULT_TEMPORAL_ADDRESS}.\n\nExamples:\n  $ pnpm duban dev\n  $ pnpm duban task show plans/xihu-2020.yaml 3\n  $ pnpm duban --lang zh ledger plans/xihu-2020.yaml --format xlsx --out 台账.xlsx`,
    );
  for (const entry of COMMANDS) {
    const register = loaded.get(entry.name);
    if (register) {
      register(program, ctx);
      continue;
    }
    // It takes whatever follows it, its own --help too: the loaded command reads them.
    const standIn = new StandIn(entry)
      .copyInheritedSettings(program)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new CommandNotLoaded(entry);
      });
    program.addCommand(standIn);
  }
  return program;
}

/** The language of messages: `--lang`, else the environment's. */
function chosenLang(program: Command, ctx: CommandContext): Lang {
  const chosen = program.opts<{ lang?: string }>().lang;
  return chosen !== undefined && isLang(chosen) ? chosen : defaultLang(ctx.env);
}

/**
 * Runs the CLI and returns its exit code; the one place where errors become messages.
 * The arguments are parsed with every command a stand-in; when commander reaches one, that
 * command alone is loaded and the arguments are parsed again.
 */
export async function main(argv: string[], ctx: Partial<CommandContext> = {}): Promise<number> {
  const context: CommandContext = {
    output: ctx.output ?? processOutput(),
    cwd: ctx.cwd ?? process.cwd(),
    env: ctx.env ?? process.env,
  };
  const loaded = new Map<string, RegisterCommand>();
  for (;;) {
    const program = buildProgram(context, loaded);
    // The command that ran, for its --json flag when it fails.
    let ran: Command = program;
    program.hook('preAction', (_program, action) => {
      ran = action;
    });
    try {
      await program.parseAsync(argv);
      return ExitCode.OK;
    } catch (error) {
      // A stand-in runs no code of its own, so parsing again has no side effect to repeat.
      if (error instanceof CommandNotLoaded && !loaded.has(error.entry.name)) {
        loaded.set(error.entry.name, await error.entry.load());
        continue;
      }
      const json = ran.opts<{ json?: boolean }>().json === true;
      return report(error, context.output, { debug: context.env[ENV.debug] === '1', lang: chosenLang(program, context), json });
    }
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
