/**
 * `pnpm bench`: what duban's task path costs next to the same path written by hand with
 * plain Temporal, on one dev server. A benchmark, never a test: it prints and writes its
 * figures (`docs/bench.json`, `docs/bench.md`) and fails only when something breaks.
 *
 * Three arms, run in alternation (round 1: duban, baseline, null; round 2: baseline,
 * null, duban; …), each on a fresh task queue with a fresh worker process of its own:
 *
 * - `duban`: the task workflow through its happy path: assignment, 8 acknowledgements,
 *   3 progress reports, submit, approve, every message signed.
 * - `baseline`: `baseline-workflows.ts`, a hand-written workflow taking the same signed
 *   updates and running the same `appendAudit` and `notify` activities (16), one timer.
 * - `null`: a workflow that returns at once: the server's ceiling here.
 *
 * Per arm: workflows completed per second, p50/p95 update round trip, history events and
 * bytes, worker CPU per workflow (after a warm-up), RSS per cached workflow (workflows
 * parked after their first message); and duban ÷ baseline.
 *
 *   pnpm bench                                   # 3 rounds of 24 workflows per arm
 *   pnpm bench --rounds 5 --workflows 40 --concurrency 8 --cached 100 --out /tmp/bench
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { buildTaskInput, signRequest, type Keyring } from '@duban/client';
import { DEFAULT_NAMESPACE, TASK_WORKFLOW_TYPE } from '@duban/common';
import { generateKeyPair, signInstruction, verifySignature, type SigningKey } from '@duban/identity';
import { loadPlanFile, rebasePlan } from '@duban/plan';
import { binaryVersion, resolveTemporalBinary, startDevServer } from '@duban/servers';
import { dubanSearchAttributes, planSearchAttribute, primaryLeadSearchAttribute, taskNumberSearchAttribute, workflowBundleOptions, type TaskWorkflowInput } from '@duban/workflows';
import type { DubanWorkerTuning } from '@duban/worker';
import type { BenchWorkerConfig, BenchWorkerRequest, BenchWorkerStats } from './worker-process';

const ROOT = join(__dirname, '..', '..');
const SEED_PLAN = join(ROOT, 'plans', 'xihu-2020.yaml');
/** Task 3 of the seed plan: 城管局 leads, 城建局 assists, six responsible units: 8 acknowledgements. */
const TASK = 3;

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    workflows: { type: 'string', default: '24' },
    concurrency: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '4' },
    cached: { type: 'string', default: '100' },
    replays: { type: 'string', default: '10' },
    // Worker tuning for every arm, as JSON (`DubanWorkerTuning`): e.g. '{"maxConcurrentWorkflowTaskExecutions":40}'.
    tuning: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'docs') },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  process.stdout.write(
    [
      'pnpm bench [--rounds 3] [--workflows 24] [--concurrency 4] [--warmup 4] [--cached 100] [--replays 10] [--tuning JSON] [--out docs]',
      '  --tuning   the worker tuning of every arm, e.g. \'{"maxConcurrentWorkflowTaskExecutions":40}\' (default: the duban defaults)',
      '  BENCH_CPU_PROF=DIR   CPU profiles of the worker processes, one per thread',
      '  BENCH_HISTORIES=DIR  the history behind the event figures, per arm and round',
      '',
    ].join('\n'),
  );
  process.exit(0);
}
const ROUNDS = Number(options.rounds);
const WORKFLOWS = Number(options.workflows);
const CONCURRENCY = Number(options.concurrency);
const WARMUP = Number(options.warmup);
const CACHED = Number(options.cached);
const REPLAYS = Number(options.replays);
const TUNING = options.tuning === undefined ? undefined : (JSON.parse(options.tuning) as DubanWorkerTuning);

type Arm = 'duban' | 'baseline' | 'null';
const ARMS: Arm[] = ['duban', 'baseline', 'null'];

interface Step {
  message: 'acknowledge' | 'reportProgress' | 'submit' | 'review';
  args: Record<string, unknown> & { actor: string };
}

