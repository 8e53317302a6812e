/**
 * What `duban` loads to start. The bin runs the CLI's one-file build
 * (`dist/duban.bundle.js`, made by `pnpm build`) with V8's code cache beside it, and must
 * say exactly what the compiled CLI (`dist/main.js`) says; commands are registered from a
 * light table and loaded on use, so a command that never connects (`plan validate`, `plan
 * show`, `--help`) loads no Temporal module either way. Processes run with a `--require`
 * hook that writes every module they loaded; nothing here is timed (`pnpm bench:cli`
 * measures the start-up).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram, COMMANDS, t, type CommandContext, type Lang, type RegisterCommand } from '@duban/cli';
import { removeTemporaryDirectories, temporaryDirectory } from '../harness';
import { cliEnv, duban, repoRoot } from './run';

const CLI = join(repoRoot, 'packages', 'cli');
const BIN = join(CLI, 'bin', 'duban.js');
const BUNDLE = join(CLI, 'dist', 'duban.bundle.js');
const COMPILED_MAIN = join(CLI, 'dist', 'main.js');
const SEED = 'plans/xihu-2020.yaml';
const TEMPORAL_MODULE = /[\\/]node_modules[\\/]@temporalio[\\/]/;
const COMMAND_MODULE = /[\\/]packages[\\/]cli[\\/]dist[\\/]commands[\\/]([\w-]+)\.js$/;
/** A compiled file of a workspace package, which the bundle holds instead. */
const COMPILED_FILE = /[\\/]packages[\\/][\w-]+[\\/]dist[\\/](?!duban\.bundle\.js$)/;

let dir: string;
let hook: string;
let runs = 0;
beforeAll(() => {
  dir = temporaryDirectory('duban-startup-');
  hook = join(dir, 'record-modules.js');
  // require.cache holds every CommonJS module the process loaded (the CLI's lazy imports compile to require).
  writeFileSync(hook, `process.on('exit', () => require('node:fs').writeFileSync(process.env.RECORD_TO, Object.keys(require.cache).join('\\n')));\n`);
});
afterAll(removeTemporaryDirectories);

interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  modules: string[];
}

