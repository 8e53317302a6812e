/**
 * The identity check a workflow runs in its update validator, before anything is
 * recorded: is the proof a valid, fresh signature by a key the roster of record holds for
 * the signer, and may the signer act as the actor? Pure and synchronous (validators
 * must be), deterministic given `nowMs` (workflow time).
 */
import { HQ_ROLES, type ErrorCode, type Role } from '@duban/common';
import type { Instruction, Proof } from './instruction';
import { verifySignature, type RosterKey } from './keys';

/** A person of the roster of record, as far as identity is concerned. */
export interface RosterPerson {
  id: string;
  name: string;
  roles: readonly Role[];
  keys?: RosterKey[];
}

export interface IdentityPolicy {
  /** How old an instruction may be when it arrives. */
  maxAgeMs: number;
  /** How far in the future `issuedAt` may lie (the signer's clock runs ahead). */
  maxSkewMs: number;
}

/** Ten minutes to arrive, two minutes of clock skew. */
export const DEFAULT_IDENTITY_POLICY: IdentityPolicy = { maxAgeMs: 10 * 60_000, maxSkewMs: 2 * 60_000 };

export interface ProofCheckInput {
  instruction: Instruction;
  proof: Proof | undefined;
  /** The person the instruction says is acting (`args.actor`). */
  actor: string;
  roster: readonly RosterPerson[];
  nowMs: number;
  policy: IdentityPolicy;
}

export type ProofCheck =
  | { ok: true; signer: RosterPerson; breakGlass: boolean }
  | { ok: false; code: ErrorCode; message: string; details: Record<string, unknown> };

function refuse(code: ErrorCode, message: string, details: Record<string, unknown>): ProofCheck {
  return { ok: false, code, message, details };
}

/** Checks the proof of one instruction; the first failing rule is the answer. */
export function checkProof({ instruction, proof, actor, roster, nowMs, policy }: ProofCheckInput): ProofCheck {
  if (!proof) {
    return refuse('CREDENTIAL_MISSING', `The ${instruction.message} instruction of ${actor} is not signed: sign it with ${actor}'s key (an operator issues keys with \`duban keys issue\`).`, { actor });
  }
  const signer = roster.find((p) => p.id === proof.signer);
  const key = signer?.keys?.find((k) => k.keyId === proof.keyId);
  if (!signer || !key) {
    return refuse('KEY_UNKNOWN', `Key ${proof.keyId} is not a key of ${proof.signer} in the roster of record.`, { signer: proof.signer, keyId: proof.keyId });
  }
  // Revoked as of the instruction's arrival (workflow time), not its issuedAt: the signer
  // chooses issuedAt, so a stolen key could backdate instructions to before its revocation.
  // An unparsable revokedAt counts as revoked (!(now < NaN)).
  if (key.revokedAt !== undefined && !(nowMs < Date.parse(key.revokedAt))) {
    return refuse('KEY_REVOKED', `Key ${key.keyId} of ${signer.id} was revoked at ${key.revokedAt}: use the person's current key.`, { signer: signer.id, keyId: key.keyId, revokedAt: key.revokedAt });
  }
  const issuedAtMs = Date.parse(proof.issuedAt);
  if (!Number.isFinite(issuedAtMs) || issuedAtMs < nowMs - policy.maxAgeMs || issuedAtMs > nowMs + policy.maxSkewMs) {
    return refuse('INSTRUCTION_EXPIRED', `The instruction was issued at ${proof.issuedAt}, outside the accepted window: sign it again now.`, {
      issuedAt: proof.issuedAt,
      maxAgeMs: policy.maxAgeMs,
    });
  }
  if (!verifySignature(instruction, proof, key.publicKey)) {
    return refuse('SIGNATURE_INVALID', `The signature of ${signer.id} (key ${key.keyId}) does not match this ${instruction.message} instruction.`, { signer: signer.id, keyId: key.keyId });
  }
  if (signer.id === actor) return { ok: true, signer, breakGlass: false };
  if (!proof.breakGlass) {
    return refuse('ACTING_FOR_ANOTHER', `${signer.id} signed an instruction for ${actor}: act as yourself, or give a break-glass reason.`, { signer: signer.id, actor });
  }
  if (!HQ_ROLES.some((role) => signer.roles.includes(role))) {
    return refuse('BREAK_GLASS_NOT_ALLOWED', `${signer.id} may not act for ${actor}: only HQ office may (break-glass).`, { signer: signer.id, actor });
  }
  return { ok: true, signer, breakGlass: true };
}
