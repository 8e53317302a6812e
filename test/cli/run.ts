/**
 * Runs the CLI the two ways the tests need: in-process through `main(argv, ctx)` (the
 * same code the binary runs, without a process and a Temporal client to load per
 * command), and, for a few smoke tests, the real binary as a person types it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { main, type Output } from '@duban/cli';

export const repoRoot = join(__dirname, '..', '..');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Merged over the base environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Colour on, as on a terminal. */
  color?: boolean;
}

/**
 * The environment a command sees: this process's, without the caller's DUBAN_AS and
 * Temporal profile, in English (LANG=C), with `overrides` on top.
 */
export function cliEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const { DUBAN_AS: _as, TEMPORAL_PROFILE: _profile, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, LANG: 'C', LC_ALL: '', NO_COLOR: '1' };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/**
 * `duban ARGS…` in this process from the repository root: stdout and stderr as the binary
 * would write them (JSON pretty-printed), and the exit code `main` returns.
 */
export async function duban(args: string[], options: RunOptions = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const output: Output = {
    line: (text) => (stdout += `${text}\n`),
    error: (text) => (stderr += `${text}\n`),
    json: (value) => (stdout += `${JSON.stringify(value, null, 2)}\n`),
    color: options.color ?? false,
  };
  const code = await main(['node', 'duban', ...args], { output, cwd: repoRoot, env: cliEnv(options.env) });
  return { code, stdout, stderr };
}

/** The real binary, `pnpm duban ARGS…` from the repository root, for the smoke tests. */
export function dubanBinary(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('pnpm', ['--silent', 'duban', ...args], { cwd: repoRoot, env: cliEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Where each column of a table starts, in display columns, and where each cell of each
 * row starts. A cell is text without double spaces; widths are measured by `width`
 * (string-width: CJK counts two, ANSI colour codes nothing), as a terminal shows them.
 */
export function tableColumns(text: string, width: (s: string) => number): { columns: number[]; rows: number[][] } {
  const lines = text.split('\n');
  const rule = lines.findIndex((line) => /^-+( {2}-+)*$/.test(line));
  if (rule < 1) throw new Error(`no table in:\n${text}`);
  const starts = (line: string) => [...line.matchAll(/\S+(?: \S+)*/g)].map((m) => width(line.slice(0, m.index)));
  const body: string[] = [];
  for (const line of lines.slice(rule + 1)) {
    if (line.trim() === '') break;
    body.push(line);
  }
  return { columns: starts(lines[rule] ?? ''), rows: body.map(starts) };
}

/** The run exited with `code`, and `stream` holds every text (a string, or a pattern it matches). */
export function expectRun(run: Run, code: number, stream: 'stdout' | 'stderr', texts: Array<string | RegExp>): void {
  expect(run.code).toBe(code);
  for (const text of texts) {
    if (typeof text === 'string') expect(run[stream]).toContain(text);
    else expect(run[stream]).toMatch(text);
  }
}
