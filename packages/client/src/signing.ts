/**
 * How the client signs what it sends. The workflow verifies the proof against the
 * arguments exactly as they arrive, so the arguments are signed in the form they travel
 * in (plain JSON), and the proof travels beside them as `args.proof`.
 */
import { randomUUID } from 'node:crypto';
import { instructionDigest, signInstruction, type Proof, type SigningKey } from '@duban/identity';

/** Who signs a handle's messages: a person's key, and for break-glass the reason. */
export interface Signer {
  key: SigningKey;
  /**
   * The signer (an HQ office member) acts for an absent actor. The reason is signed and
   * recorded with both identities, and named in the next bulletin.
   */
  breakGlass?: { reason: string };
  /**
   * The clock that dates the proof (`issuedAt`); default the machine's. A workflow refuses
   * an instruction dated too far from its own time, so callers driving a server whose
   * clock is not the machine's (the time-skipping test server) pass that server's clock.
   */
  clock?: () => Date;
}

export interface SignedRequest<A> {
  /** The arguments to send: the signed ones plus `proof` (absent when unsigned). */
  args: A & { proof?: Proof };
  /**
   * One delivery of one instruction: `<requestId>:<digest first 16 hex>:<signature first 16
   * hex>` (a random tail when unsigned). Temporal answers a repeated update id with the first
   * outcome whatever the arguments; with the digest in it, other content under the same
   * request id reaches the workflow (refused `REQUEST_ID_REUSED`), and with the signature
   * a re-sent request does too, so the workflow answers `applied: false` ("already
   * applied") instead of Temporal replaying `applied: true`.
   */
  updateId: string;
}

/**
 * Signs `args` (validated, without `proof`) for message `message` to `workflowId`, issued
 * now. Without a signer the request goes unsigned: only a campaign launched before
 * signatures existed accepts that, and the workflow, not the client, decides.
 */
export function signRequest<A extends object>(workflowId: string, message: string, requestId: string, args: A, signer: Signer | undefined): SignedRequest<A> {
  // The workflow sees the arguments after a JSON round trip: sign exactly that.
  const plain = JSON.parse(JSON.stringify(args)) as A;
  const instruction = { workflowId, message, args: plain as Record<string, unknown> };
  const digest = instructionDigest(instruction).slice(0, 16);
  if (!signer) return { args: plain, updateId: `${requestId}:${digest}:${randomUUID().slice(0, 8)}` };
  const proof = signInstruction(instruction, signer.key, { issuedAt: (signer.clock?.() ?? new Date()).toISOString(), ...(signer.breakGlass ? { breakGlass: signer.breakGlass } : {}) });
  return { args: { ...plain, proof }, updateId: `${requestId}:${digest}:${proof.signature.slice(0, 16)}` };
}
