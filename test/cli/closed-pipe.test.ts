/**
 * Output to a closed pipe (`duban plan show … | head -1`) ends quietly: no EPIPE stack
 * trace, the command's own exit code. The real binary (`node packages/cli/bin/duban.js`)
 * is spawned with its stdout (or stderr) a pipe whose reading end this test closes before
 * the command writes anything, so every write meets a closed pipe.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTemporaryDirectories, temporaryDirectory } from '../harness';
import { cliEnv, repoRoot } from './run';

const BIN = join(repoRoot, 'packages', 'cli', 'bin', 'duban.js');
const SEED = 'plans/xihu-2020.yaml';

interface Closed {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the stream left open received. */
  open: string;
}

/** Runs the binary with `closed` ('stdout' or 'stderr') a pipe nobody reads any more. */
function runIntoClosedPipe(args: string[], closed: 'stdout' | 'stderr'): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: repoRoot, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    // Closing our end now: the child's first write to it fails with EPIPE.
    child[closed].destroy();
    let open = '';
    child[closed === 'stdout' ? 'stderr' : 'stdout'].on('data', (chunk: Buffer) => (open += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, open }));
  });
}

let brokenPlan: string;
beforeAll(() => {
  const dir = temporaryDirectory('duban-closed-pipe-');
  brokenPlan = join(dir, 'broken.yaml');
  writeFileSync(brokenPlan, 'id: Not An Id\n');
});
afterAll(removeTemporaryDirectories);

// [what runs, its arguments, its exit code]
const commands: Array<[string, string[], number]> = [
  ['plan show, a table of 20 tasks', ['plan', 'show', SEED], 0],
  ['plan show --json', ['plan', 'show', SEED, '--json'], 0],
  ['plan validate', ['plan', 'validate', SEED], 0],
  ['--help', ['--help'], 0],
  ['keys --help (a subcommand’s help)', ['keys', '--help'], 0],
];

describe('stdout closed before the first write', () => {
  test.each(commands)('%s ends quietly with its own exit code', async (_what, args, code) => {
    const run = await runIntoClosedPipe(args, 'stdout');
    expect(run.open).toBe('');
    expect(run).toMatchObject({ code, signal: null });
  });

  test('plan validate --json of a broken plan still says why it failed on stderr, with exit 1', async () => {
    const run = await runIntoClosedPipe(['plan', 'validate', brokenPlan, '--json'], 'stdout');
    expect(run.open).not.toMatch(/EPIPE|node:events|Unhandled/);
    expect(run.open).toContain('[PLAN_INVALID]');
    expect(run).toMatchObject({ code: 1, signal: null });
  });
});

describe('stderr closed before the first write', () => {
  test('a usage error ends with exit 2, not a crash', async () => {
    const run = await runIntoClosedPipe(['plan', 'show'], 'stderr');
    expect(run).toMatchObject({ code: 2, signal: null, open: '' });
  });

});

test('`duban plan show … | head -1` in a shell prints the first line and nothing else', () => {
  const shell = spawnSync('bash', ['-c', `set -o pipefail; node ${JSON.stringify(BIN)} plan show ${SEED} --lang en | head -1`], {
    cwd: repoRoot,
    env: cliEnv(),
    encoding: 'utf8',
  });
  expect(shell.stderr).toBe('');
  expect(shell.stdout).toMatch(/^xihu-2020 {2}\S.*\n$/);
  expect(shell.status).toBe(0);
});
