/**
 * `@duban/identity`: nobody acts as somebody else. Every instruction to a workflow carries
 * a {@link Proof}: an Ed25519 signature over its canonical encoding by a key the roster
 * of record holds. Pure JS (`@noble/curves`, `@noble/hashes`, `canonicalize`), so the
 * workflow verifies it itself, in the update validator; a client, the CLI or a web
 * server only signs.
 *
 * @example
 * ```ts
 * import { generateKeyPair, signInstruction } from '@duban/identity';
 * const { signing, roster } = generateKeyPair('supervisor-li', new Date().toISOString());
 * const args = { requestId: 'r-1', actor: 'supervisor-li', decision: 'approve', score: 92 };
 * const proof = signInstruction({ workflowId: 'duban/xihu-2020/task-3', message: 'review', args }, signing, { issuedAt: new Date().toISOString() });
 * ```
 */
export { INSTRUCTION_ENCODING, instructionDigest, signedBytes, withoutProof } from './instruction';
export type { Instruction, Proof } from './instruction';
export { generateKeyPair, keyIdOf, signInstruction, verifySignature } from './keys';
export type { RosterKey, SigningKey, SignOptions } from './keys';
export { checkProof, DEFAULT_IDENTITY_POLICY } from './check';
export type { IdentityPolicy, ProofCheck, ProofCheckInput, RosterPerson } from './check';
export { AUDIT_CHAIN_ENCODING, AUDIT_CHAIN_GENESIS, auditEntryHash, linkAuditEntry } from './audit-chain';
export type { AuditLink, ChainedAuditFields } from './audit-chain';
