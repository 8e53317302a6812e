/**
 * The roster of record as pure functions: who may amend the plan (the proof of an HQ
 * office member of the roster the campaign holds, never of a file the caller holds), and
 * key issue and revocation as changes to that roster. No Temporal APIs here: they run in
 * the campaign's update validator and handler, and in unit tests without a server.
 */
import { HQ_ROLES, type ErrorCode } from '@duban/common';
import { keyIdOf } from '@duban/identity';
import type { KeyRef, PlanAmendment, RosterChanges } from './campaign-definitions';
import { checkSender, instructionOf } from './identity-check';
import type { IdentitySettings, Person } from './task/definitions';

/** A refusal with any code of the registry (the proof's codes are not amendment rules). */
export interface RosterRefusal {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

export interface AuthorisationContext {
  /** The campaign's workflow id: what the signature names. */
  workflowId: string;
  /** The update's name, `amendPlan`. */
  message: string;
  roster: readonly Person[];
  identity?: IdentitySettings;
  nowMs: number;
}

/**
 * Whether the amendment (as received, proof included) may be applied: a valid, fresh
 * proof by a person of the roster of record who holds an HQ role; undefined when it may.
 * Unsigned where signatures are not required (a legacy campaign), the actor must still be
 * HQ office on the roster of record: the first amendment of such a campaign registers
 * keys, and must not let anyone register keys for anyone.
 */
export function refuseSigner(raw: PlanAmendment, ctx: AuthorisationContext): RosterRefusal | undefined {
  const instruction = instructionOf(ctx.workflowId, ctx.message, raw);
  const checked = checkSender({ instruction, proof: raw.proof, actor: raw.actor, roster: ctx.roster, identity: ctx.identity, nowMs: ctx.nowMs });
  if (!checked.ok) return { code: checked.code, message: checked.message, details: checked.details };
  // Signed: the signer (the actor, or HQ office break-glass). Unsigned: the actor as the roster of record knows them.
  const who = checked.signer ?? ctx.roster.find((p) => p.id === raw.actor);
  const id = who?.id ?? raw.actor;
  const roles = who?.roles ?? [];
  if (!HQ_ROLES.some((role) => roles.includes(role))) {
    return {
      code: 'NOT_AUTHORISED',
      message: `${id} may not amend the plan: the roster of record gives them ${roles.join(', ') || 'no role'}, and only ${HQ_ROLES.join(', ')} may.`,
      details: { ...(checked.signer ? { signer: id } : { actor: id }), roles, required: HQ_ROLES },
    };
  }
  return undefined;
}

function invalid(message: string, details: Record<string, unknown>): RosterRefusal {
  return { code: 'INVALID_AMENDMENT', message, details };
}

function idOfKey(publicKey: unknown): string | undefined {
  if (typeof publicKey !== 'string') return undefined;
  try {
    return keyIdOf(publicKey);
  } catch {
    // Not hex: no key id, refused below like any mismatch.
    return undefined;
  }
}

/** Why the key changes cannot be applied to the roster, or undefined when they can. */
export function refuseRosterChanges(changes: RosterChanges | undefined, roster: readonly Person[], amendmentId: string): RosterRefusal | undefined {
  if (changes === undefined) return undefined;
  const issue = changes.issueKeys ?? [];
  const revoke = changes.revokeKeys ?? [];
  if (typeof changes !== 'object' || changes === null || !Array.isArray(issue) || !Array.isArray(revoke)) {
    return invalid(`Amendment ${amendmentId}: roster must hold the lists issueKeys and revokeKeys.`, {});
  }
  const held = new Set(roster.flatMap((p) => (p.keys ?? []).map((k) => k.keyId)));
  const person = (id: unknown) => roster.find((p) => p.id === id);
  for (const [index, entry] of issue.entries()) {
    const key = entry?.key;
    if (!person(entry?.person)) return invalid(`Amendment ${amendmentId}: ${String(entry?.person)} is not on the roster of record, so no key can be issued to them.`, { index, person: entry?.person });
    if (typeof key?.keyId !== 'string' || typeof key.issuedAt !== 'string' || idOfKey(key.publicKey) !== key.keyId) {
      return invalid(`Amendment ${amendmentId}: the key issued to ${entry.person} is not a public key whose id is ${String(key?.keyId)}; issue the file \`duban keys issue\` wrote.`, {
        index,
        person: entry.person,
        keyId: key?.keyId,
      });
    }
    if (held.has(key.keyId)) return invalid(`Amendment ${amendmentId}: key ${key.keyId} is already on the roster of record.`, { index, person: entry.person, keyId: key.keyId });
    held.add(key.keyId);
  }
  for (const [index, entry] of revoke.entries()) {
    const key = person(entry?.person)?.keys?.find((k) => k.keyId === entry.keyId);
    if (!key) return invalid(`Amendment ${amendmentId}: ${String(entry?.person)} holds no key ${String(entry?.keyId)} in the roster of record.`, { index, person: entry?.person, keyId: entry?.keyId });
    if (key.revokedAt !== undefined) return invalid(`Amendment ${amendmentId}: key ${key.keyId} of ${entry.person} was already revoked at ${key.revokedAt}.`, { index, person: entry.person, keyId: key.keyId });
  }
  return undefined;
}

/** Whether the amendment changes the roster at all. */
export function changesRoster(changes: RosterChanges | undefined): boolean {
  return (changes?.issueKeys?.length ?? 0) + (changes?.revokeKeys?.length ?? 0) > 0;
}

export interface RosterChanged {
  roster: Person[];
  /** The new entries of the people whose keys changed. */
  changed: Person[];
  issued: KeyRef[];
  revoked: KeyRef[];
}

/** The roster after issuing and revoking keys (revoked `at`); already validated by {@link refuseRosterChanges}. */
export function applyRosterChanges(roster: readonly Person[], changes: RosterChanges, at: string): RosterChanged {
  const issued: KeyRef[] = (changes.issueKeys ?? []).map((i) => ({ person: i.person, keyId: i.key.keyId }));
  const revoked: KeyRef[] = (changes.revokeKeys ?? []).map((r) => ({ person: r.person, keyId: r.keyId }));
  const touched = new Set([...issued, ...revoked].map((k) => k.person));
  const next = roster.map((p): Person => {
    if (!touched.has(p.id)) return p;
    const revokedHere = new Set(revoked.filter((r) => r.person === p.id).map((r) => r.keyId));
    const kept = (p.keys ?? []).map((k) => (revokedHere.has(k.keyId) ? { ...k, revokedAt: at } : k));
    const added = (changes.issueKeys ?? []).filter((i) => i.person === p.id).map((i) => ({ keyId: i.key.keyId, publicKey: i.key.publicKey, issuedAt: i.key.issuedAt }));
    return { ...p, keys: [...kept, ...added] };
  });
  return { roster: next, changed: next.filter((p) => touched.has(p.id)), issued, revoked };
}