/** The happy path of task 3, in order. */
const STEPS: Step[] = [
  ...['chengguan-staff', 'chengjian-staff', 'langonglu-staff', 'community-a-head', 'community-b-head', 'community-c-head', 'community-d-head', 'community-e-head'].map(
    (actor): Step => ({ message: 'acknowledge', args: { actor, note: '收到，立即落实' } }),
  ),
  { message: 'reportProgress', args: { actor: 'chengguan-staff', percent: 50, note: '河道清淤过半，沿线截污管网已开工', evidence: ['https://example.org/progress/1'] } },
  { message: 'reportProgress', args: { actor: 'chengjian-staff', percent: 100, note: '配套管网完工', evidence: ['https://example.org/progress/2'] } },
  { message: 'reportProgress', args: { actor: 'chengguan-staff', percent: 100, note: '全部完工，待验收' } },
  { message: 'submit', args: { actor: 'chengguan-head', summary: '西桃花河综合整治完成，水质达标', evidence: ['https://example.org/report'] } },
  { message: 'review', args: { actor: 'supervisor-li', decision: 'approve', score: 90 } },
];

interface ArmRun {
  arm: Arm;
  round: number;
  workflows: number;
  seconds: number;
  perSecond: number;
  updateMs: number[];
  historyEvents: number;
  historyBytes: number;
  cpuMsPerWorkflow: number;
  rssBytesPerCachedWorkflow?: number;
  heapBytesPerCachedWorkflow?: number;
  /** The first measured workflow's history, event types counted: where the events go. */
  eventTypes: Record<string, number>;
  /** CPU to replay one whole history (what a workflow evicted from the cache costs at its next task). */
  replayCpuMsPerWorkflow?: number;
}

interface Bench {
  client: Client;
  address: string;
  namespace: string;
  auditDbPath: string;
  bundles: Record<Arm, string>;
  input: TaskWorkflowInput;
  keys: Map<string, SigningKey>;
}

const median = (xs: number[]) => percentile(xs, 50);
function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** A worker process for one arm, and a way to ask it for its figures. */
async function startWorker(
  bench: Bench,
  arm: Arm,
  taskQueue: string,
  { memory = false }: { memory?: boolean } = {},
): Promise<{ child: ChildProcess; stats(collect?: boolean): Promise<BenchWorkerStats>; stop(): Promise<void> }> {
  const config: BenchWorkerConfig = {
    address: bench.address,
    namespace: bench.namespace,
    taskQueue,
    auditDbPath: bench.auditDbPath,
    bundlePath: bench.bundles[arm],
    // The memory phase caches every parked workflow, whatever the default.
    ...(memory ? { workflowsOnMainThread: true, tuning: { ...TUNING, maxCachedWorkflows: CACHED + WARMUP + 10 } } : TUNING ? { tuning: TUNING } : {}),
  };
  // BENCH_CPU_PROF=DIR: every worker process writes a V8 CPU profile per thread there (the profile behind the figures).
  const profile = process.env.BENCH_CPU_PROF && !memory ? ['--cpu-prof', '--cpu-prof-dir', join(process.env.BENCH_CPU_PROF, arm)] : [];
  const gc = memory ? ['--expose-gc'] : [];
  const child = fork(join(__dirname, 'worker-process.ts'), [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...profile, ...gc] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    void exited.then(() => reject(new Error(`the ${arm} worker exited before it was ready`)));
  });
  const ask = (request: BenchWorkerRequest) => child.send(request);
  return {
    child,
    stats: (collect = false) =>
      new Promise((resolve) => {
        child.once('message', (m: BenchWorkerStats) => resolve(m));
        ask({ type: 'stats', collect });
      }),
    stop: async () => {
      ask({ type: 'stop' });
      await exited;
    },
  };
}

