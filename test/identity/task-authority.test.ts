import { decideExtensionUpdate, reportProgressUpdate, requestExtensionUpdate, reviewUpdate, submitUpdate, TaskErrorCode, taskStateQuery, acknowledgeUpdate } from '@duban/workflows';
import { startTimeSkipping } from '../harness';
import { DAY, rid } from '../workflows/fixtures';
import { expectRefused, send, taskRig, type TaskHandle } from './task-signing';

const rig = taskRig(startTimeSkipping);
const { memory } = rig;

/** Acknowledged, reported at `percent` and submitted by the primary lead unit, all signed. */
async function submitted(handle: TaskHandle, percent = 100): Promise<void> {
  const env = rig.env();
  await send(env, handle, acknowledgeUpdate, { requestId: rid('ack'), actor: 'chengjian-staff' });
  await send(env, handle, reportProgressUpdate, { requestId: rid('report'), actor: 'chengjian-staff', percent, note: `${percent}%` });
  await send(env, handle, submitUpdate, { requestId: rid('submit'), actor: 'chengjian-head', summary: '牵头汇总' });
}

const approve = (handle: TaskHandle, actor: string, note?: string) =>
  send(rig.env(), handle, reviewUpdate, { requestId: rid('approve'), actor, decision: 'approve' as const, score: 90, ...(note ? { note } : {}) });
const at = async (offsetMs: number) => new Date((await rig.env().currentTimeMs()) + offsetMs).toISOString();
const askExtension = async (handle: TaskHandle, actor: string, inMs: number) =>
  send(rig.env(), handle, requestExtensionUpdate, { requestId: rid('ext'), actor, deadlineAt: await at(inMs), reason: '雨季 rainy season' });
const grant = (handle: TaskHandle, actor: string, deadlineAt?: string) =>
  send(rig.env(), handle, decideExtensionUpdate, { requestId: rid('decide'), actor, decision: 'approve' as const, ...(deadlineAt ? { deadlineAt } : {}) });

describe('authority rules of the task workflow', () => {
  it('refuses the decision of an extension by its own requester (SELF_DECISION); another HQ member decides it', async () => {
    await rig.withTask(await rig.signedInput(), async (handle) => {
      // chengjian-deputy is staff of the primary lead unit and HQ office at once.
      await askExtension(handle, 'chengjian-deputy', 120 * DAY);
      await expectRefused(memory, handle, () => grant(handle, 'chengjian-deputy'), TaskErrorCode.SELF_DECISION);
      expect(await grant(handle, 'hq-1')).toMatchObject({ applied: true });
      const state = await handle.query(taskStateQuery);
      expect(state.extensions).toEqual([expect.objectContaining({ requestedBy: 'chengjian-deputy', decidedBy: 'hq-1', decision: 'approved' })]);
    });
  });

  it("refuses a reviewer of the primary lead's own unit (CONFLICT_OF_INTEREST) unless the plan allows it", async () => {
    await rig.withTask(await rig.signedInput(), async (handle) => {
      await submitted(handle);
      await expectRefused(memory, handle, () => approve(handle, 'chengjian-supervisor'), TaskErrorCode.CONFLICT_OF_INTEREST);
      expect(await approve(handle, 'supervisor-2')).toMatchObject({ status: 'approved' });
    });
    await rig.withTask(await rig.signedInput({ policy: { allowSameUnitReview: true } }), async (handle) => {
      await submitted(handle);
      expect(await approve(handle, 'chengjian-supervisor')).toMatchObject({ status: 'approved' });
    });
  });

  it("refuses an extension past the campaign's end, asked or granted (EXTENSION_BEYOND_CAMPAIGN)", async () => {
    const input = await rig.signedInput({ deadlineInMs: 90 * DAY, campaignEndInMs: 100 * DAY });
    await rig.withTask(input, async (handle) => {
      await expectRefused(memory, handle, () => askExtension(handle, 'chengjian-head', 120 * DAY), TaskErrorCode.EXTENSION_BEYOND_CAMPAIGN);
      await askExtension(handle, 'chengjian-head', 95 * DAY);
      const beyond = await at(110 * DAY);
      await expectRefused(memory, handle, () => grant(handle, 'hq-1', beyond), TaskErrorCode.EXTENSION_BEYOND_CAMPAIGN);
      // Up to the campaign's very end is within it.
      expect(await grant(handle, 'hq-1', input.campaignEndAt)).toMatchObject({ applied: true, deadlineAt: input.campaignEndAt });
    });
  });

  it('refuses to approve work below 100 % without a reason (REASON_REQUIRED), and records the reason given', async () => {
    await rig.withTask(await rig.signedInput(), async (handle) => {
      await submitted(handle, 60);
      await expectRefused(memory, handle, () => approve(handle, 'supervisor-1'), TaskErrorCode.REASON_REQUIRED);
      const note = '主体工程完工，绿化补植列入养护 main works done';
      expect(await approve(handle, 'supervisor-1', note)).toMatchObject({ status: 'approved' });
      const state = await handle.query(taskStateQuery);
      expect(state.timeline.find((e) => e.kind === 'review.approved')?.details).toMatchObject({ note, proof: { signer: 'supervisor-1' } });
    });
  });
});
