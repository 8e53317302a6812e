/**
 * The README's embedding example (examples/embed-worker.ts) compiles and runs: it starts
 * the duban worker inside a small HTTP service, a task runs to a state on it, and the
 * service shuts down cleanly.
 */
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { DubanClient } from '@duban/client';
import { loadPlanFile, rebasePlan } from '@duban/plan';
import { startService } from '../../examples/embed-worker';
import { serverAddress, serverPerFile, startDevServer, temporaryDirectory } from '../harness';
import { keysPerFile } from '../harness/keys';

const repoRoot = join(__dirname, '..', '..');
// No search attributes registered: the example registers them itself.
const env = serverPerFile(startDevServer);
const keys = keysPerFile();

it('compiles under the project settings', async () => {
  const code = await new Promise<number>((resolve) => {
    execFile('pnpm', ['exec', 'tsc', '-p', 'examples/tsconfig.json'], { cwd: repoRoot }, (error, stdout, stderr) => {
      if (error) process.stderr.write(stdout + stderr);
      resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1);
    });
  });
  expect(code).toBe(0);
});

it('starts the worker inside the service, runs a task to a state on it, and shuts down', async () => {
  process.env.DUBAN_AUDIT_DB = join(temporaryDirectory('duban-embed-'), 'audit.sqlite');
  const { server, stop } = await startService(serverAddress(env()), 0);
  try {
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', resolve)));
    const { port } = server.address() as AddressInfo;
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('duban worker RUNNING');

    const plan = rebasePlan(await loadPlanFile(join(repoRoot, 'plans', 'xihu-2020.yaml')), DateTime.now().year + 1);
    const duban = new DubanClient(env().client);
    // startNow: the plan starts next year, and its task would wait for the start before its assignment.
    expect((await duban.startTask(plan, 8, { keyring: keys().keyring, startNow: true })).started).toBe(true);
    const result = await duban.task(plan.id, 8).as(await keys().key('chengguan-head')).acknowledge({ actor: 'chengguan-head' });
    expect(result).toMatchObject({ applied: true, status: 'acknowledged' });
    expect((await duban.task(plan.id, 8).state()).timeline.map((e) => e.kind)).toEqual(['task.assigned', 'task.acknowledged']);
  } finally {
    await stop();
  }
  expect(server.listening).toBe(false);
});