/** Starts one workflow of the arm; `steps` of the path are sent, each timed. */
async function runWorkflow(bench: Bench, arm: Arm, taskQueue: string, workflowId: string, steps: readonly Step[], updateMs: number[]): Promise<WorkflowHandle> {
  const { client, input } = bench;
  if (arm === 'null') {
    const handle = await client.workflow.start('nullWorkflow', { taskQueue, workflowId, args: [] });
    await handle.result();
    return handle;
  }
  const handle =
    arm === 'duban'
      ? await client.workflow.start(TASK_WORKFLOW_TYPE, {
          taskQueue,
          workflowId,
          args: [input],
          // As `DubanClient.startTask` sets them.
          typedSearchAttributes: [
            { key: planSearchAttribute, value: input.planId },
            { key: taskNumberSearchAttribute, value: input.taskNumber },
            { key: primaryLeadSearchAttribute, value: input.primaryLead },
          ],
        })
      : await client.workflow.start('baselineTaskWorkflow', { taskQueue, workflowId, args: [input] });
  for (const [n, step] of steps.entries()) {
    const key = bench.keys.get(step.args.actor);
    // Signed the same way for both arms (outside the timing): the same payloads travel.
    const requestId = `${workflowId}-${n}`;
    const signed = signRequest(workflowId, step.message, requestId, { requestId, ...step.args }, key ? { key } : undefined);
    const started = performance.now();
    await handle.executeUpdate(step.message, { args: [signed.args], updateId: signed.updateId }).catch((error: unknown) => {
      throw new Error(`${arm} ${workflowId}: ${step.message} by ${step.args.actor} failed: ${String((error as { cause?: unknown }).cause ?? error)}`);
    });
    updateMs.push(performance.now() - started);
  }
  return handle;
}

/** Runs `count` workflows, `concurrency` at a time. */
async function runMany(count: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next;
        next += 1;
        await one(i);
      }
    }),
  );
}

async function runArm(bench: Bench, arm: Arm, round: number): Promise<ArmRun> {
  const taskQueue = `bench-${arm}-${round}-${Date.now()}`;
  const worker = await startWorker(bench, arm, taskQueue);
  try {
    const id = (phase: string, i: number) => `${taskQueue}-${phase}-${i}`;
    const whole = async (phase: string, i: number, updateMs: number[]) => {
      const handle = await runWorkflow(bench, arm, taskQueue, id(phase, i), STEPS, updateMs);
      await handle.result();
    };
    // Warm-up: the worker's first workflows pay for loading the bundle and JIT compilation.
    await runMany(WARMUP, CONCURRENCY, (i) => whole('warmup', i, []));

    const updateMs: number[] = [];
    const before = await worker.stats();
    const startedAt = performance.now();
    await runMany(WORKFLOWS, CONCURRENCY, (i) => whole('measured', i, updateMs));
    const seconds = (performance.now() - startedAt) / 1000;
    const after = await worker.stats();

    const history = await bench.client.workflow.getHandle(id('measured', 0)).fetchHistory();
    // BENCH_HISTORIES=DIR: the history behind the event figures, one per arm and round.
    if (process.env.BENCH_HISTORIES) {
      mkdirSync(process.env.BENCH_HISTORIES, { recursive: true });
      writeFileSync(join(process.env.BENCH_HISTORIES, `${arm}-${round}.json`), historyToJSON(history));
    }
    const eventTypes: Record<string, number> = {};
    for (const event of (JSON.parse(historyToJSON(history)) as { events: { eventType: string }[] }).events) {
      const type = event.eventType.replace(/^EVENT_TYPE_/, '');
      eventTypes[type] = (eventTypes[type] ?? 0) + 1;
    }
    const described = await Promise.all(Array.from({ length: WORKFLOWS }, (_, i) => bench.client.workflow.getHandle(id('measured', i)).describe()));
    const run: ArmRun = {
      arm,
      round,
      workflows: WORKFLOWS,
      seconds,
      perSecond: WORKFLOWS / seconds,
      updateMs,
      historyEvents: median(described.map((d) => d.historyLength)),
      historyBytes: median(described.map((d) => d.historySize ?? 0)),
      cpuMsPerWorkflow: (after.cpuMs - before.cpuMs) / WORKFLOWS,
      eventTypes,
    };

    if (arm !== 'null' && REPLAYS > 0) {
      // A cache miss: the worker replays the workflow's whole history before its next task.
      const histories = await Promise.all(
        Array.from({ length: Math.min(REPLAYS, WORKFLOWS) }, async (_, i) => ({ workflowId: id('measured', i), history: await bench.client.workflow.getHandle(id('measured', i)).fetchHistory() })),
      );
      const replay = async (batch: typeof histories) => {
        for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: bench.bundles[arm] }, replayName: `bench-${arm}` }, batch)) {
          if (result.error) throw new Error(`${arm}: ${result.workflowId} did not replay: ${result.error.message}`);
        }
      };
      // The first replay pays for loading the bundle.
      await replay(histories.slice(0, 1));
      const cpu = process.cpuUsage();
      await replay(histories);
      const used = process.cpuUsage(cpu);
      run.replayCpuMsPerWorkflow = (used.user + used.system) / 1000 / histories.length;
    }

    if (arm !== 'null' && CACHED > 0) Object.assign(run, await measureMemory(bench, arm, round));
    return run;
  } finally {
    await worker.stop();
  }
}

