/**
 * A campaign launched from a stored plan keeps its input and carried state a few hundred
 * bytes whatever the plan's size: a run reads its units and roster from the stored plan,
 * or its board, roster and amendments from the snapshot the run before saved, and before
 * continuing as new it saves them again (formats in `campaign-storage.ts`). When to
 * continue as new lives here too: loading a large snapshot fills a run's history, so the
 * run counts only the events it added itself. Workflow code.
 */
import { allHandlersFinished, condition, continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CampaignStoreActivities } from '@duban/activities';
import type { LaunchProgress, TaskSummary } from './campaign-definitions';
import { addLine, hold, release, reported } from './campaign-board';
import type { CampaignRun } from './campaign-run';
import { boardLineOf, splitIntoParts, storedBoardLine, utf8Length, type CampaignSnapshot, type CampaignSnapshotRef, type StoredPlanSection } from './campaign-storage';
import { iso } from './decisions';
import type { Person, Unit } from './task/definitions';
import type { campaignWorkflow } from './campaign';

/**
 * The stored plan and the snapshots: quick retries at first (the launch stores the plan's
 * parts through the worker a moment before the campaign reads them), unlimited after (a
 * store that is down holds the campaign back; it never goes on without its board).
 */
const { loadStoredPlanSection, saveCampaignSnapshotPart, loadCampaignSnapshotPart, pruneCampaignSnapshots } = proxyActivities<CampaignStoreActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/** Roster entries or units read from the stored plan per activity. */
const SECTION_PAGE = 1000;

/**
 * When a campaign launched from a stored plan continues as new: Temporal's suggestion (at
 * 4 Ki events or 4 MiB) once the run has added this many events since it loaded its
 * state — a large campaign's snapshot alone can pass 4 MiB, and must not make every run
 * continue at once — or at the latest at {@link MAX_RUN_EVENTS}, under the server's
 * 10,240-event warning (and so under its 10,000 signals per run).
 */
const MIN_RUN_EVENTS = 1000;
const MAX_RUN_EVENTS = 8000;

/**
 * Summaries that arrive while the snapshot is saved are saved after it, in rounds (each
 * shorter than the one before), until at most this many are left: those travel in the
 * carried state, which so stays a few KB however busy the tasks are.
 */
const MAX_CARRIED_SUMMARIES = 8;
const MAX_LATE_ROUNDS = 20;

/**
 * Before continuing as new, how long the campaign waits for the tasks of its latest
 * batches to report: their first summaries then go into the snapshot instead of arriving
 * while it is saved, or while the run changes (a task's signal that reaches the campaign
 * between two runs is lost: "not found").
 */
const BATCH_REPORT_WAIT_MS = 30_000;

/** A section of the stored plan, a page at a time. */
async function loadSection<T>(run: CampaignRun, section: StoredPlanSection): Promise<T[]> {
  const { stored } = run;
  if (stored === undefined) return [];
  const items: T[] = [];
  for (;;) {
    const page = await loadStoredPlanSection({ hash: stored.hash, parts: stored.parts, section, from: items.length, count: SECTION_PAGE });
    items.push(...(page.items as T[]));
    if (items.length >= page.total || page.items.length === 0) return items;
  }
}

/** The state this run starts from: the previous run's snapshot, or the stored plan's units and roster. */
export async function loadState(run: CampaignRun): Promise<void> {
  const { input, workflowId, carried } = run;
  const ref = carried?.snapshot;
  if (ref !== undefined) {
    const snapshot = JSON.parse(await loadText(run, ref.runId, ref.parts)) as CampaignSnapshot;
    // Summaries saved after the snapshot, oldest round first: the newest of a task wins.
    for (const [round, parts] of (ref.late ?? []).entries()) {
      for (const summary of JSON.parse(await loadText(run, lateKey(ref.runId, round), parts)) as TaskSummary[]) hold(run, summary);
    }
    for (const line of snapshot.board) addLine(run, boardLineOf(input.planId, line));
    run.roster = snapshot.roster;
    run.units = snapshot.units;
    run.amendments.push(...snapshot.amendments);
    run.weekOpened.push(...snapshot.weekOpened);
    run.weekClosed.push(...snapshot.weekClosed);
    Object.assign(run.breakGlassSeen, snapshot.breakGlassSeen);
    run.breakGlassPending.push(...snapshot.breakGlassPending);
    if (snapshot.latestBulletin) run.bulletins.push(snapshot.latestBulletin);
    run.headlines.push(...snapshot.headlines);
    // Older snapshots served their runs; this one stays until the next run has loaded its successor.
    await pruneCampaignSnapshots({ workflowId, keepRunId: ref.runId });
  } else {
    [run.units, run.roster] = await Promise.all([loadSection<Unit>(run, 'units'), loadSection<Person>(run, 'roster')]);
  }
  run.unitCodes = new Set(run.units.map((u) => u.code));
  for (const summary of carried?.pending ?? []) hold(run, summary);
  run.ready = true;
  run.loadedAtLength = workflowInfo().historyLength;
  release(run);
}

