/**
 * The roster of record in the running campaign, on the time-skipping server: amendments
 * authorised by the campaign itself (never by a file the caller holds), keys issued and
 * revoked by amendment and taken up by running tasks, a legacy campaign upgraded by its
 * first key, the campaign's end extended, and break-glass acts named in the bulletin.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { generateKeyPair, signInstruction, withoutProof, type SigningKey } from '@duban/identity';
import {
  acknowledgeUpdate,
  amendPlanUpdate,
  boardQuery,
  bulletinsQuery,
  campaignWorkflowId,
  DUBAN_TASK_QUEUE,
  requestExtensionUpdate,
  reviewUpdate,
  rosterQuery,
  taskStateQuery,
  taskWorkflowId,
  WEEK_MS,
  type IdentitySettings,
  type MessageResult,
  type Person,
  type PlanAmendment,
} from '@duban/workflows';
import type { campaignWorkflow, taskWorkflow } from '@duban/workflows/workflows';
import { startTimeSkipping, workflowBundle } from '../harness';
import { DAY, MemoryActivities, people, refusalCode, rid, taskInput } from '../workflows/fixtures';
import { send as sendSigned } from './task-signing';

/**
 * One worker for the whole file, not one per test: earlier tests' campaigns keep running
 * and wake during a later test's time skips; had their worker shut down, their next
 * workflow task would wait on its sticky queue, and the time-skipping server, its clock
 * locked while a workflow task is outstanding, would never skip time again.
 */
const memory = new MemoryActivities();
let server: TestWorkflowEnvironment | undefined;
let stopWorker: (() => Promise<void>) | undefined;
beforeAll(async () => {
  server = await startTimeSkipping();
  const worker = await Worker.create({ connection: server.nativeConnection, taskQueue: DUBAN_TASK_QUEUE, workflowBundle: await workflowBundle(), activities: memory.activities });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
  };
}, 300_000);
afterAll(async () => {
  await stopWorker?.();
  await server?.teardown();
});
const env = (): TestWorkflowEnvironment => {
  if (!server) throw new Error('The server is not started yet.');
  return server;
};
const IDENTITY: IdentitySettings = { required: true, maxAgeMs: 10 * 60_000, maxSkewMs: 2 * 60_000 };

/** Every fixture person's key: the private half stays here, the public half goes into the roster. */
const keys = new Map(people.map((p) => [p.id, generateKeyPair(p.id, '2020-01-01T00:00:00.000Z')]));
const keyOf = (person: string): SigningKey => {
  const key = keys.get(person);
  if (!key) throw new Error(`No key for ${person}`);
  return key.signing;
};
const keyedRoster: Person[] = people.map((p) => ({ ...p, keys: [keys.get(p.id)!.roster] }));

const issuedNow = async () => new Date(await env().currentTimeMs()).toISOString();

let plans = 0;
interface Campaign {
  handle: WorkflowHandle<typeof campaignWorkflow>;
  task: (n: number) => WorkflowHandle<typeof taskWorkflow>;
  endAt: string;
}

/** Launches a campaign of two tasks by hand, as `launchCampaign` would; `legacy` as before identity checks existed. */
async function launch(options: { legacy?: boolean; endInMs?: number; firstDispatchInMs?: number } = {}): Promise<Campaign> {
  const nowMs = await env().currentTimeMs();
  plans += 1;
  const planId = `identity-${plans}-${nowMs}`;
  const roster = options.legacy ? people : keyedRoster;
  const endAt = new Date(nowMs + (options.endInMs ?? 200 * DAY)).toISOString();
  const tasks = [1, 2].map((taskNumber) => ({
    ...taskInput(nowMs, { planId, taskNumber, deadlineInMs: 30 * DAY }),
    people: roster,
    ...(options.legacy ? {} : { identity: IDENTITY, campaignEndAt: endAt }),
  }));
  const handle = await env().client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
    taskQueue: DUBAN_TASK_QUEUE,
    workflowId: campaignWorkflowId(planId),
    args: [
      {
        planId,
        planTitle: '身份测试',
        campaignYear: new Date(nowMs).getUTCFullYear(),
        timeZone: 'Asia/Shanghai',
        tasks,
        units: tasks[0]!.units,
        hq: roster.filter((p) => p.roles.includes('hq-office')),
        ...(options.legacy ? {} : { roster: keyedRoster, identity: IDENTITY }),
        dispatch: { firstAt: new Date(nowMs + (options.firstDispatchInMs ?? 100 * DAY)).toISOString(), intervalMs: WEEK_MS },
        endAt,
        searchAttributes: false,
      },
    ],
  });
  const task = (n: number) => env().client.workflow.getHandle<typeof taskWorkflow>(taskWorkflowId(planId, n));
  // The campaign starts its tasks in its first workflow task: wait until they run.
  for (const n of [1, 2]) await eventually(() => task(n).describe());
  return { handle, task, endAt };
}

