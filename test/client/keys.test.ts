/**
 * Key files and keyrings on disk (`KeyStore`), without a server: where they live, their
 * modes, what is refused with which code, and how a commit of key changes reads back.
 */
import { chmodSync, copyFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@duban/common';
import { KeyStore, keysDirectory, newKeyFile } from '@duban/client';
import { removeTemporaryDirectories, temporaryDirectory } from '../harness';

afterAll(removeTemporaryDirectories);

const at = '2027-03-01T00:00:00.000Z';

test('the keys directory is $DUBAN_KEYS_DIR, else $XDG_CONFIG_HOME/duban/keys, else ~/.config/duban/keys', () => {
  expect(keysDirectory({ DUBAN_KEYS_DIR: '/k', XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/k');
  expect(keysDirectory({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/x/duban/keys');
  expect(keysDirectory({ HOME: '/h' })).toBe('/h/.config/duban/keys');
});

test('a commit writes 0600 key files in a 0700 directory and a keyring; rotation revokes the old key and removes its file', async () => {
  const store = new KeyStore(temporaryDirectory('duban-keys-'));
  const first = newKeyFile('xihu-2020', 'supervisor-li', at);
  await store.commit('xihu-2020', { issued: [first], revoked: [] }, at);
  expect(statSync(store.planDir('xihu-2020')).mode & 0o777).toBe(0o700);
  expect(statSync(store.keyFilePath('xihu-2020', 'supervisor-li')).mode & 0o777).toBe(0o600);
  expect(await store.signingKey('xihu-2020', 'supervisor-li')).toEqual({ person: 'supervisor-li', keyId: first.keyId, privateKey: first.privateKey });
  expect(await store.keyring('xihu-2020')).toEqual({ 'supervisor-li': [{ keyId: first.keyId, publicKey: first.publicKey, issuedAt: at }] });

  const second = newKeyFile('xihu-2020', 'supervisor-li', '2027-04-01T00:00:00.000Z');
  const keyring = await store.commit('xihu-2020', { issued: [second], revoked: [{ person: 'supervisor-li', keyId: first.keyId }] }, '2027-04-01T00:00:00.000Z');
  expect(keyring['supervisor-li']?.map((k) => [k.keyId, k.revokedAt])).toEqual([
    [first.keyId, '2027-04-01T00:00:00.000Z'],
    [second.keyId, undefined],
  ]);
  expect((await store.keyFile('xihu-2020', 'supervisor-li')).keyId).toBe(second.keyId);
});

test('a missing key file is KEY_FILE_MISSING saying how to get one; an empty keyring is no error', async () => {
  const store = new KeyStore(temporaryDirectory('duban-keys-'));
  await expect(store.keyring('xihu-2020')).resolves.toEqual({});
  await expect(store.signingKey('xihu-2020', 'supervisor-li')).rejects.toMatchObject({
    code: ErrorCode.KEY_FILE_MISSING,
    message: expect.stringContaining('pnpm duban keys issue PLAN --person supervisor-li'),
  });
});

test('a key file readable by others, malformed, or another person’s is KEY_FILE_INVALID', async () => {
  const store = new KeyStore(temporaryDirectory('duban-keys-'));
  await store.commit('xihu-2020', { issued: [newKeyFile('xihu-2020', 'supervisor-li', at)], revoked: [] }, at);
  const li = store.keyFilePath('xihu-2020', 'supervisor-li');

  const zhou = store.keyFilePath('xihu-2020', 'supervisor-zhou');
  copyFileSync(li, zhou);
  chmodSync(zhou, 0o600);
  await expect(store.signingKey('xihu-2020', 'supervisor-zhou')).rejects.toMatchObject({ code: ErrorCode.KEY_FILE_INVALID, message: expect.stringContaining('holds the key of supervisor-li') });

  chmodSync(li, 0o644);
  await expect(store.signingKey('xihu-2020', 'supervisor-li')).rejects.toMatchObject({ code: ErrorCode.KEY_FILE_INVALID, message: expect.stringContaining(`chmod 600 ${li}`) });

  const broken = join(store.planDir('xihu-2020'), 'hq-office-clerk.key.json');
  writeFileSync(broken, '{"not": "a key"}', { mode: 0o600 });
  await expect(store.signingKey('xihu-2020', 'hq-office-clerk')).rejects.toMatchObject({ code: ErrorCode.KEY_FILE_INVALID });
});
