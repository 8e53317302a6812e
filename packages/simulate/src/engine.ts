/**
 * The simulation: the time-skipping server, ONE duban worker with the real workflows,
 * activities, SQLite audit store and notifier, the plan launched through the real client
 * with a roster of record whose keys are made in memory, and simulated people who sign
 * every instruction with their own key. The engine only plays the people: it moves
 * virtual time from one person's action to the next (`env.sleep`), and everything else
 * (milestones, the ladder, bulletins, scores) is the workflows' own doing.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { LogAndWebhookNotifier, SqliteAuditStore, type NotificationOutbox, type Notifier, type NotifierLogger } from '@duban/activities';
import { buildPlanAmendment, DubanClient, planTaskNumbers, supervisingBody, type DubanTaskHandle, type Keyring } from '@duban/client';
import { DubanError, ENV, ErrorCode, isDubanError, type Bulletin } from '@duban/common';
import { generateKeyPair, type SigningKey } from '@duban/identity';
import { dueInstant, rebasePlan, type Plan } from '@duban/plan';
import { resolveTemporalBinary, sdkExecutable } from '@duban/servers';
import { createDubanWorker } from '@duban/worker';
import { taskSummary, type BoardTask, type MessageResult, type TaskState } from '@duban/workflows';
import { SimDays } from './days';
import { buildOutcome, sampleOf, type EndedBy, type OutcomeEvent, type OutcomeRefusal, type OutcomeSample, type SimulationOutcome } from './outcome';
import { TaskAgent, type AgentContext, type Cast, type Step, type StepKind } from './people';
import { behaviourOf, resolveHq, resolveReviewers, type ScenarioEvent } from './scenario';
import type { LoadedScenario } from './scenario-file';

/** The files a run writes under its directory; a new run replaces them. */
export const RUN_FILES = {
  auditDb: 'audit.sqlite',
  notifications: 'notifications.log',
  ledger: 'ledger.csv',
  auditCsv: 'audit.csv',
  report: 'report.html',
} as const;

export interface SimulationProgress {
  /** The virtual date. */
  date: string;
  day: number;
  /** Days from the launch to the planned stop. */
  days: number;
  tasks: number;
  approved: number;
  escalated: number;
}

export interface SimulateOptions {
  /** The plan as its file gives it (the simulation re-dates it). */
  plan: Plan;
  /** The plan file as the user named it, for the outcome. */
  planFile: string;
  scenario: LoadedScenario;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Re-dates the plan to start in this year; default the first year whose start lies ahead. */
  campaignYear?: number;
  /** Stop at the end of this date (`yyyy-MM-dd`, in the simulated years). */
  until?: string;
  /** Where the audit database, the notification log and what the caller adds go. */
  outDir: string;
  /** Paths in the outcome are shown relative to this directory. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** A prebuilt workflow bundle; without it the worker bundles at start (a second or two). */
  workflowBundle?: { code: string } | { codePath: string };
  /** The language notifications are written in (the notification log). */
  lang?: 'zh' | 'en';
  onProgress?: (progress: SimulationProgress) => void;
  /** Runs with the server still up once the outcome is known, e.g. to write the ledger through it. */
  onServer?: (server: { address: string; namespace: string }) => Promise<void>;
  /**
   * Builds the worker's notifier from the run's outbox and notification log, in place of
   * the log-only notifier: e.g. the plan's routing over local receivers, so a test counts
   * what a whole campaign delivers. It stays usable until `onServer` has returned.
   */
  notifier?: (run: { outbox: NotificationOutbox; logger: NotifierLogger }) => Notifier | Promise<Notifier>;
}

export interface SimulationRun {
  outcome: SimulationOutcome;
  /** Wall-clock duration of the whole run, in ms (not part of the outcome: it differs every run). */
  wallMs: number;
  /** Virtual time the run covered, in ms. */
  virtualMs: number;
}

const DAY_MS = 86_400_000;
/** A day's instructions for one task, at most: more means a person keeps repeating themselves. */
const MAX_STEPS_PER_DAY = 60;

/**
 * Quiet SDK logs (an activity retried once is a warning the run's outcome already
 * covers), unless the process installed its own runtime first; DUBAN_DEBUG=1 shows warnings.
 */
function installQuietRuntime(debug: boolean): void {
  const level = debug ? 'WARN' : 'ERROR';
  try {
    Runtime.install({ logger: new DefaultLogger(level), telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } } });
  } catch {
    // Already installed (by the embedding process or an earlier run): keep its settings.
  }
}

