/**
 * The campaign workflow: one per launched plan, headquarters' view (指挥部). It starts the
 * plan's task workflows, keeps a live board from their summaries, takes amendments while
 * running, sends the weekly dispatch bulletin (周调度通报) and rolls up the assessment by
 * unit at the end. Decisions live in `campaign-decisions.ts`.
 *
 * A campaign launched from a stored plan (`input.plan`, every launch since) has an input
 * and a carried state of the same few hundred bytes whatever its size: it reads its units
 * and roster from the stored plan, has the worker start its tasks a batch at a time, and
 * before continuing as new saves its board, roster and amendments as a snapshot the next
 * run loads (`campaign-storage.ts`). Campaigns launched before carry everything in their
 * input and state, as they always did, and start their tasks as abandoned children.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type SearchAttributePair } from '@temporalio/common';
import type { AuditEntryInput, CampaignStoreActivities, DubanActivities, NotificationInput, NotificationRecipient } from '@duban/activities';
import { HQ_ROLES, messageOf, NOTICE_DELIVERY, SYSTEM_ACTOR, TASK_WORKFLOW_TYPE, taskWorkflowId } from '@duban/common';
import { AUDIT_CHAIN_PATCH, chainEntry, type AuditChainHead } from './audit-chain';
import {
  amendmentOverLimit,
  amendPlanUpdate,
  amendTaskSignal,
  BOARD_PAGE_SIZE,
  boardQuery,
  bulletinHeadline,
  bulletinsQuery,
  campaignAssessmentQuery,
  CampaignErrorCode,
  MAX_KEPT_BULLETINS,
  MAX_LISTED_ALREADY_RUNNING,
  rosterQuery,
  taskChangedSignal,
  type AmendmentRecord,
  type BoardQueryOptions,
  type BoardTask,
  type BreakGlassAct,
  type Bulletin,
  type BulletinHeadline,
  type CampaignLaunchActivities,
  type CampaignResult,
  type CampaignWorkflowInput,
  type EscalationMove,
  type LaunchProgress,
  type PlanAmendment,
  type ReassignLeads,
  type TaskSummary,
} from './campaign-definitions';
import {
  amendmentOutcome,
  applySummaryTo,
  BULLETIN_CANCELLED_APART_PATCH,
  buildBulletin,
  collectBreakGlass,
  initialBoardTask,
  isFinished,
  nextDispatchAtMs,
  refuseAmendment,
  rollUp,
  rosterOfRecord,
  taskChanges,
  taskFromRoster,
  taskPeopleFromRoster,
  unitCounts,
  type TaskChange,
} from './campaign-decisions';
import { applyRosterChanges, changesRoster, refuseSigner } from './campaign-roster';
import { boardLineOf, splitIntoParts, storedBoardLine, TASK_BATCH_SIZE, utf8Length, type CampaignSnapshot, type CampaignSnapshotRef, type StoredPlanSection } from './campaign-storage';
import { iso, ms } from './decisions';
import { fail } from './failure';
import type { Person, TaskWorkflowInput, Unit } from './task/definitions';
import { DELIVERY_LANES_PATCH, noticeFailure } from './task/outbox';
import { planSearchAttribute, primaryLeadSearchAttribute, taskNumberSearchAttribute } from './task/search-attributes';
import type { taskWorkflow } from './task/workflow';

// Unlimited retries: a bulletin or an amendment's audit entry waits for a store that is
// down rather than being lost; the idempotency keys make every retry harmless.
const { appendAudit, notify } = proxyActivities<DubanActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * The bulletin's delivery since `DELIVERY_LANES_PATCH`: as many attempts as a task's
 * notice gets in all its rounds (`NOTICE_DELIVERY`), then it is recorded as failed and the
 * campaign goes on. (Unlimited retries sent a slow receiver the same bulletin without end,
 * and a rejection failed the campaign.)
 */
const { notify: notifyBounded } = proxyActivities<DubanActivities>({
  startToCloseTimeout: NOTICE_DELIVERY.activityTimeoutMs,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: NOTICE_DELIVERY.attemptsPerRound * NOTICE_DELIVERY.rounds },
});

/**
 * The stored plan and the snapshots: quick retries at first (the launch stores the plan's
 * parts through the worker a moment before the campaign reads them), unlimited after (a
 * store that is down holds the campaign back; it never goes on without its board).
 */
