/**
 * A campaign whose size no payload bounds. Launched before, a campaign's start input held
 * every task's input and its continue-as-new input the whole board: Temporal refuses a
 * payload over 2 MiB, so a plan of a few hundred tasks could not launch. Now the plan is
 * stored once (content-addressed, in the worker's audit database), the worker starts the
 * tasks in batches, and the campaign carries a reference to a snapshot of its board.
 * Two campaigns on one dev server: 60 and 600 tasks (the seed's tasks for 3 and 30
 * streets, every person with a key), both continuing as new while they launch.
 */
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { type Client } from '@temporalio/client';
import { SqliteCampaignStore } from '@duban/activities';
import { buildCampaignInput, buildStoredCampaign, buildTaskInput, DubanClient, planTaskNumbers, type Keyring, type LaunchOptions } from '@duban/client';
import { generateKeyPair, type SigningKey } from '@duban/identity';
import type { Plan } from '@duban/plan';
import {
  boardQuery,
  campaignWorkflowId,
  splitIntoParts,
  STORED_PART_BYTES,
  taskInputOf,
  utf8Length,
  type CampaignBoard,
  type CampaignWorkflowInput,
} from '@duban/workflows';
import { seedPlanPerFile, serverPerFile, startDevServerWithWorker, temporaryDirectory } from '../harness';
import { syntheticPlan } from '../bench/synthetic-plan';
import { maybeRecordHistory } from '../workflows/fixtures';
import { eventually } from '../harness/poll';

const PAYLOAD_LIMIT = 2 * 1024 * 1024;
const auditDb = join(temporaryDirectory('duban-scale-'), 'audit.sqlite');
const env = serverPerFile(() => startDevServerWithWorker(auditDb));
const seed = seedPlanPerFile();
// Next year: every rebased deadline lies ahead, nothing escalates while the test runs.
const campaignYear = DateTime.now().setZone('Asia/Shanghai').year + 1;

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** Every person of the plan with a key, as after `duban keys issue PLAN --all`: signed instructions need them. */
function keysFor(plan: Plan): { keyring: Keyring; key: (person: string) => SigningKey } {
  const at = new Date().toISOString();
  const pairs = new Map(plan.people.map((p) => [p.id, generateKeyPair(p.id, at)]));
  return {
    keyring: Object.fromEntries([...pairs].map(([person, pair]) => [person, [pair.roster]])),
    key: (person) => {
      const pair = pairs.get(person);
      if (!pair) throw new Error(`${person} has no key.`);
      return pair.signing;
    },
  };
}

