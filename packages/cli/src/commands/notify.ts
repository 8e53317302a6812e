import { Option, type Command } from 'commander';
import {
  InMemoryHeldDeliveries,
  InMemoryOutbox,
  LogAndWebhookNotifier,
  RoutingNotifier,
  envSecrets,
  type NotificationInput,
  type NotifierLogger,
  type RoutingReport,
} from '@duban/activities';
import { DubanError, ErrorCode, NOTICE_KINDS, isErrorCode, type Notice, type NoticeKind, type NoticeTask, type TaskNotice } from '@duban/common';
import { taskSchedule, type Plan, type PlanPerson, type PlanTask } from '@duban/plan';
import { globalOptions, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { t, type Lang } from '../i18n';
import { readPlanOrFail } from './plan-validate';

export interface NotifyTestOptions extends GlobalOptions {
  /** The plan file whose routing is tried. */
  plan: string;
  /** The person id the sample goes to. */
  to: string;
  /** The kind of notice to send. Default `reminder`. */
  kind?: NoticeKind;
  json?: boolean;
}

const DAY_MS = 86_400_000;

/** The own facts of a task notice of kind `K`: what the sample makes up (the task, names, time and settings are added). */
type SampleFacts<K, N = TaskNotice> = N extends { kind: infer NK } ? (K extends NK ? Omit<N, 'task' | 'names' | 'at' | 'settings'> & { kind: K } : never) : never;
const quiet: NotifierLogger = { info: () => undefined, warn: () => undefined };

/** The task a sample is about: one the person's unit leads, else one it is responsible for, else the first. */
function sampleTask(plan: Plan, person: PlanPerson): PlanTask {
  const tasks = plan.actions.flatMap((a) => a.tasks);
  const found = tasks.find((task) => task.lead[0] === person.unit) ?? tasks.find((task) => [...task.lead, ...task.responsible].includes(person.unit)) ?? tasks[0];
  if (found === undefined) throw new DubanError(ErrorCode.INVALID_PLAN, `Plan ${plan.id} has no task to write a sample notice about.`, { details: { plan: plan.id } });
  return found;
}

/**
 * A notice of `kind` about a task of the plan, with made-up facts, marked as a test in its
 * title so nobody acts on it. Everything else (names, dates in the plan's zone, the
 * language) is what a real notice of the kind would carry.
 */
export function sampleNotice(plan: Plan, person: PlanPerson, kind: NoticeKind, nowMs: number, lang: Lang): Notice {
  const task = sampleTask(plan, person);
  const names = {
    units: Object.fromEntries(plan.units.map((u) => [u.code, u.name])),
    unitsEn: Object.fromEntries(plan.units.map((u) => [u.code, u.en])),
    people: Object.fromEntries(plan.people.map((p) => [p.id, p.name])),
  };
  const at = new Date(nowMs).toISOString();
  const deadlineAt = taskSchedule(plan, task.number).deadlineAt ?? new Date(nowMs + 30 * DAY_MS).toISOString();
  const mark = { zh: t('zh', 'notify.sampleMark'), en: t('en', 'notify.sampleMark') };
  const about: NoticeTask = { planId: plan.id, planTitle: plan.title.zh, taskNumber: task.number, title: { zh: `${task.title.zh}${mark.zh}`, en: `${task.title.en} ${mark.en}` } };
  const base = { task: about, names, at, settings: { timeZone: plan.timeZone } };
  const [primaryLead = person.unit, ...assistingLeads] = task.lead;
  const rung = { level: 1, reasons: ['behind-schedule' as const], percent: 40, light: 'yellow' as const, deadlineAt };
  const reason = t(lang, 'notify.sampleReason');
  const facts: { [K in TaskNotice['kind']]: SampleFacts<K> } = {
    assignment: { kind: 'assignment', primaryLead, assistingLeads, responsible: task.responsible, deadlineAt, acknowledgementWindowMs: 3 * DAY_MS },
    reminder: { kind: 'reminder', ...rung },
    'supervision-notice': { kind: 'supervision-notice', ...rung, level: 2 },
    interview: { kind: 'interview', ...rung, level: 3, reasons: ['overdue'], light: 'red' },
    accountability: { kind: 'accountability', ...rung, level: 4, reasons: ['overdue', 'stalled'], light: 'red' },
    'review-requested': { kind: 'review-requested', submittedBy: person.id, summary: reason, reviewDueAt: deadlineAt },
    'review-overdue': { kind: 'review-overdue', submittedBy: person.id, submittedAt: at, reviewDueAt: deadlineAt },
    returned: { kind: 'returned', reasons: [reason] },
    commendation: { kind: 'commendation', score: 98 },
    'extension-requested': { kind: 'extension-requested', requestedBy: person.id, deadlineAt, reason },
    'extension-decided': { kind: 'extension-decided', decision: 'approved', deadlineAt, reason },
    cancelled: { kind: 'cancelled', reason },
    amended: { kind: 'amended', reason, deadlineAt, primaryLead },
    'notification-failed': {
      kind: 'notification-failed',
      undelivered: { kind: 'reminder', idempotencyKey: `notify-test/${plan.id}/sample`, at, recipients: [{ person: person.id, unit: person.unit }] },
      reason: 'rejected',
      code: 'CHANNEL_REJECTED',
    },
    'duty-due': { kind: 'duty-due', check: 'recurring:monthly-dispatch:sample', duty: 'dispatch', by: person.unit, dueAt: at, label: '每月调度' },
  };
  if (kind === 'bulletin') {
    const totals = { tasks: plan.actions.flatMap((a) => a.tasks).length, green: 0, yellow: 0, red: 0, approved: 0, cancelled: 0 };
    return {
      kind: 'bulletin',
      plan: { id: plan.id, title: `${plan.title.zh}${mark.zh}` },
      names,
      settings: { timeZone: plan.timeZone },
      bulletin: { number: 0, at, periodStart: new Date(nowMs - 7 * DAY_MS).toISOString(), periodEnd: at, overdue: [], atRisk: [], escalationsOpened: [], escalationsClosed: [], totals: { ...totals, green: totals.tasks } },
    };
  }
  return { ...base, ...facts[kind] } as TaskNotice;
}

/**
 * `duban notify test`: sends a sample notice through the routes of the plan that reach
 * one person (the real channels, with the secrets of the environment), and returns what
 * became of each delivery. Quiet hours and digests are skipped: the sample goes now.
 *
 * @throws DubanError `NOT_FOUND` for a person not in the roster, `NOTIFICATION_UNROUTABLE`
 *   when the plan has no routing, the channel's code when a delivery failed.
 */
export async function runNotifyTest(ctx: CommandContext, options: NotifyTestOptions): Promise<RoutingReport> {
  const plan = await readPlanOrFail(ctx, options.plan, options.json === true);
  const person = plan.people.find((p) => p.id === options.to);
  if (person === undefined) {
    throw new DubanError(ErrorCode.NOT_FOUND, t(options.lang, 'notify.noPerson', { person: options.to, plan: plan.id }), { details: { person: options.to, plan: plan.id } });
  }
  if (plan.routing === undefined) {
    throw new DubanError(ErrorCode.NOTIFICATION_UNROUTABLE, t(options.lang, 'notify.noRouting', { file: options.plan }), { details: { plan: plan.id } });
  }
  const kind = options.kind ?? 'reminder';
  const nowMs = Date.now();
  const outbox = new InMemoryOutbox();
  const notifier = await RoutingNotifier.create({
    plans: [plan],
    outbox,
    held: new InMemoryHeldDeliveries(),
    fallback: new LogAndWebhookNotifier({ outbox, logger: quiet }),
    secrets: envSecrets({ env: ctx.env }),
    logger: quiet,
  });
  let report: RoutingReport;
  try {
    const notification: NotificationInput = {
      idempotencyKey: `notify-test/${plan.id}/${person.id}/${kind}/${nowMs}`,
      at: new Date(nowMs).toISOString(),
      planId: plan.id,
      taskNumber: 0,
      workflowId: `notify-test/${plan.id}`,
      recipients: [{ person: person.id, unit: person.unit, ...(person.roles[0] === undefined ? {} : { role: person.roles[0] }) }],
      notice: sampleNotice(plan, person, kind, nowMs, options.lang),
    };
    report = await notifier.route(notification, { immediate: true, onlyPerson: person.id });
  } finally {
    await notifier.close();
  }
  if (options.json) ctx.output.json(report);
  else printReport(ctx, options.lang, report, { person: `${person.name} (${person.id})`, kind });
  const failed = report.outcomes.find((o) => o.status === 'failed');
  if (failed?.error !== undefined) {
    const code = isErrorCode(failed.error.code) ? failed.error.code : ErrorCode.CHANNEL_UNAVAILABLE;
    throw new DubanError(code, t(options.lang, 'notify.failed', { channel: failed.channel, message: failed.error.message }), { details: { channel: failed.channel } });
  }
  if (report.outcomes.length === 0) {
    throw new DubanError(ErrorCode.NOTIFICATION_UNROUTABLE, t(options.lang, 'notify.noRoute', { person: person.id, kind }), { details: { person: person.id, kind, unreachable: report.unreachable } });
  }
  return report;
}

function printReport(ctx: CommandContext, lang: Lang, report: RoutingReport, about: { person: string; kind: NoticeKind }): void {
  ctx.output.line(t(lang, 'notify.heading', about));
  for (const o of report.outcomes) {
    const to = o.addressee === '*' ? t(lang, 'dev.group') : o.addressee;
    const r = o.receipt;
    if (o.status === 'sent' && r !== undefined) {
      const detail = r.messageId ?? (r.mentioned === undefined ? r.format : `${r.format ?? ''} @${r.mentioned}`) ?? '';
      ctx.output.line(t(lang, 'notify.sent', { channel: o.channel, type: o.type, to, endpoint: r.endpoint, status: r.status, detail, key: o.key }));
    } else if (o.status === 'failed') {
      ctx.output.line(t(lang, 'notify.deliveryFailed', { channel: o.channel, type: o.type, to, code: o.error?.code ?? '', message: o.error?.message ?? '' }));
    }
  }
  for (const u of report.unreachable) ctx.output.line(t(lang, 'notify.unreachable', { channel: u.channel, who: u.who, why: u.why }));
}

export function registerNotify(program: Command, ctx: CommandContext): void {
  const notify = program.command('notify').description("Try the plan's notification routing");
  notify
    .command('test')
    .description("Send a sample notice through the channels a person's routes use, and print the receipts")
    .requiredOption('--plan <file>', 'the plan file whose routing is tried')
    .requiredOption('--to <person>', 'the person id the sample goes to')
    .addOption(new Option('--kind <kind>', 'the kind of notice (default reminder)').choices(NOTICE_KINDS))
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nSecrets come from the environment, as for the worker (DUBAN_SECRET_<NAME> or DUBAN_SECRET_<NAME>_FILE).\n\nExamples:\n  $ pnpm duban notify test --plan plans/xihu-2020.yaml --to chengguan-head\n  $ pnpm duban notify test --plan plans/xihu-2020.yaml --to hq-office-clerk --kind supervision-notice',
    )
    .action(async (o: { plan: string; to: string; kind?: NoticeKind; json?: boolean }, command: Command) => {
      await runNotifyTest(ctx, { ...globalOptions(command, ctx), ...o });
    });
}
