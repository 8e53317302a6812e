/**
 * `duban serve` as the process an operator runs: the real binary
 * (`node packages/cli/bin/duban.js serve --plan plans/xihu-2020.yaml --port 0`) against a
 * dev server, connected through TEMPORAL_ADDRESS. It prints its URL once listening, serves
 * the login page with a Content-Security-Policy, and a SIGTERM ends it cleanly (exit 0,
 * its stop line printed) within a few seconds: nothing it opened keeps it alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { removeTemporaryDirectories, serverAddress, startDevServer, temporaryDirectory } from '../harness';
import { cliEnv, repoRoot } from '../cli/run';

jest.setTimeout(120_000);

const BIN = join(repoRoot, 'packages', 'cli', 'bin', 'duban.js');

let env: TestWorkflowEnvironment | undefined;
let child: ChildProcess | undefined;

beforeAll(async () => {
  env = await startDevServer();
}, 120_000);

afterAll(async () => {
  // Should the test fail before its SIGTERM, the process still goes.
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await env?.teardown();
  removeTemporaryDirectories();
});

/** Resolves with the match once the child's stdout (gathered in `out`) matches `pattern`; rejects when it ends first or after `ms`. */
function printed(proc: ChildProcess, pattern: RegExp, ms: number, out: { stdout: string; stderr: string }): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`not printed within ${ms} ms: ${pattern}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`)), ms);
    const check = () => {
      const match = pattern.exec(out.stdout);
      if (match) done(undefined, match);
    };
    const ended = (code: number | null) => done(new Error(`duban serve ended (${code}) before printing ${pattern}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`));
    function done(error?: Error, match?: RegExpExecArray) {
      clearTimeout(timer);
      proc.stdout?.off('data', check);
      proc.off('exit', ended);
      if (error) reject(error);
      else resolve(match as RegExpExecArray);
    }
    proc.stdout?.on('data', check);
    proc.once('exit', ended);
    check();
  });
}

function exited(proc: ChildProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve({ code: proc.exitCode, signal: proc.signalCode });
    const timer = setTimeout(() => reject(new Error(`duban serve still running ${ms} ms after SIGTERM`)), ms);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe('duban serve, the process', () => {
  it('prints its URL, serves the login page with a CSP, and exits 0 on SIGTERM', async () => {
    const dir = temporaryDirectory('duban-serve-');
    const args = [BIN, '--lang', 'en', 'serve', '--plan', 'plans/xihu-2020.yaml', '--port', '0', '--db', join(dir, 'workspace.sqlite'), '--audit-db', join(dir, 'audit.sqlite')];
    const running = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: cliEnv({ TEMPORAL_ADDRESS: serverAddress(env!), TEMPORAL_NAMESPACE: env!.namespace ?? 'default', DUBAN_PLANS: undefined }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = running;
    const out = { stdout: '', stderr: '' };
    running.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString('utf8')));
    running.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString('utf8')));

    const [, url] = await printed(running, /Workspace at (http:\/\/127\.0\.0\.1:\d+)/, 60_000, out);
    expect(Number(new URL(url as string).port)).toBeGreaterThan(0);

    const login = await fetch(new URL('/login', url));
    expect(login.status).toBe(200);
    expect(login.headers.get('content-type')).toContain('text/html');
    expect(login.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await login.text()).toContain('name="_csrf"');

    running.kill('SIGTERM');
    const end = await exited(running, 5_000);
    expect(end).toEqual({ code: 0, signal: null });
    expect(out.stdout).toContain('Workspace stopped.');
    expect(out.stderr).toBe('');
    // The port is closed: nothing is left listening.
    await expect(fetch(new URL('/login', url))).rejects.toThrow();
  });
});
