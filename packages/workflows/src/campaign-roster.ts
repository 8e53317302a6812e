/**
 * The roster of record as pure functions: who may amend the plan (the proof of an HQ
 * office member of the roster the campaign holds, never of a file the caller holds), and
 * key issue and revocation as changes to that roster. No Temporal APIs here: they run in
 * the campaign's update validator and handler, and in unit tests without a server.
 */
import { HQ_ROLES, type ErrorCode } from '@duban/common';
import { checkProof, DEFAULT_IDENTITY_POLICY, keyIdOf, withoutProof, type IdentityPolicy } from '@duban/identity';
import type { KeyRef, PlanAmendment, RosterChanges } from './campaign-definitions';
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
 * Signatures are required when the launch said so, or as soon as anyone on the roster
 * holds a key: a campaign launched before identity checks existed accepts unsigned
 * amendments only until one registers keys.
 */
export function signaturesRequired(roster: readonly Person[], identity: IdentitySettings | undefined): boolean {
  return identity?.required === true || roster.some((p) => (p.keys?.length ?? 0) > 0);
}

/** The identity policy of a launch's settings; the defaults for inputs from before them. */
export function identityPolicyOf(identity: IdentitySettings | undefined): IdentityPolicy {
  return { maxAgeMs: identity?.maxAgeMs ?? DEFAULT_IDENTITY_POLICY.maxAgeMs, maxSkewMs: identity?.maxSkewMs ?? DEFAULT_IDENTITY_POLICY.maxSkewMs };
}

/**
 * Whether the amendment (as received, proof included) may be applied: a valid, fresh
 * proof by a person of the roster of record who holds an HQ role; undefined when it may.
 * Without a proof where signatures are not required (a legacy campaign), it may.
 */
export function refuseSigner(raw: PlanAmendment, ctx: AuthorisationContext): RosterRefusal | undefined {
  if (raw.proof === undefined && !signaturesRequired(ctx.roster, ctx.identity)) return undefined;
  const policy = identityPolicyOf(ctx.identity);
  const instruction = { workflowId: ctx.workflowId, message: ctx.message, args: withoutProof(raw) as Record<string, unknown> };
  const checked = checkProof({ instruction, proof: raw.proof, actor: raw.actor, roster: ctx.roster, nowMs: ctx.nowMs, policy });
  if (!checked.ok) return { code: checked.code, message: checked.message, details: checked.details };
  if (!HQ_ROLES.some((role) => checked.signer.roles.includes(role))) {
    return {
      code: 'NOT_AUTHORISED',
      message: `${checked.signer.id} may not amend the plan: the roster of record gives them ${checked.signer.roles.join(', ') || 'no role'}, and only ${HQ_ROLES.join(', ')} may.`,
      details: { signer: checked.signer.id, roles: checked.signer.roles, required: HQ_ROLES },
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
