/**
 * Where people's signing keys live on a machine, outside workflow code: one private key
 * file per person and plan (`<keysDir>/<planId>/<personId>.key.json`, mode 0600 in a 0700
 * directory) and one public keyring per plan (`<keysDir>/<planId>/keyring.json`, person →
 * public keys) that a launch puts into the roster of record. The CLI and embedders share it.
 */
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DubanError, ENV, ErrorCode } from '@duban/common';
import { generateKeyPair, type RosterKey, type SigningKey } from '@duban/identity';

/** The format tag of a private key file: bump it if the fields change. */
export const KEY_FILE_FORMAT = 'duban-signing-key/1';
/** The format tag of a plan's public keyring. */
export const KEYRING_FORMAT = 'duban-keyring/1';

/** A person's private key for one plan, as the file holds it. */
export interface KeyFile {
  format: typeof KEY_FILE_FORMAT;
  planId: string;
  person: string;
  keyId: string;
  /** Ed25519 public key, hex. */
  publicKey: string;
  /** Ed25519 secret key, hex. Never logged, never sent. */
  privateKey: string;
  issuedAt: string;
}

/** A plan's public keys by person id: what `launch` puts into the roster of record. */
export type Keyring = Record<string, RosterKey[]>;

/** Key changes to one plan: new keys (issue, rotation) and keys that sign nothing from now on. */
export interface KeyChanges {
  issued: KeyFile[];
  revoked: { person: string; keyId: string }[];
  /** Public keys whose private halves their persons generated and hold elsewhere (`keys register`): no file here. */
  registered?: { person: string; key: RosterKey }[];
}

/** The public keys `changes` adds to the roster: the issued keys' halves and the registered keys. */
export function addedKeys(changes: KeyChanges): { person: string; key: RosterKey }[] {
  return [...changes.issued.map((f) => ({ person: f.person, key: rosterKeyOf(f) })), ...(changes.registered ?? [])];
}

// Ids become file names: nothing that could climb out of the keys directory.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function safeId(kind: string, id: string): string {
  if (!SAFE_ID.test(id)) throw new DubanError(ErrorCode.INVALID_ARGUMENT, `The ${kind} id ${JSON.stringify(id)} cannot name a key file: use letters, digits, '.', '_' and '-'.`, { details: { [kind]: id } });
  return id;
}

/**
 * The keys directory: `$DUBAN_KEYS_DIR`, else `$XDG_CONFIG_HOME/duban/keys`, else
 * `~/.config/duban/keys`.
 */
export function keysDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env[ENV.keysDir];
  if (explicit) return explicit;
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'duban', 'keys');
}

/** A fresh key for `person` on plan `planId`, issued at `issuedAt` (not yet written anywhere). */
export function newKeyFile(planId: string, person: string, issuedAt: string): KeyFile {
  const { signing, roster } = generateKeyPair(person, issuedAt);
  return { format: KEY_FILE_FORMAT, planId, person, keyId: signing.keyId, publicKey: roster.publicKey, privateKey: signing.privateKey, issuedAt };
}

/** The public half of a key file, as the roster of record holds it. */
export function rosterKeyOf(file: KeyFile): RosterKey {
  return { keyId: file.keyId, publicKey: file.publicKey, issuedAt: file.issuedAt };
}

/** The keys of `keys` that are not revoked. */
export function activeKeys(keys: readonly RosterKey[] | undefined): RosterKey[] {
  return (keys ?? []).filter((k) => k.revokedAt === undefined);
}

/** `keyring` with `changes` made at `at`: issued keys added, revoked ones marked. */
export function applyKeyChanges(keyring: Keyring, changes: KeyChanges, at: string): Keyring {
  const next: Keyring = Object.fromEntries(Object.entries(keyring).map(([person, keys]) => [person, keys.map((k) => ({ ...k }))]));
  for (const { person, keyId } of changes.revoked) {
    for (const key of next[person] ?? []) if (key.keyId === keyId && key.revokedAt === undefined) key.revokedAt = at;
  }
  for (const { person, key } of addedKeys(changes)) next[person] = [...(next[person] ?? []), { ...key }];
  return next;
}

function isKeyFile(value: unknown): value is KeyFile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.format === KEY_FILE_FORMAT && ['planId', 'person', 'keyId', 'publicKey', 'privateKey', 'issuedAt'].every((f) => typeof v[f] === 'string');
}

async function writePrivate(path: string, text: string, mode: number): Promise<void> {
  // Written aside and renamed: a reader never sees half a key.
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, text, { mode });
  await chmod(partial, mode);
  await rename(partial, path);
}

/**
 * The key files and keyrings under one keys directory.
 *
 * @example
 * ```ts
 * const store = KeyStore.fromEnv();               // $DUBAN_KEYS_DIR or ~/.config/duban/keys
 * const key = await store.signingKey('xihu-2020', 'supervisor-li');
 * await duban.task('xihu-2020', 3).as(key).review({ actor: 'supervisor-li', decision: 'approve', score: 92 });
 * ```
 */
export class KeyStore {
  constructor(readonly dir: string) {}

