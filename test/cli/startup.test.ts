/**
 * What `duban` loads to start: commands registered from a light table and loaded on use,
 * so a command that never connects (`plan validate`, `plan show`, `--help`) loads no
 * Temporal module. The real bin runs with a `--require` hook that writes every module it
 * loaded; nothing here is timed (`pnpm bench:cli` measures the start-up).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram, COMMANDS, t, type CommandContext, type Lang, type RegisterCommand } from '@duban/cli';
import { removeTemporaryDirectories, temporaryDirectory } from '../harness';
import { cliEnv, duban, repoRoot } from './run';

const BIN = join(repoRoot, 'packages', 'cli', 'bin', 'duban.js');
const SEED = 'plans/xihu-2020.yaml';
const TEMPORAL_MODULE = /[\\/]node_modules[\\/]@temporalio[\\/]/;
const COMMAND_MODULE = /[\\/]packages[\\/]cli[\\/]dist[\\/]commands[\\/]([\w-]+)\.js$/;

let dir: string;
let hook: string;
let runs = 0;
beforeAll(() => {
  dir = temporaryDirectory('duban-startup-');
  hook = join(dir, 'record-modules.js');
});
afterAll(removeTemporaryDirectories);

/** Runs the bin as a process of its own; returns its exit code, stdout and every module file it loaded. */
function binLoads(args: string[]): { code: number | null; stdout: string; modules: string[] } {
  const record = join(dir, `modules-${++runs}.txt`);
  // require.cache holds every CommonJS module the process loaded (the CLI's lazy imports compile to require).
  writeFileSync(hook, `process.on('exit', () => require('node:fs').writeFileSync(process.env.RECORD_TO, Object.keys(require.cache).join('\\n')));\n`);
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd: repoRoot,
    env: cliEnv({ NODE_OPTIONS: `--require ${hook}`, RECORD_TO: record }),
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, modules: readFileSync(record, 'utf8').split('\n') };
}

const commandModules = (modules: string[]) => modules.flatMap((file) => COMMAND_MODULE.exec(file)?.[1] ?? []).sort();

describe('a command that does not connect loads no Temporal module', () => {
  test.each([
    ['plan validate', ['plan', 'validate', SEED], ['plan', 'plan-show', 'plan-validate', 'register', 'task-common']],
    ['plan show', ['plan', 'show', SEED], ['plan', 'plan-show', 'plan-validate', 'register', 'task-common']],
    ['--help', ['--help'], []],
  ])('duban %s', (_what, args, ownModules) => {
    const run = binLoads(args);
    expect(run.code).toBe(0);
    // The hook saw the plan package's files (the command ran) or, for --help, the CLI's own.
    expect(run.modules.some((file) => file.includes(join('packages', args[0] === 'plan' ? 'plan' : 'cli', 'dist')))).toBe(true);
    expect(run.modules.filter((file) => TEMPORAL_MODULE.test(file))).toEqual([]);
    // Only the command that runs is loaded: no other command's module.
    expect(commandModules(run.modules)).toEqual(ownModules);
  });
});

describe('duban --help', () => {
  test.each<[Lang, string[]]>([
    ['en', ['--help']],
    ['zh', ['--lang', 'zh', '--help']],
  ])('lists every command with its description (%s)', (lang, args) => {
    const run = binLoads(args);
    expect(run.code).toBe(0);
    // Commander wraps long descriptions at spaces: compare with whitespace collapsed.
    const flat = run.stdout.replace(/\s+/g, ' ');
    for (const entry of COMMANDS) {
      expect(run.stdout).toMatch(new RegExp(`^  ${entry.name}\\b`, 'm'));
      expect(flat).toContain(t(lang, entry.description).replace(/\s+/g, ' '));
    }
  });

  test('reads as it would with every command loaded (each entry is its command’s own name, usage and description)', async () => {
    const ctx: CommandContext = { output: { line: () => undefined, error: () => undefined, json: () => undefined, color: false }, cwd: repoRoot, env: cliEnv() };
    const all = new Map<string, RegisterCommand>(await Promise.all(COMMANDS.map(async (entry) => [entry.name, await entry.load()] as const)));
    const full = buildProgram(ctx, all);
    expect(full.commands.map((command) => command.name())).toEqual(COMMANDS.map((entry) => entry.name));
    expect(buildProgram(ctx).helpInformation()).toBe(full.helpInformation());
  });
});

describe('a command loaded on use keeps its own help', () => {
  test.each([
    ['duban plan --help', ['plan', '--help']],
    ['duban help plan', ['help', 'plan']],
    ['duban plan (no subcommand)', ['plan']],
  ])('%s shows the plan command’s subcommands', async (_what, args) => {
    const run = await duban(args);
    const shown = `${run.stdout}${run.stderr}`;
    expect(shown).toContain('Usage: duban plan [options] [command]');
    expect(shown).toMatch(/^ {2}validate \[options\] <file>/m);
    expect(shown).toMatch(/^ {2}show \[options\] <file>/m);
  });

  test('a subcommand’s options and examples are there: duban plan validate --help', async () => {
    const run = await duban(['plan', 'validate', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: duban plan validate [options] <file>');
    expect(run.stdout).toContain('--json');
    expect(run.stdout).toContain('Examples:');
  });

  test('a mistyped command is refused with the nearest name, exit 2', async () => {
    const run = await duban(['plna', 'validate', SEED]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'plna'");
    expect(run.stderr).toContain('(Did you mean plan?)');
  });
});
