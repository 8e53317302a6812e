/**
 * Bounded task state (issue 10), on the time-skipping server with signed messages. Before,
 * a task carried its whole timeline into every continue-as-new: about 244 reports with
 * long notes pushed that one payload past Temporal's 2 MB limit (`TMPRL1103`) and the
 * task was stuck for good. Now the state keeps the newest events (the audit trail has
 * them all) and every list and argument is bounded (`MESSAGE_LIMITS`, `TASK_STATE_LIMITS`).
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  acknowledgeUpdate,
  cancelUpdate,
  canonicalBytes,
  decideExtensionUpdate,
  eventCount,
  MESSAGE_LIMITS,
  REMEMBERED_REQUESTS,
  reportProgressUpdate,
  requestExtensionUpdate,
  reviewUpdate,
  submitUpdate,
  TASK_MESSAGES,
  messageArgSchemas,
  TASK_STATE_LIMITS,
  taskStateQuery,
  taskWorkflowId,
  type CarriedState,
  type TaskState,
  type TimelineEvent,
} from '@duban/workflows';
import { startTimeSkipping } from '../harness';
import { keyOf, send as sendOnce, taskRig, type TaskHandle } from '../identity/task-signing';
import { DAY, HOUR, freshTaskNumber } from './fixtures';
import { payloadSizes } from '../harness/payloads';

jest.setTimeout(600_000);

const rig = taskRig(startTimeSkipping);
const { memory } = rig;

/** What the continue-as-new payload must stay under, in the worst case too: an eighth of Temporal's 2 MB limit. */
const CARRIED_BUDGET = 256 * 1024;
const TEMPORAL_PAYLOAD_LIMIT = 2 * 1024 * 1024;
const { messageBytes } = MESSAGE_LIMITS;
const limits = MESSAGE_LIMITS.fields;

/** A note at its limit in Chinese: 3 bytes a character, 12,000 bytes. */
const NOTE = '进'.repeat(limits.note.length);
const SUMMARY = '汇'.repeat(limits.summary.length);
const REASON = '延'.repeat(limits.reason.length);
const BREAK_GLASS_REASON = '代'.repeat(MESSAGE_LIMITS.proof.breakGlassReason);

let ids = 0;
/** A request id at its maximum length, as the carried window holds the largest ids it can. */
function longId(label: string): string {
  ids += 1;
  return `${label}-${Date.now()}-${ids}-`.padEnd(limits.requestId.length, '0');
}

/** `args` with evidence links (each within its limit) until the message is exactly `messageBytes`. */
function withMaximumEvidence<A extends object>(args: A): A & { evidence: string[] } {
  const evidence: string[] = [];
  const filled = { ...args, evidence };
  while (evidence.length < limits.evidence.items) {
    evidence.push(`https://example.org/evidence/${evidence.length + 1}?`);
    const room = messageBytes - canonicalBytes(filled);
    if (room < 0) {
      evidence.pop();
      break;
    }
    const last = evidence.length - 1;
    const grow = Math.min(room, limits.evidence.length - (evidence[last] ?? '').length);
    evidence[last] += 'x'.repeat(grow);
    if (grow === room) break;
  }
  return filled;
}

/** A report at the limits: the longest note, and evidence up to the message's size limit. */
function maximumReport(percent: number, actor = 'chengjian-staff') {
  return withMaximumEvidence({ requestId: longId('report'), actor, percent, note: NOTE });
}

/** Return reasons (each within its limit) up to the message's size limit. */
function maximumReturn(actor: string) {
  const args = { requestId: longId('return'), actor, decision: 'return' as const, reasons: [] as string[] };
  while (args.reasons.length < limits.reasons.items) {
    args.reasons.push('');
    const room = Math.min(Math.floor((messageBytes - canonicalBytes(args)) / 3), limits.reasons.length);
    if (room <= 0) {
      args.reasons.pop();
      break;
    }
    args.reasons[args.reasons.length - 1] = '退'.repeat(room);
  }
  return args;
}

