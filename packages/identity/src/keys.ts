/**
 * Ed25519 keys of the roster of record. Generating a key needs a random source and runs
 * outside workflow code (the CLI, an operator's service); signing and verifying are pure.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { signedBytes, type Instruction, type Proof } from './instruction';

/** A person's public key as the roster of record holds it. */
export interface RosterKey {
  /** Derived from the public key ({@link keyIdOf}): the same key has the same id everywhere. */
  keyId: string;
  /** Ed25519 public key, hex (32 bytes). */
  publicKey: string;
  issuedAt: string;
  /** From this instant on, the key signs nothing the workflows accept. */
  revokedAt?: string;
}

/** A private key as its holder keeps it (in a 0600 file, or a server's encrypted keystore). */
export interface SigningKey {
  /** The person the key belongs to. */
  person: string;
  keyId: string;
  /** Ed25519 secret key, hex (32 bytes). Never logged, never sent. */
  privateKey: string;
}

/** The first 16 hex digits of the sha-256 of the public key. */
export function keyIdOf(publicKeyHex: string): string {
  return bytesToHex(sha256(hexToBytes(publicKeyHex))).slice(0, 16);
}

/** A fresh key pair for `person`; the public half goes into the roster, the private half to the person. */
export function generateKeyPair(person: string, issuedAt: string): { signing: SigningKey; roster: RosterKey } {
  const secret = ed25519.utils.randomPrivateKey();
  const publicKey = bytesToHex(ed25519.getPublicKey(secret));
  const keyId = keyIdOf(publicKey);
  return { signing: { person, keyId, privateKey: bytesToHex(secret) }, roster: { keyId, publicKey, issuedAt } };
}

export interface SignOptions {
  /** ISO instant the instruction is issued at (the signer's clock). */
  issuedAt: string;
  /** The signer acts for an absent actor: the reason is signed and recorded. */
  breakGlass?: { reason: string };
}

/** Signs an instruction with `key`: the proof to send beside the arguments. */
export function signInstruction(instruction: Instruction, key: SigningKey, options: SignOptions): Proof {
  const facts = { signer: key.person, keyId: key.keyId, issuedAt: options.issuedAt, ...(options.breakGlass ? { breakGlass: options.breakGlass } : {}) };
  const signature = bytesToHex(ed25519.sign(signedBytes(instruction, facts), hexToBytes(key.privateKey)));
  return { ...facts, signature };
}

/** Whether `proof.signature` is `publicKey`'s signature over the instruction and the proof's facts. */
export function verifySignature(instruction: Instruction, proof: Proof, publicKeyHex: string): boolean {
  const { signature, ...facts } = proof;
  try {
    return ed25519.verify(hexToBytes(signature), signedBytes(instruction, facts), hexToBytes(publicKeyHex));
  } catch {
    // Malformed hex or a point not on the curve: not a valid signature, not a crash.
    return false;
  }
}
