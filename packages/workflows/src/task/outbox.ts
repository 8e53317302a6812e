/**
 * The delivery of a task's audit entries and notices, queued by the record in event order.
 *
 * Two lanes (runs since `DELIVERY_LANES_PATCH`): the audit lane writes the entries one at
 * a time in event order (so the store's order follows the hash chain) and never skips one;
 * the notice lane sends the notices in order, each within the bounds of `NOTICE_DELIVERY`
 * (`@duban/common`: at most 3 attempts per round, 3 rounds, 1 min then 10 min apart), and
 * records one it cannot deliver as `notification.failed`, tells HQ, and goes on. An audit
 * entry, and so a caller's answer, never waits for a notice.
 *
 * The single ordered outbox (runs recorded before the lanes, which replay it) delivers
 * both kinds one at a time and retries a failed one without end.
 *
 * Idempotency keys make a retried delivery a no-op in the stores.
 */
import { ActivityFailure, ApplicationFailure, condition, isCancellation, log, proxyActivities, sleep } from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { DubanActivities } from '@duban/activities';
import { HQ_ROLES, messageOf, NOTICE_DELIVERY, SYSTEM_ACTOR, type NotificationFailedNotice } from '@duban/common';
import type { OutboxItem, Outgoing, TaskRecord } from './record';

/** Guards the two delivery lanes and the bounded wait of updates: earlier histories replay the single outbox. */
export const DELIVERY_LANES_PATCH = 'duban-delivery-lanes';

/** How long (workflow time) an update waits for its audit entry before answering `auditPending: true`. */
export const AUDIT_WAIT_MS = 10_000;

/**
 * One attempt at an audit entry, in runs since `TASK_BOOKKEEPING_PATCH`: the lane tries
 * each entry this way (again each second) for up to {@link AUDIT_WAIT_MS}, so that a store
 * that fails or hangs is noticed within the wait callers are promised, with no timer at
 * all while the store writes. (Not a schedule-to-close timeout: with one, the time-skipping
 * test server stopped skipping time for good.)
 */
const { appendAudit: appendAuditOnce } = proxyActivities<DubanActivities>({
  startToCloseTimeout: AUDIT_WAIT_MS,
  retry: { maximumAttempts: 1 },
});

/** Between two attempts of an entry's first delivery. */
const FIRST_DELIVERY_RETRY_MS = 1_000;

const { appendAudit } = proxyActivities<DubanActivities>({
  // An append takes milliseconds; a short timeout lets an append lost with a killed worker
  // be retried by another soon (the fault suite saw callers wait the full 30 s it was).
  startToCloseTimeout: '10 seconds',
  // Bounded: after the last attempt the lane waits and tries the same entry again, so
  // an audit store that is down for hours delays entries but never loses one.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
});

/** The single ordered outbox's notify (runs recorded before the lanes). */
const { notify } = proxyActivities<DubanActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
});

/**
 * One round of the notice lane: `attemptsPerRound` attempts, each cut after
 * `activityTimeoutMs` (longer than the webhook's own attempt timeout, at most 25 s).
 */
