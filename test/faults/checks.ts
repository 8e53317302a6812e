/**
 * What must hold after every fault: each task where the actors drove it; each workflow's
 * audit chain in the store exactly once (no seq missing, none twice, the chain's end the
 * head the workflow reports, every timeline event stored as it happened, `verifyAuditTrail`
 * clean); each notification the workflows produced delivered (in the outbox, seen by the
 * webhook with a 2xx) or recorded as `notification.failed`, never both, never neither.
 *
 * Checks return problems as sentences instead of throwing, so a phase can wait for
 * deliveries still on their way (`settle`) and then assert that nothing is left.
 */
import type { Client } from '@temporalio/client';
import { verifyAuditTrail, type AuditChainReference, type AuditRecord, type PersistentAuditStore, type SentNotification } from '@duban/activities';
import { campaignWorkflowId, taskWorkflowId } from '@duban/common';
import { boardQuery, taskStateQuery, type TaskState } from '@duban/workflows';
import { ACTOR_EVENTS, expectationAfter, sleep, type Phase, type TaskScript } from './actors';
import type { FaultyWebhook } from './webhook';

export interface TrailFigures {
  /** Rows checked against their chains and heads. */
  entries: number;
  chains: number;
  /** Seqs below a chain's head with no row. */
  lost: number;
  /** Rows beyond one per seq (or per idempotency key). */
  doubled: number;
}

export interface NotificationFigures {
  /** Produced by the workflows (their histories' `notify` inputs). */
  produced: number;
  delivered: number;
  recordedFailed: number;
  /** Requests the webhook received, retries and repeats included. */
  webhookRequests: number;
}

export interface CheckResult<F> {
  problems: string[];
  figures: F;
}

/** Runs `check` until it finds nothing wrong or `timeoutMs` passes; returns the last result. */
export async function settle<F>(check: () => Promise<CheckResult<F>>, timeoutMs: number): Promise<CheckResult<F> & { waitedMs: number }> {
  const from = Date.now();
  for (;;) {
    const result = await check().catch((error: unknown) => ({ problems: [`check failed: ${String(error)}`], figures: undefined as unknown as F }));
    if (result.problems.length === 0 || Date.now() - from > timeoutMs) return { ...result, waitedMs: Date.now() - from };
    await sleep(1_000);
  }
}

export interface Scene {
  client: Client;
  store: PersistentAuditStore;
  planId: string;
  /** Every task of the plan (the campaign started them all). */
  taskNumbers: number[];
  scripts: TaskScript[];
  webhook: FaultyWebhook;
}

/** The workflows whose trails are checked: the campaign and every task. */
function workflowIds(scene: Scene): string[] {
  return [campaignWorkflowId(scene.planId), ...scene.taskNumbers.map((n) => taskWorkflowId(scene.planId, n))];
}

async function taskState(scene: Scene, taskNumber: number): Promise<TaskState> {
  return scene.client.workflow.getHandle(taskWorkflowId(scene.planId, taskNumber)).query(taskStateQuery);
}

/** Each task as the scripts drove it through `phase`; the tasks no script touched still assigned. */
export async function checkTasks(scene: Scene, phase: Phase): Promise<CheckResult<{ tasks: number }>> {
  const problems: string[] = [];
  const records = await scene.store.list({ planId: scene.planId });
  for (const taskNumber of scene.taskNumbers) {
    const script = scene.scripts.find((s) => s.taskNumber === taskNumber);
    const expected = script ? expectationAfter(script, phase) : { status: 'assigned', percent: 0, events: [] };
    const state = await taskState(scene, taskNumber);
    if (state.status !== expected.status || state.percent !== expected.percent) {
      problems.push(`task ${taskNumber}: ${state.status} at ${state.percent}%, expected ${expected.status} at ${expected.percent}%`);
    }
    const actorEvents = (events: Array<{ kind: string; actor: string }>) => events.filter((e) => ACTOR_EVENTS.includes(e.kind)).map((e) => `${e.kind} by ${e.actor}`);
    // The whole trail (the timeline keeps only its newest events) holds each request's event exactly once, in order.
    const stored = actorEvents(records.filter((r) => r.workflowId === taskWorkflowId(scene.planId, taskNumber)).map((r) => ({ kind: r.event, actor: r.actor })));
    if (JSON.stringify(stored) !== JSON.stringify(expected.events)) {
      problems.push(`task ${taskNumber}: the trail's actor events are\n  ${stored.join(', ')}\nexpected\n  ${expected.events.join(', ')}`);
    }
  }
  return { problems, figures: { tasks: scene.taskNumbers.length } };
}

