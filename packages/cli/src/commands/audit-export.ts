import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AuditRecord } from '@duban/activities';
import { DEFAULT_PATHS, ENV } from '@duban/common';
import { openAuditStoreForCli } from '../audit-store';
import { globalOptions, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { toCsv, writeCsvFile } from '../csv';
import { UsageError } from '../errors';
import { t } from '../i18n';
import { registerAuditVerify } from './audit-verify';
import { parseTaskNumber } from './task-common';

export const AUDIT_FORMATS = ['csv', 'jsonl'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

export interface AuditExportOptions extends GlobalOptions {
  planId?: string;
  taskNumber?: number;
  format: AuditFormat;
  /** Where to write; stdout when absent. */
  out?: string;
  /** The worker's audit database; default $DUBAN_AUDIT_DB or .duban/audit.sqlite under the cwd. */
  auditDb?: string;
  /** The shared PostgreSQL audit store (`postgres://…`); default $DUBAN_AUDIT_URL. */
  auditUrl?: string;
}

export const AUDIT_CSV_COLUMNS = ['at', 'actor', 'plan', 'task', 'event', 'details_json', 'idempotency_key'] as const;

export function auditCsv(records: readonly AuditRecord[]): string {
  return toCsv(
    AUDIT_CSV_COLUMNS,
    records.map((r) => [r.at, r.actor, r.planId, String(r.taskNumber), r.event, JSON.stringify(r.details), r.idempotencyKey]),
  );
}

export function auditJsonLines(records: readonly AuditRecord[]): string {
  return records
    .map((r) =>
      JSON.stringify({
        at: r.at,
        actor: r.actor,
        planId: r.planId,
        taskNumber: r.taskNumber,
        event: r.event,
        details: r.details,
        idempotencyKey: r.idempotencyKey,
        workflowId: r.workflowId,
        recordedAt: r.recordedAt,
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** `duban audit export`: the audit trail from the worker's store (SQLite or PostgreSQL) as CSV or JSON Lines. */
export async function runAuditExport(ctx: CommandContext, options: AuditExportOptions): Promise<{ count: number; text: string }> {
  const store = await openAuditStoreForCli(ctx, options);
  let records: AuditRecord[];
  try {
    records = await store.list({
      ...(options.planId !== undefined ? { planId: options.planId } : {}),
      ...(options.taskNumber !== undefined ? { taskNumber: options.taskNumber } : {}),
    });
  } finally {
    await store.close();
  }
  const text = options.format === 'csv' ? auditCsv(records) : auditJsonLines(records);
  if (options.out !== undefined) {
    const out = resolve(ctx.cwd, options.out);
    if (options.format === 'csv') writeCsvFile(out, text);
    else writeFileSync(out, text, 'utf8');
    ctx.output.error(t(options.lang, 'msg.exported', { count: records.length, file: out }));
  } else if (text !== '') {
    ctx.output.line(text.replace(/\r?\n$/, ''));
  }
  return { count: records.length, text };
}

function parseFormat(value: string): AuditFormat {
  if (!(AUDIT_FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format must be csv or jsonl, got "${value}".`);
  return value as AuditFormat;
}

export function registerAudit(program: Command, ctx: CommandContext): void {
  const audit = program.command('audit').description('The audit trail the worker writes');
  audit
    .command('export')
    .description('Export audit entries (time, actor, plan, task, event, details, idempotency key) as CSV or JSON Lines')
    .option('--plan <id>', 'only this plan id')
    .option('--task <n>', 'only this task number', parseTaskNumber)
    .option('--format <format>', 'csv or jsonl', parseFormat, 'csv')
    .option('--json', 'the same as --format jsonl')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--audit-db <path>', `the worker's audit database (default: $${ENV.auditDb} or ${DEFAULT_PATHS.auditDb})`)
    .option('--audit-url <url>', `the workers' PostgreSQL audit store, postgres://USER:PASSWORD@HOST/DB (default: $${ENV.auditUrl})`)
    .addHelpText(
      'after',
      '\nExamples:\n  $ pnpm duban audit export --plan xihu-2020 --out audit.csv\n  $ pnpm duban audit export --plan xihu-2020 --task 3 --format jsonl\n  $ pnpm duban audit export --audit-db /var/lib/duban/audit.sqlite --json',
    )
    .action(
      async (
        o: { plan?: string; task?: number; format: AuditFormat; json?: boolean; out?: string; auditDb?: string; auditUrl?: string },
        command: Command,
      ) => {
        await runAuditExport(ctx, {
          ...globalOptions(command, ctx),
          format: o.json ? 'jsonl' : o.format,
          ...(o.plan !== undefined ? { planId: o.plan } : {}),
          ...(o.task !== undefined ? { taskNumber: o.task } : {}),
          ...(o.out !== undefined ? { out: o.out } : {}),
          ...(o.auditDb !== undefined ? { auditDb: o.auditDb } : {}),
          ...(o.auditUrl !== undefined ? { auditUrl: o.auditUrl } : {}),
        });
      },
    );
  registerAuditVerify(audit, ctx);
}
