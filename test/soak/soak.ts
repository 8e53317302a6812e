/**
 * `pnpm soak`: drives 10,000 maximum-size progress reports (the longest note, evidence up
 * to the message size limit, signed) into one task of the seed plan on a real dev server
 * with the duban worker, a few at a time, then prints what the bounded state is for: the
 * largest payload and the largest history of the task's runs (from their histories), the
 * continue-as-new count, the audit trail's count and the time it took. Not part of the
 * test suite: it takes minutes.
 *
 *   pnpm soak                                        # 10,000 reports, 4 at a time
 *   DUBAN_SOAK_REPORTS=2000 DUBAN_SOAK_CONCURRENCY=8 pnpm soak
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DubanClient, isDubanError, type Keyring } from '@duban/client';
import { generateKeyPair, type SigningKey } from '@duban/identity';
import { loadPlanFile, rebasePlan } from '@duban/plan';
import { startDevServer } from '@duban/servers';
import { createDubanWorker } from '@duban/worker';
import { canonicalBytes, dubanSearchAttributes, MESSAGE_LIMITS } from '@duban/workflows';
import { payloadSizes } from '../harness/payloads';

const REPORTS = Number(process.env.DUBAN_SOAK_REPORTS ?? 10_000);
const CONCURRENCY = Number(process.env.DUBAN_SOAK_CONCURRENCY ?? 4);
/** Task 3 of the seed plan: 城建办 leads it. */
const TASK = 3;
const SEED_PLAN = join(__dirname, '..', '..', 'plans', 'xihu-2020.yaml');
const PAYLOAD_LIMIT = 2 * 1024 * 1024;

const { messageBytes } = MESSAGE_LIMITS;
const { note, evidence, requestId } = MESSAGE_LIMITS.fields;
const NOTE = '进'.repeat(note.length);

