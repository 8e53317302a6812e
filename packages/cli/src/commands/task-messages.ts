import type { Command } from 'commander';
import type { DubanClient, MessageInput } from '@duban/client';
import { DubanError, ENV, ErrorCode, isDubanError, taskWorkflowId } from '@duban/common';
import type { Plan } from '@duban/plan';
import type { MessageName, MessageResult } from '@duban/workflows';
import { globalOptions, withDuban, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { lightLabel, statusLabel, t } from '../i18n';
import { checkBreakGlass, signerFor, type BreakGlassFlags } from '../signing';
import { examplesHelp } from './register';
import { collect, loadPlanTask, numberIn, parseDeadline, parseHttpUrl, parseTaskNumber, wholeNumberIn } from './task-common';

/** A message for one task, its argument built from the command line. */
export type TaskMessage = { [N in MessageName]: { message: N; args: MessageInput<N> } }[MessageName];

/** Who sends a message, and under which request id. */
export interface Who {
  actor: string;
  requestId?: string;
}

export interface TaskMessageOptions extends GlobalOptions, BreakGlassFlags {
  file: string;
  taskNumber: number;
  /**
   * Builds the message once the plan is loaded (deadlines are read in its time zone).
   * Throws `UsageError` for options that do not fit together.
   */
  build: (plan: Plan, who: Who) => TaskMessage;
  /** A person id from the plan roster: the message is signed with their key file for this plan. */
  actor: string;
  requestId?: string;
  /** When given, the actor's unit per the plan roster must be this one (report --unit). */
  unit?: string;
  json?: boolean;
}

/**
 * Signs one message to a task workflow with the actor's key (or, break-glass, the
 * operator's), sends it and prints the outcome. Without the key file it refuses with
 * `KEY_FILE_MISSING`, saying how to get one. A refusal surfaces as the client's
 * `DubanClientError`, which the top-level handler prints with its code; an argument the
 * client finds malformed becomes a `UsageError` naming its flag.
 */
export async function runTaskMessage(ctx: CommandContext, options: TaskMessageOptions): Promise<MessageResult> {
  const { plan } = await loadPlanTask(ctx, options.file, options.taskNumber, options.json === true);
  const built = options.build(plan, { actor: options.actor, ...(options.requestId !== undefined ? { requestId: options.requestId } : {}) });
  if (options.unit !== undefined) checkUnit(plan, built.args.actor, options.unit);
  const signer = await signerFor(ctx, plan.id, built.args.actor, options);
  const send = (duban: DubanClient) =>
    duban
      .task(plan.id, options.taskNumber)
      .as(signer.key, signer.breakGlass ? { breakGlass: signer.breakGlass.reason } : {})
      .send(built.message, built.args);
  const result = await withDuban(ctx, options, send).catch((error: unknown) => {
    throw asFlagError(error);
  });
  if (options.json) ctx.output.json(result);
  else {
    const params = {
      message: built.message,
      task: options.taskNumber,
      workflowId: taskWorkflowId(plan.id, options.taskNumber),
      requestId: result.requestId,
      status: statusLabel(options.lang, result.status),
      light: lightLabel(options.lang, result.light),
    };
    ctx.output.line(t(options.lang, result.applied ? 'msg.applied' : 'msg.duplicate', params));
  }
  return result;
}

/** The flag a message argument comes from, where it is not the argument's own name (`note` ← `--note`). */
const FLAG_OF_ARGUMENT: Readonly<Record<string, string>> = { actor: '--as', requestId: '--request-id', deadlineAt: '--to', reasons: '--reason' };

/**
 * The client refuses a malformed argument before sending it (`INVALID_ARGUMENT` naming the
 * `field`, e.g. `note` or `reasons.0`). Every argument here came from a flag, so that is
 * the command line's fault: a `UsageError` (exit 2) naming the flag, the refusal as cause.
 */
function asFlagError(error: unknown): unknown {
  if (!isDubanError(error) || error.code !== ErrorCode.INVALID_ARGUMENT) return error;
  const field = 'field' in error && typeof error.field === 'string' ? error.field : undefined;
  if (field === undefined) return error;
  const argument = field.split('.')[0] ?? field;
  const flag = FLAG_OF_ARGUMENT[argument] ?? `--${argument}`;
  return new UsageError(`${flag} has a value the message cannot take. ${error.message}`, { details: { ...error.details, flag, field }, cause: error });
}

/** `report --unit CODE` states whose part is reported; the roster decides whether the actor may. */
function checkUnit(plan: Plan, actor: string, unit: string): void {
  if (!plan.units.some((u) => u.code === unit)) {
    throw new UsageError(`--unit ${unit} is not a unit of plan ${plan.id}; use one of ${plan.units.map((u) => u.code).join(', ')}.`);
  }
  const person = plan.people.find((p) => p.id === actor);
  // An actor missing from the roster is the workflow's to refuse (UNKNOWN_ACTOR).
  if (person !== undefined && person.unit !== unit) {
    throw new DubanError(ErrorCode.WRONG_ROLE, `${person.name} (${person.id}) belongs to ${person.unit}, not ${unit}: report as a person of ${unit}.`, {
      details: { actor, unit: person.unit, reportedUnit: unit },
    });
  }
}

interface Common extends BreakGlassFlags {
  as?: string;
  requestId?: string;
  json?: boolean;
}

function actorOf(ctx: CommandContext, options: Common, lang: GlobalOptions['lang']): Who {
  const actor = options.as ?? (ctx.env[ENV.actingAs] || undefined);
  if (actor === undefined) throw new UsageError(t(lang, 'msg.missingAs'));
  return { actor, ...(options.requestId !== undefined ? { requestId: options.requestId } : {}) };
}

function messageCommand(task: Command, name: string, description: string, examples: string[]): Command {
  return task
    .command(name)
    .description(description)
    .argument('<plan>', 'the plan file (YAML); the plan id comes from it')
    .argument('<n>', 'the task number', parseTaskNumber)
    .option('--as <person>', "who is acting: a person id from the plan roster, signing with that person's key file (default: $DUBAN_AS)")
    .option('--break-glass <reason>', 'HQ office acts for an absent --as person, for this reason (with --operator): both are recorded and reported')
    .option('--operator <person>', "with --break-glass: the HQ office member whose key signs")
    .option('--request-id <id>', 'an id for this request; sending it again is applied once (default: generated)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examplesHelp(examples));
}

export function registerTaskMessages(task: Command, ctx: CommandContext): void {
  const run = (command: Command, file: string, taskNumber: number, common: Common, build: TaskMessageOptions['build'], unit?: string) => {
    const globals = globalOptions(command, ctx);
    // Resolve the actor before loading anything: a missing --as is a usage error.
    const who = actorOf(ctx, common, globals.lang);
    checkBreakGlass(common);
    return runTaskMessage(ctx, {
      ...globals,
      file,
      taskNumber,
      json: common.json,
      ...who,
      ...(common.breakGlass !== undefined ? { breakGlass: common.breakGlass } : {}),
      ...(common.operator !== undefined ? { operator: common.operator } : {}),
      ...(unit !== undefined ? { unit } : {}),
      build,
    });
  };

  messageCommand(task, 'ack', 'Acknowledge (签收) a task for your unit', [
    'pnpm duban task ack plans/xihu-2020.yaml 3 --as chengguan-head',
    'DUBAN_AS=chengjian-staff pnpm duban task ack plans/xihu-2020.yaml 3 --note "协助推进"',
  ])
    .option('--note <text>', 'a note for the record')
    .action(async (file: string, n: number, o: Common & { note?: string }, command: Command) => {
      await run(command, file, n, o, (_plan, who) => ({ message: 'acknowledge', args: { ...who, ...(o.note ? { note: o.note } : {}) } }));
    });

  messageCommand(task, 'report', "Report your unit's progress (for the primary lead: the whole task's)", [
    'pnpm duban task report plans/xihu-2020.yaml 3 --as chengguan-staff --percent 40 --note "西桃花河清淤过半" --evidence https://example.org/photo1',
    'pnpm duban task report plans/xihu-2020.yaml 3 --as chengjian-staff --unit chengjian --percent 60 --note "协助完成"',
  ])
    .requiredOption('--percent <n>', 'progress from 0 to 100', wholeNumberIn('--percent', 0, 100))
    .requiredOption('--note <text>', 'what was done')
    .option('--evidence <url>', 'a link to evidence (repeatable)', parseHttpUrl('--evidence'))
    .option('--unit <code>', "the unit whose part this is; checked against the actor's unit")
    .action(async (file: string, n: number, o: Common & { percent: number; note: string; evidence?: string[]; unit?: string }, command: Command) => {
      await run(
        command,
        file,
        n,
        o,
        (_plan, who) => ({ message: 'reportProgress', args: { ...who, percent: o.percent, note: o.note, ...(o.evidence ? { evidence: o.evidence } : {}) } }),
        o.unit,
      );
    });

  messageCommand(task, 'submit', 'Submit the consolidated work (牵头汇总) for review', [
    'pnpm duban task submit plans/xihu-2020.yaml 3 --as chengguan-head --summary "整治完成" --evidence https://example.org/report.pdf',
  ])
    .requiredOption('--summary <text>', 'what was achieved')
    .option('--evidence <url>', 'a link to evidence (repeatable)', parseHttpUrl('--evidence'))
    .action(async (file: string, n: number, o: Common & { summary: string; evidence?: string[] }, command: Command) => {
      await run(command, file, n, o, (_plan, who) => ({ message: 'submit', args: { ...who, summary: o.summary, ...(o.evidence ? { evidence: o.evidence } : {}) } }));
    });

  messageCommand(task, 'review', 'Approve submitted work with a score, or return it with reasons', [
    'pnpm duban task review plans/xihu-2020.yaml 3 --as supervisor-li --approve --score 92',
    'pnpm duban task review plans/xihu-2020.yaml 3 --as supervisor-li --return --reason "缺少验收照片" --reason "进度表未更新"',
    'pnpm duban task review plans/xihu-2020.yaml 3 --as supervisor-li --approve --score 80 --note "主体完成, 扫尾并入任务4"   # below 100%: a reason',
    'pnpm duban task review plans/xihu-2020.yaml 3 --as supervisor-li --approve --score 92 --break-glass "组长病假" --operator hq-office-clerk',
  ])
    .option('--approve', 'approve the work (needs --score)')
    .option('--return', 'return the work for rework (needs --reason)')
    .option('--score <n>', "the score, from 0 to the plan's base (100 by default)", numberIn('--score', 0, 1000))
    .option('--reason <text>', 'a reason for returning (repeatable)', collect)
    .option('--note <text>', 'a note with the approval; required to approve work below 100%')
    .action(async (file: string, n: number, o: Common & { approve?: boolean; return?: boolean; score?: number; reason?: string[]; note?: string }, command: Command) => {
      if (o.approve && o.return) throw new UsageError('Give either --approve or --return, not both.');
      if (!o.approve && !o.return) throw new UsageError('Say --approve --score N or --return --reason TEXT.');
      if (o.approve) {
        if (o.score === undefined) throw new UsageError('--approve needs --score N.');
        const score = o.score;
        await run(command, file, n, o, (_plan, who) => ({ message: 'review', args: { ...who, decision: 'approve', score, ...(o.note ? { note: o.note } : {}) } }));
        return;
      }
      const reasons = o.reason ?? [];
      if (reasons.length === 0) throw new UsageError('--return needs at least one --reason TEXT.');
      await run(command, file, n, o, (_plan, who) => ({ message: 'review', args: { ...who, decision: 'return', reasons } }));
    });

  messageCommand(task, 'extend', 'Ask HQ for a later deadline (延期), before the current one passes', [
    'pnpm duban task extend plans/xihu-2020.yaml 4 --as chengjian-head --to 2021-01-15 --reason "管网施工受雨季影响"',
  ])
    .requiredOption('--to <date>', 'the new deadline: a date (the end of that day in the plan time zone) or a date-time')
    .requiredOption('--reason <text>', 'why more time is needed')
    .action(async (file: string, n: number, o: Common & { to: string; reason: string }, command: Command) => {
      await run(command, file, n, o, (plan, who) => ({
        message: 'requestExtension',
        args: { ...who, deadlineAt: parseDeadline('--to', o.to, plan), reason: o.reason },
      }));
    });

  messageCommand(task, 'decide-extension', 'HQ approves or refuses a pending extension request', [
    'pnpm duban task decide-extension plans/xihu-2020.yaml 4 --as hq-office-clerk --approve',
    'pnpm duban task decide-extension plans/xihu-2020.yaml 4 --as hq-office-clerk --approve --to 2021-01-10',
    'pnpm duban task decide-extension plans/xihu-2020.yaml 4 --as hq-office-clerk --refuse --reason "不符合延期条件"',
  ])
    .option('--approve', 'grant the extension')
    .option('--refuse', 'refuse it (needs --reason)')
    .option('--to <date>', 'with --approve: grant this deadline instead of the one asked for')
    .option('--reason <text>', 'the reason for the decision')
    .action(async (file: string, n: number, o: Common & { approve?: boolean; refuse?: boolean; to?: string; reason?: string }, command: Command) => {
      if (o.approve === o.refuse) throw new UsageError('Give exactly one of --approve or --refuse.');
      if (o.refuse && !o.reason) throw new UsageError('--refuse needs --reason TEXT.');
      if (o.refuse && o.to) throw new UsageError('--to goes with --approve only.');
      const reason = o.reason;
      await run(command, file, n, o, (plan, who) =>
        o.approve
          ? {
              message: 'decideExtension',
              args: { ...who, decision: 'approve', ...(o.to ? { deadlineAt: parseDeadline('--to', o.to, plan) } : {}), ...(reason ? { reason } : {}) },
            }
          : { message: 'decideExtension', args: { ...who, decision: 'refuse', reason: reason ?? '' } },
      );
    });

  messageCommand(task, 'cancel', 'HQ cancels a task', ['pnpm duban task cancel plans/xihu-2020.yaml 9 --as hq-office-clerk --reason "并入任务8"'])
    .requiredOption('--reason <text>', 'why the task is cancelled')
    .action(async (file: string, n: number, o: Common & { reason: string }, command: Command) => {
      await run(command, file, n, o, (_plan, who) => ({ message: 'cancel', args: { ...who, reason: o.reason } }));
    });
}