const { loadStoredPlanSection, saveCampaignSnapshotPart, loadCampaignSnapshotPart, pruneCampaignSnapshots } = proxyActivities<CampaignStoreActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/** Starting a batch of tasks takes a client call per task: minutes on a busy server, at worst. */
const { startTaskBatch } = proxyActivities<CampaignLaunchActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
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

/**
 * The launch's backpressure: a batch is started once the batch before the last one has
 * reported (or after this long), so two batches are in flight and the worker is never
 * handed thousands of tasks it has not run yet.
 */
const LAUNCH_BACKPRESSURE_MS = 60_000;

/**
 * One signal per task and amendment: a task takes one signal per amendment id, so an
 * amendment that moved and reassigned the same task lost the second change. Histories
 * recorded before send the signals one per change.
 */
export const ONE_SIGNAL_PER_TASK_PATCH = 'duban-amendment-one-signal-per-task';

export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignResult> {
  const { workflowId } = workflowInfo();
  const carried = input.carried;
  // Decided once, before the first command (see the task workflow): runs recorded before
  // them replay unchained entries and unbounded bulletins.
  const chained = patched(AUDIT_CHAIN_PATCH);
  const boundedNotices = patched(DELIVERY_LANES_PATCH);
  let auditChain: AuditChainHead | undefined = carried?.auditChain;
  let lastAudit: Promise<unknown> = Promise.resolve();
  const board: BoardTask[] = carried ? carried.board : [];
  const bulletins: Bulletin[] = carried ? carried.bulletins : [];
  let bulletinCount = carried?.bulletinCount ?? 0;
  const amendments: AmendmentRecord[] = carried ? carried.amendments : [];
  // Launched from a stored plan: units, roster and board come from the store, not the input.
  const stored = input.plan;
  let units: Unit[] = input.units;
  // Until the run has loaded its state, summaries wait and amendments are sent back.
  let ready = stored === undefined;
  let saving = false;
  let launching = false;
  /** Board lines by task number (a campaign may hold thousands). */
  const lines = new Map<number, BoardTask>();
  /** Summaries of tasks the board cannot take yet (state loading, snapshot saving, batch not returned): the newest per task. */
  const held = new Map<number, TaskSummary>();
  /** The tasks this run started in its latest two launch batches (those found running left out: they do not report). */
  const recentBatches: number[][] = [];
  const reported = (numbers: readonly number[]) => numbers.every((n) => (lines.get(n)?.seq ?? 1) > 0);
  const headlines: BulletinHeadline[] = [];
  // History length once this run's state was loaded: see MIN_RUN_EVENTS.
  let loadedAtLength = 0;
  const firstDispatchMs = ms(input.dispatch.firstAt);
  let nextDispatchAt = carried ? ms(carried.nextDispatchAt) : nextDispatchAtMs(firstDispatchMs, input.dispatch.intervalMs, Date.now() - 1);
  let periodStart = carried?.periodStart ?? iso(Date.now());
  const weekOpened: EscalationMove[] = carried ? carried.weekOpened : [];
  const weekClosed: EscalationMove[] = carried ? carried.weekClosed : [];
  let unitCodes = new Set(units.map((u) => u.code));
  // Moved later by an amendment (extendCampaignTo); carried across continue-as-new as `endAt`.
  let endAtMs = ms(input.endAt);
  let ended = false;
  // The roster of record: tasks take their people from it, amendments are authorised by it.
  let roster: Person[] = carried?.roster ?? rosterOfRecord(input);
  const hqIds = new Set(input.hq.map((p) => p.id));
  const breakGlassSeen: Record<string, number> = { ...(carried?.breakGlassSeen ?? {}) };
  const breakGlassPending: BreakGlassAct[] = carried?.breakGlassPending ? [...carried.breakGlassPending] : [];

  const base = () => ({ at: iso(Date.now()), planId: input.planId, taskNumber: 0, workflowId });
  const hqRole = HQ_ROLES[0];
  const hqRecipients = (): NotificationRecipient[] =>
    input.hq.length > 0 ? input.hq.map((p) => ({ person: p.id, unit: p.unit, role: p.roles[0] ?? hqRole })) : [{ role: hqRole }];
  const finished = () => !launching && board.length > 0 && board.every(isFinished);
  for (const line of board) lines.set(line.taskNumber, line);
  const addLine = (line: BoardTask) => {
    board.push(line);
    lines.set(line.taskNumber, line);
  };

  /**
   * Writes one of the campaign's own audit entries. A chained entry is linked here, and
   * written after the one before it (an amendment and a bulletin may write at once), so
   * the store's order follows the chain.
   */
  function audit(entry: AuditEntryInput): Promise<unknown> {
    if (!chained) return appendAudit(entry);
    const linked = chainEntry(auditChain, entry);
    auditChain = linked.head;
    const written = lastAudit.then(() => appendAudit(linked.entry));
    // The next entry waits for this one however it ends; a failure reaches this entry's own caller.
    lastAudit = written.catch(() => undefined);
    return written;
  }

  /** Tells HQ; since the patch within bounds, recording a notice that did not arrive instead of failing the campaign. */
  function notifyHq(notification: NotificationInput): Promise<unknown> {
    if (!boundedNotices) return notify(notification);
    return notifyBounded(notification).catch((err: unknown) => {
      if (isCancellation(err)) throw err;
      const { idempotencyKey, at, recipients, notice } = notification;
      return audit({
        ...base(),
        idempotencyKey: `${idempotencyKey}:failed`,
        actor: SYSTEM_ACTOR,
        event: 'notification.failed',
        details: { kind: notice.kind, idempotencyKey, at, recipients, ...noticeFailure(err) },
      });
    });
  }

  // ------------------------------------------------------------------ board

  function takeSummary(summary: TaskSummary): void {
    collectBreakGlass(summary, breakGlassSeen, breakGlassPending);
    const { opened, closed } = applySummaryTo(lines.get(summary.taskNumber), summary);
    weekOpened.push(...opened);
    weekClosed.push(...closed);
  }

  /** Keeps the newest summary of a task the board cannot take now: summaries are cumulative, so the newest says everything. */
  function hold(summary: TaskSummary): void {
    const earlier = held.get(summary.taskNumber);
    if (earlier === undefined || earlier.seq < summary.seq) held.set(summary.taskNumber, summary);
  }

  /** Applies the held summaries whose tasks are on the board now. */
  function release(): void {
    for (const [taskNumber, summary] of held) {
      if (!lines.has(taskNumber)) continue;
      held.delete(taskNumber);
      takeSummary(summary);
    }
  }

  setHandler(taskChangedSignal, (summary) => {
    // Campaigns launched before the stored plan ignore a summary of a task not on the board, as they did.
    if (stored !== undefined && (!ready || saving || !lines.has(summary.taskNumber))) hold(summary);
    else takeSummary(summary);
  });

  setHandler(boardQuery, (options?: BoardQueryOptions) => {
    const tasks = [...board].sort((a, b) => a.taskNumber - b.taskNumber);
    // One answer is one payload: a board of thousands of tasks is read a page at a time.
    const paged = options !== undefined || tasks.length > BOARD_PAGE_SIZE;
    const offset = Math.max(0, Math.floor(Number(options?.offset ?? 0)) || 0);
    const limit = Math.min(BOARD_PAGE_SIZE, Math.max(1, Math.floor(Number(options?.limit ?? BOARD_PAGE_SIZE)) || BOARD_PAGE_SIZE));
    return {
      planId: input.planId,
      planTitle: input.planTitle,
      campaignYear: input.campaignYear,
      timeZone: input.timeZone,
      updatedAt: board.reduce((latest, t) => (t.at > latest ? t.at : latest), ''),
      status: ended ? 'completed' : 'running',
      tasks: paged ? tasks.slice(offset, offset + limit) : tasks,
      counts: unitCounts(board),
      amendments,
      ...(paged ? { page: { offset, limit, total: tasks.length } } : {}),
      ...(ended ? {} : { nextDispatchAt: iso(nextDispatchAt) }),
      ...(auditChain ? { auditChain } : {}),
    };
  });

  setHandler(bulletinsQuery, () => ({
    ...(bulletins.length > 0 ? { latest: bulletins[bulletins.length - 1] } : {}),
    preview: buildBulletin({ board, number: 0, at: iso(Date.now()), periodStart, opened: weekOpened, closed: weekClosed, breakGlass: breakGlassPending }),
    kept: bulletins,
    ...(stored !== undefined ? { headlines } : {}),
  }));

  setHandler(campaignAssessmentQuery, () => rollUp(board));
  setHandler(rosterQuery, () => roster);

  async function startTask(task: TaskWorkflowInput): Promise<'started' | 'existing'> {
    const id = taskWorkflowId(input.planId, task.taskNumber);
    const typedSearchAttributes: SearchAttributePair[] = [
      { key: planSearchAttribute, value: input.planId },
      { key: taskNumberSearchAttribute, value: task.taskNumber },
      { key: primaryLeadSearchAttribute, value: task.primaryLead },
    ];
    try {
      await startChild<typeof taskWorkflow>(TASK_WORKFLOW_TYPE, {
        workflowId: id,
        args: [{ ...task, campaignWorkflowId: workflowId }],
        // Tasks outlive the campaign's run (continue-as-new) and its end: each is its own record.
        parentClosePolicy: 'ABANDON',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        ...(input.searchAttributes === false ? {} : { typedSearchAttributes }),
      });
      return 'started';
    } catch (err) {
      // Started before the campaign (e.g. `startTask`): it runs on, without board updates.
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        log.warn('Task workflow already existed; the campaign does not start it again', { workflowId: id });
        return 'existing';
      }
      throw err;
    }
  }

  // ------------------------------------------------------------------ amendments

  function requireRunning(): void {
    if (ended) fail(CampaignErrorCode.CAMPAIGN_ENDED, `The campaign of plan ${input.planId} has ended; it takes no more amendments.`, {});
  }

  const applied = (amendment: PlanAmendment) => amendments.some((a) => a.amendmentId === amendment.amendmentId);

  /** The state rules of a new amendment, judged in the validator and again in the handler (another amendment may have been applied since). */
  function refusal(amendment: PlanAmendment): void {
    const refused = refuseAmendment(amendment, { planId: input.planId, board, unitCodes, nowMs: Date.now(), roster, endAtMs });
    if (refused) fail(refused.code, refused.message, refused.details);
  }

  /**
   * Who may amend: checked in the validator only, which does not run on replay, so
   * recorded histories replay whatever the identity rules become. The signer must be an
   * HQ office member of the roster of record, never of a file the caller holds.
   */
  function validate(amendment: PlanAmendment): void {
    requireRunning();
    if (!ready || saving || launching) {
      const doing = launching ? `still starting its tasks (${board.length} of ${stored?.tasks ?? board.length})` : 'between two runs (continuing as new)';
      fail(CampaignErrorCode.CONTINUING_AS_NEW, `The campaign of plan ${input.planId} is ${doing}: send the same amendment again in a moment.`, {});
    }
    if (typeof amendment !== 'object' || amendment === null || typeof amendment.actor !== 'string') {
      fail(CampaignErrorCode.INVALID_AMENDMENT, 'The amendment must be an object naming its actor (the HQ office member who issues it).', {});
    }
    // A retry of an applied amendment is answered by the handler (applied: false) before
    // its proof is checked: it changes nothing, so it needs no fresh proof (its signature
    // may have aged past maxAgeMs since).
    if (applied(amendment)) return;
    const overLimit = amendmentOverLimit(amendment);
    if (overLimit) {
      const { message, ...details } = overLimit;
      fail(CampaignErrorCode.INVALID_AMENDMENT, `Amendment ${String(amendment.amendmentId).slice(0, 128)}: ${message} (AMENDMENT_LIMITS); split it into several amendments or shorten it.`, details);
    }
    const unauthorised = refuseSigner(amendment, { workflowId, message: amendPlanUpdate.name, roster, identity: input.identity, nowMs: Date.now() });
    if (unauthorised) fail(unauthorised.code, unauthorised.message, unauthorised.details);
    refusal(amendment);
  }

  setHandler(
    amendPlanUpdate,
    async (amendment) => {
      if (applied(amendment)) return amendmentOutcome(amendment, false);
      requireRunning();
      refusal(amendment);
      const outcome = amendmentOutcome(amendment, true);
      const at = iso(Date.now());
      // Roster, end and board change at once, so a concurrent amendment is judged against them.
      const keys = changesRoster(amendment.roster) && amendment.roster ? applyRosterChanges(roster, amendment.roster, at) : undefined;
      if (keys) roster = keys.roster;
      const endedAt = iso(endAtMs);
      if (amendment.extendCampaignTo !== undefined) endAtMs = ms(amendment.extendCampaignTo);
      const proof = amendment.proof;
      amendments.push({
        amendmentId: amendment.amendmentId,
        at,
        actor: amendment.actor,
        reason: amendment.reason,
        added: outcome.added,
        moved: outcome.moved,
        reassigned: outcome.reassigned,
        ...(proof ? { signedBy: { signer: proof.signer, keyId: proof.keyId } } : {}),
        ...(keys ? { keys: { issued: keys.issued, revoked: keys.revoked } } : {}),
        ...(amendment.extendCampaignTo !== undefined ? { extendedTo: iso(endAtMs) } : {}),
      });
      const facts = { roster, planWide: hqIds, units, campaignEndAt: iso(endAtMs), ...(input.identity ? { identity: input.identity } : {}) };
      const added = amendment.addTasks.map((task) => taskFromRoster(task, facts));
      for (const task of added) addLine(initialBoardTask(task, taskWorkflowId(input.planId, task.taskNumber), at));
      const sends: Promise<unknown>[] = added.map(startTask);
      const tell = (taskNumber: number, change: TaskChange) =>
        getExternalWorkflowHandle(taskWorkflowId(input.planId, taskNumber)).signal(amendTaskSignal, {
          amendmentId: amendment.amendmentId,
          actor: amendment.actor,
          ...change,
        }).catch((err: unknown) => {
          // The board may lag: a task that finished meanwhile takes no amendment, and the
          // others must still get theirs, so a failed signal is logged, not thrown.
          log.warn('Could not deliver an amendment to a task', { taskNumber, amendmentId: amendment.amendmentId, error: messageOf(err) });
        });
      for (const move of amendment.moveDeadlines) {
        const line = lines.get(move.taskNumber);
        if (line) line.deadlineAt = move.deadlineAt;
      }
      for (const change of amendment.reassign) {
        const line = lines.get(change.taskNumber);
        if (line) {
          line.primaryLead = change.primaryLead;
          line.assistingLeads = [...change.assistingLeads];
        }
      }
      // The new lead units' people come from the roster of record, never from the request.
      const leads = (change: ReassignLeads) => {
        const leadUnits = [change.primaryLead, ...change.assistingLeads];
        return {
          primaryLead: change.primaryLead,
          assistingLeads: change.assistingLeads,
          people: taskPeopleFromRoster(roster, leadUnits, hqIds),
          units: units.filter((u) => leadUnits.includes(u.code)),
        };
      };
      const everyTaskChange = {
        ...(keys ? { roster: keys.changed } : {}),
        ...(amendment.extendCampaignTo !== undefined ? { campaignEndAt: iso(endAtMs) } : {}),
      };
      const running = board.filter((t) => !isFinished(t) && !outcome.added.includes(t.taskNumber)).map((t) => t.taskNumber);
      const everyTask = Object.keys(everyTaskChange).length > 0 ? { tasks: running, change: everyTaskChange } : undefined;
      const signals = taskChanges(amendment, leads, everyTask, patched(ONE_SIGNAL_PER_TASK_PATCH));
      sends.push(...signals.map(({ taskNumber, change }) => tell(taskNumber, change)));
      await Promise.all(sends);
      await audit({
        ...base(),
        idempotencyKey: `${workflowId}:amendment:${amendment.amendmentId}`,
        actor: amendment.actor,
        event: 'campaign.amended',
        details: {
          amendmentId: amendment.amendmentId,
          reason: amendment.reason,
          added: added.map((t) => ({ taskNumber: t.taskNumber, title: t.title, primaryLead: t.primaryLead, deadlineAt: t.deadlineAt })),
          moved: amendment.moveDeadlines,
          reassigned: amendment.reassign.map(({ people: _people, ...r }) => r),
          // Key ids only: public keys are in the roster, private keys never leave their holders.
          ...(keys ? { keys: { issued: keys.issued, revoked: keys.revoked } } : {}),
          ...(amendment.extendCampaignTo !== undefined ? { campaignEnd: { from: endedAt, to: iso(endAtMs) } } : {}),
          // The record proves who amended: signer, key and signature.
          ...(proof ? { proof } : {}),
        },
      });
      return outcome;
    },
    { validator: validate },
  );

  // ------------------------------------------------------------------ dispatch (周调度)

  async function dispatch(): Promise<void> {
    bulletinCount += 1;
    const bulletin = buildBulletin({
      board,
      number: bulletinCount,
      at: iso(Date.now()),
      periodStart,
      opened: weekOpened,
      closed: weekClosed,
      breakGlass: breakGlassPending,
      // Histories from before count a cancelled task under its light: replay rebuilds their bulletins (chained audit entries) as they were.
      cancelledApart: patched(BULLETIN_CANCELLED_APART_PATCH),
    });
    bulletins.push(bulletin);
    bulletins.splice(0, Math.max(0, bulletins.length - MAX_KEPT_BULLETINS));
    if (stored !== undefined) {
      headlines.push(bulletinHeadline(bulletin));
      headlines.splice(0, Math.max(0, headlines.length - MAX_KEPT_BULLETINS));
    }
    weekOpened.length = 0;
    weekClosed.length = 0;
    breakGlassPending.length = 0;
    // The render step names who acted for whom: the names of both, from the roster of record.
    const named = new Set((bulletin.breakGlass ?? []).flatMap((act) => [act.signer, act.actor]));
    const people = Object.fromEntries(roster.filter((p) => named.has(p.id)).map((p) => [p.id, p.name]));
    periodStart = bulletin.at;
    const key = `${workflowId}:bulletin:${bulletin.number}`;
    // Facts only: the notifier renders the bulletin, with the unit names given here.
    await notifyHq({
      ...base(),
      idempotencyKey: key,
      recipients: hqRecipients(),
      notice: {
        kind: 'bulletin',
        plan: { id: input.planId, title: input.planTitle },
        names: {
          units: Object.fromEntries(units.map((u) => [u.code, u.name])),
          unitsEn: Object.fromEntries(units.filter((u) => u.en).map((u) => [u.code, u.en])),
          ...(named.size > 0 ? { people } : {}),
        },
        // The plan's zone and language, for the render step; never formatted here.
        settings: { timeZone: input.timeZone, ...(input.lang ? { lang: input.lang } : {}) },
        bulletin,
      },
    });
    await audit({ ...base(), idempotencyKey: key, actor: SYSTEM_ACTOR, event: 'campaign.bulletin', details: { ...bulletin } });
  }

  // ------------------------------------------------------------------ stored plan and snapshot

  /** A section of the stored plan, a page at a time. */
  async function loadSection<T>(section: StoredPlanSection): Promise<T[]> {
    if (stored === undefined) return [];
    const items: T[] = [];
    for (;;) {
      const page = await loadStoredPlanSection({ hash: stored.hash, parts: stored.parts, section, from: items.length, count: SECTION_PAGE });
      items.push(...(page.items as T[]));
      if (items.length >= page.total || page.items.length === 0) return items;
    }
  }

  /** The state this run starts from: the previous run's snapshot, or the stored plan's units and roster. */
  async function loadState(): Promise<void> {
    const ref = carried?.snapshot;
    if (ref !== undefined) {
      const snapshot = JSON.parse(await loadText(ref.runId, ref.parts)) as CampaignSnapshot;
      // Summaries saved after the snapshot, oldest round first: the newest of a task wins.
      for (const [round, parts] of (ref.late ?? []).entries()) {
        for (const summary of JSON.parse(await loadText(lateKey(ref.runId, round), parts)) as TaskSummary[]) hold(summary);
      }
      for (const line of snapshot.board) addLine(boardLineOf(input.planId, line));
      roster = snapshot.roster;
      units = snapshot.units;
      amendments.push(...snapshot.amendments);
      weekOpened.push(...snapshot.weekOpened);
      weekClosed.push(...snapshot.weekClosed);
      Object.assign(breakGlassSeen, snapshot.breakGlassSeen);
      breakGlassPending.push(...snapshot.breakGlassPending);
      if (snapshot.latestBulletin) bulletins.push(snapshot.latestBulletin);
      headlines.push(...snapshot.headlines);
      // Older snapshots served their runs; this one stays until the next run has loaded its successor.
      await pruneCampaignSnapshots({ workflowId, keepRunId: ref.runId });
    } else {
      [units, roster] = await Promise.all([loadSection<Unit>('units'), loadSection<Person>('roster')]);
    }
    unitCodes = new Set(units.map((u) => u.code));
    for (const summary of carried?.pending ?? []) hold(summary);
    ready = true;
    loadedAtLength = workflowInfo().historyLength;
    release();
  }

  /** A text saved under `key` in parts (`saveText`). */
  async function loadText(key: string, parts: number): Promise<string> {
    const loaded = await Promise.all(Array.from({ length: parts }, (_, part) => loadCampaignSnapshotPart({ workflowId, runId: key, part })));
    return loaded.map((p) => p.body).join('');
  }

  /** Saves a text under `key` in parts; returns how many. */
  async function saveText(key: string, text: string): Promise<number> {
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
  async function continueWithSnapshot(launch?: LaunchProgress): Promise<never> {
    await condition(() => recentBatches.every(reported), BATCH_REPORT_WAIT_MS);
    saving = true;
    await condition(allHandlersFinished);
    // What arrived while the handlers finished goes into the snapshot; a summary of a task not on the board has no line to go to.
    release();
    held.clear();
    const latestBulletin = bulletins[bulletins.length - 1];
    const snapshot: CampaignSnapshot = {
      version: 1,
      board: board.map(storedBoardLine),
      roster,
      units,
      amendments,
      weekOpened,
      weekClosed,
      breakGlassSeen,
      breakGlassPending,
      ...(latestBulletin ? { latestBulletin } : {}),
      headlines,
    };
    const text = JSON.stringify(snapshot);
    const { runId } = workflowInfo();
    const parts = await saveText(runId, text);
    const late: number[] = [];
    while (held.size > MAX_CARRIED_SUMMARIES && late.length < MAX_LATE_ROUNDS) {
      const summaries = [...held.values()];
      held.clear();
      late.push(await saveText(lateKey(runId, late.length), JSON.stringify(summaries)));
    }
    const ref: CampaignSnapshotRef = { runId, parts, bytes: utf8Length(text), tasks: board.length, ...(late.length > 0 ? { late } : {}) };
    return continueAsNew<typeof campaignWorkflow>({
      ...input,
      tasks: [],
      endAt: iso(endAtMs),
      carried: {
        board: [],
        bulletins: [],
        bulletinCount,
        amendments: [],
        nextDispatchAt: iso(nextDispatchAt),
        periodStart,
        weekOpened: [],
        weekClosed: [],
        snapshot: ref,
        ...(held.size > 0 ? { pending: [...held.values()] } : {}),
        ...(launch ? { launch } : {}),
        ...(auditChain ? { auditChain } : {}),
      },
    });
  }

  /** Starts the stored plan's tasks a batch at a time, from where an earlier run stopped. */
  async function launchStored(): Promise<void> {
    if (stored === undefined) return;
    const progress: LaunchProgress | undefined = carried ? carried.launch : { next: 0, alreadyRunning: [], alreadyRunningCount: 0 };
    if (progress === undefined) return;
    launching = true;
    const { firstExecutionRunId, taskQueue } = workflowInfo();
    while (progress.next < stored.tasks) {
      if (progress.next > 0 && shouldContinueAsNew()) await continueWithSnapshot(progress);
      const beforeLast = recentBatches.length >= 2 ? recentBatches[0] : undefined;
      if (beforeLast !== undefined) await condition(() => reported(beforeLast), LAUNCH_BACKPRESSURE_MS);
      const count = Math.min(TASK_BATCH_SIZE, stored.tasks - progress.next);
      const batch = await startTaskBatch({
        planId: input.planId,
        plan: stored,
        from: progress.next,
        count,
        campaignWorkflowId: workflowId,
        launchId: firstExecutionRunId,
        taskQueue,
        searchAttributes: input.searchAttributes !== false,
      });
      const at = iso(Date.now());
      for (const seed of batch.tasks) addLine(initialBoardTask(seed, taskWorkflowId(input.planId, seed.taskNumber), at));
      recentBatches.push(batch.tasks.map((t) => t.taskNumber).filter((n) => !batch.alreadyRunning.includes(n)));
      recentBatches.splice(0, Math.max(0, recentBatches.length - 2));
      release();
      progress.alreadyRunning.push(...batch.alreadyRunning.slice(0, Math.max(0, MAX_LISTED_ALREADY_RUNNING - progress.alreadyRunning.length)));
      progress.alreadyRunningCount += batch.alreadyRunning.length;
      progress.next += count;
    }
    launching = false;
    await audit({
      ...base(),
      idempotencyKey: `${workflowId}:launched`,
      actor: SYSTEM_ACTOR,
      event: 'campaign.launched',
      details: {
        tasks: board.map((t) => t.taskNumber),
        alreadyRunning: progress.alreadyRunning,
        ...(progress.alreadyRunningCount > progress.alreadyRunning.length ? { alreadyRunningCount: progress.alreadyRunningCount } : {}),
        plan: { hash: stored.hash, parts: stored.parts, tasks: stored.tasks },
        firstDispatchAt: input.dispatch.firstAt,
        endAt: input.endAt,
      },
    });
  }

  // ------------------------------------------------------------------ run

  if (stored !== undefined) {
    await loadState();
    await launchStored();
  } else if (!carried) {
    const at = iso(Date.now());
    for (const task of input.tasks) addLine(initialBoardTask(task, taskWorkflowId(input.planId, task.taskNumber), at));
    const outcomes = await Promise.all(input.tasks.map(startTask));
    await audit({
      ...base(),
      idempotencyKey: `${workflowId}:launched`,
      actor: SYSTEM_ACTOR,
      event: 'campaign.launched',
      details: {
        tasks: input.tasks.map((t) => t.taskNumber),
        alreadyRunning: input.tasks.filter((_, i) => outcomes[i] === 'existing').map((t) => t.taskNumber),
        firstDispatchAt: input.dispatch.firstAt,
        endAt: input.endAt,
      },
    });
  }

  let endedBy: CampaignResult['endedBy'];
  for (;;) {
    if (finished()) {
      endedBy = 'all-finished';
      break;
    }
    if (Date.now() >= endAtMs) {
      endedBy = 'campaign-end';
      break;
    }
    if (Date.now() >= nextDispatchAt) {
      await dispatch();
      nextDispatchAt = nextDispatchAtMs(firstDispatchMs, input.dispatch.intervalMs, Date.now());
      continue;
    }
    if (shouldContinueAsNew()) {
      if (stored !== undefined) await continueWithSnapshot();
      await condition(allHandlersFinished);
      await continueAsNew<typeof campaignWorkflow>({
        ...input,
        tasks: [],
        endAt: iso(endAtMs),
        carried: {
          board,
          bulletins,
          bulletinCount,
          amendments,
          nextDispatchAt: iso(nextDispatchAt),
          periodStart,
          weekOpened,
          weekClosed,
          roster,
          breakGlassSeen,
          breakGlassPending,
          ...(auditChain ? { auditChain } : {}),
        },
      });
    }
    await condition(() => finished() || shouldContinueAsNew(), Math.max(Math.min(nextDispatchAt, endAtMs) - Date.now(), 1));
  }

  ended = true;
  await condition(allHandlersFinished);
  const assessment = rollUp(board);
  await audit({ ...base(), idempotencyKey: `${workflowId}:ended`, actor: SYSTEM_ACTOR, event: 'campaign.ended', details: { endedBy, assessment } });
  return { planId: input.planId, endedBy, endedAt: iso(Date.now()), assessment, bulletins: bulletinCount, amendments: amendments.length };

  /** Where the summaries of late round `round` after run `runId`'s snapshot are saved. */
  function lateKey(runId: string, round: number): string {
    return `${runId}/late-${round + 1}`;
  }

  function shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    const limit = input.continueAsNewAtHistoryLength;
    if (stored === undefined) return info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
    // Loading the snapshot fills the history too: a run continues only once it has done work of its own.
    const grown = info.historyLength - loadedAtLength;
    if (limit !== undefined) return info.historyLength >= limit && grown >= Math.ceil(limit / 2);
    return (info.continueAsNewSuggested && grown >= MIN_RUN_EVENTS) || info.historyLength >= MAX_RUN_EVENTS;
  }
}
