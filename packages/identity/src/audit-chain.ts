/**
 * The audit trail's hash chain. Each audit entry a workflow writes carries the hash of the
 * entry before it in the same chain (one chain per workflow ID, across continue-as-new),
 * computed in workflow code: the workflow history fixes the chain, so a row altered,
 * deleted, inserted or reordered in the store no longer fits it. `duban audit verify`
 * recomputes the chains with the same function.
 */
import canonicalize from 'canonicalize';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** The encoding version: bump it (and verify both) if the chained fields change. */
export const AUDIT_CHAIN_ENCODING = 'duban-audit-chain/1';

/** The `prevHash` of a chain's first entry. */
export const AUDIT_CHAIN_GENESIS = '0'.repeat(64);

/** The fields of an audit entry the chain covers: all of it but the link itself. */
export interface ChainedAuditFields {
  idempotencyKey: string;
  at: string;
  planId: string;
  taskNumber: number;
  workflowId: string;
  actor: string;
  event: string;
  details: Record<string, unknown>;
}

/** An entry's place in its chain. */
export interface AuditLink {
  /** 1, 2, 3, … within the chain (the workflow's event sequence for tasks). */
  seq: number;
  /** The previous entry's `hash`, or {@link AUDIT_CHAIN_GENESIS}. */
  prevHash: string;
  /** sha-256 (hex) over the encoding, `seq`, `prevHash` and the canonical entry. */
  hash: string;
}

/**
 * The hash of an entry at `seq` after `prevHash`. The entry is taken as JSON data (RFC
 * 8785 canonical form), so it hashes the same before it is sent and after a store has
 * parsed it back from its JSON column.
 */
export function auditEntryHash(seq: number, prevHash: string, entry: ChainedAuditFields): string {
  const { idempotencyKey, at, planId, taskNumber, workflowId, actor, event, details } = entry;
  const text = canonicalize({ idempotencyKey, at, planId, taskNumber, workflowId, actor, event, details });
  if (text === undefined) throw new TypeError('An audit entry must be JSON data.');
  return bytesToHex(sha256(utf8ToBytes(`${AUDIT_CHAIN_ENCODING}\n${seq}\n${prevHash}\n${text}`)));
}

/** Links `entry` after `prev` (or at the chain's start). */
export function linkAuditEntry(prev: Pick<AuditLink, 'seq' | 'hash'> | undefined, entry: ChainedAuditFields, seq = (prev?.seq ?? 0) + 1): AuditLink {
  const prevHash = prev?.hash ?? AUDIT_CHAIN_GENESIS;
  return { seq, prevHash, hash: auditEntryHash(seq, prevHash, entry) };
}
