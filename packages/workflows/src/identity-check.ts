/**
 * The one proof check of the workflows: the task (`task/identity.ts`) and the campaign
 * (`campaign-roster.ts`) both ask {@link checkSender}, the campaign adding its HQ-role
 * rule on top. Pure and synchronous: it runs in update validators, which do not run on
 * replay, so recorded histories replay whatever the identity rules become.
 */
import { checkProof, DEFAULT_IDENTITY_POLICY, withoutProof, type IdentityPolicy, type Instruction, type Proof, type ProofCheck } from '@duban/identity';
import type { IdentitySettings, Person } from './task/definitions';

/**
 * Signatures are required when the launch said so, or as soon as anyone on the roster
 * holds a key: a task or campaign launched before identity checks existed accepts
 * unsigned messages only until an amendment registers keys.
 */
export function signaturesRequired(roster: readonly Person[], identity: IdentitySettings | undefined): boolean {
  return identity?.required === true || roster.some((p) => (p.keys?.length ?? 0) > 0);
}

/** The identity policy of a launch's settings; the defaults for inputs from before them. */
function identityPolicyOf(identity: IdentitySettings | undefined): IdentityPolicy {
  return { maxAgeMs: identity?.maxAgeMs ?? DEFAULT_IDENTITY_POLICY.maxAgeMs, maxSkewMs: identity?.maxSkewMs ?? DEFAULT_IDENTITY_POLICY.maxSkewMs };
}

/** The instruction a message's sender signed: the arguments exactly as sent, without the proof. */
export function instructionOf(workflowId: string, message: string, raw: { proof?: unknown }): Instruction {
  return { workflowId, message, args: withoutProof(raw) as Record<string, unknown> };
}

export interface SenderCheckInput {
  instruction: Instruction;
  proof: Proof | undefined;
  /** The person the instruction says is acting. */
  actor: string;
  /** The roster of record (the task's people, the campaign's roster). */
  roster: readonly Person[];
  identity: IdentitySettings | undefined;
  /** Workflow time: when the instruction arrives. */
  nowMs: number;
}

/**
 * Whether the sender proved they may give the instruction as `actor`: the proof's check,
 * or, unsigned where signatures are not required (a legacy roster), ok with no signer,
 * so the caller knows nobody's key vouches for the actor. A proof sent unasked is checked too.
 */
export function checkSender({ instruction, proof, actor, roster, identity, nowMs }: SenderCheckInput): ProofCheck | { ok: true; signer: undefined; breakGlass: false } {
  if (!proof && !signaturesRequired(roster, identity)) return { ok: true, signer: undefined, breakGlass: false };
  return checkProof({ instruction, proof, actor, roster, nowMs, policy: identityPolicyOf(identity) });
}