interface Run {
  runId: string;
  largestPayload: number;
  /** The continue-as-new payload (the next run's input), when the run continued as new. */
  carriedBytes?: number;
}

/** Every run of the task, first to last, following continue-as-new through the histories. */
async function runsOf(handle: TaskHandle & { firstExecutionRunId?: string }): Promise<Run[]> {
  const runs: Run[] = [];
  let runId = handle.firstExecutionRunId ?? (await handle.describe()).runId;
  for (;;) {
    const history = await rig.env().client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    const continued = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes;
    const carried = continued?.input?.payloads?.[0]?.data;
    runs.push({ runId, largestPayload: Math.max(0, ...payloadSizes(events)), ...(carried ? { carriedBytes: carried.length } : {}) });
    if (!continued?.newExecutionRunId) return runs;
    runId = continued.newExecutionRunId;
  }
}

/** Messages sent again after CONTINUING_AS_NEW. */
let continuingAgain = 0;

/**
 * Signs and sends one message, and sends it again (signed anew, same request id) while the
 * task answers CONTINUING_AS_NEW: several senders at once meet a run about to continue.
 */
const send: typeof sendOnce = async (env, handle, update, args, options = {}) => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await sendOnce(env, handle, update, args, options);
    } catch (error) {
      const continuing = error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === 'CONTINUING_AS_NEW';
      if (!continuing || attempt >= 20) throw error;
      continuingAgain += 1;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
};

/** The failure a refused update came back with. */
async function refusal(sending: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await sending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/** Waits until the audit trail has every event the task recorded (the audit lane writes after the state changes). */
async function audited(handle: WorkflowHandle, seq: number): Promise<number> {
  const giveUpAt = Date.now() + 20_000;
  while (memory.events(handle.workflowId).length < seq && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 50));
  return memory.events(handle.workflowId).length;
}

const lastSeq = (state: TaskState) => state.timeline[state.timeline.length - 1]?.seq ?? 0;