/** Retries `attempt` every 100 ms until it returns something other than undefined (at most 10 s). */
async function eventually<T>(attempt: () => Promise<T | undefined>): Promise<T> {
  let last: unknown;
  for (let tries = 0; tries < 100; tries += 1) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw last instanceof Error ? last : new Error('Gave up waiting.');
}

/** Runs `scenario` on a fresh campaign (the file's worker runs them all). */
async function withCampaign(options: Parameters<typeof launch>[0], scenario: (c: Campaign) => Promise<void>): Promise<void> {
  await scenario(await launch(options));
}

function amendment(actor: string, change: Partial<PlanAmendment>): PlanAmendment {
  return { amendmentId: rid('amend'), actor, reason: '计划调整', addTasks: [], moveDeadlines: [], reassign: [], ...change };
}

/** The amendment signed by `signer` (who holds the key), now. */
async function signedBy(signer: string, c: Campaign, a: PlanAmendment, key: SigningKey = keyOf(signer)): Promise<PlanAmendment> {
  const proof = signInstruction({ workflowId: c.handle.workflowId, message: amendPlanUpdate.name, args: withoutProof(a) }, key, { issuedAt: await issuedNow() });
  return { ...a, proof };
}

const amend = (c: Campaign, a: PlanAmendment) => c.handle.executeUpdate(amendPlanUpdate, { args: [a] });

/** A task message signed, as the client signs, by `signer` (this file's keys) for `args.actor`; break-glass when `breakGlass` is given. */
function send<A extends { requestId: string; actor: string }>(
  task: WorkflowHandle<typeof taskWorkflow>,
  update: UpdateDefinition<MessageResult, [A], string>,
  args: A,
  signer: string = args.actor,
  options: { key?: SigningKey; breakGlass?: string } = {},
): Promise<MessageResult> {
  return sendSigned(env(), task, update, args, { signer: options.key ?? keyOf(signer), ...(options.breakGlass ? { breakGlass: options.breakGlass } : {}) });
}

/** Waits until the task has recorded the campaign's amendment (a signal: it arrives on its own time). */
function amended(task: WorkflowHandle, amendmentId: string): Promise<Record<string, unknown>> {
  return eventually(async () => (await task.query(taskStateQuery)).timeline.find((e) => e.kind === 'task.amended' && e.details['amendmentId'] === amendmentId)?.details);
}

