/**
 * The quick start's first line on a fresh machine: `duban dev --launch PLAN` issues every
 * person of the plan a key when the keys directory holds none for it (saying where), and
 * launches the campaign with them; run again, it issues nothing and starts nothing new.
 * In-process through `runDev`, on a free port, stopped through its `stop` option.
 */
import { join } from 'node:path';
import { runDev, type CommandContext } from '@duban/cli';
import { KeyStore } from '@duban/client';
import { freePort } from '@duban/servers';
import { removeTemporaryDirectories, SEED_PLAN_PATH, temporaryDirectory } from '../harness';
import { cliEnv } from '../cli/run';

jest.setTimeout(120_000);
afterAll(removeTemporaryDirectories);

const cwd = temporaryDirectory('duban-dev-keys-');
const keysDir = join(cwd, 'keys');

/** `duban dev --launch` until the board is printed, then stopped; what it printed. */
async function devLaunch(): Promise<string> {
  let printed = '';
  const stop = new AbortController();
  const ctx: CommandContext = {
    cwd,
    env: cliEnv({ DUBAN_KEYS_DIR: keysDir }),
    output: {
      line: (text) => {
        printed += `${text}\n`;
        if (text.startsWith('Per primary lead unit')) stop.abort();
      },
      error: (text) => (printed += `${text}\n`),
      json: () => undefined,
      color: false,
    },
  };
  // The workspace's port is chosen free too: derived from the gRPC port it may be another test's.
  await runDev(ctx, { lang: 'en', profile: undefined, port: await freePort(), webPort: await freePort(), launch: SEED_PLAN_PATH, campaignYear: new Date().getFullYear() + 1, signals: [], stop: stop.signal });
  return printed;
}

test('issues the missing keys on a fresh machine and launches with them; the second run issues nothing', async () => {
  const first = await devLaunch();
  expect(first).toContain(`Issued 24 missing signing keys for plan xihu-2020 into ${join(keysDir, 'xihu-2020')}`);
  expect(first).toContain('Launched plan xihu-2020');
  const store = new KeyStore(keysDir);
  expect(Object.keys(await store.keyring('xihu-2020'))).toHaveLength(24);
  await expect(store.signingKey('xihu-2020', 'supervisor-li')).resolves.toMatchObject({ person: 'supervisor-li' });

  const second = await devLaunch();
  expect(second).not.toContain('Issued');
  expect(second).toContain('Plan xihu-2020 is already launched');
});
