/**
 * `pnpm bench:scale --tasks N`: launches one campaign of N tasks (the seed plan's 20 tasks
 * for N/20 streets, `synthetic-plan.ts`) on a fresh dev server with the duban worker in a
 * process of its own, waits until it has settled, and prints what scale costs here:
 *
 * - launch: the `launch` call (build and store the plan, start the campaign), and the time
 *   until every task workflow exists (on the board);
 * - settle: until every task has reported to the board (assigned, seq > 0);
 * - the worker's peak RSS (VmHWM) and CPU, the server's and the audit database's size;
 * - the campaign's start input and carried state (continue-as-new input), the largest
 *   history and payload of the campaign's runs and of a sample of tasks;
 * - the board query after the worker restarted (the first replays the campaign's run).
 *
 * A benchmark, not a test: nothing fails on a slow machine. Figures go to stdout and to
 * `.duban/bench/scale-N.json`.
 *
 *   pnpm bench:scale --tasks 1000
 *   pnpm bench:scale --tasks 200 --continue-at 400   # the campaign continues as new every ~400 events
 *   pnpm bench:scale --tasks 10000 --cache 1000       # at most 1,000 workflows cached in the worker
 *   pnpm bench:scale --tasks 200 --children           # launched as before: every task a child of the campaign
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { DateTime } from 'luxon';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { buildCampaignInput, DubanClient, type Keyring, type LaunchOptions } from '@duban/client';
import { CAMPAIGN_WORKFLOW_TYPE, campaignWorkflowId, DUBAN_TASK_QUEUE, ENV } from '@duban/common';
import { generateKeyPair } from '@duban/identity';
import { loadPlanFile, rebasePlan, type Plan } from '@duban/plan';
import { startDevServer } from '@duban/servers';
import { boardQuery, dubanSearchAttributes, taskWorkflowId, type CampaignBoard, type CampaignWorkflowInput } from '@duban/workflows';
import { syntheticPlan } from './synthetic-plan';
import { payloadSizes } from '../harness/payloads';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

const ROOT = join(__dirname, '..', '..');
const SEED_PLAN = join(ROOT, 'plans', 'xihu-2020.yaml');
/** The worker's entry: `createDubanWorker` with the benchmark's cache size. */
const WORKER_ENTRY = join(__dirname, 'scale-worker.ts');
/** tsx's require hook: the worker runs as the node process itself, whose memory is measured. */
const TSX_REQUIRE = require.resolve('tsx/cjs');
const PAYLOAD_LIMIT = 2 * 1024 * 1024;
/** Task histories read for the largest task history and payload: spread over the plan. */
const TASK_SAMPLE = 20;
const POLL_MS = 2000;

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function fileSize(...files: string[]): number {
  return files.reduce((sum, file) => sum + (existsSync(file) ? statSync(file).size : 0), 0);
}

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM), or 0 once the process is gone. */
function procStatusBytes(pid: number | undefined, field: string): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
    return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** User plus system CPU of a process so far, in ms (Linux clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<void>;
}