/** The inputs each run of a workflow started with, first run first (continue-as-new carries the state in them). */
async function runInputs(client: Client, workflowId: string): Promise<{ runId: string; bytes: number; input: CampaignWorkflowInput }[]> {
  const latest = (await client.workflow.getHandle(workflowId).fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
  let runId: string | undefined = latest?.firstExecutionRunId ?? undefined;
  const inputs: { runId: string; bytes: number; input: CampaignWorkflowInput }[] = [];
  while (runId) {
    const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    const data = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    if (!data) throw new Error(`Run ${runId} of ${workflowId} has no input.`);
    inputs.push({ runId, bytes: data.length, input: JSON.parse(Buffer.from(data).toString('utf8')) as CampaignWorkflowInput });
    runId = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return inputs;
}

const settled = (tasks: number) => (board: CampaignBoard) => board.tasks.length === tasks && board.tasks.every((t) => t.seq > 0);

describe('a campaign launched from a stored plan', () => {
  let small: Plan;
  let large: Plan;
  beforeAll(() => {
    small = syntheticPlan(seed(), 60);
    large = syntheticPlan(seed(), 600);
  });

  test('starts with the same few hundred bytes for 60 and for 600 tasks, where the whole input of 600 passes the 2 MiB payload limit', () => {
    const keys = keysFor(large).keyring;
    const options = { keyring: keys, now: DateTime.fromISO('2026-01-05T10:00:00+08:00') };
    const few = buildStoredCampaign(small, options);
    const many = buildStoredCampaign(large, options);
    // Only the digits of the plan id and the task count differ.
    expect(Math.abs(bytes(many.input) - bytes(few.input))).toBeLessThanOrEqual(8);
    expect(bytes(many.input)).toBeLessThan(2048);
    expect(many.input.tasks).toEqual([]);
    expect(many.input.units).toEqual([]);
    expect(many.input.roster).toBeUndefined();
    // Launched as before, the same plan is refused: its input alone is over the limit.
    expect(bytes(buildCampaignInput(large, options))).toBeGreaterThan(PAYLOAD_LIMIT);
    // The plan is stored once: the roster not repeated per task, the text in parts far under the limit.
    expect(many.input.plan).toMatchObject({ tasks: 600, parts: many.parts.length });
    expect(many.parts.every((part) => utf8Length(part) <= STORED_PART_BYTES)).toBe(true);
    expect(many.input.plan?.bytes).toBeLessThan(bytes(buildCampaignInput(large, options)) / 4);
    // Every task's input comes back from the stored plan as buildTaskInput built it.
    const numbers = planTaskNumbers(large);
    for (const index of [0, 299, 599]) expect(taskInputOf(many.plan, index)).toEqual(buildTaskInput(large, numbers[index] ?? 0, { keyring: keys }));
  });

  test('cuts a stored text into parts that join back to it, never inside a character', () => {
    const text = `{"t":"${'城建办🚧'.repeat(5000)}"}`;
    const parts = splitIntoParts(text, 1000);
    expect(parts.join('')).toBe(text);
    expect(parts.every((p) => utf8Length(p) <= 1000 && !/^[\uDC00-\uDFFF]/.test(p) && !/[\uD800-\uDBFF]$/.test(p))).toBe(true);
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });

  test('stores each plan part and snapshot once, and keeps only the snapshot a run loaded', async () => {
    const store = SqliteCampaignStore.open(join(temporaryDirectory('duban-scale-store-'), 'audit.sqlite'));
    try {
      const hash = 'a'.repeat(64);
      expect(await store.putPlanPart('p', hash, { part: 1, parts: 2, body: '二' })).toBe(true);
      expect(await store.putPlanPart('p', hash, { part: 0, parts: 2, body: '一' })).toBe(true);
      expect(await store.putPlanPart('p', hash, { part: 0, parts: 2, body: 'other' })).toBe(false);
      expect((await store.planParts(hash)).map((p) => p.body).join('')).toBe('一二');
      await store.putSnapshotPart('w', 'run-1', { part: 0, parts: 1, body: 'old' });
      await store.putSnapshotPart('w', 'run-2', { part: 0, parts: 1, body: 'new' });
      expect(await store.pruneSnapshots('w', 'run-2')).toBe(1);
      expect(await store.snapshotPart('w', 'run-1', 0)).toBeUndefined();
      expect(await store.snapshotPart('w', 'run-2', 0)).toEqual({ part: 0, parts: 1, body: 'new' });
    } finally {
      await store.close();
    }
  });

  test('launches 600 tasks, continues as new carrying a few KB, and keeps the whole board and roster across runs', async () => {
    const duban = new DubanClient(env().client);
    const launches = [
      { plan: small, keys: keysFor(small), continueAt: 80 },
      { plan: large, keys: keysFor(large), continueAt: 300 },
    ];
    const launchOptions = (l: (typeof launches)[number]): LaunchOptions => ({
      campaignYear,
      keyring: l.keys.keyring,
      firstDispatchAt: DateTime.now().plus({ days: 30 }),
      // The campaign is next year's: its tasks would wait for the start and report nothing to the board.
      startNow: true,
      continueAsNewAtHistoryLength: l.continueAt,
    });
    for (const l of launches) expect(await duban.launch(l.plan, launchOptions(l))).toMatchObject({ started: true });

    const boards = await Promise.all(launches.map((l) => eventually(() => duban.campaign(l.plan.id).board(), settled(l.plan.actions.flatMap((a) => a.tasks).length), { timeoutMs: 150_000, intervalMs: 1000 })));
    const [smallBoard, largeBoard] = boards;
    expect(smallBoard?.tasks).toHaveLength(60);
    expect(largeBoard?.tasks).toHaveLength(600);
    expect(largeBoard?.tasks.every((t) => t.status === 'assigned' && t.workflowId === `duban/${large.id}/task-${t.taskNumber}`)).toBe(true);
    expect(largeBoard?.counts.reduce((n, c) => n + c.total, 0)).toBe(600);

    const [smallRuns, largeRuns] = await Promise.all(launches.map((l) => runInputs(env().client, campaignWorkflowId(l.plan.id))));
    for (const runs of [smallRuns, largeRuns]) {
      // It continued as new while it launched…
      expect(runs?.length).toBeGreaterThan(1);
      // …each run starting from a snapshot, with a carried state of a few KB at most.
      for (const run of runs?.slice(1) ?? []) {
        expect(run.input.carried?.snapshot).toBeDefined();
        expect(run.input.carried?.board).toEqual([]);
        expect(run.bytes).toBeLessThan(8 * 1024);
      }
    }
    const largest = (runs: { bytes: number }[] | undefined) => Math.max(...(runs ?? []).map((r) => r.bytes));
    const snapshotBytes = (runs: { input: CampaignWorkflowInput }[] | undefined) => Math.max(...(runs ?? []).map((r) => r.input.carried?.snapshot?.bytes ?? 0));
    // The start inputs are the same size; the snapshots grow with the tasks (tenfold) and the
    // roster (3.5-fold), the carried state does not.
    expect(Math.abs((largeRuns?.[0]?.bytes ?? 0) - (smallRuns?.[0]?.bytes ?? 0))).toBeLessThanOrEqual(8);
    expect(snapshotBytes(largeRuns)).toBeGreaterThan(5 * snapshotBytes(smallRuns));
    expect(snapshotBytes(largeRuns)).toBeGreaterThan(20 * largest(largeRuns));
    // The small campaign's first two runs (launch, snapshot; restore) for the replay test.
    const smallId = campaignWorkflowId(small.id);
    await maybeRecordHistory('campaign-stored-plan-launch', env().client.workflow.getHandle(smallId, smallRuns?.[0]?.runId));
    await maybeRecordHistory('campaign-stored-plan-restored', env().client.workflow.getHandle(smallId, smallRuns?.[1]?.runId));

    // A page of the board, and the roster of record restored from the snapshot.
    const handle = env().client.workflow.getHandle(campaignWorkflowId(large.id));
    const page = await handle.query(boardQuery, { offset: 590, limit: 50 });
    expect(page.tasks.map((t) => t.taskNumber)).toEqual(Array.from({ length: 10 }, (_, i) => 591 + i));
    expect(page.page).toEqual({ offset: 590, limit: 50, total: 600 });
    const roster = await duban.campaign(large.id).roster();
    expect(roster.map((p) => p.id)).toEqual(large.people.map((p) => p.id));
    expect(roster.every((p) => p.keys?.length === 1)).toBe(true);

    // An amendment signed against the restored roster, applied to a task of the last batch.
    const deadlineAt = DateTime.fromISO(`${campaignYear + 1}-06-30T00:00:00`, { zone: 'Asia/Shanghai' }).toISO() ?? '';
    const amended = await duban
      .campaign(large.id)
      .as(launches[1]!.keys.key('hq-office-clerk'))
      .amendPlan({ amendmentId: 'scale-move-600', actor: 'hq-office-clerk', reason: '调整期限', addTasks: [], reassign: [], moveDeadlines: [{ taskNumber: 600, deadlineAt, reason: '调整期限' }] });
    expect(amended).toMatchObject({ applied: true, moved: [600] });
    const after = await duban.campaign(large.id).board();
    expect(Date.parse(after.tasks.find((t) => t.taskNumber === 600)?.deadlineAt ?? '')).toBe(Date.parse(deadlineAt));
    expect(after.amendments.map((a) => a.amendmentId)).toEqual(['scale-move-600']);
  }, 240_000);
});
