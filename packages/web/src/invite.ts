/**
 * `duban users invite`: a one-time link for a person of the roster, carrying their
 * signing key(s) from the operator's keys directory, sealed under the link's token. The
 * person sets a password on the page the link opens; the keys are sealed again under it.
 */
import { authenticator } from 'otplib';
import { DubanError, ErrorCode } from '@duban/common';
import type { KeyStore } from '@duban/client';
import type { Plan } from '@duban/plan';
import { Accounts, DEFAULT_INVITATION_MS } from './accounts';
import type { VaultKey } from './keystore';

export interface InviteOptions {
  /** The accounts database the workspace serves from. */
  dbPath: string;
  /** The operator's keys directory (`duban keys issue` wrote the person's key file there). */
  keyStore: KeyStore;
  /** The plans the person acts in through the workspace. */
  plans: readonly Plan[];
  person: string;
  /** The workspace's URL as people reach it, e.g. https://duban.example.gov.cn. */
  baseUrl: string;
  ttlMs?: number;
  now?: number;
}

export interface Invitation {
  person: string;
  name: string;
  link: string;
  expiresAt: Date;
  plans: string[];
}

/**
 * Creates the invitation and returns its link (shown once: only the token's hash is kept).
 *
 * @throws DubanError `UNKNOWN_PERSON` when a plan has no such person, `KEY_FILE_MISSING` /
 *   `KEY_FILE_INVALID` when the operator holds no key of theirs.
 */
export async function invitePerson(options: InviteOptions): Promise<Invitation> {
  const now = options.now ?? Date.now();
  const keys: VaultKey[] = [];
  let name = options.person;
  for (const plan of options.plans) {
    const person = plan.people.find((p) => p.id === options.person);
    if (!person) {
      throw new DubanError(ErrorCode.UNKNOWN_PERSON, `Plan ${plan.id} has no person ${options.person}: invite one of its people (\`duban plan show\` lists them).`, {
        details: { planId: plan.id, person: options.person },
      });
    }
    name = person.name;
    const file = await options.keyStore.keyFile(plan.id, options.person);
    keys.push({ planId: plan.id, keyId: file.keyId, privateKey: file.privateKey });
  }
  const accounts = Accounts.open(options.dbPath);
  try {
    const { token, expiresAt } = await accounts.invite(options.person, keys, { now, ttlMs: options.ttlMs ?? DEFAULT_INVITATION_MS, totpSecret: authenticator.generateSecret(20) });
    const base = options.baseUrl.replace(/\/+$/, '');
    return { person: options.person, name, link: `${base}/invite/${token}`, expiresAt: new Date(expiresAt), plans: options.plans.map((p) => p.id) };
  } finally {
    accounts.close();
  }
}