/** Runs node with `args` as a process of its own; returns its exit code, output and every module file it loaded. */
function nodeRun(args: string[], cwd = repoRoot): ProcessRun {
  const record = join(dir, `modules-${++runs}.txt`);
  const run = spawnSync(process.execPath, args, { cwd, env: cliEnv({ NODE_OPTIONS: `--require ${hook}`, RECORD_TO: record }), encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, modules: readFileSync(record, 'utf8').split('\n') };
}

/** `duban ARGS…` as a person runs it: the bin. */
const binRun = (args: string[], bin = BIN) => nodeRun([bin, ...args]);
/** `duban ARGS…` from the compiled CLI, module by module, as the bin runs it without a current bundle. */
const compiledRun = (args: string[]) =>
  nodeRun(['-e', `require(${JSON.stringify(COMPILED_MAIN)}).main(['node', 'duban', ...process.argv.slice(1)]).then((code) => { process.exitCode = code; })`, '--', ...args]);

const commandModules = (modules: string[]) => modules.flatMap((file) => COMMAND_MODULE.exec(file)?.[1] ?? []).sort();

describe('the bin runs the one-file build', () => {
  beforeAll(() => {
    // The bin runs the compiled CLI instead of a bundle older than a compile (by design): say so, not 13 failures of their own.
    const bundled = statSync(BUNDLE, { throwIfNoEntry: false })?.mtimeMs;
    const compiled = ['cli', 'plan', 'common'].map((name) => statSync(join(repoRoot, 'packages', name, 'tsconfig.tsbuildinfo'), { throwIfNoEntry: false })?.mtimeMs ?? 0);
    if (bundled === undefined || compiled.some((at) => at > bundled)) throw new Error(`${BUNDLE} is missing or older than the last \`tsc -b\` of cli, plan or common: run \`pnpm build\`, which bundles after compiling.`);
  });

  test.each([
    ['plan validate', ['plan', 'validate', SEED]],
    ['plan show', ['plan', 'show', SEED]],
    ['--help', ['--help']],
  ])('duban %s: the bundle, no compiled package file, no Temporal module', (_what, args) => {
    const run = binRun(args);
    expect(run.code).toBe(0);
    // `pnpm build` wrote the bundle after compiling: if this fails, the bin fell back to dist/.
    expect(run.modules).toContain(BUNDLE);
    expect(run.modules.filter((file) => COMPILED_FILE.test(file))).toEqual([]);
    expect(run.modules.filter((file) => TEMPORAL_MODULE.test(file))).toEqual([]);
  });

  let broken: string;
  beforeAll(() => {
    broken = join(dir, 'broken.yaml');
    writeFileSync(broken, readFileSync(join(repoRoot, SEED), 'utf8').replace('timeZone: Asia/Shanghai', 'timeZone: Mars/Olympus'));
  });

  test.each([
    ['plan validate (valid)', () => ['plan', 'validate', SEED]],
    ['plan validate --json (a broken plan: located problems, exit 1)', () => ['plan', 'validate', broken, '--json']],
    ['plan validate (a broken plan, in Chinese)', () => ['--lang', 'zh', 'plan', 'validate', broken]],
    ['plan validate (no such file)', () => ['plan', 'validate', join(dir, 'missing.yaml')]],
    ['plan show --json', () => ['plan', 'show', SEED, '--json']],
    ['--help in Chinese', () => ['--lang', 'zh', '--help']],
    ['a mistyped command (exit 2)', () => ['plna', 'validate', SEED]],
    // Commands whose modules need packages left out of the bundle, found from the CLI's node_modules.
    ['task show --help', () => ['task', 'show', '--help']],
    ['worker --help', () => ['worker', '--help']],
    ['ledger --help', () => ['ledger', '--help']],
  ])('duban %s says what the compiled CLI says, with the same exit code', (_what, args) => {
    const bundled = binRun(args());
    const compiled = compiledRun(args());
    expect(bundled.modules).toContain(BUNDLE);
    expect(compiled.modules).not.toContain(BUNDLE);
    expect({ code: bundled.code, stdout: bundled.stdout, stderr: bundled.stderr }).toEqual({ code: compiled.code, stdout: compiled.stdout, stderr: compiled.stderr });
    expect(bundled.stdout.length + bundled.stderr.length).toBeGreaterThan(0);
  });
});

describe('the code cache beside the bundle', () => {
  /** A copy of the bin and the bundle laid out as in packages/cli, in a directory of its own. */
  function install(name: string): { bin: string; bundle: string; cache: string } {
    const root = join(dir, name, 'packages', 'cli');
    mkdirSync(join(root, 'bin'), { recursive: true });
    mkdirSync(join(root, 'dist'), { recursive: true });
    copyFileSync(BIN, join(root, 'bin', 'duban.js'));
    copyFileSync(BUNDLE, join(root, 'dist', 'duban.bundle.js'));
    return { bin: join(root, 'bin', 'duban.js'), bundle: join(root, 'dist', 'duban.bundle.js'), cache: join(root, 'dist', 'duban.bundle.js.cache') };
  }
  const validate = ['plan', 'validate', join(repoRoot, SEED)];

  test('the first call writes it; the next call takes it as it is', () => {
    const copy = install('fresh');
    const first = binRun(validate, copy.bin);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('valid');
    const written = readFileSync(copy.cache);
    expect(written.length).toBeGreaterThan(0);
    const writtenAt = statSync(copy.cache).mtimeMs;

    const second = binRun(validate, copy.bin);
    expect(second.stdout).toBe(first.stdout);
    // V8 accepted it: the bin writes it only when there was none or V8 refused it.
    expect(statSync(copy.cache).mtimeMs).toBe(writtenAt);
    expect(readFileSync(copy.cache).equals(written)).toBe(true);
  });

  test('a cache V8 refuses (damaged, or from another Node) changes nothing the command says, and is replaced', () => {
    const copy = install('damaged');
    const expected = binRun(validate, copy.bin).stdout;
    const garbage = Buffer.from('not V8 code cache '.repeat(64));
    writeFileSync(copy.cache, garbage);

    const run = binRun(validate, copy.bin);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(expected);
    expect(run.stderr).toBe('');
    expect(readFileSync(copy.cache).equals(garbage)).toBe(false);
    expect(readFileSync(copy.cache).length).toBeGreaterThan(garbage.length);
  });

  test('a bundle older than the last compile of a package it holds is not run: the compiled CLI is', () => {
    const copy = install('stale');
    // dist/main.js of this copy is the real compiled CLI.
    writeFileSync(join(copy.bundle, '..', 'main.js'), `module.exports = require(${JSON.stringify(COMPILED_MAIN)});\n`);
    const planBuildInfo = join(dir, 'stale', 'packages', 'plan', 'tsconfig.tsbuildinfo');
    mkdirSync(join(planBuildInfo, '..'), { recursive: true });
    writeFileSync(planBuildInfo, '{}');
    const bundledAt = statSync(copy.bundle).mtime;
    utimesSync(planBuildInfo, bundledAt, new Date(bundledAt.getTime() + 60_000));

    const run = binRun(validate, copy.bin);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('valid');
    expect(run.modules).toContain(COMPILED_MAIN);
    expect(run.modules).not.toContain(copy.bundle);

    // Bundled again after that compile: the bundle runs.
    utimesSync(copy.bundle, bundledAt, new Date(bundledAt.getTime() + 120_000));
    expect(binRun(validate, copy.bin).modules).toContain(copy.bundle);
  });
});

describe('commands are loaded on use (the compiled CLI, as in-process callers and the fallback load it)', () => {
  /** Modules every command may share: the table's helpers. */
  const SHARED = ['register', 'task-common'];
  test.each([
    ['plan validate', ['plan', 'validate', SEED], 'plan'],
    ['plan show', ['plan', 'show', SEED], 'plan'],
    ['--help', ['--help'], undefined],
  ])('duban %s loads no Temporal module and no other command', (_what, args, command) => {
    const run = compiledRun(args);
    expect(run.code).toBe(0);
    // The hook saw the plan package's files (the command ran) or, for --help, the CLI's own.
    expect(run.modules.some((file) => file.includes(join('packages', command ?? 'cli', 'dist')))).toBe(true);
    expect(run.modules.filter((file) => TEMPORAL_MODULE.test(file))).toEqual([]);
    // Only the command that runs is loaded (its subcommands' modules are named after it): no other command's module.
    const loaded = commandModules(run.modules);
    if (command === undefined) expect(loaded).toEqual([]);
    else {
      expect(loaded).toContain(command);
      expect(loaded.filter((name) => name !== command && !name.startsWith(`${command}-`) && !SHARED.includes(name))).toEqual([]);
    }
  });
});

describe('duban --help', () => {
  test.each<[Lang, string[]]>([
    ['en', ['--help']],
    ['zh', ['--lang', 'zh', '--help']],
  ])('lists every command with its description (%s)', (lang, args) => {
    const run = binRun(args);
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
