/**
 * The deployment path where each person holds only their own private key:
 * `duban keys generate PLAN --person P` runs on P's machine, writes P's key file and
 * contacts no server; `duban keys register PLAN --person P --public-key HEX --as HQ` runs
 * on the operator's machine and registers the public half, as a signed amendment
 * (`roster.issueKeys`) when the campaign runs, else in the keyring for the launch. No
 * private key ever leaves P's machine, and the operator's machine never holds one of P's.
 */
import { keyIdOf, newKeyFile, type KeyChanges, type Keyring, type RosterKey } from '@duban/client';
import { DubanError, ErrorCode, isDubanError } from '@duban/common';
import type { AmendmentResult } from '@duban/workflows';
import { withDuban, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { t } from '../i18n';
import { printedAsJson } from '../output';
import { keyStore } from '../signing';
import { amendRosterKeys, campaignRoster, checkPerson, keysOf, printCampaignState, type CampaignKeysState } from './keys-change';
import { readPlanOrFail } from './plan-validate';

export interface KeysGenerateOptions extends GlobalOptions {
  file: string;
  person: string;
  /** Replace a key file already there. */
  force?: boolean;
  json?: boolean;
}

/** What `keys generate --json` prints: the public half, for the operator to register. */
export interface KeysGenerateReport {
  person: string;
  keyId: string;
  publicKey: string;
}

/** `duban keys generate PLAN --person P`: see the module comment. */
export async function runKeysGenerate(ctx: CommandContext, options: KeysGenerateOptions): Promise<KeysGenerateReport> {
  const plan = await readPlanOrFail(ctx, options.file, options.json === true);
  const person = checkPerson(plan, options.person);
  const file = newKeyFile(plan.id, person, new Date().toISOString());
  const path = await keyStore(ctx).writeKeyFile(file, { force: options.force === true });
  const report: KeysGenerateReport = { person, keyId: file.keyId, publicKey: file.publicKey };
  if (printedAsJson(ctx.output, options.json, report)) return report;
  const { lang } = options;
  ctx.output.line(t(lang, 'keys.generated', { person, keyId: file.keyId, file: path }));
  ctx.output.line(t(lang, 'keys.publicKey', { publicKey: file.publicKey }));
  ctx.output.line('');
  ctx.output.line(t(lang, 'keys.registerWith'));
  ctx.output.line(`  pnpm duban keys register ${options.file} --person ${person} --public-key ${file.publicKey} --as HQ_OFFICE_PERSON`);
  return report;
}

export interface KeysRegisterOptions extends GlobalOptions {
  file: string;
  person: string;
  /** `--public-key HEX`: the Ed25519 public key the person's `keys generate` printed. */
  publicKey: string;
  /** The HQ office member whose key signs the amendment when the campaign runs. */
  as?: string;
  reason?: string;
  json?: boolean;
}

export interface KeysRegisterReport {
  planId: string;
  person: string;
  keyId: string;
  publicKey: string;
  /** The key was already one of the person's active keys: nothing changed. */
  alreadyRegistered: boolean;
  campaign: CampaignKeysState;
  amendment?: AmendmentResult;
}

/** `--public-key`: 32 bytes of hex, lower-cased; a usage error naming the flag otherwise. */
function publicKeyOf(hex: string): string {
  const trimmed = hex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    throw new UsageError(`--public-key must be the Ed25519 public key \`duban keys generate\` printed: 64 hex digits (32 bytes), not ${JSON.stringify(hex)}.`);
  }
  return trimmed.toLowerCase();
}

/** Whether `keys` holds `keyId`: refused when it is there but revoked (a revoked key signs nothing again). */
function alreadyHeld(keys: readonly RosterKey[] | undefined, person: string, keyId: string): boolean {
  const held = (keys ?? []).find((k) => k.keyId === keyId);
  if (held?.revokedAt !== undefined) {
    throw new DubanError(ErrorCode.KEY_REVOKED, `Key ${keyId} of ${person} was revoked at ${held.revokedAt}: it cannot be registered again. Have ${person} run \`duban keys generate --force\` and register the new key.`, {
      details: { person, keyId },
    });
  }
  return held !== undefined;
}

/** `duban keys register PLAN --person P --public-key HEX --as HQ`: see the module comment. */
export async function runKeysRegister(ctx: CommandContext, options: KeysRegisterOptions): Promise<KeysRegisterReport> {
  const publicKey = publicKeyOf(options.publicKey);
  const plan = await readPlanOrFail(ctx, options.file, options.json === true);
  const person = checkPerson(plan, options.person);
  const store = keyStore(ctx);
  const at = new Date().toISOString();
  const key: RosterKey = { keyId: keyIdOf(publicKey), publicKey, issuedAt: at };
  const changes: KeyChanges = { issued: [], revoked: [], registered: [{ person, key }] };
  const keyring: Keyring = await store.keyring(plan.id);

  let state: Pick<KeysRegisterReport, 'campaign' | 'alreadyRegistered' | 'amendment'>;
  try {
    state = await withDuban(ctx, options, async (duban) => {
      const roster = await campaignRoster(duban, plan.id);
      if (roster === undefined) return { campaign: 'not-launched' as const, alreadyRegistered: alreadyHeld(keyring[person], person, key.keyId) };
      if (alreadyHeld(keysOf(roster)[person], person, key.keyId)) return { campaign: 'registered' as const, alreadyRegistered: true };
      const signer = { action: 'register' as const, ...(options.as !== undefined ? { as: options.as } : {}), ...(options.reason !== undefined ? { reason: options.reason } : {}) };
      return { campaign: 'registered' as const, alreadyRegistered: false, amendment: await amendRosterKeys(ctx, duban, plan, roster, signer, changes) };
    });
  } catch (error) {
    if (!isDubanError(error) || error.code !== ErrorCode.SERVER_UNREACHABLE) throw error;
    // As `keys issue` does with no server: the keyring only, for the launch.
    state = { campaign: 'unreachable', alreadyRegistered: alreadyHeld(keyring[person], person, key.keyId) };
  }
  // The keyring keeps the public half too (what `keys list` shows before a launch); never a private key.
  if (!(keyring[person] ?? []).some((k) => k.keyId === key.keyId)) await store.commit(plan.id, changes, at);

  const report: KeysRegisterReport = { planId: plan.id, person, keyId: key.keyId, publicKey, ...state };
  if (printedAsJson(ctx.output, options.json, report)) return report;
  const { lang } = options;
  if (report.alreadyRegistered) {
    ctx.output.line(t(lang, 'keys.alreadyRegistered', { person, keyId: key.keyId }));
    return report;
  }
  ctx.output.line(t(lang, 'keys.registeredKey', { person, keyId: key.keyId }));
  await printCampaignState(ctx, options, report, store.keyringPath(plan.id));
  return report;
}
