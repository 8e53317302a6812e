/**
 * Signed task messages on the time-skipping server: the fixture roster with a key per
 * person, an input that requires signatures, and `send`, which signs as the client does
 * (the arguments as sent, issued at the server's clock) and sends with the client's
 * update id `<requestId>:<digest first 16 hex>`.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { generateKeyPair, instructionDigest, signInstruction, withoutProof, type SigningKey } from '@duban/identity';
import {
  DUBAN_TASK_QUEUE,
  taskStateQuery,
  taskWorkflowId,
  type MessageResult,
  type Person,
  type TaskErrorCode,
  type TaskWorkflowInput,
} from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import { workflowBundle } from '../harness';
import { DAY, freshTaskNumber, MemoryActivities, people, refusalCode, taskInput } from '../workflows/fixtures';

export type TaskHandle = WorkflowHandle<typeof taskWorkflow>;

/** Ten minutes to arrive, as `DEFAULT_IDENTITY_POLICY`; set explicitly so the tests read it. */
export const MAX_AGE_MS = 10 * 60_000;

/** Besides the fixture roster: HQ office inside the primary lead unit, and a supervisor of it. */
export const extraPeople: Person[] = [
  { id: 'chengjian-deputy', name: '城建办副主任兼指挥部办公室', unit: 'chengjian', roles: ['staff', 'hq-office'] },
  { id: 'chengjian-supervisor', name: '城建办督查员', unit: 'chengjian', roles: ['supervisor'] },
];

/** One key per person; the private halves stay here, as each person's key file would. */
export const keys: Record<string, SigningKey> = {};
const keyed: Person[] = [...people, ...extraPeople].map((person) => {
  const { signing, roster } = generateKeyPair(person.id, '2020-01-01T00:00:00.000Z');
  keys[person.id] = signing;
  return { ...person, keys: [roster] };
});

export function keyOf(person: string): SigningKey {
  const key = keys[person];
  if (!key) throw new Error(`No test key for ${person}.`);
  return key;
}

export interface TaskRig {
  env: () => TestWorkflowEnvironment;
  memory: MemoryActivities;
  /** A fresh task input whose people hold keys and which requires signatures. */
  signedInput(options?: Parameters<typeof taskInput>[1] & { campaignEndInMs?: number; revoke?: string }): Promise<TaskWorkflowInput>;
  withTask(input: TaskWorkflowInput, scenario: (handle: TaskHandle) => Promise<void>): Promise<void>;
}

/** Starts one time-skipping server for the file (before its tests) and gives the helpers that use it. */
export function taskRig(start: () => Promise<TestWorkflowEnvironment>): TaskRig {
  let env: TestWorkflowEnvironment | undefined;
  const memory = new MemoryActivities();
  const current = () => {
    if (!env) throw new Error('The server has not started.');
    return env;
  };
  beforeAll(async () => {
    env = await start();
    await workflowBundle();
  }, 300_000);
  afterAll(async () => {
    await env?.teardown();
  });
  return {
    env: current,
    memory,
    async signedInput(options = {}) {
      const nowMs = await current().currentTimeMs();
      const { campaignEndInMs, revoke, ...rest } = options;
      const roster = keyed.map((p) =>
        p.id === revoke ? { ...p, keys: (p.keys ?? []).map((k) => ({ ...k, revokedAt: new Date(nowMs - DAY).toISOString() })) } : p,
      );
      return {
        ...taskInput(nowMs, { taskNumber: freshTaskNumber(), ...rest }),
        people: roster,
        identity: { required: true, maxAgeMs: MAX_AGE_MS, maxSkewMs: 2 * 60_000 },
        ...(campaignEndInMs !== undefined ? { campaignEndAt: new Date(nowMs + campaignEndInMs).toISOString() } : {}),
      };
    },
    async withTask(input, scenario) {
      const worker = await Worker.create({
        connection: current().nativeConnection,
        taskQueue: DUBAN_TASK_QUEUE,
        workflowBundle: await workflowBundle(),
        activities: memory.activities,
      });
      await worker.runUntil(async () => {
        const handle = await current().client.workflow.start<typeof taskWorkflow>('taskWorkflow', {
          taskQueue: DUBAN_TASK_QUEUE,
          workflowId: taskWorkflowId(input.planId, input.taskNumber),
          args: [input],
        });
        await scenario(handle);
      });
    },
  };
}

export interface SignOptions {
  /** Whose key signs; the actor's by default. */
  signer?: SigningKey;
  /** When it was signed; the server's clock now by default. */
  issuedAtMs?: number;
  breakGlass?: string;
  /** Changes the arguments after signing (a forgery). */
  alter?: (args: Record<string, unknown>) => Record<string, unknown>;
  /** Another update id than the client's (to reach the workflow past Temporal's own dedupe). */
  updateId?: string;
}

type Args = { requestId: string; actor: string };

/** The arguments signed as the client signs them: what to send, and the client's update id. */
export async function signed<A extends Args>(env: TestWorkflowEnvironment, handle: TaskHandle, update: UpdateDefinition<MessageResult, [A], string>, args: A, options: SignOptions = {}) {
  const instruction = { workflowId: handle.workflowId, message: update.name, args: args as Record<string, unknown> };
  const issuedAt = new Date(options.issuedAtMs ?? (await env.currentTimeMs())).toISOString();
  const signer = options.signer ?? keyOf(args.actor);
  const proof = signInstruction(instruction, signer, { issuedAt, ...(options.breakGlass ? { breakGlass: { reason: options.breakGlass } } : {}) });
  const sent = { ...(options.alter ? options.alter(args) : args), proof } as unknown as A;
  const digest = instructionDigest({ ...instruction, args: withoutProof(sent as A & { proof?: unknown }) });
  return { sent, updateId: options.updateId ?? `${args.requestId}:${digest.slice(0, 16)}` };
}

/** Signs and sends one message. */
export async function send<A extends Args>(env: TestWorkflowEnvironment, handle: TaskHandle, update: UpdateDefinition<MessageResult, [A], string>, args: A, options: SignOptions = {}) {
  const { sent, updateId } = await signed(env, handle, update, args, options);
  return handle.executeUpdate(update, { args: [sent], updateId });
}

/**
 * The timeline's length once every event of it is audited: the outbox writes audit entries
 * after the state changes, so a count read too early would miss the latest.
 */
async function settled(memory: MemoryActivities, handle: TaskHandle): Promise<number> {
  const giveUpAt = Date.now() + 10_000;
  for (;;) {
    const recorded = (await handle.query(taskStateQuery)).timeline.length;
    if (memory.events(handle.workflowId).length >= recorded || Date.now() > giveUpAt) return recorded;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The message is refused with `code`, and the task recorded nothing (no timeline event, no audit entry). */
export async function expectRefused(memory: MemoryActivities, handle: TaskHandle, sending: () => Promise<unknown>, code: TaskErrorCode): Promise<void> {
  const before = await settled(memory, handle);
  const audited = memory.events(handle.workflowId).length;
  expect(await refusalCode(sending())).toBe(code);
  expect((await handle.query(taskStateQuery)).timeline).toHaveLength(before);
  expect(memory.events(handle.workflowId)).toHaveLength(audited);
}