/** One JSON line per notification, the full object: the notification log of the run. */
function fileLogger(fd: number): NotifierLogger {
  const write = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    writeSync(fd, `${JSON.stringify({ level, message, ...meta })}\n`);
  };
  return { info: write('info'), warn: write('warn') };
}

function relativeTo(cwd: string | undefined, path: string): string {
  if (cwd === undefined) return path;
  const prefix = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** The year the plan must be re-dated to so its campaign starts after `nowMs`. */
export function nextCampaignYear(plan: Plan, nowMs: number): number {
  const zone = plan.timeZone;
  let year = DateTime.fromMillis(nowMs, { zone }).year;
  while (new SimDays(zone, rebasePlan(plan, year).campaign.start).launchAt <= nowMs) year += 1;
  return year;
}

/** A date of the plan file's years, in the year the campaign was re-dated to. */
function shifted(date: string, years: number, zone: string): string {
  return DateTime.fromISO(date, { zone }).plus({ years }).toFormat('yyyy-MM-dd');
}

/** The roster of record, as the simulation's cast reads it. */
function castOf(plan: Plan): Cast {
  const people = plan.people;
  const withRole = (role: string) => people.filter((p) => (p.roles as string[]).includes(role));
  // A task that names who supervises it is reviewed by their people only (the workflow refuses others: NOT_SUPERVISOR).
  const supervising = new Map(planTaskNumbers(plan).map((n) => [n, supervisingBody(plan, n)?.people]));
  return {
    head: (unit) => people.find((p) => p.unit === unit && p.roles.includes('unit-head'))?.id,
    worker: (unit) => (people.find((p) => p.unit === unit && p.roles.includes('staff')) ?? people.find((p) => p.unit === unit && p.roles.includes('unit-head')))?.id,
    reviewers: (unit, except, taskNumber) => {
      const named = supervising.get(taskNumber);
      return people
        .filter((p) => (named ? named.includes(p.id) : p.roles.includes('supervisor') || p.roles.includes('hq-office')) && p.unit !== unit && p.id !== except)
        .map((p) => p.id);
    },
    hqOffice: (except) => withRole('hq-office').filter((p) => p.id !== except).map((p) => p.id),
  };
}

/**
 * Plays the scenario on the plan and returns what happened. Starts and stops its own
 * time-skipping server; the audit trail and the notification log stay under `outDir`.
 *
 * @throws DubanError `CAMPAIGN_OVER` when the campaign year lies in the past, `USAGE`
 *   when `until` is outside the campaign, the servers' codes when no server can start.
 */
export async function simulate(options: SimulateOptions): Promise<SimulationRun> {
  const wallStart = Date.now();
  const { plan } = options;
  const env = options.env ?? process.env;
  const binary = resolveTemporalBinary('test-server', { env, ...(options.cwd !== undefined ? { cwd: options.cwd } : {}) });
  installQuietRuntime(env[ENV.debug] === '1');
  mkdirSync(options.outDir, { recursive: true });
  // The audit store and the notifier's outbox remember idempotency keys: a run starts from none.
  for (const name of Object.values(RUN_FILES)) for (const suffix of ['', '-wal', '-shm']) rmSync(join(options.outDir, `${name}${suffix}`), { force: true });
  const auditDb = join(options.outDir, RUN_FILES.auditDb);
  const notificationsLog = join(options.outDir, RUN_FILES.notifications);

  const testEnv = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: sdkExecutable(binary) } });
  try {
    const store = SqliteAuditStore.open(auditDb);
    const logFd = openSync(notificationsLog, 'w');
    try {
      const notifier =
        options.notifier !== undefined
          ? await options.notifier({ outbox: store.outbox(), logger: fileLogger(logFd) })
          : new LogAndWebhookNotifier({ logger: fileLogger(logFd), outbox: store.outbox(), lang: options.lang ?? 'zh', timeZone: plan.timeZone });
      const worker = await createDubanWorker({
        connection: testEnv.nativeConnection,
        auditStore: store,
        notifier,
        ...(options.workflowBundle !== undefined ? { workflowBundle: options.workflowBundle } : {}),
      });
      const running = worker.run();
      try {
        const files = { directory: relativeTo(options.cwd, options.outDir), auditDb: relativeTo(options.cwd, auditDb), notifications: relativeTo(options.cwd, notificationsLog) };
        const played = await play(testEnv, options, store, files);
        await options.onServer?.({ address: testEnv.connection.options.address, namespace: 'default' });
        return { outcome: played.outcome, wallMs: Date.now() - wallStart, virtualMs: played.virtualMs };
      } finally {
        await worker.shutdown();
        await running.catch(() => undefined);
      }
    } finally {
      closeSync(logFd);
      await store.close();
    }
  } finally {
    await testEnv.teardown();
  }
}