it('refuses a forged amendment: unsigned, signed by staff, by staff who made themselves HQ in their own plan, or for someone else', async () => {
  await withCampaign({}, async (c) => {
    const move = (actor: string) => amendment(actor, { moveDeadlines: [{ taskNumber: 1, deadlineAt: new Date(Date.parse(c.endAt) - DAY).toISOString(), reason: '延后' }] });
    expect(await refusalCode(amend(c, move('hq-1')))).toBe('CREDENTIAL_MISSING');
    expect(await refusalCode(amend(c, await signedBy('chengjian-staff', c, move('chengjian-staff'))))).toBe('NOT_AUTHORISED');
    // Their copy of the plan says hq-office, and the amendment carries that copy's people: the roster of record says staff.
    const selfPromoted = { id: 'chengjian-staff', name: '城建办干部', unit: 'chengjian', roles: ['hq-office' as const] };
    const forged = amendment('chengjian-staff', {
      reassign: [{ taskNumber: 1, primaryLead: 'chengjian', assistingLeads: [], people: [selfPromoted], reason: '调整' }],
      addTasks: [{ ...taskInput(await env().currentTimeMs(), { planId: (await c.handle.query(boardQuery)).planId, taskNumber: 3 }), people: [selfPromoted] }],
    });
    expect(await refusalCode(amend(c, await signedBy('chengjian-staff', c, forged)))).toBe('NOT_AUTHORISED');
    expect(await refusalCode(amend(c, await signedBy('chengjian-staff', c, move('hq-1'))))).toBe('ACTING_FOR_ANOTHER');
    // Altered after HQ signed it.
    expect(await refusalCode(amend(c, { ...(await signedBy('hq-1', c, move('hq-1'))), reason: '另有理由' }))).toBe('SIGNATURE_INVALID');

    const accepted = await signedBy('hq-1', c, move('hq-1'));
    expect(await amend(c, accepted)).toMatchObject({ applied: true, moved: [1] });
    const board = await c.handle.query(boardQuery);
    expect(board.amendments.map((a) => [a.amendmentId, a.signedBy?.signer])).toEqual([[accepted.amendmentId, 'hq-1']]);
    // The audit entry keeps the proof: the record shows who amended, with which key.
    const audit = memory.audit.find((e) => e.event === 'campaign.amended' && e.details['amendmentId'] === accepted.amendmentId);
    expect(audit?.details['proof']).toMatchObject({ signer: 'hq-1', keyId: keyOf('hq-1').keyId, signature: accepted.proof?.signature });

    // Re-sent (another update id) once its signature is older than maxAgeMs: answered, not refused, and applied once.
    await env().sleep(IDENTITY.maxAgeMs + 60_000);
    expect(await amend(c, accepted)).toMatchObject({ applied: false });
    expect((await c.handle.query(boardQuery)).amendments).toHaveLength(1);
  });
}, 120_000);

it('takes the people of a reassignment from the roster of record: a ghost or a self-promotion in the request changes nothing', async () => {
  await withCampaign({}, async (c) => {
    const ghost: Person = { id: 'ghost-supervisor', name: '幽灵督查', unit: 'dangzheng', roles: ['supervisor'] };
    const promoted: Person = { id: 'chengguan-staff', name: '城管办干部', unit: 'chengguan', roles: ['supervisor'] };
    const reassign = amendment('hq-1', { reassign: [{ taskNumber: 1, primaryLead: 'chengguan', assistingLeads: ['chengjian'], people: [ghost, promoted], reason: '牵头调整' }] });
    expect(await amend(c, await signedBy('hq-1', c, reassign))).toMatchObject({ applied: true, reassigned: [1] });
    expect(await amended(c.task(1), reassign.amendmentId)).toMatchObject({ leads: { to: ['chengguan', 'chengjian'] } });

    const ghostKey = generateKeyPair(ghost.id, await issuedNow()).signing;
    const review = (actor: string) => ({ requestId: rid(), actor, decision: 'approve' as const, score: 100, note: '全部完成' });
    expect(['UNKNOWN_ACTOR', 'KEY_UNKNOWN']).toContain(await refusalCode(send(c.task(1), reviewUpdate, review(ghost.id), ghost.id, { key: ghostKey })));
    // The roster of record says chengguan-staff is staff, whatever the request said.
    expect(await refusalCode(send(c.task(1), reviewUpdate, review(promoted.id)))).toBe('WRONG_ROLE');
    expect((await c.handle.query(rosterQuery)).map((p) => p.id)).not.toContain(ghost.id);
  });
}, 120_000);

