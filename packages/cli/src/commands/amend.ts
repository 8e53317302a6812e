import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ENV, ErrorCode } from '@duban/common';
import { readAmendmentFile } from '@duban/plan';
import type { AmendmentResult } from '@duban/workflows';
import { globalOptions, withDuban, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { t } from '../i18n';
import { printedAsJson } from '../output';
import { signerFor } from '../signing';
import { failWithProblems, readPlanOrFail } from './plan-validate';

export interface AmendCommandOptions extends GlobalOptions {
  /** The plan file the campaign was launched from. */
  file: string;
  /** The amendment file (YAML), e.g. plans/amendments/xihu-2021-tasks.yaml. */
  amendment: string;
  /** Whose key signs: an HQ office member; default the amendment's `issuedBy`. */
  as?: string;
  json?: boolean;
}

/**
 * `duban amend PLAN AMENDMENT`: validates the amendment file against the plan (every
 * problem with its line and fix), signs it with the issuer's key and applies it to the
 * running campaign, which checks the signer against its roster of record (not the plan
 * file given here).
 */
export async function runAmend(ctx: CommandContext, options: AmendCommandOptions): Promise<AmendmentResult> {
  const json = options.json === true;
  const plan = await readPlanOrFail(ctx, options.file, json);
  const read = await readAmendmentFile(resolve(ctx.cwd, options.amendment), plan, { displayName: options.amendment });
  if (!read.ok) return failWithProblems(ctx, { file: options.amendment, problems: read.problems, json }, ErrorCode.AMENDMENT_INVALID, 'duban amend');
  const { key } = await signerFor(ctx, plan.id, options.as ?? read.amendment.issuedBy);
  const result = await withDuban(ctx, options, (duban) => duban.campaign(plan.id).as(key).amend(plan, read.amendment));
  if (printedAsJson(ctx.output, json, result)) return result;
  const list = (numbers: number[]) => (numbers.length === 0 ? t(options.lang, 'label.none') : numbers.join(', '));
  ctx.output.line(
    result.applied
      ? t(options.lang, 'amend.applied', { id: result.amendmentId, plan: plan.id, added: list(result.added), moved: list(result.moved), reassigned: list(result.reassigned) })
      : t(options.lang, 'amend.duplicate', { id: result.amendmentId, plan: plan.id }),
  );
  return result;
}

export function registerAmend(program: Command, ctx: CommandContext): void {
  program
    .command('amend')
    .description('Amend a running campaign from an amendment file: add tasks, move a deadline, reassign a lead unit')
    .argument('<plan>', 'the plan file the campaign was launched from')
    .argument('<amendment>', 'the amendment file (YAML)')
    .option('--as <person>', `whose key signs (an HQ office member): default $${ENV.actingAs}, else the amendment's issuedBy`)
    .option('--json', 'print the result (or the problems) as JSON')
    .addHelpText('after', '\nExamples:\n  $ pnpm duban amend plans/xihu-2020.yaml plans/amendments/xihu-2021-tasks.yaml --as hq-office-clerk')
    .action(async (file: string, amendment: string, o: { as?: string; json?: boolean }, command: Command) => {
      const as = o.as ?? (ctx.env[ENV.actingAs] || undefined);
      await runAmend(ctx, { ...globalOptions(command, ctx), file, amendment, json: o.json, ...(as !== undefined ? { as } : {}) });
    });
}
