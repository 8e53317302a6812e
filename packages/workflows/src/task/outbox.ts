/**
 * The ordered delivery of a task's audit entries and notices. The record queues them in
 * event order; one loop delivers them one at a time, so the audit trail and the people
 * hear of events in the order they happened. Idempotency keys make a retried delivery a
 * no-op in the stores.
 */
import { condition, isCancellation, log, proxyActivities, sleep } from '@temporalio/workflow';
import type { DubanActivities } from '@duban/activities';
import { messageOf } from '@duban/common';
import type { TaskRecord } from './record';

const { appendAudit, notify } = proxyActivities<DubanActivities>({
  startToCloseTimeout: '30 seconds',
  // Bounded: after the last attempt the outbox waits and tries the same entry again, so
  // an audit store that is down for hours delays entries but never loses one.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
});

const BACKOFF_MS = 60_000;
const BACKOFF_MAX_MS = 3_600_000;

export interface Outbox {
  /** Resolves once everything up to the event `seq` is delivered: an update answers after its audit entry is written. */
  deliveredThrough(seq: number): Promise<void>;
  /** Whether nothing waits for delivery. */
  drained(): boolean;
  /** Lets the loop end once the queue is empty, and waits for it. */
  close(): Promise<void>;
}

/** Starts the delivery loop of `task`'s outbox; it runs until {@link Outbox.close}. */
export function startOutbox(task: TaskRecord): Outbox {
  const queue = task.outbox;
  let closing = false;
  const done = (async () => {
    let failures = 0;
    for (;;) {
      await condition(() => queue.length > 0 || closing);
      const item = queue[0];
      if (!item) return;
      try {
        if (item.kind === 'audit') await appendAudit(item.entry);
        else await notify(item.notification);
        queue.shift();
        failures = 0;
      } catch (err) {
        if (isCancellation(err)) throw err;
        failures += 1;
        const idempotencyKey = item.kind === 'audit' ? item.entry.idempotencyKey : item.notification.idempotencyKey;
        log.warn('Delivery failed after its retries; waiting before trying the same entry again', { idempotencyKey, failures, error: messageOf(err) });
        await sleep(Math.min(BACKOFF_MS * 2 ** (failures - 1), BACKOFF_MAX_MS));
      }
    }
  })();
  return {
    deliveredThrough: (seq) => condition(() => !queue.some((item) => item.seq <= seq)),
    drained: () => queue.length === 0,
    async close() {
      closing = true;
      await done;
    },
  };
}
