/**
 * CSV the way Excel on Chinese Windows opens it: RFC 4180 through csv-stringify (quotes,
 * commas and line breaks inside a field), CRLF line ends, and a UTF-8 byte-order mark at
 * the start of a file, without which Excel reads the bytes as GBK and 台账 turns to mojibake.
 *
 * Every CSV the CLI writes (the ledger, the audit export) goes through {@link toCsv}, the
 * one place cells are neutralised against formula injection: plan-supplied text such as a
 * title `=HYPERLINK(…)` or a person id `=cmd|…` would otherwise run as a formula when the
 * file is opened in a spreadsheet.
 */
import { writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';

/** The UTF-8 byte-order mark. */
export const BOM = '\ufeff';

/**
 * One cell: text, a number, or empty (`null`). Give numeric data as a number: text is
 * neutralised, a number is not, so a negative number stays a number the sheet can sum.
 */
export type CsvCell = string | number | null;

/**
 * CSV text (no BOM: for a file use {@link writeCsvFile}; for a terminal, print it as is).
 *
 * Text cells starting with `=`, `+`, `-`, `@`, tab or CR (and the full-width `＝ ＋ － ＠`
 * that some spreadsheets normalise) get a leading single quote, the OWASP rule against
 * CSV injection: csv-stringify's `escape_formulas`, which leaves number cells alone.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return stringify([header, ...rows], { record_delimiter: 'windows', escape_formulas: true });
}

/** Writes CSV text to `path` with the BOM, so Excel reads it as UTF-8. */
export function writeCsvFile(path: string, csv: string): void {
  writeFileSync(path, BOM + csv, 'utf8');
}
