/**
 * Audit entries linked as a workflow links them (`linkAuditEntry`), for the store
 * contract and `verifyAuditTrail` tests.
 */
import type { AuditEntryInput } from '@duban/activities';
import { linkAuditEntry, type AuditLink } from '@duban/identity';

export interface ChainOptions {
  /** The seq of the first entry. Default 1. */
  firstSeq?: number;
  /** This many entries first without a link, as written before chains existed; the chain starts after them at the genesis hash. Default 0. */
  unlinked?: number;
  planId?: string;
  taskNumber?: number;
}

/** A task's chain: `events.length` entries, one minute apart, each linked to the one before. */
export function chainOf(workflowId: string, events: readonly string[], options: ChainOptions = {}): AuditEntryInput[] {
  const { firstSeq = 1, unlinked = 0, planId = 'xihu-2020', taskNumber = 3 } = options;
  let prev: AuditLink | undefined;
  return events.map((event, index) => {
    const seq = firstSeq + index;
    const entry: AuditEntryInput = {
      idempotencyKey: `${workflowId}:${seq}:${event}`,
      at: new Date(Date.UTC(2020, 8, 1, 1, index)).toISOString().replace('.000Z', '+00:00'),
      planId,
      taskNumber,
      workflowId,
      actor: event.startsWith('review') ? 'supervisor-1' : 'chengguan-head',
      event,
      details: { note: `第 ${seq} 步`, ...(event === 'review.approved' ? { reviewer: 'supervisor-1', score: 92 } : {}) },
    };
    if (index < unlinked) return entry;
    const chain = linkAuditEntry(prev, entry, seq);
    prev = chain;
    return { ...entry, chain };
  });
}

/** The events of a task driven to approval. */
export const TASK_EVENTS = ['task.assigned', 'task.acknowledged', 'progress.reported', 'task.submitted', 'review.approved'] as const;
