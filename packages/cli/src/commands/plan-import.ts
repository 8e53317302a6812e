import { access, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DubanError, ErrorCode, isDubanError } from '@duban/common';
import type { DraftSection, Finding, FindingCode } from '@duban/plan-import';
import { globalOptions, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { t, type Lang, type MessageKey } from '../i18n';
import { paint } from '../output';
import { examplesHelp } from './register';

export interface PlanImportOptions extends GlobalOptions {
  /** The published plan: .txt, .md or .docx, relative to the working directory. */
  file: string;
  /** Where the draft goes; without it, next to the source as <name>.yaml. */
  out?: string;
  /** Plan id; default from the file name. */
  id?: string;
  /** Add an example unit head per unit (marked example) so the draft validates at once. */
  examplePeople?: boolean;
  /** Replace an existing --out file. */
  force?: boolean;
  json?: boolean;
}

export interface PlanImportReport {
  file: string;
  out: string;
  id: string;
  sections: number;
  tasks: number;
  units: number;
  milestones: number;
  findings: Finding[];
}

const FINDING_KEYS: Record<FindingCode, MessageKey> = {
  'item-without-units': 'import.finding.item-without-units',
  'units-without-item': 'import.finding.units-without-item',
  'no-lead': 'import.finding.no-lead',
  'collective-without-members': 'import.finding.collective-without-members',
  'date-unread': 'import.finding.date-unread',
  'year-assumed': 'import.finding.year-assumed',
  'campaign-guessed': 'import.finding.campaign-guessed',
  'organization-not-imported': 'import.finding.organization-not-imported',
  'text-left-out': 'import.finding.text-left-out',
  'roster-empty': 'import.finding.roster-empty',
};

/** A finding in the reader's language: "第 59 行：…" / "line 59: …". */
export function describeFinding(lang: Lang, finding: Finding): string {
  return t(lang, 'import.finding.at', { line: finding.line, what: t(lang, FINDING_KEYS[finding.code], { text: finding.text }) });
}

function countTasks(sections: readonly DraftSection[]): number {
  return sections.reduce((n, s) => n + s.tasks.length + countTasks(s.sections), 0);
}

/**
 * `duban plan import FILE [--out PLAN.yaml]`: reads a published plan and writes a draft
 * plan in format 2, every guess marked `# 待核`, then lists what it could not place.
 * An existing --out file is kept unless --force: a reviewed plan is never overwritten.
 */
export async function runPlanImport(ctx: CommandContext, options: PlanImportOptions): Promise<PlanImportReport> {
  const { lang } = options;
  // Loaded here, not at the top: `duban plan validate` does not pay for the importer.
  const { importPlanFile } = await import('@duban/plan-import');
  const source = resolve(ctx.cwd, options.file);
  const out = options.out ?? options.file.replace(/\.(txt|text|md|markdown|docx)$/i, '') + '.yaml';
  const target = resolve(ctx.cwd, out);
  if (options.force !== true) {
    const exists = await access(target).then(
      () => true,
      () => false,
    );
    if (exists) throw new DubanError(ErrorCode.USAGE, t(lang, 'import.outExists', { out }), { details: { out } });
  }
  const result = await importPlanFile(source, {
    ...(options.id ? { id: options.id } : {}),
    ...(options.examplePeople ? { examplePeople: true } : {}),
    describeFinding: (f) => describeFinding(lang, f),
  }).catch((error: unknown) => {
    // The importer's facts, in the reader's language; the code and details stay.
    if (!isDubanError(error)) throw error;
    const file = options.file;
    const key: MessageKey | undefined =
      error.code === ErrorCode.IMPORT_NO_TASKS
        ? 'import.noTasks'
        : error.code === ErrorCode.IMPORT_UNSUPPORTED_FILE
          ? /\.docx$/i.test(file) ? 'import.docxUnreadable' : 'import.unsupported'
          : error.code === ErrorCode.FILE_NOT_FOUND
            ? 'import.unreadable'
            : undefined;
    if (key === undefined) throw error;
    throw new DubanError(error.code, t(lang, key, { file }), { cause: error, details: error.details });
  });
  await writeFile(target, result.yaml, 'utf8');
  const report: PlanImportReport = {
    file: options.file,
    out,
    id: result.plan.id,
    sections: result.plan.sections.length,
    tasks: countTasks(result.plan.sections),
    units: result.plan.units.length,
    milestones: result.plan.milestones.length,
    findings: result.findings,
  };
  if (options.json) {
    ctx.output.json(report);
    return report;
  }
  ctx.output.line(paint(ctx.output, 'green', t(lang, 'import.written', { ...report, findings: report.findings.length })));
  ctx.output.line(t(lang, 'import.review'));
  if (result.findings.length > 0) {
    ctx.output.line(t(lang, 'import.notPlaced', { file: options.file }));
    for (const finding of result.findings) ctx.output.line(`  ${describeFinding(lang, finding)}`);
  }
  ctx.output.line(t(lang, 'import.next', { out }));
  return report;
}

export function registerPlanImport(plan: Command, ctx: CommandContext): void {
  plan
    .command('import')
    .description('Draft a plan file from a plan as published (.txt, .md, .docx); every guess is marked for review')
    .argument('<file>', 'the published plan: .txt, .md or .docx')
    .option('--out <plan>', 'where to write the draft plan (default: the file name with .yaml)')
    .option('--id <id>', 'the plan id (default: from the file name)')
    .option('--example-people', 'add invented people (a head per unit and a supervisor, marked example: true) so the draft validates and runs at once')
    .option('--force', 'replace the --out file if it exists')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examplesHelp(['pnpm duban plan import 实施方案.docx --out plans/draft.yaml', 'pnpm duban plan import plan.txt --example-people --out plans/try.yaml']),
    )
    .action(async (file: string, flags: Omit<PlanImportOptions, 'file' | keyof GlobalOptions>, command: Command) => {
      await runPlanImport(ctx, { ...globalOptions(command, ctx), file, ...flags });
    });
}
