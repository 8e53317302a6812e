/**
 * One run of the campaign workflow as its parts share it: the board, bulletins,
 * amendments and roster of record it keeps, where the dispatch (周调度) and the campaign's
 * end stand, and the campaign's own audit trail. The launch, the snapshot, the dispatch
 * and the amendments each live in a file of their own (`campaign-*.ts`) and work on this
 * one record, so that a summary, an amendment and a bulletin see each other's changes at
 * once, as they did when the workflow was one function. Workflow code.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AuditEntryInput, DubanActivities } from '@duban/activities';
import { chainEntry, type AuditChainHead } from './audit-chain';
import type {
  AmendmentRecord,
  BoardTask,
  BreakGlassAct,
  Bulletin,
  BulletinHeadline,
  CampaignCarriedState,
  CampaignWorkflowInput,
  EscalationMove,
  TaskSummary,
} from './campaign-definitions';
import { nextDispatchAtMs, rosterOfRecord } from './campaign-decisions';
import type { StoredPlanRef } from './campaign-storage';
import { iso, ms } from './decisions';
import type { Person, Unit } from './task/definitions';

// Unlimited retries: a bulletin or an amendment's audit entry waits for a store that is
// down rather than being lost; the idempotency keys make every retry harmless.
const { appendAudit, notify } = proxyActivities<DubanActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/** The bulletin's delivery in histories recorded before `DELIVERY_LANES_PATCH` (`campaign-dispatch.ts`). */
export { notify };

/** The patches a run decides once, before its first command (see `campaignWorkflow`). */
export interface CampaignRunPatches {
  /** Runs recorded before `AUDIT_CHAIN_PATCH` replay unchained entries. */
  chained: boolean;
  /** Runs recorded before `DELIVERY_LANES_PATCH` replay unbounded bulletins. */
  boundedNotices: boolean;
}

export class CampaignRun {
  readonly input: CampaignWorkflowInput;
  readonly workflowId: string;
  readonly carried: CampaignCarriedState | undefined;
  readonly chained: boolean;
  readonly boundedNotices: boolean;
  auditChain: AuditChainHead | undefined;
  lastAudit: Promise<unknown> = Promise.resolve();
  readonly board: BoardTask[];
  readonly bulletins: Bulletin[];
  bulletinCount: number;
  readonly amendments: AmendmentRecord[];
  // Launched from a stored plan: units, roster and board come from the store, not the input.
  readonly stored: StoredPlanRef | undefined;
  units: Unit[];
  // Until the run has loaded its state, summaries wait and amendments are sent back.
  ready: boolean;
  saving = false;
  launching = false;
  /** Board lines by task number (a campaign may hold thousands). */
  readonly lines = new Map<number, BoardTask>();
  /** Summaries of tasks the board cannot take yet (state loading, snapshot saving, batch not returned): the newest per task. */
  readonly held = new Map<number, TaskSummary>();
  /** The tasks this run started in its latest two launch batches (those found running left out: they do not report). */
  readonly recentBatches: number[][] = [];
  readonly headlines: BulletinHeadline[] = [];
  // History length once this run's state was loaded: see MIN_RUN_EVENTS.
  loadedAtLength = 0;
  readonly firstDispatchMs: number;
  nextDispatchAt: number;
  periodStart: string;
  readonly weekOpened: EscalationMove[];
  readonly weekClosed: EscalationMove[];
  unitCodes: Set<string>;
  // Moved later by an amendment (extendCampaignTo); carried across continue-as-new as `endAt`.
  endAtMs: number;
  ended = false;
  // The roster of record: tasks take their people from it, amendments are authorised by it.
  roster: Person[];
  readonly hqIds: Set<string>;
  readonly breakGlassSeen: Record<string, number>;
  readonly breakGlassPending: BreakGlassAct[];

  constructor(input: CampaignWorkflowInput, patches: CampaignRunPatches) {
    const { workflowId } = workflowInfo();
    const carried = input.carried;
    this.input = input;
    this.workflowId = workflowId;
    this.carried = carried;
    this.chained = patches.chained;
    this.boundedNotices = patches.boundedNotices;
    this.auditChain = carried?.auditChain;
    this.board = carried ? carried.board : [];
    this.bulletins = carried ? carried.bulletins : [];
    this.bulletinCount = carried?.bulletinCount ?? 0;
    this.amendments = carried ? carried.amendments : [];
    this.stored = input.plan;
    this.units = input.units;
    this.ready = this.stored === undefined;
    this.firstDispatchMs = ms(input.dispatch.firstAt);
    this.nextDispatchAt = carried ? ms(carried.nextDispatchAt) : nextDispatchAtMs(this.firstDispatchMs, input.dispatch.intervalMs, Date.now() - 1);
    this.periodStart = carried?.periodStart ?? iso(Date.now());
    this.weekOpened = carried ? carried.weekOpened : [];
    this.weekClosed = carried ? carried.weekClosed : [];
    this.unitCodes = new Set(this.units.map((u) => u.code));
    this.endAtMs = ms(input.endAt);
    this.roster = carried?.roster ?? rosterOfRecord(input);
    this.hqIds = new Set(input.hq.map((p) => p.id));
    this.breakGlassSeen = { ...(carried?.breakGlassSeen ?? {}) };
    this.breakGlassPending = carried?.breakGlassPending ? [...carried.breakGlassPending] : [];
    for (const line of this.board) this.lines.set(line.taskNumber, line);
  }

  base() {
    return { at: iso(Date.now()), planId: this.input.planId, taskNumber: 0, workflowId: this.workflowId };
  }

  /**
   * Writes one of the campaign's own audit entries. A chained entry is linked here, and
   * written after the one before it (an amendment and a bulletin may write at once), so
   * the store's order follows the chain.
   */
  audit(entry: AuditEntryInput): Promise<unknown> {
    if (!this.chained) return appendAudit(entry);
    const linked = chainEntry(this.auditChain, entry);
    this.auditChain = linked.head;
    const written = this.lastAudit.then(() => appendAudit(linked.entry));
    // The next entry waits for this one however it ends; a failure reaches this entry's own caller.
    this.lastAudit = written.catch(() => undefined);
    return written;
  }
}