/**
 * Memory per cached workflow: `CACHED` workflows parked after their first message in a
 * worker of their own whose workflows run on the main thread (the SDK's debug mode, the
 * same sandbox), so a garbage collection before each reading leaves live memory only.
 */
async function measureMemory(bench: Bench, arm: Arm, round: number): Promise<Pick<ArmRun, 'rssBytesPerCachedWorkflow' | 'heapBytesPerCachedWorkflow'>> {
  const taskQueue = `bench-memory-${arm}-${round}-${Date.now()}`;
  const worker = await startWorker(bench, arm, taskQueue, { memory: true });
  const parked: WorkflowHandle[] = [];
  try {
    const id = (i: number) => `${taskQueue}-${i}`;
    // The sandbox and the code's first use paid before the first reading.
    await runMany(WARMUP, CONCURRENCY, async (i) => {
      parked.push(await runWorkflow(bench, arm, taskQueue, id(-1 - i), STEPS.slice(0, 1), []));
    });
    const empty = await worker.stats(true);
    await runMany(CACHED, CONCURRENCY * 2, async (i) => {
      parked.push(await runWorkflow(bench, arm, taskQueue, id(i), STEPS.slice(0, 1), []));
    });
    const full = await worker.stats(true);
    process.stdout.write(`  memory ${arm}: rss ${empty.rssBytes} → ${full.rssBytes}, heap ${empty.heapUsedBytes} → ${full.heapUsedBytes}, external ${empty.externalBytes} → ${full.externalBytes}\n`);
    return { rssBytesPerCachedWorkflow: (full.rssBytes - empty.rssBytes) / CACHED, heapBytesPerCachedWorkflow: (full.heapUsedBytes - empty.heapUsedBytes) / CACHED };
  } finally {
    await Promise.all(parked.map((handle) => handle.terminate('bench: measured').catch(() => undefined)));
    await worker.stop();
  }
}

interface ArmSummary {
  workflows: number;
  perSecond: number;
  updateP50Ms?: number;
  updateP95Ms?: number;
  historyEvents: number;
  historyBytes: number;
  cpuMsPerWorkflow: number;
  rssMiBPerCachedWorkflow?: number;
  heapMiBPerCachedWorkflow?: number;
  replayCpuMsPerWorkflow?: number;
  /** Event types of one workflow's history (the first measured workflow of the first round). */
  eventTypes: Record<string, number>;
}

