import type { Command } from 'commander';
import { globalOptions, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';

/** What every plan-file command gets: the global options, the plan file and `--json`. */
export interface PlanJsonOptions extends GlobalOptions {
  /** The plan file, relative to the context's working directory. */
  file: string;
  json?: boolean;
}

export interface PlanJsonCommand<Flags extends object> {
  name: string;
  description: string;
  /** The plan file argument, e.g. `{ name: '<plan>', description: 'the plan file (YAML)' }`. */
  argument: { name: string; description: string };
  /** Help of the `--json` flag. */
  jsonHelp: string;
  /** Command lines shown under "Examples:" in the help, without the `$ `. */
  examples: readonly string[];
  /** Runs the command with the parsed options, `Flags` being those the caller adds to the returned command. */
  run: (ctx: CommandContext, options: PlanJsonOptions & Flags) => Promise<unknown>;
}

/** The "Examples:" section after a command's help. */
export function examplesHelp(examples: readonly string[]): string {
  return `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`;
}

/**
 * A command that takes one plan file and `--json`, registered under `parent`. Options
 * added to the returned command (listed after `--json` in the help) reach `run` as `Flags`.
 */
export function planJsonCommand<Flags extends object = Record<never, never>>(parent: Command, ctx: CommandContext, spec: PlanJsonCommand<Flags>): Command {
  return parent
    .command(spec.name)
    .description(spec.description)
    .argument(spec.argument.name, spec.argument.description)
    .option('--json', spec.jsonHelp)
    .addHelpText('after', examplesHelp(spec.examples))
    .action(async (file: string, flags: Flags & { json?: boolean }, command: Command) => {
      await spec.run(ctx, { ...globalOptions(command, ctx), file, ...flags });
    });
}