async function play(
  testEnv: TestWorkflowEnvironment,
  options: SimulateOptions,
  store: SqliteAuditStore,
  files: SimulationOutcome['files'],
): Promise<{ outcome: SimulationOutcome; virtualMs: number }> {
  const { plan } = options;
  const { scenario, amendments } = options.scenario;
  const zone = plan.timeZone;
  const seed = options.seed ?? scenario.seed ?? 1;
  const planYear = DateTime.fromISO(plan.campaign.start, { zone }).year;

  // Virtual time: the server's clock. Instructions are signed with it, or the workflow refuses them as expired.
  let syncedServerMs = await testEnv.currentTimeMs();
  let syncedWallMs = Date.now();
  const clock = () => new Date(syncedServerMs + (Date.now() - syncedWallMs));
  // DUBAN_DEBUG=1: each move of virtual time and each day's work on stderr, with wall times.
  const trace = (options.env ?? process.env)[ENV.debug] === '1' ? (what: string) => process.stderr.write(`duban simulate ${new Date().toISOString()} ${what}\n`) : () => undefined;
  const sleepUntil = async (targetMs: number): Promise<void> => {
    trace(`sleep to ${new Date(targetMs).toISOString()}`);
    const now = await testEnv.currentTimeMs();
    if (targetMs > now) await sleepReleasingLeakedLock(testEnv, now, targetMs - now, trace);
    syncedServerMs = await testEnv.currentTimeMs();
    syncedWallMs = Date.now();
  };

  const year = options.campaignYear ?? nextCampaignYear(plan, syncedServerMs);
  const launched = rebasePlan(plan, year);
  const startDays = new SimDays(zone, launched.campaign.start);
  // A campaign whose start has passed (an explicit past year) starts tomorrow, as late as that is.
  const launchDate = startDays.launchAt > syncedServerMs ? launched.campaign.start : DateTime.fromMillis(syncedServerMs, { zone }).plus({ days: 1 }).toFormat('yyyy-MM-dd');
  if (launchDate > launched.campaign.end) {
    throw new DubanError(ErrorCode.CAMPAIGN_OVER, `The campaign of plan ${plan.id} re-dated to ${year} ended ${launched.campaign.end}; simulate a year to come (--campaign-year ${DateTime.fromMillis(syncedServerMs, { zone }).year + 1}).`, {
      details: { planId: plan.id, campaignYear: year },
    });
  }
  const days = new SimDays(zone, launchDate);
  const campaignEndMs = dueInstant(launched.campaign.end, 'by', zone).toMillis();
  if (options.until !== undefined && (options.until < launchDate || options.until > launched.campaign.end)) {
    throw new DubanError(ErrorCode.USAGE, `--until ${options.until} lies outside the simulated campaign (${launchDate} … ${launched.campaign.end}).`, { details: { until: options.until } });
  }
  // `--until D` shows the end of day D (a minute before midnight, before D's deadlines fall due); the full run a minute past the campaign's end.
  const stopMs = options.until !== undefined ? Date.parse(days.endOf(options.until)) - 60_000 : campaignEndMs + 60_000;
  const stopDay = days.dayOf(stopMs);

  await sleepUntil(days.launchAt);

  // The roster of record: a key per person, made here and never written anywhere.
  const keys = new Map<string, SigningKey>();
  const keyring: Keyring = {};
  const issuedAt = new Date(days.launchAt - DAY_MS).toISOString();
  for (const person of plan.people) {
    const { signing, roster } = generateKeyPair(person.id, issuedAt);
    keys.set(person.id, signing);
    keyring[person.id] = [roster];
  }
  const keyOf = (person: string): SigningKey => {
    const key = keys.get(person);
    if (!key) throw new DubanError(ErrorCode.UNKNOWN_PERSON, `No key for ${person}: not on the roster of record.`, { details: { person } });
    return key;
  };

  const duban = new DubanClient(testEnv.client);
  // The simulation chooses "now": a campaign re-dated to a year already under way launches
  // on the server's next day, and its tasks already due launch as they did before launches
  // refused them (DEADLINES_PASSED), each recording that it was launched past its deadline.
  const launchedMidCampaign = launchDate > launched.campaign.start;
  const launch = await duban.launch(plan, {
    campaignYear: year,
    now: DateTime.fromMillis(days.launchAt, { zone }),
    keyring,
    searchAttributes: false,
    ...(launchedMidCampaign ? { allowPastDeadlines: true } : {}),
  });
  const campaign = duban.campaign(plan.id);

  const ctx: AgentContext = {
    cast: castOf(plan),
    reviewers: resolveReviewers(scenario.reviewers),
    hq: resolveHq(scenario.hq),
    scoringBase: plan.policies.scoring.base,
    lastDayBefore: (ms) => days.lastActionDayBefore(ms),
    firstDayAfter: (ms) => days.firstActionDayAfter(ms),
    dayOf: (ms) => days.dayOf(ms),
    endOfDay: (day) => days.endOf(days.dateOfDay(day)),
    campaignEndMs: Date.parse(launch.endAt),
    seed,
    behaviourOf: () => ({}),
  };
  const agents = new Map<number, TaskAgent>();
  const stateOf = (n: number) => eventually(() => duban.task(plan.id, n).state());
  const addAgent = async (n: number): Promise<void> => {
    const state = await stateOf(n);
    agents.set(n, new TaskAgent(n, state, { ...ctx, behaviourOf: (unit, primary) => behaviourOf(scenario, unit, n, primary) }));
  };
  for (const n of planTaskNumbers(plan)) await addAgent(n);

  // The scenario's one-off events, in date order (file order within a day).
  const pending = (scenario.events ?? [])
    .map((event, index) => ({ event, index, day: days.dayOfDate(shifted(event.on, year - planYear, zone)) }))
    .sort((a, b) => a.day - b.day || a.index - b.index);
  const events: OutcomeEvent[] = [];
  const actions: Partial<Record<StepKind, number>> = {};
  const refusals: OutcomeRefusal[] = [];
  const timeline: OutcomeSample[] = [];

  const handle = (task: number, actor: string): DubanTaskHandle => duban.task(plan.id, task).as(keyOf(actor), { clock });

  /** Sends one step as its actor; the request id names the task, the day and the step. */
  const send = (agent: TaskAgent, step: Step, day: number, n: number): Promise<MessageResult> => {
    const requestId = `sim-${agent.taskNumber}-${day}-${n}`;
    const task = handle(agent.taskNumber, step.actor);
    const base = { requestId, actor: step.actor };
    switch (step.kind) {
      case 'acknowledge':
        return task.acknowledge(base);
      case 'reportProgress':
        return task.reportProgress({ ...base, percent: step.percent, note: `进度 ${step.percent}%` });
      case 'submit':
        return task.submit({ ...base, summary: '牵头汇总：各单位已完成，提请审核' });
      case 'review':
        return step.decision === 'approve'
          ? task.review({ ...base, decision: 'approve', score: step.score })
          : task.review({ ...base, decision: 'return', reasons: ['佐证材料不全，请补充现场照片和验收记录后重新报送。'] });
      case 'requestExtension':
        return task.requestExtension({ ...base, deadlineAt: step.deadlineAt, reason: '工作量超出预期，申请延长完成时限' });
      case 'decideExtension':
        return step.grant ? task.decideExtension({ ...base, decision: 'approve', reason: '同意延期' }) : task.decideExtension({ ...base, decision: 'refuse', reason: '不同意延期，请按原时限完成' });
    }
  };

  const runDay = async (agent: TaskAgent, day: number): Promise<void> => {
    for (let n = 0; n < MAX_STEPS_PER_DAY; n += 1) {
      const step = agent.nextStep(day);
      if (step === undefined) return;
      actions[step.kind] = (actions[step.kind] ?? 0) + 1;
      try {
        agent.applied(step, day, await send(agent, step, day, n));
      } catch (error) {
        if (!isDubanError(error)) throw error;
        refusals.push({ on: days.dateOfDay(day), task: agent.taskNumber, message: step.kind, actor: step.actor, code: error.code });
        agent.refused(step, day, await duban.task(plan.id, agent.taskNumber).state().catch(() => undefined));
      }
    }
    throw new Error(`Task ${agent.taskNumber}: the simulated people kept acting on ${days.dateOfDay(day)}; a behaviour loops.`);
  };

  const applyEvent = async (event: ScenarioEvent, index: number, day: number): Promise<void> => {
    const on = days.dateOfDay(day);
    if (event.amend !== undefined) {
      const amendment = amendments.get(index);
      if (!amendment) return;
      const request = buildPlanAmendment(plan, amendment, year);
      // Added tasks run on this server too, which has no duban search attributes.
      const unsearchable = { ...request, addTasks: request.addTasks.map((t) => ({ ...t, searchAttributes: false })) };
      try {
        const result = await campaign.as(keyOf(amendment.issuedBy), { clock }).amendPlan(unsearchable);
        events.push({ on, kind: 'amend', subject: amendment.id, applied: result.applied });
        for (const n of result.added) await addAgent(n);
        for (const n of [...result.moved, ...result.reassigned]) agents.get(n)?.sync(await stateOf(n));
      } catch (error) {
        if (!isDubanError(error)) throw error;
        events.push({ on, kind: 'amend', subject: amendment.id, applied: false, code: error.code });
      }
      return;
    }
    if (event.extension !== undefined) {
      const agent = agents.get(event.extension.task);
      agent?.forceExtension(day, days.endOf(shifted(event.extension.to, year - planYear, zone)));
      events.push({ on, kind: 'extension', subject: `task ${event.extension.task}`, applied: agent !== undefined && !agent.finished });
      return;
    }
    if (event.change !== undefined) {
      const { unit, task, ...change } = event.change;
      for (const agent of agents.values()) if (task === undefined || agent.taskNumber === task) agent.change(day, unit, change);
      events.push({ on, kind: 'change', subject: [unit, task === undefined ? undefined : `task ${task}`].filter(Boolean).join(' '), applied: true });
    }
  };

  const observe = async (day: number): Promise<void> => {
    const board = await campaign.board();
    const sample = sampleOf(board, days.dateOfDay(day));
    timeline.push(sample);
    options.onProgress?.({ date: sample.on, day, days: stopDay, tasks: board.tasks.length, approved: sample.approved, escalated: sample.escalated });
  };

  let nextObserve = 0;
  while (!days.isMonday(nextObserve)) nextObserve += 1;
  let endedBy: EndedBy = options.until !== undefined ? 'until' : 'campaign-end';
  let lastActionMs = days.launchAt;
  for (;;) {
    const agentDays = [...agents.values()].map((a) => a.nextDay()).filter((d): d is number => d !== undefined);
    const nextEvent = pending[0];
    const actDay = Math.min(...agentDays, nextEvent?.day ?? Infinity);
    if (agentDays.length === 0 && nextEvent === undefined && [...agents.values()].every((a) => a.finished)) {
      endedBy = 'all-finished';
      break;
    }
    const actMs = Number.isFinite(actDay) ? days.actionAt(actDay) : Infinity;
    const observeMs = days.observeAt(nextObserve);
    if (Math.min(actMs, observeMs) > stopMs) break;
    if (observeMs < actMs) {
      await sleepUntil(observeMs);
      await observe(nextObserve);
      nextObserve += 7;
      continue;
    }
    await sleepUntil(actMs);
    lastActionMs = actMs;
    while (pending[0] !== undefined && pending[0].day <= actDay) {
      const { event, index } = pending.shift() ?? { event: undefined, index: -1 };
      if (event) await applyEvent(event, index, actDay);
    }
    // Tasks are separate workflows: their people act side by side, each task's in turn.
    trace(`day ${actDay} (${days.dateOfDay(actDay)})`);
    await Promise.all([...agents.values()].map((agent) => runDay(agent, actDay)));
    trace(`day ${actDay} done`);
  }

  // What has fired by the stop: the timers up to it, then the board caught up with every task.
  const endMs = endedBy === 'all-finished' ? Math.min(lastActionMs + 3_600_000, stopMs) : stopMs;
  await sleepUntil(endMs);
  const numbers = [...agents.keys()].sort((a, b) => a - b);
  const { board, states } = await settled(campaign, (n) => duban.task(plan.id, n).state(), numbers);
  const bulletins = (await store.list({ planId: plan.id, event: 'campaign.bulletin' })).map((r) => r.details as unknown as Bulletin);
  const assessment = await campaign.assessment();
  if (timeline[timeline.length - 1]?.on !== days.date(endMs)) timeline.push(sampleOf(board, days.date(endMs)));

  const milestoneDueAt = new Map(launched.milestones.map((m) => [m.id, dueInstant(m.due, m.rule, zone).toISO() ?? '']));
  // Which milestones check which task: the plan's tasks, and those the amendments added.
  const milestonesOf = new Map<number, string[]>(launched.actions.flatMap((a) => a.tasks.map((t) => [t.number, [...t.milestones]] as [number, string[]])));
  for (const amendment of amendments.values()) for (const t of amendment.addTasks) milestonesOf.set(t.number, [...t.milestones]);
  const outcome = buildOutcome({
    plan,
    launched,
    planFile: options.planFile,
    scenario: { id: scenario.id, title: scenario.title, file: options.scenario.file, seed },
    campaignYear: year,
    days,
    stopMs: endMs,
    endedBy,
    ...(options.until !== undefined ? { until: options.until } : {}),
    board,
    states,
    assessment,
    bulletins,
    timeline,
    actions,
    refusals,
    events,
    milestoneDueAt,
    milestonesOf,
    files,
  });
  return { outcome, virtualMs: endMs - days.launchAt };
}

