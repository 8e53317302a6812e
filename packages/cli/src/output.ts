import Table from 'cli-table3';
import type { TrafficLight } from '@duban/common';

/** Where commands write. Tests pass their own sinks; the binary writes to stdout/stderr. */
export interface Output {
  /** A line of normal output. */
  line(text: string): void;
  /** A line for people about what went wrong. */
  error(text: string): void;
  /** Machine-readable output for `--json`. */
  json(value: unknown): void;
  /** Colour (ANSI) allowed: only on a TTY, and never with NO_COLOR. */
  readonly color: boolean;
}

export function processOutput(): Output {
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  return {
    line: (text) => process.stdout.write(`${text}\n`),
    error: (text) => process.stderr.write(`${text}\n`),
    json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    color,
  };
}

const codes = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof codes;

export function paint(output: Output, colour: Colour, text: string): string {
  return output.color ? `\u001b[${codes[colour]}m${text}\u001b[0m` : text;
}

/** A traffic light's label in its own colour (红灯 in red). */
export function paintLight(output: Output, light: TrafficLight, label: string): string {
  return paint(output, light, label);
}

/** No borders: columns two spaces apart, a rule of dashes under the header. */
const PLAIN: Partial<Record<Table.CharName, string>> = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '-',
  'mid-mid': '  ',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/**
 * A plain-text table. cli-table3 measures cells with string-width: CJK characters take two
 * columns, ANSI colour codes none, so Chinese titles and coloured lights line up.
 */
export function table(headers: string[], rows: string[][]): string {
  const drawn = new Table({
    head: headers,
    chars: PLAIN,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 },
  });
  drawn.push(...rows.map((row) => headers.map((_, i) => row[i] ?? '')));
  return drawn
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/**
 * `--json`: prints `value` as JSON and returns true, so the command prints nothing for
 * people: `if (printedAsJson(ctx.output, options.json, board)) return board;`.
 */
export function printedAsJson(output: Output, json: boolean | undefined, value: unknown): boolean {
  if (json === true) output.json(value);
  return json === true;
}
