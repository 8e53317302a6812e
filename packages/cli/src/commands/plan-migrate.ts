import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DubanError, ErrorCode } from '@duban/common';
import { migratePlanText, type MigrationChange } from '@duban/plan';
import type { CommandContext } from '../context';
import { t } from '../i18n';
import { paint } from '../output';
import { failWithProblems } from './plan-validate';
import { planJsonCommand, type PlanJsonOptions } from './register';

export interface PlanMigrateOptions extends PlanJsonOptions {
  /** Print what would change without writing the file. */
  dryRun?: boolean;
}

export interface PlanMigrateReport {
  file: string;
  format: 2;
  written: boolean;
  changes: MigrationChange[];
}

/**
 * Replaces `path` with `text` without a moment in which the file is half-written or gone:
 * the text goes to a temporary file beside it (same directory, so same file system), which
 * is then renamed over it. The file's permissions are kept.
 */
async function replaceFile(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.migrate.tmp`);
  const { mode } = await stat(path);
  try {
    await writeFile(temporary, text, { encoding: 'utf8', mode, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/**
 * `duban plan migrate FILE`: upgrades a format-1 plan file to format 2 in place, keeping
 * its comments and layout, and says what changed. Refuses a file already in format 2, and
 * one that does not load (its problems are listed; the file is left as it was).
 */
export async function runPlanMigrate(ctx: CommandContext, options: PlanMigrateOptions): Promise<PlanMigrateReport> {
  const { file, lang } = options;
  const path = resolve(ctx.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new DubanError(ErrorCode.FILE_NOT_FOUND, t(lang, 'plan.migrate.unreadable', { file, reason }), { details: { file, reason } });
  }
  const result = migratePlanText(text, file);
  if (!result.ok) {
    if (result.reason === 'current') {
      throw new DubanError(ErrorCode.PLAN_FORMAT_CURRENT, t(lang, 'plan.migrate.current', { file, format: String(result.format) }), {
        details: { file, format: result.format },
      });
    }
    if (result.reason === 'invalid' && result.problems.length > 0) {
      return failWithProblems(ctx, { file, problems: result.problems, json: options.json === true }, ErrorCode.PLAN_INVALID, `duban plan migrate ${file}`);
    }
    throw new DubanError(ErrorCode.PLAN_INVALID, t(lang, 'plan.migrate.unsafe', { file }), { details: { file, problems: result.problems } });
  }
  if (options.dryRun !== true) {
    await replaceFile(path, result.text).catch((error: unknown) => {
      const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
      throw new DubanError(ErrorCode.FILE_NOT_WRITTEN, t(lang, 'plan.migrate.notWritten', { file, reason }), { details: { file, reason }, cause: error });
    });
  }
  const report: PlanMigrateReport = { file, format: 2, written: options.dryRun !== true, changes: result.changes };
  if (options.json) {
    ctx.output.json(report);
    return report;
  }
  for (const change of result.changes) {
    const at = { file, line: String(change.line) };
    if (change.kind === 'actions-renamed') {
      ctx.output.line(t(lang, 'plan.migrate.renamed', { ...at, sections: String(change.sections), tasks: String(change.tasks) }));
    } else ctx.output.line(t(lang, change.kind === 'format-added' ? 'plan.migrate.formatAdded' : 'plan.migrate.formatRaised', at));
  }
  ctx.output.line(paint(ctx.output, 'green', t(lang, report.written ? 'plan.migrate.done' : 'plan.migrate.dryRun', { file })));
  return report;
}

export function registerPlanMigrate(plan: Command, ctx: CommandContext): void {
  planJsonCommand<{ dryRun?: boolean }>(plan, ctx, {
    name: 'migrate',
    description: 'Upgrade a plan file of format 1 to format 2 in place, keeping its comments, and say what changed',
    argument: { name: '<file>', description: 'the plan file (YAML)' },
    jsonHelp: 'print what changed as JSON',
    examples: ['pnpm duban plan migrate plans/my-plan.yaml', 'pnpm duban plan migrate plans/my-plan.yaml --dry-run'],
    run: runPlanMigrate,
  }).option('--dry-run', 'say what would change without writing the file');
}
