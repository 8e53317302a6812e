/**
 * The workspace's keystore: each person's Ed25519 signing keys (and second-factor secret)
 * sealed at rest with AES-256-GCM under a key derived from a secret only the person holds
 * (their password; before acceptance, the invitation token) with argon2id. The server
 * opens a person's vault only at login, with the password just typed, keeps the keys in
 * that session's memory, and drops them at logout: it cannot sign for anyone who is not
 * logged in, and a copy of the database holds no usable key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';
import { DubanError, ErrorCode } from '@duban/common';

/** The format tag of a sealed vault: bump it if the fields or the derivation change. */
export const VAULT_FORMAT = 'duban-vault/1';

/**
 * argon2id cost (OWASP's recommended minimum: 19 MiB, 2 passes, 1 lane). Stored with each
 * vault, so raising it later leaves older vaults readable.
 */
export interface KdfParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_KDF: KdfParams = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** One signing key of the person, for one plan. */
export interface VaultKey {
  planId: string;
  keyId: string;
  /** Ed25519 secret key, hex. Only ever in memory once opened. */
  privateKey: string;
}

/** What a vault holds. */
export interface VaultContents {
  person: string;
  keys: VaultKey[];
  /** The TOTP secret (base32) when the person enrolled a second factor (or, in an invitation, the one offered). */
  totpSecret?: string;
}

/** A vault as stored: everything but `data` is public. */
export interface SealedVault {
  format: typeof VAULT_FORMAT;
  kdf: KdfParams & { salt: string };
  iv: string;
  tag: string;
  data: string;
}

async function deriveKey(secret: string, salt: Buffer, kdf: KdfParams): Promise<Buffer> {
  return argon2.hash(secret, { type: argon2.argon2id, raw: true, salt, hashLength: 32, ...kdf });
}

/**
 * Seals `contents` under `secret`. `context` (e.g. `account:<person>`) is bound in as
 * associated data: a vault moved to another row does not open.
 */
export async function sealVault(contents: VaultContents, secret: string, context: string, kdf: KdfParams = DEFAULT_KDF): Promise<SealedVault> {
  const salt = randomBytes(16);
  const key = await deriveKey(secret, salt, kdf);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${VAULT_FORMAT}|${context}`, 'utf8'));
  const data = Buffer.concat([cipher.update(JSON.stringify(contents), 'utf8'), cipher.final()]);
  key.fill(0);
  return { format: VAULT_FORMAT, kdf: { ...kdf, salt: salt.toString('base64') }, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/**
 * Opens a vault with `secret`.
 *
 * @throws DubanError `KEYSTORE_SEALED_INVALID` when the secret is wrong or the vault was altered.
 */
export async function openVault(sealed: SealedVault, secret: string, context: string): Promise<VaultContents> {
  if (sealed.format !== VAULT_FORMAT) {
    throw new DubanError(ErrorCode.KEYSTORE_SEALED_INVALID, `The sealed vault is ${String(sealed.format)}, not ${VAULT_FORMAT}.`, { details: { context } });
  }
  const { salt, ...kdf } = sealed.kdf;
  const key = await deriveKey(secret, Buffer.from(salt, 'base64'), kdf);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(`${VAULT_FORMAT}|${context}`, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as VaultContents;
  } catch (cause) {
    throw new DubanError(ErrorCode.KEYSTORE_SEALED_INVALID, `The sealed vault (${context}) does not open with this secret, or was altered.`, { details: { context }, cause });
  } finally {
    key.fill(0);
  }
}
