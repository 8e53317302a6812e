/**
 * The real activities for the delivery and audit-chain tests: an audit store in memory
 * and the webhook notifier posting to a real receiver on 127.0.0.1. What the workflow
 * handed `appendAudit` (the entry with its chain link) is kept as it arrived, so the
 * tests read the chain from the activity's input, whatever the store keeps of it.
 */
import { createActivities, InMemoryAuditStore, LogAndWebhookNotifier, type AuditEntryInput, type DubanActivities } from '@duban/activities';
import { AUDIT_CHAIN_GENESIS, auditEntryHash } from '@duban/identity';
import { ApplicationFailure } from '@temporalio/common';
import { WEEK_MS, type CampaignWorkflowInput } from '@duban/workflows';
import { memoryLogger, startWebhook, type ReceivedRequest } from '../activities/fixtures';
import { DAY, people, taskInput } from './fixtures';

export type Webhook = Awaited<ReturnType<typeof startWebhook>>;
type Answer = Parameters<typeof startWebhook>[0];

export interface DeliveryRig {
  activities: DubanActivities;
  webhook: Webhook;
  /** Audit entries as the workflow sent them, in the order the store first took them. */
  written: AuditEntryInput[];
  /** While true, `appendAudit` fails retryably, as with an audit store that is down. */
  storeDown: boolean;
  close(): Promise<void>;
}

/** A webhook answering with `answer`, the notifier posting to it (each attempt cut after `timeoutMs`), and an audit store in memory. */
export async function deliveryRig(answer: Answer, { timeoutMs = 2_000 }: { timeoutMs?: number } = {}): Promise<DeliveryRig> {
  const webhook = await startWebhook(answer);
  const real = createActivities({
    auditStore: new InMemoryAuditStore(),
    notifier: new LogAndWebhookNotifier({ webhook: { url: webhook.url, timeoutMs }, logger: memoryLogger() }),
  });
  const rig: DeliveryRig = {
    webhook,
    written: [],
    storeDown: false,
    activities: {
      ...real,
      appendAudit: async (entry) => {
        if (rig.storeDown) throw ApplicationFailure.retryable('The audit store is down (test).', 'AUDIT_STORE_UNAVAILABLE');
        const result = await real.appendAudit(entry);
        if (result.inserted) rig.written.push(entry);
        return result;
      },
    },
    close: () => webhook.close(),
  };
  return rig;
}

/** The entries one workflow wrote, in order. */
export function entriesOf(rig: DeliveryRig, workflowId: string): AuditEntryInput[] {
  return rig.written.filter((e) => e.workflowId === workflowId);
}

export function eventsOf(rig: DeliveryRig, workflowId: string): string[] {
  return entriesOf(rig, workflowId).map((e) => e.event);
}

/** The notice kind a webhook request carried. */
export function kindOf(request: ReceivedRequest): string {
  return (JSON.parse(request.body) as { notice: { kind: string } }).notice.kind;
}

/** The requests the webhook received for notices of `kind`. */
export function posted(webhook: Webhook, kind: string): ReceivedRequest[] {
  return webhook.requests.filter((r) => kindOf(r) === kind);
}

/** `promise`, or a failure naming `what` when it takes longer than `ms` of real time. */
export async function promptly<T>(promise: Promise<T>, what: string, ms = 8_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every 100 ms of real time until it holds; fails naming `what` after `ms`. */
export async function waitUntil(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`Still waiting after ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Every entry links to the one before it (the first to the genesis hash), with
 * contiguous seqs from `firstSeq`, and its hash recomputes from its own fields.
 */
export function expectChained(entries: AuditEntryInput[], firstSeq = 1): void {
  expect(entries.length).toBeGreaterThan(0);
  let prevHash = AUDIT_CHAIN_GENESIS;
  entries.forEach((entry, i) => {
    const seq = firstSeq + i;
    expect(entry.chain).toEqual({ seq, prevHash, hash: auditEntryHash(seq, prevHash, entry) });
    prevHash = entry.chain?.hash ?? '';
  });
}

/** A campaign of two tasks, its first bulletin a day from `nowMs`, then weekly; it continues as new early. */
export function campaignInput(nowMs: number, planId: string): CampaignWorkflowInput {
  return {
    planId,
    planTitle: '测试计划',
    campaignYear: new Date(nowMs).getUTCFullYear(),
    timeZone: 'Asia/Shanghai',
    tasks: [taskInput(nowMs, { planId, taskNumber: 1, deadlineInMs: 30 * DAY }), taskInput(nowMs, { planId, taskNumber: 2, deadlineInMs: 30 * DAY })],
    units: taskInput(nowMs).units,
    hq: people.filter((p) => p.roles.includes('hq-office')),
    dispatch: { firstAt: new Date(nowMs + DAY).toISOString(), intervalMs: WEEK_MS },
    endAt: new Date(nowMs + 200 * DAY).toISOString(),
    searchAttributes: false,
    continueAsNewAtHistoryLength: 40,
  };
}