/** Retries a read that can fail while a workflow has not run its first task yet. */
async function eventually<T>(read: () => Promise<T>, attempts = 50): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await read();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * The board and every task's state once the board has taken in each task's latest change
 * (tasks tell the campaign by signal, a moment after the change). A task signals only the
 * changes that move its board line (`TASK_BOOKKEEPING_PATCH`): seven of eight
 * acknowledgements change nothing the board shows, so the board's `seq` may stay behind the
 * task's for good. A line has caught up when it shows what the task's own summary shows.
 */
async function settled(
  campaign: ReturnType<DubanClient['campaign']>,
  stateOf: (n: number) => Promise<TaskState>,
  numbers: readonly number[],
): Promise<{ board: Awaited<ReturnType<typeof campaign.board>>; states: TaskState[] }> {
  for (let attempt = 1; ; attempt += 1) {
    const states = await Promise.all(numbers.map((n) => stateOf(n)));
    const board = await campaign.board();
    const behind = states.filter((s) => {
      const line = board.tasks.find((t) => t.taskNumber === s.taskNumber);
      return line === undefined || !showsState(line, s);
    });
    if (behind.length === 0) return { board, states };
    if (attempt >= 100) throw new Error(`The campaign's board did not catch up with tasks ${behind.map((s) => s.taskNumber).join(', ')} within 5 seconds.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The line's own fields, not the task's summary: the board sets them from the plan. */
const LINE_ONLY = new Set(['seq', 'at', 'workflowId', 'title', 'actionNumber']);

/** Whether the board line shows the task as its state does: the same seq, or every summary field but seq and at equal. */
function showsState(line: BoardTask, state: TaskState): boolean {
  if (line.seq === (state.timeline[state.timeline.length - 1]?.seq ?? 0)) return true;
  const summary = taskSummary(state, line) as unknown as Record<string, unknown>;
  const shown = line as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(summary), ...Object.keys(shown)].filter((key) => !LINE_ONLY.has(key)));
  return [...keys].every((key) => isDeepStrictEqual(summary[key], shown[key]));
}


/** How often a sleep checks that virtual time moves, and after how many still checks it steps in. */
const STUCK_CHECK_MS = 1_000;
const STUCK_CHECKS = 3;

/**
 * `env.sleep(ms)`, minding a defect of the time-skipping test server: when a task workflow
 * started as a child (a task an amendment added) finishes after its campaign continued as
 * new, the server keeps one lock on time skipping for good, and virtual time then only
 * crawls at wall-clock pace. Workflow work holds that lock for milliseconds; a sleep
 * whose virtual clock moved no faster than the wall clock for several seconds in a row is
 * that stuck lock, which one `unlockTimeSkipping` releases.
 */
async function sleepReleasingLeakedLock(testEnv: TestWorkflowEnvironment, fromMs: number, ms: number, trace: (what: string) => void): Promise<void> {
  let done = false;
  const sleeping = testEnv.sleep(ms).finally(() => {
    done = true;
  });
  let still = 0;
  let last = fromMs;
  while (!done) {
    await Promise.race([sleeping, new Promise((resolve) => setTimeout(resolve, STUCK_CHECK_MS))]);
    if (done) break;
    const now = await testEnv.currentTimeMs();
    still = now - last <= STUCK_CHECK_MS * 2 ? still + 1 : 0;
    last = now;
    if (still >= STUCK_CHECKS) {
      trace('virtual time is stuck at wall-clock pace: releasing the test server\'s leaked time-skipping lock');
      await testEnv.connection.testService?.unlockTimeSkipping({});
      still = 0;
    }
  }
  await sleeping;
}
