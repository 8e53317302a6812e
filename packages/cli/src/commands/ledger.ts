import { resolve } from 'node:path';
import type { Command } from 'commander';
import { planTaskNumbers } from '@duban/client';
import { ErrorCode, isDubanError, RUNGS, type Rung, type TrafficLight } from '@duban/common';
import { describeTaskDeadline, findTask } from '@duban/plan';
import type { TaskState } from '@duban/workflows';
import { globalOptions, withDuban, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { toCsv, writeCsvFile, type CsvCell } from '../csv';
import { UsageError } from '../errors';
import { lightLabel, rungLabel, statusLabel, t, type Lang, type MessageKey, type ShownStatus } from '../i18n';
import { readPlanOrFail } from './plan-validate';
import { unitNames } from './task-common';

export const LEDGER_FORMATS = ['csv', 'xlsx'] as const;
export type LedgerFormat = (typeof LEDGER_FORMATS)[number];

/** One line of the task ledger (台账). Unit names and titles as the plan writes them. */
export interface LedgerRow {
  number: number;
  action: number;
  title: string;
  primaryLead: string;
  assisting: string;
  responsible: string;
  /** As the plan says it ("2021年底" / "by 2021-12-31"); the extended one once an extension was granted, in the plan's zone. */
  deadline: string;
  /** A task status, or `not-launched`. */
  status: ShownStatus;
  /** Empty while not launched. */
  light: TrafficLight | '';
  escalationLevel: number | null;
  /** The rungs (`reminder`, `interview`, …) climbed, comma-separated; labelled in the CSV and sheet. */
  rungsClimbed: string;
  score: number | null;
  commended: boolean | null;
}

const COLUMNS: ReadonlyArray<[keyof LedgerRow, MessageKey]> = [
  ['number', 'label.number'],
  ['action', 'label.action'],
  ['title', 'label.title'],
  ['primaryLead', 'label.primaryLead'],
  ['assisting', 'label.assisting'],
  ['responsible', 'label.responsible'],
  ['deadline', 'label.deadline'],
  ['status', 'label.status'],
  ['light', 'label.light'],
  ['escalationLevel', 'label.escalation'],
  ['rungsClimbed', 'label.rungs'],
  ['score', 'label.score'],
  ['commended', 'label.commended'],
];

export interface LedgerOptions extends GlobalOptions {
  file: string;
  format: LedgerFormat;
  /** Required unless `json`. */
  out?: string;
  json?: boolean;
}

/** `duban ledger PLAN`: every task's state, queried from its workflow, as CSV or XLSX. */
export async function runLedger(ctx: CommandContext, options: LedgerOptions): Promise<LedgerRow[]> {
  if (options.out === undefined && !options.json) throw new UsageError('Say where the ledger goes with --out FILE (or print it with --json).');
  const plan = await readPlanOrFail(ctx, options.file, options.json === true);
  const names = unitNames(plan);
  // One query per task, all at once: each task is its own workflow.
  const states = await withDuban(ctx, options, (duban) =>
    Promise.all(planTaskNumbers(plan).map((number) => stateOrUndefined(() => duban.task(plan.id, number).state()))),
  );
  const rows = planTaskNumbers(plan).map((number, i): LedgerRow => {
    const task = findTask(plan, number);
    const state = states[i];
    return {
      number,
      action: task.action,
      title: task.title.zh,
      primaryLead: names(task.lead.slice(0, 1)),
      assisting: names(task.lead.slice(1)),
      responsible: names(task.responsible),
      // As the plan says it ("2021年底", "by 2021-12-31"); a moved deadline as its by-date or local time.
      deadline: describeTaskDeadline(plan, number, options.lang, state?.deadlineAt),
      status: state?.status ?? 'not-launched',
      light: state?.light ?? '',
      escalationLevel: state?.escalation.level ?? null,
      rungsClimbed: state ? state.escalation.history.map((r) => r.rung).join(', ') : '',
      score: state?.assessment?.score ?? null,
      commended: state?.assessment ? state.assessment.commended : null,
    };
  });

  if (options.json) ctx.output.json(rows);
  if (options.out !== undefined) {
    const out = resolve(ctx.cwd, options.out);
    const header = COLUMNS.map(([, label]) => t(options.lang, label));
    if (options.format === 'csv') writeCsvFile(out, toCsv(header, rows.map((row) => COLUMNS.map(([key]) => cell(options.lang, key, row)))));
    else await writeXlsx(out, plan.id, header, rows, options.lang);
    ctx.output.error(t(options.lang, 'msg.ledgerWritten', { count: rows.length, file: out }));
  }
  return rows;
}

async function stateOrUndefined(query: () => Promise<TaskState>): Promise<TaskState | undefined> {
  try {
    return await query();
  } catch (error) {
    // Not launched yet: the ledger lists the task from the plan.
    if (isDubanError(error) && error.code === ErrorCode.TASK_NOT_FOUND) return undefined;
    throw error;
  }
}

function display(lang: Lang, key: keyof LedgerRow, row: LedgerRow): string {
  const value = row[key];
  if (key === 'status') return statusLabel(lang, row.status);
  if (key === 'light') return row.light === '' ? '' : lightLabel(lang, row.light);
  if (key === 'rungsClimbed') return row.rungsClimbed.split(', ').filter(isRung).map((rung) => rungLabel(lang, rung)).join(', ');
  if (key === 'commended') return row.commended === null ? '' : t(lang, row.commended ? 'label.yes' : 'label.no');
  return value === null ? '' : String(value);
}

/**
 * A cell of the CSV and the sheet: numbers stay numbers (the sheet sums and sorts them, and
 * the CSV's formula neutralising leaves them alone); everything else is text.
 */
function cell(lang: Lang, key: keyof LedgerRow, row: LedgerRow): CsvCell {
  const value = row[key];
  return typeof value === 'number' ? value : display(lang, key, row);
}

function isRung(value: string): value is Rung {
  return (RUNGS as readonly string[]).includes(value);
}

async function writeXlsx(out: string, planId: string, header: string[], rows: LedgerRow[], lang: Lang): Promise<void> {
  // Loaded on demand: exceljs takes seconds to load, and only this path needs it.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'duban';
  const sheet = workbook.addWorksheet(t(lang, 'label.ledgerSheet'));
  sheet.addRow(header).font = { bold: true };
  for (const row of rows) {
    const added = sheet.addRow(COLUMNS.map(([key]) => cell(lang, key, row)));
    // Text as string cells in the Text format (@): exceljs writes a string as a string, never
    // as a formula, so a title `=HYPERLINK(…)` is shown, not run, and stays text when edited.
    added.eachCell((written) => {
      if (typeof written.value === 'string') written.numFmt = '@';
    });
  }
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  sheet.columns.forEach((column, index) => {
    column.width = index === 2 ? 28 : 14;
  });
  workbook.title = `${planId} ledger`;
  await workbook.xlsx.writeFile(out);
}

function parseFormat(value: string): LedgerFormat {
  if (!(LEDGER_FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format must be csv or xlsx, got "${value}".`);
  return value as LedgerFormat;
}

export function registerLedger(program: Command, ctx: CommandContext): void {
  program
    .command('ledger')
    .description('The task ledger (台账): one row per task with units, deadline, status, light, escalations and score')
    .argument('<plan>', 'the plan file (YAML); the plan id comes from it')
    .option('--format <format>', 'csv or xlsx', parseFormat, 'csv')
    .option('--out <file>', 'where to write the ledger')
    .option('--json', 'print the rows as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ pnpm duban ledger plans/xihu-2020.yaml --out ledger.csv\n  $ pnpm duban --lang zh ledger plans/xihu-2020.yaml --format xlsx --out 台账.xlsx\n  $ pnpm duban ledger plans/xihu-2020.yaml --json',
    )
    .action(async (file: string, o: { format: LedgerFormat; out?: string; json?: boolean }, command: Command) => {
      await runLedger(ctx, { ...globalOptions(command, ctx), file, format: o.format, ...(o.out !== undefined ? { out: o.out } : {}), json: o.json });
    });
}
