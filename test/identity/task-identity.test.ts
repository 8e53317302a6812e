import { Worker } from '@temporalio/worker';
import {
  acknowledgeUpdate,
  reportProgressUpdate,
  reviewUpdate,
  submitUpdate,
  TaskErrorCode,
  taskStateQuery,
  taskSummary,
  taskWorkflowId,
  type TaskState,
  type TaskWorkflowInput,
} from '@duban/workflows';
import { startTimeSkipping, workflowBundle } from '../harness';
import { rid, taskInput, freshTaskNumber } from '../workflows/fixtures';
import { expectRefused, keyOf, MAX_AGE_MS, send, signed, taskRig, type TaskHandle } from './task-signing';

const rig = taskRig(startTimeSkipping);
const { memory } = rig;

const ack = (handle: TaskHandle, actor: string, options: Parameters<typeof send>[4] = {}, requestId = rid('ack')) =>
  send(rig.env(), handle, acknowledgeUpdate, { requestId, actor }, options);

/** A recorded history replays on the current code: new histories (proofs, the patch marker) as well as the old ones. */
async function expectReplays(handle: TaskHandle): Promise<void> {
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await handle.fetchHistory(), handle.workflowId);
}

describe('signed task messages', () => {
  it('carry the happy path (acknowledge → report → submit → approve) with keys, each event keeping its proof', async () => {
    const input = await rig.signedInput();
    await rig.withTask(input, async (handle) => {
      expect(await ack(handle, 'chengjian-staff')).toMatchObject({ applied: true, status: 'acknowledged' });
      const report = { requestId: rid('report'), actor: 'chengjian-staff', percent: 100, note: '完成 done' };
      await send(rig.env(), handle, reportProgressUpdate, report);
      await send(rig.env(), handle, submitUpdate, { requestId: rid('submit'), actor: 'chengjian-head', summary: '牵头汇总' });
      await send(rig.env(), handle, reviewUpdate, { requestId: rid('approve'), actor: 'supervisor-1', decision: 'approve' as const, score: 96 });
      expect((await handle.result()).status).toBe('approved');

      const { timeline } = await handle.query(taskStateQuery);
      const byPeople = timeline.filter((e) => e.actor !== 'system');
      expect(byPeople.map((e) => [e.kind, e.actor, (e.details.proof as { signer?: string } | undefined)?.signer])).toEqual([
        ['task.acknowledged', 'chengjian-staff', 'chengjian-staff'],
        ['progress.reported', 'chengjian-staff', 'chengjian-staff'],
        ['task.submitted', 'chengjian-head', 'chengjian-head'],
        ['review.approved', 'supervisor-1', 'supervisor-1'],
      ]);
      expect(byPeople[3]?.details.proof).toEqual({
        signer: 'supervisor-1',
        keyId: keyOf('supervisor-1').keyId,
        signature: expect.stringMatching(/^[0-9a-f]{128}$/),
        issuedAt: expect.any(String),
      });
      // The audit entry keeps it too: the record proves who acted.
      const audited = memory.audit.find((e) => e.workflowId === handle.workflowId && e.event === 'review.approved');
      expect(audited?.details.proof).toEqual(byPeople[3]?.details.proof);
      await expectReplays(handle);
    });
  });

  it('refuses a message without a credential (CREDENTIAL_MISSING)', async () => {
    await rig.withTask(await rig.signedInput(), async (handle) => {
      await expectRefused(memory, handle, () => handle.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid(), actor: 'chengjian-staff' }] }), TaskErrorCode.CREDENTIAL_MISSING);
    });
  });

  it("refuses another person's key: signed by someone else (ACTING_FOR_ANOTHER), or their key id under your name (KEY_UNKNOWN)", async () => {
    await rig.withTask(await rig.signedInput(), async (handle) => {
      await expectRefused(memory, handle, () => ack(handle, 'chengjian-staff', { signer: keyOf('chengjian-head') }), TaskErrorCode.ACTING_FOR_ANOTHER);
      const borrowed = { ...keyOf('chengjian-head'), person: 'chengjian-staff' };
      await expectRefused(memory, handle, () => ack(handle, 'chengjian-staff', { signer: borrowed }), TaskErrorCode.KEY_UNKNOWN);
    });
  });

  it('refuses arguments altered after signing (SIGNATURE_INVALID)', async () => {
    await rig.withTask(await rig.signedInput(), async (handle) => {
      await ack(handle, 'chengjian-staff');
      const args = { requestId: rid('report'), actor: 'chengjian-staff', percent: 10, note: '10%' };
      await expectRefused(
        memory,
        handle,
        () => send(rig.env(), handle, reportProgressUpdate, args, { alter: (a) => ({ ...a, percent: 100 }) }),
        TaskErrorCode.SIGNATURE_INVALID,
      );
    });
  });

  it('refuses a replayed old signature (INSTRUCTION_EXPIRED) and answers the same signed request once', async () => {
    await rig.withTask(await rig.signedInput(), async (handle) => {
      const env = rig.env();
      const old = (await env.currentTimeMs()) - MAX_AGE_MS - 60_000;
      await expectRefused(memory, handle, () => ack(handle, 'chengjian-staff', { issuedAtMs: old }), TaskErrorCode.INSTRUCTION_EXPIRED);

      const { sent, updateId } = await signed(env, handle, acknowledgeUpdate, { requestId: rid('ack'), actor: 'chengjian-staff' });
      expect(await handle.executeUpdate(acknowledgeUpdate, { args: [sent], updateId })).toMatchObject({ applied: true });
      // Re-sent as the client would: Temporal answers the same update id with the first outcome.
      expect(await handle.executeUpdate(acknowledgeUpdate, { args: [sent], updateId })).toMatchObject({ applied: true });
      // Under another update id (a later run would see it so) the task answers the retry itself.
      expect(await handle.executeUpdate(acknowledgeUpdate, { args: [sent], updateId: `${updateId}:again` })).toMatchObject({ applied: false });
      let state = await handle.query(taskStateQuery);
      expect(state.timeline.filter((e) => e.kind === 'task.acknowledged')).toHaveLength(1);

      // Re-sent once its signature is older than maxAgeMs: still the same applied request,
      // answered before the proof is checked (a retry changes nothing, so needs no fresh proof).
      await env.sleep(MAX_AGE_MS + 60_000);
      expect(await handle.executeUpdate(acknowledgeUpdate, { args: [sent], updateId: `${updateId}:later` })).toMatchObject({ applied: false });
      state = await handle.query(taskStateQuery);
      expect(state.timeline.filter((e) => e.kind === 'task.acknowledged')).toHaveLength(1);
      // Other content under that id is still refused, and a new request with an old signature too.
      await expectRefused(memory, handle, () => ack(handle, 'chengguan-staff', {}, sent.requestId), TaskErrorCode.REQUEST_ID_REUSED);
      const report = { requestId: rid('report'), actor: 'chengjian-staff', percent: 10, note: '10%' };
      const stale = (await env.currentTimeMs()) - MAX_AGE_MS - 60_000;
      await expectRefused(memory, handle, () => send(env, handle, reportProgressUpdate, report, { issuedAtMs: stale }), TaskErrorCode.INSTRUCTION_EXPIRED);
    });
  });

  it('refuses a request id reused with other content, even for the same message (REQUEST_ID_REUSED)', async () => {
    await rig.withTask(await rig.signedInput(), async (handle) => {
      const requestId = rid('shared');
      await ack(handle, 'chengjian-staff', {}, requestId);
      const report = (percent: number, id: string) => send(rig.env(), handle, reportProgressUpdate, { requestId: id, actor: 'chengjian-staff', percent, note: `${percent}%` });
      await expectRefused(memory, handle, () => report(10, requestId), TaskErrorCode.REQUEST_ID_REUSED);
      const reportId = rid('report');
      expect(await report(10, reportId)).toMatchObject({ applied: true });
      await expectRefused(memory, handle, () => report(90, reportId), TaskErrorCode.REQUEST_ID_REUSED);
      // Another actor under the same id is other content too.
      await expectRefused(memory, handle, () => ack(handle, 'chengguan-staff', {}, requestId), TaskErrorCode.REQUEST_ID_REUSED);
      expect((await handle.query(taskStateQuery)).percent).toBe(10);
    });
  });

  it('refuses a revoked key (KEY_REVOKED)', async () => {
    await rig.withTask(await rig.signedInput({ revoke: 'chengjian-staff' }), async (handle) => {
      await expectRefused(memory, handle, () => ack(handle, 'chengjian-staff'), TaskErrorCode.KEY_REVOKED);
      expect(await ack(handle, 'chengjian-head')).toMatchObject({ applied: true });
    });
  });

  it('refuses a revoked key from the moment of revocation, even for an instruction backdated to before it (KEY_REVOKED)', async () => {
    const input = await rig.signedInput();
    const revokedAtMs = (await rig.env().currentTimeMs()) - 60_000;
    const revokedAt = new Date(revokedAtMs).toISOString();
    const people = input.people.map((p) => (p.id === 'chengjian-staff' ? { ...p, keys: (p.keys ?? []).map((k) => ({ ...k, revokedAt })) } : p));
    await rig.withTask({ ...input, people }, async (handle) => {
      // The signer chooses issuedAt: a stolen key signs "before" its revocation, well within maxAgeMs.
      await expectRefused(memory, handle, () => ack(handle, 'chengjian-staff', { issuedAtMs: revokedAtMs - 60_000 }), TaskErrorCode.KEY_REVOKED);
    });
  });

  it('records both identities for break-glass by HQ office, reports it to the campaign, and refuses it from anyone else', async () => {
    const input = await rig.signedInput();
    await rig.withTask(input, async (handle) => {
      const reason = '城建办干部住院，指挥部代为签收 staff in hospital';
      await expectRefused(memory, handle, () => ack(handle, 'chengjian-staff', { signer: keyOf('supervisor-1'), breakGlass: reason }), TaskErrorCode.BREAK_GLASS_NOT_ALLOWED);
      expect(await ack(handle, 'chengjian-staff', { signer: keyOf('hq-1'), breakGlass: reason })).toMatchObject({ applied: true });

      const state = await handle.query(taskStateQuery);
      const event = state.timeline.find((e) => e.kind === 'task.acknowledged');
      expect(event).toMatchObject({ actor: 'chengjian-staff', details: { proof: { signer: 'hq-1', keyId: keyOf('hq-1').keyId, breakGlass: { reason } } } });
      const act = { taskNumber: input.taskNumber, seq: event?.seq, at: event?.at, signer: 'hq-1', actor: 'chengjian-staff', message: 'acknowledge', reason };
      expect(state.breakGlass).toEqual([act]);
      expect(taskSummary(state, input).breakGlass).toEqual([act]);
      await expectReplays(handle);
    });
  });
});