const { notify: notifyRound } = proxyActivities<DubanActivities>({
  startToCloseTimeout: NOTICE_DELIVERY.activityTimeoutMs,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: NOTICE_DELIVERY.attemptsPerRound },
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

export interface DeliveryLanes extends Outbox {
  /** Waits at most `withinMs` for the audit entries up to the event `seq`; true when they are written. */
  auditWritten(seq: number, withinMs: number): Promise<boolean>;
  /**
   * Waits for the audit entries up to the event `seq` without a timer: true once they are
   * written, false as soon as the audit lane is failing (an entry not written within
   * {@link AUDIT_WAIT_MS}; at once when it already is). Only with `boundedFirstDelivery`.
   */
  auditWrittenUnlessFailing(seq: number): Promise<boolean>;
}

export interface DeliveryLaneOptions {
  /** Each audit entry's first delivery bounded by {@link AUDIT_WAIT_MS} (`TASK_BOOKKEEPING_PATCH`). */
  boundedFirstDelivery?: boolean;
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

type AuditItem = Extract<OutboxItem, { kind: 'audit' }>;
type NoticeItem = Extract<OutboxItem, { kind: 'notify' }>;

/** Starts the audit lane and the notice lane over `task`'s outbox; they run until {@link Outbox.close}. */
export function startDeliveryLanes(task: TaskRecord, { boundedFirstDelivery = false }: DeliveryLaneOptions = {}): DeliveryLanes {
  const queue = task.outbox;
  let closing = false;
  /** An audit entry was not written within its bounded first delivery, and none has been since. */
  let auditFailing = false;
  // An entry's first delivery: attempts for up to AUDIT_WAIT_MS; then the lane is failing
  // (waiting callers are answered auditPending) and goes on with the unbounded delivery.
  const writeAuditWithinWait = async (item: AuditItem): Promise<void> => {
    const giveUpAt = Date.now() + AUDIT_WAIT_MS;
    for (;;) {
      try {
        await appendAuditOnce(item.entry);
        auditFailing = false;
        return;
      } catch (err) {
        if (isCancellation(err)) throw err;
        if (Date.now() + FIRST_DELIVERY_RETRY_MS >= giveUpAt) {
          log.warn('Audit entry not written within the bounded wait; callers are answered auditPending until the store writes again', {
            idempotencyKey: item.entry.idempotencyKey,
            error: messageOf(err),
          });
          break;
        }
        await sleep(FIRST_DELIVERY_RETRY_MS);
      }
    }
    auditFailing = true;
    await writeAudit(item);
    auditFailing = false;
  };
  const auditPending = (seq: number) => queue.some((item) => item.kind === 'audit' && item.seq <= seq);
  const lane = async <I extends OutboxItem>(isMine: (item: OutboxItem) => item is I, deliver: (item: I) => Promise<void>) => {
    for (;;) {
      await condition(() => closing || queue.some(isMine));
      const item = queue.find(isMine);
      if (!item) return;
      await deliver(item);
      queue.splice(queue.indexOf(item), 1);
    }
  };
  const lanes = Promise.all([
    // Chosen here, not per entry: runs recorded before the patch replay the very same promise chain.
    lane((item): item is AuditItem => item.kind === 'audit', boundedFirstDelivery ? writeAuditWithinWait : writeAudit),
    lane((item): item is NoticeItem => item.kind === 'notify', (item) => sendNotice(task, item)),
  ]);
  return {
    deliveredThrough: (seq) => condition(() => !auditPending(seq)),
    auditWritten: (seq, withinMs) => condition(() => !auditPending(seq), withinMs),
    auditWrittenUnlessFailing: async (seq) => {
      await condition(() => !auditPending(seq) || auditFailing);
      return !auditPending(seq);
    },
    drained: () => queue.length === 0,
    async close() {
      closing = true;
      await lanes;
    },
  };
}

/** Writes one audit entry, however long the store is down: the trail (and its chain) has no gaps. */
async function writeAudit({ entry }: AuditItem): Promise<void> {
  for (let failures = 1; ; failures += 1) {
    try {
      await appendAudit(entry);
      return;
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('Audit entry not written after its retries; waiting before trying it again', { idempotencyKey: entry.idempotencyKey, failures, error: messageOf(err) });
      await sleep(Math.min(BACKOFF_MS * 2 ** (failures - 1), BACKOFF_MAX_MS));
    }
  }
}

/**
 * Sends one notice in at most `NOTICE_DELIVERY.rounds` rounds; a rejection ends at once.
 * One that is not delivered is recorded (`notification.failed`) before the lane moves on.
 */
async function sendNotice(task: TaskRecord, item: NoticeItem): Promise<void> {
  for (let round = 1; ; round += 1) {
    try {
      await notifyRound(item.notification);
      return;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const failure = noticeFailure(err);
      const wait = NOTICE_DELIVERY.roundWaitsMs[round - 1];
      if (failure.reason === 'rejected' || round >= NOTICE_DELIVERY.rounds || wait === undefined) {
        recordUndelivered(task, item, { ...failure, rounds: round });
        return;
      }
      log.warn('Notice not delivered in this round; trying again later', { idempotencyKey: item.notification.idempotencyKey, round, error: messageOf(err) });
      await sleep(wait);
    }
  }
}

/** Why a notice was not delivered, as the audit trail and HQ's notice say it. */
export interface NoticeFailure {
  reason: NotificationFailedNotice['reason'];
  /** The activity's error code (`WEBHOOK_REJECTED`, …), or the kind of Temporal failure (a timeout). */
  code: string;
  /** The last attempt's message (no credentials: the notifier redacts its endpoint). */
  error: string;
}

/** A `notify` activity's failure: `rejected` when it was not retryable (a 4xx), else `unavailable`. */
export function noticeFailure(err: unknown): NoticeFailure {
  const rejected = err instanceof ActivityFailure && err.retryState === RetryState.NON_RETRYABLE_FAILURE;
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const code = cause instanceof ApplicationFailure && cause.type ? cause.type : cause instanceof Error ? cause.name : 'UNKNOWN';
  return { reason: rejected ? 'rejected' : 'unavailable', code, error: messageOf(cause ?? err).slice(0, 500) };
}

interface Undelivered extends NoticeFailure {
  rounds: number;
}

/** Records the failure (chained, in the timeline) and tells HQ, unless it was HQ's notice of a failure that failed: no loop. */
function recordUndelivered(task: TaskRecord, { seq, notification }: NoticeItem, failure: Undelivered): void {
  const undelivered = { kind: notification.notice.kind, idempotencyKey: notification.idempotencyKey, at: notification.at, recipients: notification.recipients };
  const details = { ...undelivered, eventSeq: seq, ...failure };
  const tellHq = notification.notice.kind !== 'notification-failed';
  task.record(SYSTEM_ACTOR, 'notification.failed', details, tellHq ? failureNotice(task, undelivered, failure) : undefined);
}

function failureNotice(task: TaskRecord, undelivered: NotificationFailedNotice['undelivered'], { reason, code }: Undelivered): Outgoing {
  const outgoing = task.tell({ kind: 'notification-failed', undelivered, reason, code }, task.recipients({ roles: HQ_ROLES }));
  // The names of the people it was meant for, so HQ knows whom to reach.
  const meant = new Set(undelivered.recipients.map((r) => r.person));
  const named = task.input.people.filter((p) => meant.has(p.id)).map((p) => [p.id, p.name]);
  const names = outgoing.notice.names;
  outgoing.notice.names = { ...names, people: { ...names?.people, ...Object.fromEntries(named) } };
  return outgoing;
}