  /** The store at {@link keysDirectory} of `env`. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): KeyStore {
    return new KeyStore(keysDirectory(env));
  }

  planDir(planId: string): string {
    return join(this.dir, safeId('plan', planId));
  }

  keyFilePath(planId: string, person: string): string {
    return join(this.planDir(planId), `${safeId('person', person)}.key.json`);
  }

  keyringPath(planId: string): string {
    return join(this.planDir(planId), 'keyring.json');
  }

  /**
   * The private key file of `person` for plan `planId`.
   *
   * @throws DubanError `KEY_FILE_MISSING` (saying how to get one), `KEY_FILE_INVALID` when
   *   the file is malformed, another person's or plan's, or readable by group or others.
   */
  async keyFile(planId: string, person: string): Promise<KeyFile> {
    const path = this.keyFilePath(planId, person);
    const invalid = (why: string, cause?: unknown) =>
      new DubanError(ErrorCode.KEY_FILE_INVALID, `The key file ${path} ${why}`, { details: { path, planId, person }, cause });
    let text: string;
    try {
      const info = await stat(path);
      // Windows has no POSIX modes to check.
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
        throw invalid(`is readable by others (mode ${(info.mode & 0o777).toString(8)}): run \`chmod 600 ${path}\`, or have the key rotated if others may have read it.`);
      }
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new DubanError(
          ErrorCode.KEY_FILE_MISSING,
          `No key of ${person} for plan ${planId} on this machine (${path}). An operator issues one with \`pnpm duban keys issue PLAN --person ${person}\` and hands you the file, ` +
            `or you generate your own with \`pnpm duban keys generate PLAN --person ${person}\` and an operator registers its public key; set ${ENV.keysDir} if your keys live elsewhere.`,
          { details: { path, planId, person }, cause: error },
        );
      }
      if (error instanceof DubanError) throw error;
      throw invalid(`cannot be read: ${(error as Error).message}.`, error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw invalid('is not JSON: it is not a duban key file.', error);
    }
    if (!isKeyFile(parsed)) throw invalid(`is not a duban key file (${KEY_FILE_FORMAT}).`);
    if (parsed.planId !== planId || parsed.person !== person) {
      throw invalid(`holds the key of ${parsed.person} for plan ${parsed.planId}, not of ${person} for plan ${planId}.`);
    }
    return parsed;
  }

  /** The signing key of `person` for plan `planId` (see {@link KeyStore.keyFile} for the errors). */
  async signingKey(planId: string, person: string): Promise<SigningKey> {
    const file = await this.keyFile(planId, person);
    return { person: file.person, keyId: file.keyId, privateKey: file.privateKey };
  }

  /** The plan's public keyring; empty when none was written yet. */
  async keyring(planId: string): Promise<Keyring> {
    const path = this.keyringPath(planId);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const parsed = JSON.parse(text) as { format?: unknown; keys?: Keyring };
    if (parsed.format !== KEYRING_FORMAT || typeof parsed.keys !== 'object' || parsed.keys === null) {
      throw new DubanError(ErrorCode.KEY_FILE_INVALID, `The keyring ${path} is not a duban keyring (${KEYRING_FORMAT}).`, { details: { path, planId } });
    }
    return parsed.keys;
  }

  /**
   * Writes one new private key file (0600, in a 0700 directory) and nothing else: the
   * keyring is not touched. Refuses to replace a file already there unless `force`.
   *
   * @throws DubanError `USAGE` when the file exists and `force` is not set.
   */
  async writeKeyFile(file: KeyFile, options: { force?: boolean } = {}): Promise<string> {
    const path = this.keyFilePath(file.planId, file.person);
    const dir = this.planDir(file.planId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    if (options.force !== true) {
      const held = await stat(path).then(() => true, (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : Promise.reject(error)));
      if (held) {
        const keyId = await this.keyFile(file.planId, file.person).then((f) => ` (key ${f.keyId})`, () => '');
        throw new DubanError(ErrorCode.USAGE, `${path} already holds a key of ${file.person} for plan ${file.planId}${keyId}: nothing was written. Replace it with --force (the old key then signs nothing on this machine; have it revoked).`, {
          details: { path, planId: file.planId, person: file.person },
        });
      }
    }
    await writePrivate(path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
    return path;
  }

  /**
   * Writes `changes`: each issued key to its person's file (0600), the keyring updated,
   * and the file of a revoked key removed. Returns the keyring as written.
   */
  async commit(planId: string, changes: KeyChanges, at: string): Promise<Keyring> {
    const dir = this.planDir(planId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    const keyring = applyKeyChanges(await this.keyring(planId), changes, at);
    for (const { person, keyId } of changes.revoked) {
      const held = await this.keyFile(planId, person).catch(() => undefined);
      if (held?.keyId === keyId) await rm(this.keyFilePath(planId, person), { force: true });
    }
    for (const file of changes.issued) await writePrivate(this.keyFilePath(planId, file.person), `${JSON.stringify(file, null, 2)}\n`, 0o600);
    await writePrivate(this.keyringPath(planId), `${JSON.stringify({ format: KEYRING_FORMAT, planId, keys: keyring }, null, 2)}\n`, 0o644);
    return keyring;
  }
}