describe('the limits', () => {
  it('cover every argument of every task message', () => {
    // Arguments that are no free text or list: numbers, literals, instants, the proof (its own limits).
    const fixedForm = new Set(['percent', 'score', 'decision', 'deadlineAt', 'proof']);
    type Node = { _zod: { def: { type: string; shape?: Record<string, unknown>; options?: Node[] } } };
    const shapes = (schema: Node): Record<string, unknown>[] =>
      schema._zod.def.type === 'union' ? (schema._zod.def.options ?? []).flatMap(shapes) : [schema._zod.def.shape ?? {}];
    const unlimited = TASK_MESSAGES.flatMap((m) =>
      shapes(messageArgSchemas[m.name] as unknown as Node).flatMap((shape) => Object.keys(shape).filter((field) => !fixedForm.has(field) && !(field in limits)).map((field) => `${m.name}.${field}`)),
    );
    expect(unlimited).toEqual([]);
  });

  it('keep the continue-as-new payload of the worst case (every list full, every text at its limit) under 256 KB', () => {
    // Each kept record at its largest: texts at their limits in 3-byte characters, ids as long as a plan allows.
    const at = '2026-05-01T09:30:00.000+08:00';
    const person = '人'.repeat(limits.actor.length);
    const submit = withMaximumEvidence({ requestId: longId('submit'), actor: person, summary: SUMMARY });
    const submission = {
      submittedBy: person,
      submittedAt: at,
      summary: submit.summary,
      evidence: submit.evidence,
      reviewDueAt: at,
      overdueNotices: 999,
      decision: 'returned',
      reviewedBy: person,
      reviewedAt: at,
      reasons: maximumReturn(person).reasons,
    };
    const extension = { requestId: longId('ext'), requestedBy: person, requestedAt: at, reason: REASON, fromDeadlineAt: at, toDeadlineAt: at, decision: 'refused', decidedBy: person, decidedAt: at, decisionReason: REASON };
    const act = { taskNumber: 999_999, seq: 9_999_999, at, signer: person, actor: person, message: 'requestExtension', reason: BREAK_GLASS_REASON };
    const request = { [longId('r')]: { message: 'requestExtension', digest: 'f'.repeat(64), seq: 9_999_999 } };
    const report = maximumReport(99, person);
    const proof = { signer: person, keyId: 'f'.repeat(64), signature: 'f'.repeat(128), issuedAt: at, breakGlass: { reason: BREAK_GLASS_REASON } };
    const event = { seq: 9_999_999, at, actor: person, kind: 'progress.reported', details: { unit: person, role: 'responsible', percent: 99, note: report.note, evidence: report.evidence, proof } };
    const parts = {
      // The timeline keeps whole events within its byte bound; one event alone is far smaller.
      timeline: TASK_STATE_LIMITS.timelineBytes,
      requestWindow: REMEMBERED_REQUESTS * canonicalBytes(request),
      submissions: TASK_STATE_LIMITS.submissions * canonicalBytes(submission),
      extensions: TASK_STATE_LIMITS.extensions * canonicalBytes(extension),
      breakGlass: TASK_STATE_LIMITS.breakGlassActs * canonicalBytes(act),
      cancelled: canonicalBytes({ by: person, at, reason: REASON }),
    };
    const total = Object.values(parts).reduce((sum, bytes) => sum + bytes, 0);
    // Printed for the worst-case table beside TASK_STATE_LIMITS (definitions.ts).
    process.stdout.write(`worst case of the bounded parts: ${JSON.stringify({ ...parts, total, largestEvent: canonicalBytes(event) })}\n`);
    expect(canonicalBytes(event)).toBeLessThan(TASK_STATE_LIMITS.timelineBytes);
    // The rest (units, checks, rungs, the input) is the plan's and time's: a few KB for a plan's task.
    expect(total).toBeLessThan(CARRIED_BUDGET - 16 * 1024);
  });

  it('let one message reach the size limit with the longest note and no further', () => {
    const report = maximumReport(50);
    expect(canonicalBytes(report)).toBe(messageBytes);
    const schema = messageArgSchemas.reportProgress;
    expect(schema?.safeParse(report).success).toBe(true);
    const over = { ...report, evidence: [...report.evidence.slice(0, -1), `${report.evidence[report.evidence.length - 1] ?? ''}x`] };
    const parsed = schema?.safeParse(over);
    expect(parsed?.success).toBe(false);
    expect(parsed?.error?.issues.map((i) => i.message)).toEqual([expect.stringContaining(`${messageBytes + 1} bytes`)]);
    // Before, 244 reports of 12 KB stuck a task; as many maximum-size reports now carry more than that.
    expect(244 * canonicalBytes(report)).toBeGreaterThan(TEMPORAL_PAYLOAD_LIMIT);
  });
});

