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

/** A plain-text table; widths count CJK characters as two columns. */
export function table(headers: string[], rows: string[][]): string {
  const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u1100-\uFFEF]/.test(ch) ? 2 : 1), 0);
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const pad = (s: string, i: number) => s + ' '.repeat((widths[i] ?? 0) - width(s));
  const lines = [headers.map(pad).join('  '), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows) lines.push(headers.map((_, i) => pad(row[i] ?? '', i)).join('  ').trimEnd());
  return lines.join('\n');
}