it('issues a key by amendment (the task takes it at once) and revokes it (then it signs nothing)', async () => {
  await withCampaign({}, async (c) => {
    const fresh = generateKeyPair('chengjian-head', await issuedNow());
    expect(await refusalCode(amend(c, await signedBy('hq-1', c, amendment('hq-1', { roster: { issueKeys: [{ person: 'chengjian-head', key: { ...fresh.roster, keyId: 'ffffffffffffffff' } }] } }))))).toBe(
      'INVALID_AMENDMENT',
    );
    const issue = amendment('hq-1', { roster: { issueKeys: [{ person: 'chengjian-head', key: fresh.roster }] } });
    expect(await amend(c, await signedBy('hq-1', c, issue))).toMatchObject({ applied: true });
    expect((await c.handle.query(rosterQuery)).find((p) => p.id === 'chengjian-head')?.keys?.map((k) => k.keyId)).toEqual([keyOf('chengjian-head').keyId, fresh.roster.keyId]);
    expect(await amended(c.task(1), issue.amendmentId)).toMatchObject({ roster: [{ person: 'chengjian-head' }] });
    await expect(send(c.task(1), acknowledgeUpdate, { requestId: rid(), actor: 'chengjian-head' }, 'chengjian-head', { key: fresh.signing })).resolves.toMatchObject({
      applied: true,
      status: 'acknowledged',
    });

    const revoke = amendment('hq-1', { roster: { revokeKeys: [{ person: 'chengjian-head', keyId: fresh.roster.keyId }] } });
    expect(await amend(c, await signedBy('hq-1', c, revoke))).toMatchObject({ applied: true });
    await amended(c.task(2), revoke.amendmentId);
    expect(await refusalCode(send(c.task(2), acknowledgeUpdate, { requestId: rid(), actor: 'chengjian-head' }, 'chengjian-head', { key: fresh.signing }))).toBe('KEY_REVOKED');
    // The audit names key ids, never key material.
    const audited = memory.audit.filter((e) => e.event === 'campaign.amended' && [issue.amendmentId, revoke.amendmentId].includes(String(e.details['amendmentId'])));
    expect(audited.map((e) => e.details['keys'])).toEqual([
      { issued: [{ person: 'chengjian-head', keyId: fresh.roster.keyId }], revoked: [] },
      { issued: [], revoked: [{ person: 'chengjian-head', keyId: fresh.roster.keyId }] },
    ]);
    expect(JSON.stringify(audited)).not.toContain(fresh.signing.privateKey);
  });
}, 120_000);

it('upgrades a legacy campaign (no identity, no keys) with an unsigned amendment registering keys; then it requires signatures', async () => {
  await withCampaign({ legacy: true }, async (c) => {
    // The stand-in roster: the tasks' people and HQ, once each.
    expect((await c.handle.query(rosterQuery)).map((p) => p.id)).toEqual(people.map((p) => p.id));
    const register = amendment('hq-1', {
      roster: { issueKeys: ['hq-1', 'chengjian-head'].map((person) => ({ person, key: keys.get(person)!.roster })) },
    });
    expect(await amend(c, register)).toMatchObject({ applied: true });
    await amended(c.task(1), register.amendmentId);

    const move = amendment('hq-1', { moveDeadlines: [{ taskNumber: 1, deadlineAt: new Date(Date.parse(c.endAt) - DAY).toISOString(), reason: '延后' }] });
    expect(await refusalCode(amend(c, move))).toBe('CREDENTIAL_MISSING');
    expect(await amend(c, await signedBy('hq-1', c, move))).toMatchObject({ applied: true });
    expect(await refusalCode(c.task(1).executeUpdate(acknowledgeUpdate, { args: [{ requestId: rid(), actor: 'chengjian-head' }] }))).toBe('CREDENTIAL_MISSING');
    await expect(send(c.task(1), acknowledgeUpdate, { requestId: rid(), actor: 'chengjian-head' })).resolves.toMatchObject({ applied: true });
  });
}, 120_000);

