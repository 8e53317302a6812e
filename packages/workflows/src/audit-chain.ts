/**
 * The workflows' side of the audit trail's hash chain: each audit entry a workflow writes
 * carries its link (`linkAuditEntry` of `@duban/identity`, pure JS), computed here in
 * workflow code, so the workflow history fixes the chain. One chain per workflow ID; its
 * head is carried across continue-as-new and shown in the workflow's state query.
 */
import type { AuditEntryInput } from '@duban/activities';
import { linkAuditEntry } from '@duban/identity';

/** Guards chained entries: runs recorded before them write unchained entries on replay. */
export const AUDIT_CHAIN_PATCH = 'duban-audit-chain';

/** The newest entry of a chain: `audit verify` compares the store's last row with it to find a cut tail. */
export interface AuditChainHead {
  seq: number;
  hash: string;
}

/**
 * Links `entry` after `head` at `seq` (the task's event seq; the next number by default).
 * Hashed as the store receives it: a JSON copy, so an object shared with the state (an
 * input array, say) that changes before the activity is scheduled cannot make the stored
 * entry differ from its hash.
 */
export function chainEntry(head: AuditChainHead | undefined, entry: AuditEntryInput, seq = (head?.seq ?? 0) + 1): { entry: AuditEntryInput; head: AuditChainHead } {
  const copy = JSON.parse(JSON.stringify(entry)) as AuditEntryInput;
  const chain = linkAuditEntry(head, copy, seq);
  return { entry: { ...copy, chain }, head: { seq, hash: chain.hash } };
}
