/**
 * What a signature covers. An instruction is one message to one workflow; its canonical
 * encoding (RFC 8785, JSON Canonicalization Scheme) is the same bytes on every machine
 * and in the workflow sandbox, so the signer and the workflow agree on what was signed.
 */
import canonicalize from 'canonicalize';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** The instruction itself: which workflow, which message, with which arguments (the proof left out). */
export interface Instruction {
  workflowId: string;
  /** The message (update) name, e.g. `review`, `amendPlan`. */
  message: string;
  /** The message's arguments without `proof`; the request id is among them. */
  args: Record<string, unknown>;
}

/**
 * Proof of who gave an instruction, carried beside the arguments (`args.proof`). Kept in
 * the task's timeline and the audit entry, so the record proves who acted.
 */
export interface Proof {
  /** The person whose key signed: the actor, or an HQ office member acting break-glass. */
  signer: string;
  keyId: string;
  /** When the signer signed: the workflow refuses instructions older than its window. */
  issuedAt: string;
  /** Ed25519 signature, hex, over {@link signedBytes}. */
  signature: string;
  /** Present when the signer acts for an absent actor: both identities are recorded. */
  breakGlass?: { reason: string };
}

/** The encoding version: bump it (and accept both for a while) if the signed fields change. */
export const INSTRUCTION_ENCODING = 'duban-instruction/1';

function canonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('An instruction must be JSON data.');
  return text;
}

/** Drops `proof` from message arguments: what the signature covers is everything else. */
export function withoutProof<A extends { proof?: unknown }>(args: A): Omit<A, 'proof'> {
  const { proof: _proof, ...rest } = args;
  return rest;
}

/**
 * The instruction's content digest (sha-256, hex), independent of who signed and when.
 * A request id reused with the same digest is a retry; with another digest it is refused.
 */
export function instructionDigest(instruction: Instruction): string {
  return bytesToHex(sha256(utf8ToBytes(canonical({ workflowId: instruction.workflowId, message: instruction.message, args: instruction.args }))));
}

/** The bytes an Ed25519 signature covers: the instruction and the proof's own facts. */
export function signedBytes(instruction: Instruction, proof: Omit<Proof, 'signature'>): Uint8Array {
  return utf8ToBytes(
    canonical({
      encoding: INSTRUCTION_ENCODING,
      workflowId: instruction.workflowId,
      message: instruction.message,
      args: instruction.args,
      signer: proof.signer,
      keyId: proof.keyId,
      issuedAt: proof.issuedAt,
      ...(proof.breakGlass ? { breakGlass: proof.breakGlass } : {}),
    }),
  );
}
