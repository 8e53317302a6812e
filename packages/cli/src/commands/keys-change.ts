/**
 * `duban keys issue|rotate|revoke`: an operator changes people's signing keys. New private
 * keys go to their persons' files (0600) and the public halves to the plan's keyring;
 * when the plan's campaign runs, the change is first sent to it as a signed amendment
 * (`roster.issueKeys` / `roster.revokeKeys`), so the roster of record changes only when
 * the campaign accepts it, and the files are written only then. With no server answering,
 * `issue` writes the keyring only (and says so); `rotate` and `revoke` change nothing and
 * fail with `SERVER_UNREACHABLE`: a running campaign could not be told, and nothing on this
 * machine records whether the plan was ever launched.
 */
import { createHash } from 'node:crypto';
import { activeKeys, addedKeys, newKeyFile, type DubanClient, type KeyChanges, type KeyFile, type Keyring, type RosterKey, type SigningKey } from '@duban/client';
import { DubanError, ENV, ErrorCode, isDubanError } from '@duban/common';
import type { Plan } from '@duban/plan';
import type { AmendmentResult, Person, PlanAmendment } from '@duban/workflows';
import { connectionSettings, withDuban, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { t } from '../i18n';
import { printedAsJson } from '../output';
import { keyStore } from '../signing';
import { readPlanOrFail } from './plan-validate';

export type KeysAction = 'issue' | 'rotate' | 'revoke';

export interface KeysChangeOptions extends GlobalOptions {
  /** The plan file. */
  file: string;
  action: KeysAction;
  /** `--person` (repeatable); `issue` also takes `all`. */
  persons: string[];
  all?: boolean;
  /** `revoke --key ID`: that key only (default: every active key of the person). */
  keyId?: string;
  /** The HQ office member whose key signs the amendment when the campaign runs. */
  as?: string;
  reason?: string;
  json?: boolean;
}

/** Where the plan's campaign stands, as far as keys are concerned (`unreachable`: `issue` only). */
export type CampaignKeysState = 'registered' | 'not-launched' | 'unreachable';

export interface KeysChangeReport {
  planId: string;
  keysDir: string;
  issued: { person: string; keyId: string; file: string }[];
  revoked: { person: string; keyId: string }[];
  /** People who already held a key (issue): nothing was issued to them. */
  kept: { person: string; keyId: string }[];
  campaign: CampaignKeysState;
  /** The amendment that registered the change with the running campaign. */
  amendment?: AmendmentResult;
}

/** The people named on the command line, each checked against the plan. */
function chosenPeople(plan: Plan, options: KeysChangeOptions): string[] {
  if (options.all === true) {
    if (options.action !== 'issue') throw new UsageError(`--all goes with \`keys issue\` only; name the person with --person.`);
    if (options.persons.length > 0) throw new UsageError('Give --person PERSON … or --all, not both.');
    return plan.people.map((p) => p.id);
  }
  if (options.persons.length === 0) throw new UsageError(options.action === 'issue' ? 'Say whose keys to issue: --person PERSON (repeatable) or --all.' : 'Say whose key: --person PERSON.');
  for (const person of options.persons) checkPerson(plan, person);
  return [...new Set(options.persons)];
}

/** `person` when the plan's roster has them, else a usage error naming its people. */
export function checkPerson(plan: Plan, person: string): string {
  if (!plan.people.some((p) => p.id === person)) {
    throw new UsageError(`${person} is not a person of plan ${plan.id}; its people are ${plan.people.map((p) => p.id).join(', ')}.`);
  }
  return person;
}

/** The keys change the command asks for, given each person's current (active) keys. */
function plannedChanges(planId: string, options: KeysChangeOptions, people: string[], current: (person: string) => RosterKey[], at: string) {
  const changes: KeyChanges = { issued: [], revoked: [] };
  const kept: KeysChangeReport['kept'] = [];
  for (const person of people) {
    const keys = current(person);
    if (options.action === 'revoke') {
      const chosen = options.keyId === undefined ? keys : keys.filter((k) => k.keyId === options.keyId);
      if (options.keyId !== undefined && chosen.length === 0) {
        throw new DubanError(ErrorCode.KEY_UNKNOWN, `Key ${options.keyId} is not an active key of ${person} on plan ${planId}; their active keys: ${keys.map((k) => k.keyId).join(', ') || 'none'}.`, {
          details: { person, keyId: options.keyId },
        });
      }
      changes.revoked.push(...chosen.map((k) => ({ person, keyId: k.keyId })));
    } else if (options.action === 'issue' && keys.length > 0) {
      kept.push(...keys.map((k) => ({ person, keyId: k.keyId })));
    } else {
      // Rotation: a new key, and every key held before signs nothing from now on.
      changes.issued.push(newKeyFile(planId, person, at));
      changes.revoked.push(...keys.map((k) => ({ person, keyId: k.keyId })));
    }
  }
  return { changes, kept };
}

/** The amendment id of a key change: derived from the keys, so sending it again changes nothing. */
function amendmentIdOf(action: string, changes: KeyChanges): string {
  const facts = JSON.stringify({ issued: addedKeys(changes).map((k) => k.key.keyId), revoked: changes.revoked.map((r) => r.keyId) });
  return `keys-${action}-${createHash('sha256').update(facts).digest('hex').slice(0, 12)}`;
}

export function keysOf(roster: readonly Person[]): Keyring {
  return Object.fromEntries(roster.map((p) => [p.id, p.keys ?? []]));
}

/** The roster of record of the plan's campaign, or undefined when it was never launched. */
export async function campaignRoster(duban: DubanClient, planId: string): Promise<Person[] | undefined> {
  try {
    return await duban.campaign(planId).roster();
  } catch (error) {
    if (isDubanError(error) && error.code === ErrorCode.CAMPAIGN_NOT_FOUND) return undefined;
    throw error;
  }
}

/** Who signs a key change and why: `--as` and `--reason` of `keys issue|rotate|revoke|register`. */
export interface KeyChangeSigner {
  action: KeysAction | 'register';
  as?: string;
  reason?: string;
}

/**
 * Sends the change to the running campaign, signed with the key file of `--as`. Unsigned
 * only when that file does not exist and the campaign's roster holds no key at all (a
 * campaign launched before signatures): the workflow decides whether it accepts either.
 */
export async function amendRosterKeys(ctx: CommandContext, duban: DubanClient, plan: Plan, roster: readonly Person[], options: KeyChangeSigner, changes: KeyChanges): Promise<AmendmentResult> {
  const as = options.as ?? (ctx.env[ENV.actingAs] || undefined);
  if (as === undefined) {
    throw new UsageError(`The campaign of plan ${plan.id} is running: say which HQ office member signs this key change with --as PERSON (or set ${ENV.actingAs}).`);
  }
  const added = addedKeys(changes);
  const request: Omit<PlanAmendment, 'proof'> = {
    amendmentId: amendmentIdOf(options.action, changes),
    actor: as,
    reason: options.reason ?? `keys ${options.action}: ${[...new Set([...added.map((k) => k.person), ...changes.revoked.map((r) => r.person)])].join(', ')}`,
    addTasks: [],
    moveDeadlines: [],
    reassign: [],
    roster: {
      ...(added.length > 0 ? { issueKeys: added } : {}),
      ...(changes.revoked.length > 0 ? { revokeKeys: changes.revoked } : {}),
    },
  };
  const campaign = duban.campaign(plan.id);
  let key: SigningKey | undefined;
  try {
    key = await keyStore(ctx).signingKey(plan.id, as);
  } catch (error) {
    const noKeyAnywhere = roster.every((p) => (p.keys ?? []).length === 0);
    if (!(isDubanError(error) && error.code === ErrorCode.KEY_FILE_MISSING && noKeyAnywhere)) throw error;
  }
  return key === undefined ? campaign.amendPlan(request) : campaign.as(key).amendPlan(request);
}

/** `duban keys issue|rotate|revoke PLAN`: see the module comment. */
export async function runKeysChange(ctx: CommandContext, options: KeysChangeOptions): Promise<KeysChangeReport> {
  const plan = await readPlanOrFail(ctx, options.file, options.json === true);
  const people = chosenPeople(plan, options);
  const store = keyStore(ctx);
  const keyring = await store.keyring(plan.id);
  const at = new Date().toISOString();
  const decide = (source: Keyring) => plannedChanges(plan.id, options, people, (person) => activeKeys(source[person]), at);

  let campaign: CampaignKeysState;
  let planned: ReturnType<typeof decide>;
  let amendment: AmendmentResult | undefined;
  try {
    ({ campaign, planned, amendment } = await withDuban(ctx, options, async (duban) => {
      const roster = await campaignRoster(duban, plan.id);
      if (roster === undefined) return { campaign: 'not-launched' as const, planned: decide(keyring), amendment: undefined };
      // The campaign's roster, not the local keyring, says which keys a person holds.
      const fromRecord = decide(keysOf(roster));
      const empty = fromRecord.changes.issued.length === 0 && fromRecord.changes.revoked.length === 0;
      return { campaign: 'registered' as const, planned: fromRecord, amendment: empty ? undefined : await amendRosterKeys(ctx, duban, plan, roster, options, fromRecord.changes) };
    }));
  } catch (error) {
    if (!isDubanError(error) || error.code !== ErrorCode.SERVER_UNREACHABLE) throw error;
    // A revoked key must stop signing where it counts, in the roster of record of a running
    // campaign; nothing here says whether the plan was launched, so without a server a
    // rotation or revocation changes nothing, the key files included.
    if (options.action !== 'issue') {
      throw new DubanError(
        ErrorCode.SERVER_UNREACHABLE,
        `Cannot ${options.action} keys of plan ${plan.id}: ${error.message} Its campaign, if launched, could not be told, so nothing was changed ` +
          `(the key files and ${store.keyringPath(plan.id)} are as they were); run this again once the server answers.`,
        { details: { ...error.details, planId: plan.id, action: options.action }, cause: error },
      );
    }
    // No server (keys are issued before the first `duban dev --launch`): the keyring only.
    campaign = 'unreachable';
    planned = decide(keyring);
  }

  const { changes, kept } = planned;
  if (changes.issued.length > 0 || changes.revoked.length > 0) await store.commit(plan.id, changes, at);
  const report: KeysChangeReport = {
    planId: plan.id,
    keysDir: store.dir,
    issued: changes.issued.map((f: KeyFile) => ({ person: f.person, keyId: f.keyId, file: store.keyFilePath(plan.id, f.person) })),
    revoked: changes.revoked,
    kept,
    campaign,
    ...(amendment ? { amendment } : {}),
  };
  if (!printedAsJson(ctx.output, options.json, report)) await printReport(ctx, options, report, store.keyringPath(plan.id));
  return report;
}

async function printReport(ctx: CommandContext, options: KeysChangeOptions, report: KeysChangeReport, keyring: string): Promise<void> {
  const { lang } = options;
  const line = (text: string) => ctx.output.line(text);
  for (const k of report.issued) line(t(lang, 'keys.issued', { person: k.person, keyId: k.keyId, file: k.file }));
  for (const k of report.revoked) line(t(lang, 'keys.revoked', { person: k.person, keyId: k.keyId }));
  for (const k of report.kept) line(t(lang, 'keys.kept', { person: k.person, keyId: k.keyId }));
  if (report.issued.length === 0 && report.revoked.length === 0) {
    line(t(lang, 'keys.nothing'));
    return;
  }
  await printCampaignState(ctx, options, report, keyring);
  if (report.issued.length > 0) line(t(lang, 'keys.handOut', { dir: report.keysDir }));
}

/** Where a key change went: the running campaign (its amendment), or the keyring only, and why. */
export async function printCampaignState(ctx: CommandContext, options: GlobalOptions, report: Pick<KeysChangeReport, 'planId' | 'campaign' | 'amendment'>, keyring: string): Promise<void> {
  const { lang } = options;
  if (report.campaign === 'registered' && report.amendment) ctx.output.line(t(lang, 'keys.registered', { plan: report.planId, id: report.amendment.amendmentId }));
  if (report.campaign === 'not-launched') ctx.output.line(t(lang, 'keys.notLaunched', { plan: report.planId, keyring }));
  if (report.campaign === 'unreachable') ctx.output.line(t(lang, 'keys.unreachable', { address: (await connectionSettings(options.profile, ctx.env)).address, keyring }));
}