it('refuses an unsigned amendment of a legacy campaign from anyone but HQ office of its roster (NOT_AUTHORISED)', async () => {
  await withCampaign({ legacy: true }, async (c) => {
    // Staff registering their own key (or one for HQ) would own the campaign once signatures are required.
    const register = (actor: string) => amendment(actor, { roster: { issueKeys: ['chengjian-staff', 'hq-1'].map((person) => ({ person, key: keys.get(person)!.roster })) } });
    expect(await refusalCode(amend(c, register('chengjian-staff')))).toBe('NOT_AUTHORISED');
    expect(await refusalCode(amend(c, register('ghost')))).toBe('NOT_AUTHORISED');
    expect((await c.handle.query(rosterQuery)).every((p) => (p.keys?.length ?? 0) === 0)).toBe(true);
    expect((await c.handle.query(boardQuery)).amendments).toHaveLength(0);
  });
}, 120_000);

it('extends the campaign by amendment: an extension refused past its end then passes', async () => {
  await withCampaign({ endInMs: 40 * DAY }, async (c) => {
    const nowMs = await env().currentTimeMs();
    const ask = () => ({ requestId: rid(), actor: 'chengjian-staff', deadlineAt: new Date(nowMs + 50 * DAY).toISOString(), reason: '雨季施工受阻' });
    expect(await refusalCode(send(c.task(1), requestExtensionUpdate, ask()))).toBe('EXTENSION_BEYOND_CAMPAIGN');
    expect(await refusalCode(amend(c, await signedBy('hq-1', c, amendment('hq-1', { extendCampaignTo: new Date(nowMs + 20 * DAY).toISOString() }))))).toBe(
      'INVALID_AMENDMENT',
    );

    const to = new Date(nowMs + 60 * DAY).toISOString();
    const extend = amendment('hq-1', { extendCampaignTo: to });
    expect(await amend(c, await signedBy('hq-1', c, extend))).toMatchObject({ applied: true });
    expect(await amended(c.task(1), extend.amendmentId)).toMatchObject({ campaignEnd: { from: c.endAt, to } });
    expect((await c.handle.query(boardQuery)).amendments.at(-1)).toMatchObject({ amendmentId: extend.amendmentId, extendedTo: to });
    await expect(send(c.task(1), requestExtensionUpdate, ask())).resolves.toMatchObject({ applied: true });
  });
}, 120_000);

it('names a break-glass act in the next bulletin: who acted for whom, on which task, what and why', async () => {
  await withCampaign({ firstDispatchInMs: DAY }, async (c) => {
    const reason = '城建办主任住院，指挥部代为签收';
    await send(c.task(1), acknowledgeUpdate, { requestId: rid(), actor: 'chengjian-head' }, 'hq-1', { breakGlass: reason });
    const act = { taskNumber: 1, signer: 'hq-1', actor: 'chengjian-head', message: 'acknowledge', reason };
    // The task tells the campaign in its summary; the preview of the next bulletin lists the act at once.
    expect(await eventually(async () => (await c.handle.query(bulletinsQuery)).preview.breakGlass)).toEqual([expect.objectContaining(act)]);

    await env().sleep(DAY + 60_000);
    const first = await c.handle.query(bulletinsQuery);
    expect(first.latest?.number).toBe(1);
    expect(first.latest?.breakGlass).toEqual([expect.objectContaining(act)]);
    const sent = memory.notifications.find((n) => n.workflowId === c.handle.workflowId && n.notice.kind === 'bulletin');
    expect(sent?.notice.names?.people).toEqual({ 'hq-1': '指挥部办公室', 'chengjian-head': '城建办主任' });

    // Named once: the next bulletin does not repeat it.
    await env().sleep(WEEK_MS);
    const second = await c.handle.query(bulletinsQuery);
    expect(second.latest?.number).toBe(2);
    expect(second.latest?.breakGlass).toBeUndefined();
    // Acting for another without break-glass is refused.
    expect(await refusalCode(send(c.task(2), acknowledgeUpdate, { requestId: rid(), actor: 'chengjian-head' }, 'hq-1'))).toBe('ACTING_FOR_ANOTHER');
  });
}, 120_000);
