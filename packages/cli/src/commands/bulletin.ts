import type { Command } from 'commander';
import type { Bulletin, UnitRanking } from '@duban/workflows';
import { globalOptions, withDuban, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { t, type Lang } from '../i18n';
import { printedAsJson } from '../output';
import { readPlanOrFail } from './plan-validate';
import { localTime, unitNames } from './task-common';

export interface BulletinCommandOptions extends GlobalOptions {
  file: string;
  /** Show what the next dispatch would send now instead of the latest bulletin. */
  preview?: boolean;
  json?: boolean;
}

export interface BulletinReport {
  /** Whether `bulletin` is a preview (asked for, or because none has been sent yet). */
  preview: boolean;
  bulletin: Bulletin;
}

/** `duban bulletin PLAN`: the latest weekly bulletin (通报), or `--preview` of the next. */
export async function runBulletin(ctx: CommandContext, options: BulletinCommandOptions): Promise<BulletinReport> {
  const plan = await readPlanOrFail(ctx, options.file, options.json === true);
  const { bulletins, nextDispatchAt } = await withDuban(ctx, options, async (duban) => {
    const campaign = duban.campaign(plan.id);
    const kept = await campaign.bulletins();
    // None sent yet: say when the first is due.
    const next = !options.preview && kept.latest === undefined ? (await campaign.board()).nextDispatchAt : undefined;
    return { bulletins: kept, nextDispatchAt: next };
  });
  const report: BulletinReport =
    !options.preview && bulletins.latest !== undefined ? { preview: false, bulletin: bulletins.latest } : { preview: true, bulletin: bulletins.preview };
  if (printedAsJson(ctx.output, options.json, report)) return report;
  const { lang } = options;
  const tz = plan.timeZone;
  if (!options.preview && bulletins.latest === undefined) ctx.output.line(t(lang, 'bulletin.none', { dispatch: localTime(nextDispatchAt, tz) || '—' }));
  for (const line of bulletinLines(report, lang, plan.id, tz, unitNames(plan))) ctx.output.line(line);
  return report;
}

/** The bulletin as lines for people; unit names and task titles as the plan writes them. */
export function bulletinLines(report: BulletinReport, lang: Lang, planId: string, timeZone: string, names: (codes: readonly string[]) => string): string[] {
  const b = report.bulletin;
  const from = localTime(b.periodStart, timeZone);
  const lines = [
    report.preview
      ? t(lang, 'bulletin.previewHeading', { plan: planId, from })
      : t(lang, 'bulletin.heading', { plan: planId, number: b.number, from, to: localTime(b.periodEnd, timeZone) }),
    t(lang, 'bulletin.totals', { ...b.totals }),
  ];
  const ranking = (heading: string, entries: UnitRanking[]) => {
    lines.push('', heading);
    if (entries.length === 0) lines.push(`  ${t(lang, 'label.none')}`);
    for (const entry of entries) {
      const tasks = entry.tasks.map(
        (task) => `${task.taskNumber} ${task.title} (${task.percent}%${task.escalationLevel > 0 ? `, ${t(lang, 'bulletin.level', { level: task.escalationLevel })}` : ''})`,
      );
      lines.push(`  ${entry.rank}. ${names([entry.unit])}: ${tasks.join('; ')}`);
    }
  };
  ranking(t(lang, 'bulletin.overdue'), b.overdue);
  ranking(t(lang, 'bulletin.atRisk'), b.atRisk);
  const moves = (list: Bulletin['escalationsOpened']) => (list.length === 0 ? t(lang, 'label.none') : list.map((m) => `${m.taskNumber} (${names([m.unit])})`).join(', '));
  lines.push('', t(lang, 'bulletin.opened', { list: moves(b.escalationsOpened) }), t(lang, 'bulletin.closed', { list: moves(b.escalationsClosed) }));
  return lines;
}

export function registerBulletin(program: Command, ctx: CommandContext): void {
  program
    .command('bulletin')
    .description('The latest weekly dispatch bulletin (周调度通报): overdue and at-risk tasks ranked by unit, escalations opened and closed')
    .argument('<plan>', 'the plan file (YAML); the plan id comes from it')
    .option('--preview', 'show what the next dispatch would send if it happened now')
    .option('--json', 'print the bulletin as JSON')
    .addHelpText('after', '\nExamples:\n  $ pnpm duban bulletin plans/xihu-2020.yaml\n  $ pnpm duban --lang zh bulletin plans/xihu-2020.yaml --preview --json')
    .action(async (file: string, o: { preview?: boolean; json?: boolean }, command: Command) => {
      await runBulletin(ctx, { ...globalOptions(command, ctx), file, preview: o.preview, json: o.json });
    });
}