function summarise(runs: ArmRun[]): ArmSummary {
  const updates = runs.flatMap((r) => r.updateMs);
  const rss = runs.flatMap((r) => (r.rssBytesPerCachedWorkflow === undefined ? [] : [r.rssBytesPerCachedWorkflow]));
  const heap = runs.flatMap((r) => (r.heapBytesPerCachedWorkflow === undefined ? [] : [r.heapBytesPerCachedWorkflow]));
  const replays = runs.flatMap((r) => (r.replayCpuMsPerWorkflow === undefined ? [] : [r.replayCpuMsPerWorkflow]));
  const round1 = (x: number, digits = 1) => Number(x.toFixed(digits));
  return {
    workflows: runs.reduce((sum, r) => sum + r.workflows, 0),
    perSecond: round1(median(runs.map((r) => r.perSecond)), 2),
    ...(updates.length === 0 ? {} : { updateP50Ms: round1(percentile(updates, 50)), updateP95Ms: round1(percentile(updates, 95)) }),
    historyEvents: median(runs.map((r) => r.historyEvents)),
    historyBytes: median(runs.map((r) => r.historyBytes)),
    cpuMsPerWorkflow: round1(median(runs.map((r) => r.cpuMsPerWorkflow))),
    ...(rss.length === 0 ? {} : { rssMiBPerCachedWorkflow: round1(median(rss) / 2 ** 20, 2) }),
    ...(heap.length === 0 ? {} : { heapMiBPerCachedWorkflow: round1(median(heap) / 2 ** 20, 3) }),
    ...(replays.length === 0 ? {} : { replayCpuMsPerWorkflow: round1(median(replays)) }),
    eventTypes: runs[0]?.eventTypes ?? {},
  };
}