describe('a task launched before signed instructions (no identity settings, no keys)', () => {
  it('still takes unsigned messages, still verifies a proof that is sent, and loads request ids carried in the old shape', async () => {
    const legacy = async (): Promise<TaskWorkflowInput> => taskInput(await rig.env().currentTimeMs(), { taskNumber: freshTaskNumber() });
    let state: TaskState | undefined;
    await rig.withTask(await legacy(), async (handle) => {
      expect(await handle.executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid(), actor: 'chengjian-staff' }] })).toMatchObject({ applied: true });
      // Nobody holds a key yet: a proof sent anyway names an unknown key.
      await expectRefused(memory, handle, () => ack(handle, 'chengguan-staff'), TaskErrorCode.KEY_UNKNOWN);
      state = await handle.query(taskStateQuery);
    });
    if (!state) throw new Error('no state');
    // A later run of a task started before: its request ids carried as plain message names.
    const input = await legacy();
    const workflowId = taskWorkflowId(input.planId, input.taskNumber);
    const seq = state.timeline[state.timeline.length - 1]?.seq ?? 0;
    const carried = { state: { ...state, taskNumber: input.taskNumber, workflowId }, seq, processedRequests: { 'old-ack': 'acknowledge' } };
    await rig.withTask({ ...input, carried }, async (handle) => {
      expect(await handle.executeUpdate(acknowledgeUpdate, { args: [{ requestId: 'old-ack', actor: 'chengjian-staff' }] })).toMatchObject({ applied: false });
      const report = (requestId: string) => handle.executeUpdate(reportProgressUpdate, { args: [{ requestId, actor: 'chengjian-staff', percent: 5, note: '5%' }] });
      await expectRefused(memory, handle, () => report('old-ack'), TaskErrorCode.REQUEST_ID_REUSED);
      expect(await report(rid())).toMatchObject({ applied: true });
    });
  });
});
