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

/**
 * The binary's output: the process's stdout and stderr, each dropping what is written
 * after its reader went away (see {@link quietOnClosedPipe}).
 */
export function processOutput(): Output {
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const out = quietOnClosedPipe(process.stdout);
  const err = quietOnClosedPipe(process.stderr);
  return {
    line: (text) => out(`${text}\n`),
    error: (text) => err(`${text}\n`),
    json: (value) => out(`${JSON.stringify(value, null, 2)}\n`),
    color,
  };
}

/**
 * Whether an error says the other end of a pipe is gone: EPIPE from a write to a closed
 * pipe, or a write to the stream Node destroyed after it.
 */
export function isClosedPipe(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  return error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
}

const watched = new WeakMap<NodeJS.WritableStream, { closed: boolean }>();

/**
 * A writer to `stream` that goes quiet once the stream's reader has gone away:
 * `duban plan show … | head -1` closes the pipe after one line, and the next write fails
 * with EPIPE, which Node raises as an 'error' event on the stream; unhandled, it ends the
 * process with a stack trace. Here that error only marks the stream closed: later writes
 * are dropped, and the command finishes with its own exit code (nobody reads its output
 * any more, as `head` wanted). The listener also covers other writers of the same stream
 * (the SDK's logger on stderr). Any other stream error is raised as before.
 */
export function quietOnClosedPipe(stream: NodeJS.WritableStream): (text: string) => void {
  const state = watched.get(stream) ?? watch(stream);
  return (text) => {
    if (!state.closed) stream.write(text);
  };
}

function watch(stream: NodeJS.WritableStream): { closed: boolean } {
  const state = { closed: false };
  stream.on('error', (error: unknown) => {
    if (!isClosedPipe(error)) throw error;
    state.closed = true;
  });
  watched.set(stream, state);
  return state;
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