function machine(): Record<string, string | number> {
  let temporal = 'unknown';
  try {
    temporal = binaryVersion(resolveTemporalBinary('temporal-cli')) ?? 'unknown';
  } catch {
    // The version is decoration; the server itself was found by startDevServer.
  }
  return {
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${process.platform} ${execFileSync('uname', ['-r']).toString().trim()}`,
    temporal,
    loadAverageAtStart: Number(loadavg()[0]?.toFixed(2) ?? 0),
  };
}

type Figure = Exclude<keyof ArmSummary, 'eventTypes'>;
const ROWS: Array<[Figure, string, string]> = [
  ['perSecond', 'completed per second', 'higher is better'],
  ['updateP50Ms', 'update round trip p50 (ms)', ''],
  ['updateP95Ms', 'update round trip p95 (ms)', ''],
  ['historyEvents', 'history events', 'target ≤ 1.10'],
  ['historyBytes', 'history bytes', 'target ≤ 1.15'],
  ['cpuMsPerWorkflow', 'worker CPU per workflow (ms)', 'target ≤ 1.25'],
  ['rssMiBPerCachedWorkflow', 'RSS per cached workflow (MiB)', 'target ≤ 1.25'],
  ['heapMiBPerCachedWorkflow', 'of which V8 heap (MiB)', ''],
  ['replayCpuMsPerWorkflow', 'CPU to replay one history, a cache miss (ms)', ''],
];

interface BenchResult {
  machine: Record<string, string | number>;
  date: string;
  settings: Record<string, unknown>;
  bundleKiB: Record<Arm, number>;
  arms: Record<Arm, ArmSummary>;
  ratios: Record<string, number>;
  signatureChecks: { perWorkflow: number; msEach: number; cpuMsPerWorkflowWithout: number; ratioWithout: number };
}

function markdown(result: BenchResult): string {
  const cell = (v: unknown) => (typeof v === 'number' ? String(v) : '–');
  const { duban, baseline } = result.arms;
  const types = [...new Set([...Object.keys(duban.eventTypes), ...Object.keys(baseline.eventTypes)])].filter(
    (type) => (duban.eventTypes[type] ?? 0) !== (baseline.eventTypes[type] ?? 0),
  );
  const m = result.machine;
  const s = result.settings;
  const sig = result.signatureChecks;
  return [
    `Measured ${result.date} on ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, Temporal CLI ${m.temporal} (dev server, SQLite); load average ${m.loadAverageAtStart} at the start (the two cores are shared).`,
    `${s.rounds} rounds × ${s.workflows} workflows per arm, ${s.concurrency} at a time, after ${s.warmup} warm-up workflows; RSS per cached workflow from ${s.cached} workflows parked after their first message (workflows on the worker's main thread, read after a garbage collection); worker tuning ${s.tuning === undefined ? 'the defaults' : JSON.stringify(s.tuning)}. Medians over rounds; update percentiles over every update.`,
    '',
    '| | duban | baseline | null | duban ÷ baseline | |',
    '|---|---:|---:|---:|---:|---|',
    ...ROWS.map(([key, label, target]) => `| ${label} | ${cell(duban[key])} | ${cell(baseline[key])} | ${cell(result.arms.null[key])} | ${cell(result.ratios[key])} | ${target} |`),
    `| workflow bundle (KiB, without source map) | ${result.bundleKiB.duban} | ${result.bundleKiB.baseline} | ${result.bundleKiB.null} | | |`,
    '',
    `Signature checks: duban verifies ${sig.perWorkflow} Ed25519 signatures per workflow in its update validators (pure JS in the workflow sandbox, ${sig.msEach} ms each measured here); the baseline carries the same signed arguments but checks none. Without them duban's CPU per workflow would be about ${sig.cpuMsPerWorkflowWithout} ms, ${sig.ratioWithout} × the baseline.`,
    '',
    'Where the history events differ (one workflow of each):',
    '',
    '| event type | duban | baseline |',
    '|---|---:|---:|',
    ...types.map((type) => `| ${type} | ${duban.eventTypes[type] ?? 0} | ${baseline.eventTypes[type] ?? 0} |`),
    '',
  ].join('\n');
}

/** What one Ed25519 check costs here, with the library and the instruction shape the workflow uses. */
function signatureCheckMs(key: SigningKey, publicKey: string): number {
  const instruction = { workflowId: 'bench', message: 'acknowledge', args: { requestId: 'bench-1', actor: key.person, note: '收到，立即落实' } };
  const proof = signInstruction(instruction, key, { issuedAt: new Date().toISOString() });
  for (let i = 0; i < 20; i += 1) verifySignature(instruction, proof, publicKey);
  const started = process.cpuUsage();
  const count = 200;
  for (let i = 0; i < count; i += 1) if (!verifySignature(instruction, proof, publicKey)) throw new Error('the bench signature does not verify');
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / count;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = mkdtempSync(join(tmpdir(), 'duban-bench-'));
  const server = await startDevServer({
    uiPort: false,
    dbFilename: join(dir, 'temporal.sqlite'),
    searchAttributes: dubanSearchAttributes.map((key) => ({ name: key.name, type: key.type })),
  });
  const connection = await Connection.connect({ address: server.address });
  try {
    const logger = new DefaultLogger('ERROR');
    // As the worker bundles them (`workflowBundleOptions`: the shared modules preloaded).
    const dubanCode = (await bundleWorkflowCode({ ...workflowBundleOptions(), logger })).code;
    const baselineCode = (await bundleWorkflowCode({ workflowsPath: join(__dirname, 'baseline-workflows.ts'), logger })).code;
    const bundles = { duban: join(dir, 'duban-bundle.js'), baseline: join(dir, 'baseline-bundle.js'), null: join(dir, 'baseline-bundle.js') };
    writeFileSync(bundles.duban, dubanCode);
    writeFileSync(bundles.baseline, baselineCode);
    const withoutMap = (code: string) => Math.round(Buffer.byteLength(code.split('//# sourceMappingURL=')[0] ?? code) / 1024);
    const bundleKiB = { duban: withoutMap(dubanCode), baseline: withoutMap(baselineCode), null: withoutMap(baselineCode) };

    // The seed plan re-dated to next year, every person with a key; assisting reports not
    // required, so three reports lead to the submission.
    const seed = rebasePlan(await loadPlanFile(SEED_PLAN), new Date().getUTCFullYear() + 1);
    const plan = { ...seed, policies: { ...seed.policies, requireAssistingReports: false } };
    const at = new Date().toISOString();
    const pairs = new Map(plan.people.map((p) => [p.id, generateKeyPair(p.id, at)]));
    const keyring: Keyring = Object.fromEntries([...pairs].map(([person, pair]) => [person, [pair.roster]]));
    const bench: Bench = {
      client: new Client({ connection, namespace: server.namespace ?? DEFAULT_NAMESPACE }),
      address: server.address,
      namespace: server.namespace ?? DEFAULT_NAMESPACE,
      auditDbPath: join(dir, 'audit.sqlite'),
      bundles,
      // startNow: the happy path from assignment, not a wait for next year's campaign start.
      input: buildTaskInput(plan, TASK, { keyring, startNow: true }),
      keys: new Map([...pairs].map(([person, pair]) => [person, pair.signing])),
    };

    const settings = { rounds: ROUNDS, workflows: WORKFLOWS, concurrency: CONCURRENCY, warmup: WARMUP, cached: CACHED, replays: REPLAYS, ...(TUNING ? { tuning: TUNING } : {}) };
    const info = machine();
    process.stdout.write(`bench: ${JSON.stringify(settings)} on ${info.cpu}\n`);
    const runs: ArmRun[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      // Rotated each round, so no arm always runs first (or right after another).
      const order = ARMS.map((_, i) => ARMS[(i + round - 1) % ARMS.length] as Arm);
      for (const arm of order) {
        const run = await runArm(bench, arm, round);
        runs.push(run);
        const rss = run.rssBytesPerCachedWorkflow === undefined ? '' : `, ${(run.rssBytesPerCachedWorkflow / 2 ** 20).toFixed(2)} MiB per cached workflow`;
        process.stdout.write(
          `  round ${round} ${arm.padEnd(8)} ${run.perSecond.toFixed(2)}/s, ${run.historyEvents} events, ${run.historyBytes} bytes, ${run.cpuMsPerWorkflow.toFixed(1)} ms CPU per workflow${rss}\n`,
        );
      }
    }

    const arms = Object.fromEntries(ARMS.map((arm) => [arm, summarise(runs.filter((r) => r.arm === arm))])) as Record<Arm, ArmSummary>;
    const ratios: Record<string, number> = {};
    for (const [key] of ROWS) {
      const d = arms.duban[key];
      const b = arms.baseline[key];
      if (typeof d === 'number' && typeof b === 'number' && b > 0) ratios[key] = Number((d / b).toFixed(2));
    }
    const signer = [...pairs.values()][0];
    if (signer === undefined) throw new Error('The seed plan has nobody to sign with.');
    const msEach = signatureCheckMs(signer.signing, signer.roster.publicKey);
    const without = arms.duban.cpuMsPerWorkflow - STEPS.length * msEach;
    const signatureChecks = { perWorkflow: STEPS.length, msEach: Number(msEach.toFixed(2)), cpuMsPerWorkflowWithout: Number(without.toFixed(1)), ratioWithout: Number((without / arms.baseline.cpuMsPerWorkflow).toFixed(2)) };
    const result: BenchResult & { runs: unknown[] } = {
      machine: info,
      date: new Date().toISOString().slice(0, 10),
      settings,
      bundleKiB,
      arms,
      ratios,
      signatureChecks,
      runs: runs.map(({ updateMs, ...run }) => ({ ...run, updates: updateMs.length })),
    };
    const out = options.out ?? join(ROOT, 'docs');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'bench.json'), `${JSON.stringify(result, null, 2)}\n`);
    const table = markdown(result);
    writeFileSync(join(out, 'bench.md'), `# pnpm bench\n\n${table}`);
    process.stdout.write(`\n${table}\nwritten to ${join(out, 'bench.json')} and ${join(out, 'bench.md')}\n`);
  } finally {
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