/** The head of a workflow's chain, as its state query reports it. */
async function chainHead(scene: Scene, workflowId: string): Promise<{ seq: number; hash: string } | undefined> {
  const handle = scene.client.workflow.getHandle(workflowId);
  if (workflowId === campaignWorkflowId(scene.planId)) return (await handle.query(boardQuery)).auditChain;
  return (await handle.query(taskStateQuery)).auditChain;
}

/** Every chain whole and exactly once in the store, ending at the workflow's head; `verifyAuditTrail` clean. */
export async function checkTrail(scene: Scene): Promise<CheckResult<TrailFigures>> {
  const problems: string[] = [];
  const records = await scene.store.list({ planId: scene.planId });
  const references = new Map<string, AuditChainReference>();
  let lost = 0;
  let doubled = 0;
  for (const workflowId of workflowIds(scene)) {
    const head = await chainHead(scene, workflowId);
    if (!head) {
      problems.push(`${workflowId}: its state reports no chain head`);
      continue;
    }
    references.set(workflowId, { planId: scene.planId, head });
    const rows = records.filter((r) => r.workflowId === workflowId).sort((a, b) => a.id - b.id);
    const unlinked = rows.filter((r) => !r.chain);
    if (unlinked.length > 0) problems.push(`${workflowId}: ${unlinked.length} rows without a chain link`);
    const seqs = rows.flatMap((r) => (r.chain ? [r.chain.seq] : []));
    const distinct = new Set(seqs);
    const keys = new Set(rows.map((r) => r.idempotencyKey));
    const twice = rows.length - Math.min(distinct.size + unlinked.length, keys.size);
    const missing = Array.from({ length: head.seq }, (_, i) => i + 1).filter((seq) => !distinct.has(seq));
    const beyond = seqs.filter((seq) => seq > head.seq);
    doubled += twice;
    lost += missing.length;
    if (twice > 0) problems.push(`${workflowId}: ${twice} rows doubled (seqs ${seqs.join(',')})`);
    if (missing.length > 0) problems.push(`${workflowId}: seqs ${missing.join(',')} of ${head.seq} missing`);
    if (beyond.length > 0) problems.push(`${workflowId}: seqs ${beyond.join(',')} beyond the head ${head.seq}`);
    const last = rows[rows.length - 1];
    if (last?.chain && last.chain.seq === head.seq && last.chain.hash !== head.hash) problems.push(`${workflowId}: the last row's hash is not the head's`);
    if (workflowId !== campaignWorkflowId(scene.planId)) problems.push(...timelineInTrail(workflowId, rows, await taskState(scene, Number(workflowId.split('task-')[1]))));
  }
  const verification = verifyAuditTrail(records, references);
  for (const chain of verification.chains) if (chain.problem) problems.push(`verifyAuditTrail: ${chain.workflowId}: ${JSON.stringify(chain.problem)}`);
  const figures = { entries: records.length, chains: verification.chains.length, lost, doubled };
  return { problems, figures };
}

/** Every event of the (bounded) timeline is a row with its key, seq, kind and actor. */
function timelineInTrail(workflowId: string, rows: AuditRecord[], state: TaskState): string[] {
  const byKey = new Map(rows.map((r) => [r.idempotencyKey, r]));
  const problems: string[] = [];
  for (const event of state.timeline) {
    const key = `${workflowId}:${event.seq}:${event.kind}`;
    const row = byKey.get(key);
    if (!row) problems.push(`${workflowId}: timeline event ${event.seq} ${event.kind} has no row`);
    else if (row.event !== event.kind || row.actor !== event.actor || row.chain?.seq !== event.seq) problems.push(`${workflowId}: row ${row.id} differs from timeline event ${event.seq}`);
  }
  return problems;
}

/** The notice each event of a task's trail sends, by event (the record's `tell`): what must be delivered or recorded failed. */
const NOTICE_OF_EVENT: Record<string, string> = {
  'task.assigned': 'assignment',
  'task.submitted': 'review-requested',
  'review.returned': 'returned',
  'task.commended': 'commendation',
  // HQ is told of a failed notice, unless the failed one was itself such a notice.
  'notification.failed': 'notification-failed',
};

/** The notification keys a trail implies (task workflows' keys are `<workflowId>:<seq>:notify.<kind>`). */
function impliedNotifications(records: AuditRecord[]): string[] {
  const keys: string[] = [];
  for (const r of records) {
    const kind = NOTICE_OF_EVENT[r.event];
    if (!kind || !r.chain || r.taskNumber === 0) continue;
    if (r.event === 'notification.failed' && r.details.kind === 'notification-failed') continue;
    keys.push(`${r.workflowId}:${r.chain.seq}:notify.${kind}`);
  }
  return keys;
}

type HistoryEvent = NonNullable<Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events']>[number];

