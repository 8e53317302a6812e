/**
 * `duban dev` (described right under the quick start's `duban simulate`) prints one line per
 * notification, not a dump of the object; the full object goes to the notifications log.
 * In-process through `runDev`, on a free port, stopped once the launch's notifications arrived.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDev, type CommandContext } from '@duban/cli';
import { freePort } from '@duban/servers';
import { cliEnv } from '../cli/run';
import { installRuntime, removeTemporaryDirectories, SEED_PLAN_PATH, temporaryDirectory } from '../harness';

// The SDK's own logs quiet, as in every test file: what is judged is what duban dev prints.
beforeAll(installRuntime);
afterAll(removeTemporaryDirectories);

test('prints one line per notification and keeps the full object in .duban/notifications.log', async () => {
  const cwd = temporaryDirectory('duban-dev-lines-');
  const log = join(cwd, '.duban', 'notifications.log');
  const lines: string[] = [];
  const stop = new AbortController();
  let settling: NodeJS.Timeout | undefined;
  const entries = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : []);
  const delivered = () => entries().filter((e) => typeof e.idempotencyKey === 'string' && String(e.message).includes('assignment'));
  const ctx: CommandContext = {
    cwd,
    env: cliEnv({ DUBAN_KEYS_DIR: join(cwd, 'keys') }),
    output: {
      line: (text) => {
        lines.push(text);
        // The 20 tasks' assignment notices: enough to judge, then stop once the launch has
        // settled (its last batch's calls are not cut off by the shutdown).
        if (delivered().length >= 20 && !settling) settling = setTimeout(() => stop.abort(), 3_000);
      },
      error: (text) => lines.push(text),
      json: () => undefined,
      color: false,
    },
  };
  const stopAnyway = setTimeout(() => stop.abort(), 90_000);
  // The workspace's port is chosen free too: derived from the gRPC port it may be another test's.
  await runDev(ctx, { lang: 'en', profile: undefined, port: await freePort(), webPort: await freePort(), launch: SEED_PLAN_PATH, campaignYear: new Date().getFullYear() + 1, signals: [], stop: stop.signal });
  clearTimeout(stopAnyway);

  expect(lines).toContain('Notifications: one line each here; the full objects go to .duban/notifications.log (--verbose prints them here too).');
  const logged = delivered();
  expect(logged.length).toBeGreaterThanOrEqual(20);
  // Each notification is one line on screen: its message, without the object's fields.
  for (const entry of logged) {
    const message = String(entry.message);
    expect(lines.filter((l) => l === message).length).toBeGreaterThanOrEqual(1);
  }
  for (const line of lines) expect(line).not.toContain('\n');
  expect(lines.some((l) => l.includes('"idempotencyKey"'))).toBe(false);
  // The log holds the whole object: who it was for and the key it was sent under.
  expect(logged[0]).toMatchObject({ level: 'INFO', idempotencyKey: expect.stringContaining('duban/xihu-2020/task-'), kind: 'assignment' });
}, 180_000);
