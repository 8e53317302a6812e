import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { registerTaskMessages } from './task-messages';
import { registerTaskShow } from './task-show';

/** `duban task …`: read a task's workflow and send it the task messages. */
export function registerTask(program: Command, ctx: CommandContext): void {
  const task = program
    .command('task')
    .description('Show a task and act on it: ack, report, submit, extend, decide-extension, review, cancel')
    .addHelpText(
      'after',
      '\nExamples:\n  $ pnpm duban task show plans/xihu-2020.yaml 3\n  $ pnpm duban task ack plans/xihu-2020.yaml 3 --as chengguan-head\n  $ pnpm duban task review plans/xihu-2020.yaml 3 --as supervisor-li --approve --score 92',
    );
  registerTaskShow(task, ctx);
  registerTaskMessages(task, ctx);
}