describe('a task with bounded state', () => {
  it('takes 300 maximum-size reports through three continue-as-new cycles, then still answers, fires its milestone and takes a review', async () => {
    const milestoneInMs = 30 * DAY;
    const signedInput = await rig.signedInput({ deadlineInMs: 120 * DAY, milestonesInMs: [{ id: 'after-the-reports', inMs: milestoneInMs, expectedPercent: 50 }] });
    const input = { ...signedInput, continueAsNewAtHistoryLength: 1000 };
    await rig.withTask(input, async (handle) => {
      const env = rig.env();
      await send(env, handle, acknowledgeUpdate, { requestId: longId('ack'), actor: 'chengjian-staff' });
      // Every kept list past its bound, each entry at its largest.
      const deadlineAt = Date.parse(signedInput.deadlineAt);
      for (let n = 1; n <= TASK_STATE_LIMITS.extensions + 1; n += 1) {
        const later = new Date(deadlineAt + n * DAY).toISOString();
        await send(env, handle, requestExtensionUpdate, { requestId: longId('ext'), actor: 'chengjian-head', deadlineAt: later, reason: REASON });
        await send(env, handle, decideExtensionUpdate, { requestId: longId('refuse'), actor: 'hq-1', decision: 'refuse' as const, reason: REASON });
      }
      await send(env, handle, reportProgressUpdate, { requestId: longId('report'), actor: 'chengjian-staff', percent: 1, note: '开工' });
      for (let n = 1; n <= TASK_STATE_LIMITS.submissions + 1; n += 1) {
        await send(env, handle, submitUpdate, withMaximumEvidence({ requestId: longId('submit'), actor: 'chengjian-head', summary: SUMMARY }));
        await send(env, handle, reviewUpdate, maximumReturn('supervisor-1'));
      }
      for (let n = 1; n <= TASK_STATE_LIMITS.breakGlassActs + 1; n += 1) {
        const report = { requestId: longId('absent'), actor: 'chengjian-staff', percent: 1, note: '代报' };
        await send(env, handle, reportProgressUpdate, report, { signer: keyOf('hq-1'), breakGlass: BREAK_GLASS_REASON });
      }

      // Well past the 244 reports that stuck a task before; a few at a time, as units send them.
      const reports = 300;
      const atOnce = 3;
      for (let first = 1; first <= reports; first += atOnce) {
        const batch = Array.from({ length: Math.min(atOnce, reports - first + 1) }, (_, i) => first + i);
        await Promise.all(batch.map((n) => send(env, handle, reportProgressUpdate, maximumReport(Math.ceil((n * 100) / reports)))));
      }

      const state = await handle.query(taskStateQuery);
      expect(state.percent).toBe(100);
      expect(state.timeline.length).toBeLessThanOrEqual(TASK_STATE_LIMITS.timelineEvents);
      expect(canonicalBytes(state.timeline)).toBeLessThanOrEqual(TASK_STATE_LIMITS.timelineBytes);
      // Counted whole, although most events left the state for the audit trail.
      expect(eventCount(state, 'progress.reported')).toBe(1 + TASK_STATE_LIMITS.breakGlassActs + 1 + reports);
      expect((state.earlierEvents?.count ?? 0) + state.timeline.length).toBe(lastSeq(state));
      expect(state.timeline.map((e) => e.seq)).toEqual(state.timeline.map((_, i) => (state.earlierEvents?.throughSeq ?? 0) + i + 1));
      expect(state.submissions).toHaveLength(TASK_STATE_LIMITS.submissions);
      expect(state.extensions).toHaveLength(TASK_STATE_LIMITS.extensions);
      expect(state.breakGlass).toHaveLength(TASK_STATE_LIMITS.breakGlassActs);
      expect(await audited(handle, lastSeq(state))).toBe(lastSeq(state));

      // Its timers still fire: the milestone after the reports.
      await env.sleep(Date.parse(signedInput.assignedAt ?? '') + milestoneInMs - (await env.currentTimeMs()) + HOUR);
      const checked = await handle.query(taskStateQuery);
      expect(checked.checks.map((c) => [c.id, c.light])).toEqual([['after-the-reports', 'green']]);
      expect(checked.timeline.map((e) => e.kind)).toContain('milestone.checked');

      // And it takes a submission and a review.
      await send(env, handle, submitUpdate, withMaximumEvidence({ requestId: longId('submit'), actor: 'chengjian-head', summary: SUMMARY }));
      await send(env, handle, reviewUpdate, { requestId: longId('approve'), actor: 'supervisor-1', decision: 'approve' as const, score: 95 });
      expect(await handle.result()).toMatchObject({ status: 'approved', assessment: { reviewerScore: 95 } });

      const runs = await runsOf(handle);
      const carried = runs.flatMap((r) => (r.carriedBytes === undefined ? [] : [r.carriedBytes]));
      expect(carried.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...carried)).toBeLessThan(CARRIED_BUDGET);
      expect(Math.max(...runs.map((r) => r.largestPayload))).toBeLessThan(CARRIED_BUDGET);
      // Carried whole, as before, the timeline would have been far past Temporal's limit.
      const audit = memory.audit.filter((e) => e.workflowId === handle.workflowId);
      expect(audit).toHaveLength(lastSeq(await handle.query(taskStateQuery)));
      const wholeTimeline = audit.map((e): TimelineEvent => ({ seq: 0, at: e.at, actor: e.actor, kind: e.event, details: e.details }));
      expect(canonicalBytes(wholeTimeline)).toBeGreaterThan(TEMPORAL_PAYLOAD_LIMIT);
      process.stdout.write(`300 maximum-size reports: ${runs.length} runs, continue-as-new payloads ${JSON.stringify(carried)} bytes, largest payload ${Math.max(...runs.map((r) => r.largestPayload))} bytes, whole timeline ${canonicalBytes(wholeTimeline)} bytes, ${continuingAgain} sent again after CONTINUING_AS_NEW\n`);
    });
  });

  it('refuses an argument over its limit, naming the field and the limit, and records nothing', async () => {
    const input = await rig.signedInput();
    await rig.withTask(input, async (handle) => {
      const env = rig.env();
      await send(env, handle, acknowledgeUpdate, { requestId: longId('ack'), actor: 'chengjian-staff' });
      const report = (change: object) => ({ requestId: longId('report'), actor: 'chengjian-staff', percent: 10, note: '进展', ...change });
      const link = 'https://example.org/photo.jpg';
      const full = maximumReport(10);
      const cases: [string, () => Promise<unknown>, string][] = [
        ['note', () => send(env, handle, reportProgressUpdate, report({ note: `${NOTE}进` })), `note: at most ${limits.note.length} characters (${limits.note.length + 1} given)`],
        ['evidence', () => send(env, handle, reportProgressUpdate, report({ evidence: Array(limits.evidence.items + 1).fill(link) })), `evidence: at most ${limits.evidence.items} items`],
        ['an evidence link', () => send(env, handle, reportProgressUpdate, report({ evidence: [link, `${link}?${'x'.repeat(limits.evidence.length)}`] })), `evidence.1: at most ${limits.evidence.length} characters`],
        [
          'the message',
          () => send(env, handle, reportProgressUpdate, { ...full, evidence: [...full.evidence, 'https://x.org'] }),
          `the message is ${messageBytes + '"https://x.org",'.length} bytes (canonical JSON, without proof), over the limit of ${messageBytes}: shorten note`,
        ],
        ['a request id', () => send(env, handle, reportProgressUpdate, report({ requestId: '周报 1' })), 'requestId: printable ASCII without spaces'],
        ['a long request id', () => send(env, handle, reportProgressUpdate, report({ requestId: 'r'.repeat(limits.requestId.length + 1) })), `requestId: at most ${limits.requestId.length} characters`],
        ['a reason', () => send(env, handle, cancelUpdate, { requestId: longId('cancel'), actor: 'hq-1', reason: `${REASON}延` }), `reason: at most ${limits.reason.length} characters`],
        [
          'return reasons',
          () => send(env, handle, reviewUpdate, { requestId: longId('return'), actor: 'supervisor-1', decision: 'return' as const, reasons: Array(limits.reasons.items + 1).fill('缺照片') }),
          `reasons: at most ${limits.reasons.items} items`,
        ],
        [
          'a break-glass reason',
          () => send(env, handle, reportProgressUpdate, report({}), { signer: keyOf('hq-1'), breakGlass: `${BREAK_GLASS_REASON}代` }),
          `proof.breakGlass.reason: at most ${MESSAGE_LIMITS.proof.breakGlassReason} characters`,
        ],
      ];
      for (const [what, sending, says] of cases) {
        const before = await handle.query(taskStateQuery);
        const failure = await refusal(sending());
        expect([what, failure.type]).toEqual([what, 'INVALID_ARGUMENT']);
        expect(failure.message).toContain(says);
        const after = await handle.query(taskStateQuery);
        expect([what, lastSeq(after)]).toEqual([what, lastSeq(before)]);
      }
      expect(memory.events(handle.workflowId)).toEqual(['task.assigned', 'task.acknowledged']);
      // At the limits, it is applied.
      await expect(send(env, handle, reportProgressUpdate, full)).resolves.toMatchObject({ applied: true });
      await send(env, handle, cancelUpdate, { requestId: longId('cancel'), actor: 'hq-1', reason: REASON });
      expect((await handle.result()).status).toBe('cancelled');
    });
  });

  it('bounds the state a run from before the bounds carried (its whole timeline) as it arrives, its counts whole', async () => {
    // A genuine state to start from, then inflated the way the old code carried it.
    const first = await rig.signedInput();
    let grown!: TaskState;
    await rig.withTask(first, async (handle) => {
      const env = rig.env();
      await send(env, handle, acknowledgeUpdate, { requestId: longId('ack'), actor: 'chengjian-staff' });
      await send(env, handle, reportProgressUpdate, { requestId: longId('report'), actor: 'chengjian-staff', percent: 40, note: NOTE });
      grown = await handle.query(taskStateQuery);
      await send(env, handle, cancelUpdate, { requestId: longId('cancel'), actor: 'hq-1', reason: '测试结束' });
    });
    const report = grown.timeline.find((e) => e.kind === 'progress.reported');
    if (!report) throw new Error('The first task recorded no report.');
    // 110 reports of 12 KB: 1.3 MB carried, which the old code would have carried on and grown.
    const events = 110;
    const timeline = [
      ...grown.timeline.filter((e) => e.kind !== 'progress.reported'),
      ...Array.from({ length: events }, (_, i) => ({ ...report, seq: 3 + i })),
    ].map((e, i) => ({ ...e, seq: i + 1 }));
    const taskNumber = freshTaskNumber();
    const workflowId = taskWorkflowId(first.planId, taskNumber);
    const decided = grown.timeline[0]?.at ?? '';
    const { auditChain: _notYetChained, ...legacy } = grown;
    const carried: CarriedState = {
      state: {
        ...legacy,
        taskNumber,
        workflowId,
        timeline,
        submissions: Array.from({ length: 6 }, () => ({ submittedBy: 'chengjian-head', submittedAt: decided, summary: SUMMARY, evidence: [], reviewDueAt: decided, overdueNotices: 0, decision: 'returned' as const, reasons: ['补充材料'] })),
        extensions: Array.from({ length: 6 }, (_, i) => ({ requestId: `old-${i}`, requestedBy: 'chengjian-head', requestedAt: decided, reason: REASON, fromDeadlineAt: grown.deadlineAt, toDeadlineAt: grown.deadlineAt, decision: 'refused' as const })),
      },
      seq: timeline.length,
      processedRequests: {},
    };
    expect(canonicalBytes(carried)).toBeGreaterThan(events * 12_000);
    const input = { ...(await rig.signedInput()), taskNumber, carried, continueAsNewAtHistoryLength: 60 };
    await rig.withTask(input, async (handle) => {
      const env = rig.env();
      const state = await handle.query(taskStateQuery);
      expect(state.timeline.length).toBeLessThan(10);
      expect(state.earlierEvents?.count).toBe(timeline.length - state.timeline.length);
      expect(eventCount(state, 'progress.reported')).toBe(events);
      expect(eventCount(state, 'task.acknowledged')).toBe(1);
      expect([state.submissions.length, state.extensions.length]).toEqual([TASK_STATE_LIMITS.submissions, TASK_STATE_LIMITS.extensions]);
      // It goes on: messages, seqs continued, and a small next continue-as-new.
      for (let n = 0; n < 10; n += 1) await send(env, handle, reportProgressUpdate, { requestId: longId('report'), actor: 'chengjian-staff', percent: 50 + n, note: '继续' });
      const after = await handle.query(taskStateQuery);
      expect(lastSeq(after)).toBe(timeline.length + 10);
      expect(eventCount(after, 'progress.reported')).toBe(events + 10);
      await send(env, handle, cancelUpdate, { requestId: longId('cancel'), actor: 'hq-1', reason: '测试结束' });
      expect((await handle.result()).status).toBe('cancelled');
      const runs = await runsOf(handle);
      const next = runs.flatMap((r) => (r.carriedBytes === undefined ? [] : [r.carriedBytes]));
      expect(next.length).toBeGreaterThanOrEqual(1);
      expect(Math.max(...next)).toBeLessThan(CARRIED_BUDGET);
    });
  });
});