/** A workflow's history events: this run and those it continued from (newest run first). */
async function historyOf(client: Client, workflowId: string): Promise<HistoryEvent[]> {
  const all: HistoryEvent[] = [];
  let runId: string | undefined;
  for (let run = 0; run < 20; run += 1) {
    const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    all.push(...events);
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) break;
    runId = previous;
  }
  return all;
}

/** The `notify` inputs in a workflow's histories. */
async function producedNotifications(client: Client, workflowId: string): Promise<string[]> {
  const converter = client.options.loadedDataConverter.payloadConverter;
  const keys: string[] = [];
  for (const event of await historyOf(client, workflowId)) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    const payload = scheduled?.activityType?.name === 'notify' ? scheduled.input?.payloads?.[0] : undefined;
    if (payload) keys.push(converter.fromPayload<{ idempotencyKey: string }>(payload).idempotencyKey);
  }
  return keys;
}

/**
 * The activities (`appendAudit`, `notify`) whose attempts failed because the audit store
 * was unavailable and that succeeded on a later attempt: the histories' witness that the
 * store really held its writers off, and that they got through once it let go.
 */
export async function storeUnavailableRetries(scene: Scene): Promise<Record<string, number>> {
  const retried: Record<string, number> = {};
  for (const workflowId of workflowIds(scene)) {
    const events = await historyOf(scene.client, workflowId);
    const typeOf = new Map<string, string>();
    for (const event of events) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name) typeOf.set(String(event.eventId), scheduled.activityType.name);
      const started = event.activityTaskStartedEventAttributes;
      const failure = started?.lastFailure?.applicationFailureInfo?.type;
      // A locked store fails an append (busy timeout) or holds it past the activity's timeout: either is retried.
      const timedOut = started?.lastFailure?.timeoutFailureInfo != null;
      if (started && (started.attempt ?? 1) > 1 && (failure === 'AUDIT_STORE_UNAVAILABLE' || timedOut)) {
        const type = typeOf.get(String(started.scheduledEventId)) ?? 'unknown';
        retried[type] = (retried[type] ?? 0) + 1;
      }
    }
  }
  return retried;
}

/**
 * Every notification produced is delivered (outbox row, and the webhook answered it 2xx)
 * or recorded as `notification.failed` after a rejection the webhook gave — exactly one
 * of the two — and nothing was delivered that no workflow produced. The produced set is
 * read from the workflows' histories, and must hold every notice the trail implies.
 */
export async function checkNotifications(scene: Scene): Promise<CheckResult<NotificationFigures>> {
  const problems: string[] = [];
  const records = await scene.store.list({ planId: scene.planId });
  const ours = new Set(workflowIds(scene));
  const outbox = new Map<string, SentNotification>();
  for (const sent of await scene.store.outbox().list()) if (ours.has(sent.workflowId)) outbox.set(sent.idempotencyKey, sent);
  const failed = new Map<string, AuditRecord>();
  for (const r of records) if (r.event === 'notification.failed') failed.set(String(r.details.idempotencyKey), r);

  // Notices without a trail event of their own (the campaign's) count too: the histories are the reference.
  const produced = [...new Set((await Promise.all([...ours].map((id) => producedNotifications(scene.client, id)))).flat())].sort();
  const missing = impliedNotifications(records).filter((k) => !produced.includes(k));
  if (missing.length > 0) problems.push(`the trail implies notifications no history scheduled: ${missing.join(', ')}`);
  for (const key of produced) {
    const delivered = outbox.get(key);
    const failure = failed.get(key);
    const answers = scene.webhook.answersTo(key);
    if (delivered && failure) problems.push(`${key}: both delivered and recorded failed`);
    else if (!delivered && !failure) problems.push(`${key}: neither delivered nor recorded failed (webhook answers: ${answers.join(',') || 'none'})`);
    else if (delivered && !answers.includes(200)) problems.push(`${key}: in the outbox, but the webhook never answered it 200 (${answers.join(',')})`);
    else if (failure && (failure.details.reason !== 'rejected' || !answers.includes(400))) {
      problems.push(`${key}: recorded failed (${String(failure.details.reason)}) but the webhook answered ${answers.join(',')}`);
    }
  }
  const producedSet = new Set(produced);
  for (const key of outbox.keys()) if (!producedSet.has(key)) problems.push(`${key}: delivered, but no workflow produced it`);
  for (const key of new Set(scene.webhook.log.map((r) => r.key))) if (!producedSet.has(key)) problems.push(`${key}: posted to the webhook, but no workflow produced it`);
  const figures = {
    produced: produced.length,
    delivered: produced.filter((k) => outbox.has(k)).length,
    recordedFailed: produced.filter((k) => failed.has(k)).length,
    webhookRequests: scene.webhook.log.length,
  };
  return { problems, figures };
}
