/**
 * Signing keys for a test file: every person of a plan gets a key in a temporary keys
 * directory before the file's tests, as an operator's `duban keys issue PLAN --all` does.
 * Commands see it through `DUBAN_KEYS_DIR` (`env`), the client through `keyring` and `key()`.
 */
import { ENV } from '@duban/common';
import { KeyStore, newKeyFile, type Keyring, type SigningKey } from '@duban/client';
import { loadPlanFile } from '@duban/plan';
import { SEED_PLAN_PATH, temporaryDirectory } from './index';

export interface IssuedKeys {
  store: KeyStore;
  /** The plan's public keys, for `launch(plan, { keyring })` and `startTask(plan, n, { keyring })`. */
  keyring: Keyring;
  /** `DUBAN_KEYS_DIR` for commands run in this file. */
  env: Record<string, string>;
  /** A person's signing key, for `task.as(key)` and `campaign.as(key)`. */
  key(person: string): Promise<SigningKey>;
}

/**
 * Issues a key to every person of the plan at `planFile` (default the seed plan) before
 * the file's tests (or the `describe` block it is called in).
 *
 * @example
 * ```ts
 * const keys = keysPerFile();
 * it('…', async () => { await duban.task(plan.id, 3).as(await keys().key('chengguan-head')).acknowledge({ actor: 'chengguan-head' }); });
 * ```
 */
export function keysPerFile(planFile = SEED_PLAN_PATH): () => IssuedKeys {
  const store = new KeyStore(temporaryDirectory('duban-keys-'));
  let issued: IssuedKeys | undefined;
  beforeAll(async () => {
    const plan = await loadPlanFile(planFile);
    const at = new Date().toISOString();
    const keyring = await store.commit(plan.id, { issued: plan.people.map((p) => newKeyFile(plan.id, p.id, at)), revoked: [] }, at);
    issued = { store, keyring, env: { [ENV.keysDir]: store.dir }, key: (person) => store.signingKey(plan.id, person) };
  });
  return () => {
    if (issued === undefined) throw new Error('The keys are not issued yet: read keys() inside a test or hook.');
    return issued;
  };
}