/** A report at the limits: the longest note, then evidence links until the message is `messageBytes`. */
function maximumReport(n: number, actor: string) {
  const args = { requestId: `soak-${n}-`.padEnd(requestId.length, '0'), actor, percent: Math.min(99, Math.ceil((n * 100) / REPORTS)), note: NOTE, evidence: [] as string[] };
  while (args.evidence.length < evidence.items) {
    args.evidence.push(`https://example.org/soak/${n}/${args.evidence.length + 1}?`);
    const room = messageBytes - canonicalBytes(args);
    if (room < 0) {
      args.evidence.pop();
      break;
    }
    const last = args.evidence.length - 1;
    const grow = Math.min(room, evidence.length - (args.evidence[last] ?? '').length);
    args.evidence[last] += 'x'.repeat(grow);
    if (grow === room) break;
  }
  return args;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = mkdtempSync(join(tmpdir(), 'duban-soak-'));
  const server = await startDevServer({
    uiPort: false,
    dbFilename: join(dir, 'temporal.sqlite'),
    searchAttributes: dubanSearchAttributes.map((key) => ({ name: key.name, type: key.type })),
  });
  const auditDbPath = join(dir, 'audit.sqlite');
  const worker = await createDubanWorker({ address: server.address, namespace: server.namespace, auditDbPath });
  const running = worker.run();
  const duban = await DubanClient.connect({ address: server.address, namespace: server.namespace });
  try {
    // The seed plan re-dated to next year, every person with a key: the task requires signatures.
    const plan = rebasePlan(await loadPlanFile(SEED_PLAN), new Date().getUTCFullYear() + 1);
    const at = new Date().toISOString();
    const pairs = new Map(plan.people.map((p) => [p.id, generateKeyPair(p.id, at)]));
    const keyring: Keyring = Object.fromEntries([...pairs].map(([person, pair]) => [person, [pair.roster]]));
    const signingKey = (person: string): SigningKey => {
      const pair = pairs.get(person);
      if (!pair) throw new Error(`No key for ${person}.`);
      return pair.signing;
    };
    // startNow: assigned at once, not at next year's campaign start.
    const { workflowId, runId: firstRunId } = await duban.startTask(plan, TASK, { keyring, startNow: true });
    const task = duban.task(plan.id, TASK);
    const lead = (await task.state()).units.find((u) => u.role === 'primary')?.unit;
    const reporter = plan.people.find((p) => p.unit === lead && p.roles.includes('staff'))?.id;
    if (!reporter || !firstRunId) throw new Error(`Task ${TASK} has no staff of its lead unit ${lead} to report, or no run.`);
    const asReporter = task.as(signingKey(reporter));
    await asReporter.acknowledge({ actor: reporter });

    process.stdout.write(`soak: ${REPORTS} reports of ${canonicalBytes(maximumReport(1, reporter))} bytes into ${workflowId}, ${CONCURRENCY} at a time\n`);
    const started = Date.now();
    let next = 1;
    let retries = 0;
    const sendOne = async (n: number): Promise<void> => {
      const report = maximumReport(n, reporter);
      for (let attempt = 1; ; attempt += 1) {
        try {
          await asReporter.reportProgress(report);
          return;
        } catch (error) {
          // A refusal is a finding; a run about to continue as new (CONTINUING_AS_NEW), or a
          // busy server, asks for the same request again, which the task applies once.
          const transient = !isDubanError(error) || ['CONTINUING_AS_NEW', 'SERVER_UNREACHABLE', 'UPDATE_FAILED'].includes(error.code);
          if (!transient || attempt >= 20) throw error;
          retries += 1;
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        }
      }
    };
    let applied = 0;
    let stoppedBy: unknown;
    const lanes = Array.from({ length: CONCURRENCY }, async () => {
      while (next <= REPORTS && stoppedBy === undefined) {
        const n = next;
        next += 1;
        try {
          await sendOne(n);
        } catch (error) {
          // The first failure stops the soak; the figures below still show how far it got.
          stoppedBy ??= error;
          return;
        }
        applied += 1;
        if (applied % 500 === 0) process.stdout.write(`  ${applied} reports, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
      }
    });
    await Promise.all(lanes);
    const elapsedMs = Date.now() - started;
    const description = await duban.client.workflow.getHandle(workflowId).describe();
    const state = description.status.name === 'RUNNING' || description.status.name === 'COMPLETED' ? await task.state() : undefined;

    // Every run, first to last, following continue-as-new.
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: server.namespace });
    const runs: { runId: string; events: number; historyBytes: number; largestPayload: number; carriedBytes?: number }[] = [];
    let runId: string | undefined = firstRunId;
    while (runId) {
      const handle: WorkflowHandle = client.workflow.getHandle(workflowId, runId);
      const history = await handle.fetchHistory();
      const events = history.events ?? [];
      const continued = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes;
      const carried = continued?.input?.payloads?.[0]?.data;
      runs.push({
        runId,
        events: events.length,
        historyBytes: (await handle.describe()).historySize ?? 0,
        largestPayload: Math.max(0, ...payloadSizes(events)),
        ...(carried ? { carriedBytes: carried.length } : {}),
      });
      const nextRunId: string | undefined = continued?.newExecutionRunId ?? undefined;
      runId = nextRunId;
    }
    await connection.close();
    const audited = await worker.auditStore.count({ workflowId });
    const lastSeq = state ? (state.timeline[state.timeline.length - 1]?.seq ?? 0) : undefined;
    const carried = runs.flatMap((r) => (r.carriedBytes === undefined ? [] : [r.carriedBytes]));
    const largest = Math.max(...runs.map((r) => r.largestPayload));
    const longest = runs.reduce((a, b) => (b.historyBytes > a.historyBytes ? b : a));

    const lines = [
      ...(stoppedBy === undefined ? [] : [`STOPPED                 ${stoppedBy instanceof Error ? stoppedBy.message : String(stoppedBy)}`]),
      `task                    ${workflowId}: ${description.status.name}`,
      `reports applied         ${applied} of ${REPORTS} (${retries} sent again), ${CONCURRENCY} at a time`,
      `elapsed                 ${(elapsedMs / 1000).toFixed(1)} s (${((applied * 1000) / elapsedMs).toFixed(1)} reports/s)`,
      `runs                    ${runs.length} (${carried.length} continue-as-new)`,
      `largest payload         ${largest} bytes (${kb(largest)}; Temporal's limit ${kb(PAYLOAD_LIMIT)})`,
      `continue-as-new input   largest ${Math.max(0, ...carried)} bytes (${kb(Math.max(0, ...carried))}), last ${carried[carried.length - 1] ?? 0} bytes`,
      `largest history         ${longest.historyBytes} bytes (${kb(longest.historyBytes)}), ${longest.events} events; most events in a run ${Math.max(...runs.map((r) => r.events))}`,
      state
        ? `task state (query)      ${canonicalBytes(state)} bytes: ${state.timeline.length} events in the timeline, ${state.earlierEvents?.count ?? 0} earlier, last seq ${lastSeq}`
        : `task state (query)      none: the task is ${description.status.name}`,
      `audit trail             ${audited} entries${lastSeq === undefined ? '' : ` for ${lastSeq} events`}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (stoppedBy !== undefined || largest >= PAYLOAD_LIMIT || audited !== lastSeq) process.exitCode = 1;
  } finally {
    await duban.close();
    await worker.shutdown();
    await running;
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
