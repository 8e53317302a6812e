/**
 * CSV the way Excel on Chinese Windows opens it: RFC 4180 through csv-stringify (quotes,
 * commas and line breaks inside a field), CRLF line ends, and a UTF-8 byte-order mark at
 * the start of a file, without which Excel reads the bytes as GBK and 台账 turns to mojibake.
 */
import { writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';

/** The UTF-8 byte-order mark. */
export const BOM = '\ufeff';

/** CSV text (no BOM: for a file use {@link writeCsvFile}; for a terminal, print it as is). */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return stringify([header, ...rows], { record_delimiter: 'windows' });
}

/** Writes CSV text to `path` with the BOM, so Excel reads it as UTF-8. */
export function writeCsvFile(path: string, csv: string): void {
  writeFileSync(path, BOM + csv, 'utf8');
}