/** A text saved under `key` in parts (`saveText`). */
async function loadText(run: CampaignRun, key: string, parts: number): Promise<string> {
  const { workflowId } = run;
  const loaded = await Promise.all(Array.from({ length: parts }, (_, part) => loadCampaignSnapshotPart({ workflowId, runId: key, part })));
  return loaded.map((p) => p.body).join('');
}

/** Saves a text under `key` in parts; returns how many. */
async function saveText(run: CampaignRun, key: string, text: string): Promise<number> {
  const { workflowId } = run;
  const parts = splitIntoParts(text);
  await Promise.all(parts.map((body, part) => saveCampaignSnapshotPart({ workflowId, runId: key, part, parts: parts.length, body })));
  return parts.length;
}

/**
 * Saves everything that grows with the campaign as a snapshot, then continues as new
 * carrying only where it is. Amendments are sent back and summaries held meanwhile, so
 * the snapshot is the state the next run starts from; the summaries that arrived while
 * it was saved are saved after it (MAX_CARRIED_SUMMARIES).
 */
export async function continueWithSnapshot(run: CampaignRun, launch?: LaunchProgress): Promise<never> {
  const { input, board, bulletins, held } = run;
  await condition(() => run.recentBatches.every((numbers) => reported(run, numbers)), BATCH_REPORT_WAIT_MS);
  run.saving = true;
  await condition(allHandlersFinished);
  // What arrived while the handlers finished goes into the snapshot; a summary of a task not on the board has no line to go to.
  release(run);
  held.clear();
  const latestBulletin = bulletins[bulletins.length - 1];
  const snapshot: CampaignSnapshot = {
    version: 1,
    board: board.map(storedBoardLine),
    roster: run.roster,
    units: run.units,
    amendments: run.amendments,
    weekOpened: run.weekOpened,
    weekClosed: run.weekClosed,
    breakGlassSeen: run.breakGlassSeen,
    breakGlassPending: run.breakGlassPending,
    ...(latestBulletin ? { latestBulletin } : {}),
    headlines: run.headlines,
  };
  const text = JSON.stringify(snapshot);
  const { runId } = workflowInfo();
  const parts = await saveText(run, runId, text);
  const late: number[] = [];
  while (held.size > MAX_CARRIED_SUMMARIES && late.length < MAX_LATE_ROUNDS) {
    const summaries = [...held.values()];
    held.clear();
    late.push(await saveText(run, lateKey(runId, late.length), JSON.stringify(summaries)));
  }
  const ref: CampaignSnapshotRef = { runId, parts, bytes: utf8Length(text), tasks: board.length, ...(late.length > 0 ? { late } : {}) };
  return continueAsNew<typeof campaignWorkflow>({
    ...input,
    tasks: [],
    endAt: iso(run.endAtMs),
    carried: {
      board: [],
      bulletins: [],
      bulletinCount: run.bulletinCount,
      amendments: [],
      nextDispatchAt: iso(run.nextDispatchAt),
      periodStart: run.periodStart,
      weekOpened: [],
      weekClosed: [],
      snapshot: ref,
      ...(held.size > 0 ? { pending: [...held.values()] } : {}),
      ...(launch ? { launch } : {}),
      ...(run.auditChain ? { auditChain: run.auditChain } : {}),
    },
  });
}

/** Where the summaries of late round `round` after run `runId`'s snapshot are saved. */
function lateKey(runId: string, round: number): string {
  return `${runId}/late-${round + 1}`;
}

export function shouldContinueAsNew(run: CampaignRun): boolean {
  const { input, stored } = run;
  const info = workflowInfo();
  const limit = input.continueAsNewAtHistoryLength;
  if (stored === undefined) return info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
  // Loading the snapshot fills the history too: a run continues only once it has done work of its own.
  const grown = info.historyLength - run.loadedAtLength;
  if (limit !== undefined) return info.historyLength >= limit && grown >= Math.ceil(limit / 2);
  return (info.continueAsNewSuggested && grown >= MIN_RUN_EVENTS) || info.historyLength >= MAX_RUN_EVENTS;
}
