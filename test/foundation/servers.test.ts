import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { isDubanError } from '@duban/common';
import { resolveTemporalBinary, ServerErrorCode, startDevServer, TemporalServerError, waitUntilHealthy } from '@duban/servers';
import { bundleWorkflows, serverPerFile, startTimeSkipping } from '../harness';
import * as activities from './fixtures/activities';
import { sleepForDays } from './fixtures/workflows';

const workflowsPath = require.resolve('./fixtures/workflows');
const DAY_MS = 24 * 60 * 60 * 1000;

describe('the time-skipping server', () => {
  const env = serverPerFile(startTimeSkipping);

  it('runs a workflow that sleeps 400 days in a few seconds of wall time', async () => {
    const worker = await Worker.create({
      connection: env().nativeConnection,
      taskQueue: 'foundation-sleep',
      workflowBundle: await bundleWorkflows(workflowsPath),
      activities,
    });
    const wallStart = Date.now();
    const slept = await worker.runUntil(
      env().client.workflow.execute(sleepForDays, {
        args: [400],
        taskQueue: 'foundation-sleep',
        workflowId: `sleep-400-days-${Date.now()}`,
      }),
    );
    const wallMs = Date.now() - wallStart;
    expect(slept).toBeGreaterThanOrEqual(400 * DAY_MS);
    expect(wallMs).toBeLessThan(15_000);
  });
});

describe('resolving the Temporal binaries', () => {
  it('refuses a DUBAN_TEMPORAL_TEST_SERVER that points at a missing file, naming the three fixes', () => {
    const missing = join(__dirname, 'no-such-binary');
    let error: unknown;
    try {
      resolveTemporalBinary('test-server', { env: { DUBAN_TEMPORAL_TEST_SERVER: missing, PATH: '' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TemporalServerError);
    expect(isDubanError(error)).toBe(true);
    const serverError = error as TemporalServerError;
    expect(serverError.code).toBe(ServerErrorCode.TEMPORAL_BINARY_NOT_FOUND);
    expect(serverError.binary).toBe('test-server');
    expect(serverError.message).toContain(missing);
    expect(serverError.message).toContain('set DUBAN_TEMPORAL_TEST_SERVER');
    expect(serverError.message).toContain('put temporal-test-server on PATH');
    expect(serverError.message).toContain('bash scripts/setup.sh');
  });

  it('prefers the explicit variable over PATH and the project-local install', () => {
    const project = resolveTemporalBinary('temporal-cli', { env: { PATH: '' } });
    expect(project.source).toBe('project');
    const explicit = resolveTemporalBinary('temporal-cli', {
      env: { DUBAN_TEMPORAL_CLI: project.source === 'project' ? project.path : '', PATH: '' },
    });
    expect(explicit.source).toBe('env');
  });

  it('makes `duban doctor` exit non-zero with the fixes and no stack trace when the binary is missing', () => {
    const result = spawnSync('pnpm', ['--silent', 'duban', 'doctor'], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, DUBAN_TEMPORAL_CLI: '/nonexistent/temporal' },
      encoding: 'utf8',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('DUBAN_TEMPORAL_CLI points at /nonexistent/temporal');
    expect(result.stderr).toContain('Fix it in one of three ways');
    expect(result.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });
});

describe('starting the dev server', () => {
  it('gives up on an address where nothing becomes healthy within the bounded wait, saying why', async () => {
    const outcome = await waitUntilHealthy('127.0.0.1:1', { timeoutMs: 1_500 });
    expect(outcome).toMatchObject({ healthy: false, reason: expect.stringContaining('not healthy within 1500 ms') });
  });

  it('fails with TEMPORAL_SERVER_START_FAILED, not a hang, when the server process exits before it is healthy', async () => {
    const error = await startDevServer({ binary: { kind: 'temporal-cli', source: 'env', path: '/bin/false' }, uiPort: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporalServerError);
    expect(error).toMatchObject({ code: 'TEMPORAL_SERVER_START_FAILED', binary: 'temporal-cli' });
    expect((error as Error).message).toContain('exited with 1');
  });
});