/** The worker (`scale-worker.ts`), its log in `logFile`; resolves once it polls. */
async function spawnWorker(env: Record<string, string>, logFile: string): Promise<WorkerProcess> {
  // Earlier workers wrote to the same log: only what this one writes counts.
  const from = fileSize(logFile);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--require', TSX_REQUIRE, WORKER_ENTRY], { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => (gone = true));
  const startedAt = Date.now();
  for (;;) {
    if (readFileSync(logFile).subarray(from).toString('utf8').includes('duban worker: polling')) return { child, exited };
    if (gone || Date.now() - startedAt > 120_000) throw new Error(`The worker did not start; its log (${logFile}) ends:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stopWorker(worker: WorkerProcess): Promise<void> {
  worker.child.kill('SIGTERM');
  const killer = setTimeout(() => worker.child.kill('SIGKILL'), 30_000);
  await worker.exited;
  clearTimeout(killer);
}

interface RunFigures {
  runId: string;
  events: number;
  historyBytes: number;
  largestPayload: number;
  /** The run's input (start or continue-as-new input), bytes. */
  inputBytes: number;
}

/** Every run of a workflow from `firstRunId`, following continue-as-new. */
async function runsOf(client: Client, workflowId: string, firstRunId: string): Promise<RunFigures[]> {
  const runs: RunFigures[] = [];
  let runId: string | undefined = firstRunId;
  while (runId !== undefined) {
    const handle: WorkflowHandle = client.workflow.getHandle(workflowId, runId);
    const events: HistoryEvent[] = (await handle.fetchHistory()).events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    runs.push({
      runId,
      events: events.length,
      historyBytes: Number((await handle.describe()).historySize ?? 0),
      largestPayload: Math.max(0, ...payloadSizes(events)),
      inputBytes: started?.length ?? 0,
    });
    runId = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      tasks: { type: 'string', default: '1000' },
      'continue-at': { type: 'string' },
      cache: { type: 'string' },
      children: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  const tasks = Number(values.tasks);
  const continueAt = values['continue-at'] === undefined ? undefined : Number(values['continue-at']);
  if (!Number.isSafeInteger(tasks) || tasks < 1 || tasks > 10_000) throw new Error(`--tasks takes 1 to 10000 (the plan format's cap), not ${values.tasks}.`);

  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = mkdtempSync(join(tmpdir(), 'duban-bench-scale-'));
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`bench:scale: ${tasks} tasks (${Math.ceil(tasks / 20)} streets of the seed's 20), in ${dir}`);

  const dbFile = join(dir, 'temporal.sqlite');
  const server = await startDevServer({ uiPort: false, dbFilename: dbFile, searchAttributes: dubanSearchAttributes.map((key) => ({ name: key.name, type: key.type })) });
  const auditDb = join(dir, 'audit.sqlite');
  const bundlePath = join(dir, 'workflows-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: require.resolve('@duban/workflows/workflows'), logger: new DefaultLogger('ERROR') })).code);
  const workerEnv = {
    [ENV.address]: server.address,
    [ENV.namespace]: server.namespace,
    [ENV.auditDb]: auditDb,
    [ENV.workflowBundle]: bundlePath,
    ...(values.cache === undefined ? {} : { DUBAN_BENCH_CACHE: values.cache }),
  };
  const logFile = join(dir, 'worker.log');
  let worker = await spawnWorker(workerEnv, logFile);
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, procStatusBytes(worker.child.pid, 'VmHWM'));
  }, 500);
  const duban = await DubanClient.connect({ address: server.address, namespace: server.namespace });
  // History pages of a large campaign pass gRPC's default 4 MiB (snapshots and batch results).
  const connection = await Connection.connect({ address: server.address, channelArgs: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 } });
  const client = new Client({ connection, namespace: server.namespace });
  try {
    let at = Date.now();
    const plan = syntheticPlan(await loadPlanFile(SEED_PLAN), tasks);
    const planMs = Date.now() - at;
    // Next year: every deadline lies ahead, nothing escalates while the benchmark runs.
    const campaignYear = new Date().getUTCFullYear() + 1;
    const clerk = generateKeyPair('hq-office-clerk', new Date().toISOString());
    const keyring: Keyring = { 'hq-office-clerk': [clerk.roster] };
    const cpuBefore = cpuMs(worker.child.pid);

    const options: LaunchOptions = {
      campaignYear,
      keyring,
      // No bulletin while the benchmark runs.
      firstDispatchAt: DateTime.now().plus({ days: 30 }),
      ...(continueAt === undefined ? {} : { continueAsNewAtHistoryLength: continueAt }),
    };
    at = Date.now();
    const launch = values.children ? await launchAsChildren(client, plan, options) : await duban.launch(plan, options);
    const launchCallMs = Date.now() - at;
    const campaign = duban.campaign(plan.id);

    const bar = new SingleBar({ format: ' {bar} {phase} {value}/{total} tasks | {duration}s | worker RSS {rss}', hideCursor: true }, Presets.shades_classic);
    bar.start(tasks, 0, { phase: 'started ', rss: '-' });
    let startedMs: number | undefined;
    let settledMs: number | undefined;
    let board: CampaignBoard | undefined;
    let reported = 0;
    let lastProgressAt = Date.now();
    const count = async (query: string) => (await client.workflow.count(query).catch(() => ({ count: 0 }))).count;
    while (settledMs === undefined) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      board = await campaign.board().catch(() => board);
      // Started: the tasks visibility lists (the campaign of before put every task on its board before starting any).
      const started = await count(`DubanPlan = '${plan.id}'`);
      const nowReported = board?.tasks.filter((t) => t.seq > 0).length ?? 0;
      if (nowReported > reported) lastProgressAt = Date.now();
      reported = nowReported;
      const rss = mib(procStatusBytes(worker.child.pid, 'VmRSS'));
      if (startedMs === undefined && started >= tasks) startedMs = Date.now() - at;
      if (startedMs === undefined) bar.update(started, { phase: 'started ', rss });
      else bar.update(reported, { phase: 'reported', rss });
      if (reported >= tasks) settledMs = Date.now() - at;
      // Every task ran (its status is set) and the board lists it, but some first summaries never
      // reached the board (signals lost while the campaign changed runs): settled, counted apart.
      else if (Date.now() - lastProgressAt > 60_000 && board?.tasks.length === tasks && (await count(`DubanPlan = '${plan.id}' AND DubanStatus = 'assigned'`)) >= tasks) {
        settledMs = lastProgressAt - at;
      }
      if (Date.now() - at > 3 * 3600_000) throw new Error(`Not settled after 3 hours: ${started} tasks started, ${reported} reported to the board.`);
    }
    bar.stop();
    const workerCpuMs = cpuMs(worker.child.pid) - cpuBefore;
    const rssAfterSettle = procStatusBytes(worker.child.pid, 'VmRSS');
    say(`settled: all started after ${seconds(startedMs ?? 0)}, all reported after ${seconds(settledMs)}; worker peak RSS ${mib(peakRss)}, CPU ${seconds(workerCpuMs)}`);

    // The campaign's runs, and a sample of its tasks.
    const campaignHandle = client.workflow.getHandle(launch.campaignWorkflowId);
    const firstRunId = await firstRun(client, launch.campaignWorkflowId, (await campaignHandle.describe()).runId);
    const campaignRuns = await runsOf(client, launch.campaignWorkflowId, firstRunId);
    const startInput = campaignRuns[0]?.inputBytes ?? 0;
    const carried = campaignRuns.slice(1).map((r) => r.inputBytes);
    const sampleNumbers = Array.from({ length: Math.min(TASK_SAMPLE, tasks) }, (_, i) => Math.max(1, Math.round(((i + 1) * tasks) / Math.min(TASK_SAMPLE, tasks))));
    const taskRuns = (await Promise.all(sampleNumbers.map(async (n) => {
      const id = taskWorkflowId(plan.id, n);
      const described = await client.workflow.getHandle(id).describe();
      return runsOf(client, id, described.runId);
    }))).flat();
    const input = await firstInput(client, launch.campaignWorkflowId, firstRunId);
    // What the largest carried state is made of, field by field (JSON bytes).
    const largestCarrier = campaignRuns.slice(1).reduce<RunFigures | undefined>((a, b) => (a === undefined || b.inputBytes > a.inputBytes ? b : a), undefined);
    const carriedInput = largestCarrier === undefined ? undefined : await firstInput(client, launch.campaignWorkflowId, largestCarrier.runId);
    const carriedFields = Object.fromEntries(Object.entries(carriedInput?.carried ?? {}).map(([field, value]) => [field, JSON.stringify(value).length]));

    // The worker restarts: the first board query replays the campaign's current run.
    await stopWorker(worker);
    at = Date.now();
    worker = await spawnWorker(workerEnv, logFile);
    const workerStartMs = Date.now() - at;
    at = Date.now();
    await campaignHandle.query(boardQuery, { offset: 0, limit: 1 });
    const firstQueryMs = Date.now() - at;
    at = Date.now();
    const full = await campaign.board();
    const fullBoardMs = Date.now() - at;

    const largestCampaignPayload = Math.max(...campaignRuns.map((r) => r.largestPayload));
    const largestTaskPayload = Math.max(...taskRuns.map((r) => r.largestPayload));
    const largestCampaignHistory = campaignRuns.reduce((a, b) => (b.historyBytes > a.historyBytes ? b : a));
    const largestTaskHistory = taskRuns.reduce((a, b) => (b.historyBytes > a.historyBytes ? b : a));
    const figures = {
      tasks,
      streets: Math.ceil(tasks / 20),
      machine: { cpus: cpus().length, node: process.version },
      launchedAs: values.children ? 'children of the campaign (before)' : 'stored plan, batches by the worker',
      workerCache: values.cache === undefined ? 'createDubanWorker default' : Number(values.cache),
      continueAsNewAt: continueAt ?? 'Temporal suggestion',
      planBuildMs: planMs,
      launchCallMs,
      launchMs: startedMs,
      settleMs: settledMs,
      boardLinesNeverReported: tasks - reported,
      tasksPerSecond: Math.round((tasks * 10_000) / (settledMs ?? 1)) / 10,
      workerPeakRssBytes: peakRss,
      workerRssAfterSettleBytes: rssAfterSettle,
      workerCpuMs,
      serverDbBytes: fileSize(dbFile, `${dbFile}-wal`, `${dbFile}-shm`),
      auditDbBytes: fileSize(auditDb, `${auditDb}-wal`, `${auditDb}-shm`),
      storedPlan: input?.plan,
      campaignStartInputBytes: startInput,
      campaignCarriedBytes: { runs: campaignRuns.length, largest: Math.max(0, ...carried), last: carried[carried.length - 1] ?? 0, largestByField: carriedFields },
      campaignLargestHistory: { bytes: largestCampaignHistory.historyBytes, events: largestCampaignHistory.events },
      campaignLargestPayloadBytes: largestCampaignPayload,
      taskSample: sampleNumbers.length,
      taskLargestHistory: { bytes: largestTaskHistory.historyBytes, events: largestTaskHistory.events },
      taskLargestPayloadBytes: largestTaskPayload,
      afterWorkerRestart: { workerStartMs, firstBoardQueryMs: firstQueryMs, fullBoardMs, boardTasks: full.tasks.length },
    };
    const lines = [
      `tasks                     ${tasks} (${figures.streets} streets), plan built in ${seconds(planMs)}; launched as ${figures.launchedAs}`,
      `launch call               ${seconds(launchCallMs)} (plan stored: ${kib(input?.plan?.bytes ?? 0)} in ${input?.plan?.parts ?? 0} parts)`,
      `launch (all started)      ${seconds(startedMs ?? 0)}`,
      `settle (all reported)     ${seconds(settledMs)} — ${figures.tasksPerSecond} tasks/s${reported < tasks ? `; ${tasks - reported} board lines never reported` : ''}`,
      `worker                    peak RSS ${mib(peakRss)}, ${mib(rssAfterSettle)} after settling; CPU ${seconds(workerCpuMs)} (cache: ${figures.workerCache})`,
      `server DB                 ${mib(figures.serverDbBytes)}; audit DB ${mib(figures.auditDbBytes)}`,
      `campaign start input      ${startInput} bytes`,
      `campaign carried state    ${carried.length === 0 ? 'no continue-as-new' : `largest ${figures.campaignCarriedBytes.largest} bytes over ${carried.length} continue-as-new (${Object.entries(carriedFields).map(([f, n]) => `${f} ${n}`).join(', ')})`}`,
      `campaign largest history  ${kib(figures.campaignLargestHistory.bytes)}, ${figures.campaignLargestHistory.events} events (${campaignRuns.length} runs)`,
      `campaign largest payload  ${kib(largestCampaignPayload)} (limit ${kib(PAYLOAD_LIMIT)})`,
      `task largest history      ${kib(figures.taskLargestHistory.bytes)}, ${figures.taskLargestHistory.events} events (${sampleNumbers.length} tasks sampled)`,
      `task largest payload      ${kib(largestTaskPayload)}`,
      `after a worker restart    worker up in ${seconds(workerStartMs)}; first board query ${firstQueryMs} ms, whole board (${full.tasks.length} tasks) ${fullBoardMs} ms`,
    ];
    say(lines.join('\n'));
    const out = join(ROOT, '.duban', 'bench', `scale-${tasks}${values.children ? '-children' : ''}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(figures, null, 2)}\n`);
    say(`figures written to ${out}`);
  } finally {
    clearInterval(sampler);
    await duban.close();
    await connection.close();
    await stopWorker(worker);
    await server.stop();
    if (values.keep) say(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The launch of before, for comparison (`--children`): the whole plan in the campaign's
 * start input, every task started as a child of the campaign at once. Refused by the
 * server beyond a few hundred tasks (a payload over 2 MiB).
 */
async function launchAsChildren(client: Client, plan: Plan, options: LaunchOptions): Promise<{ campaignWorkflowId: string }> {
  const launched = options.campaignYear === undefined ? plan : rebasePlan(plan, options.campaignYear);
  const input = buildCampaignInput(launched, options);
  const workflowId = campaignWorkflowId(plan.id);
  await client.workflow.start(CAMPAIGN_WORKFLOW_TYPE, { taskQueue: DUBAN_TASK_QUEUE, workflowId, args: [input] });
  return { campaignWorkflowId: workflowId };
}

/** The first run of a workflow: the run whose history begins the continue-as-new chain ending in `runId`. */
async function firstRun(client: Client, workflowId: string, runId: string): Promise<string> {
  const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
  const first = events[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId;
  return first ?? runId;
}

/** The input a campaign's run started with. */
async function firstInput(client: Client, workflowId: string, runId: string): Promise<CampaignWorkflowInput | undefined> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const events = (await handle.fetchHistory()).events ?? [];
  const data = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  return data === undefined || data === null ? undefined : (JSON.parse(Buffer.from(data).toString('utf8')) as CampaignWorkflowInput);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:scale failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
