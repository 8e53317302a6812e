import { randomUUID } from 'node:crypto';
import {
  ApplicationFailure,
  Client,
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { DateTime } from 'luxon';
import { applyAmendment, dueInstant, rebaseAmendment, rebasePlan, type Amendment, type Plan } from '@duban/plan';
import {
  amendPlanUpdate,
  boardQuery,
  bulletinsQuery,
  CAMPAIGN_WORKFLOW_TYPE,
  campaignAssessmentQuery,
  campaignWorkflowId,
  taskWorkflowId,
  WEEK_MS,
  type AmendmentResult,
  type CampaignBoard,
  type CampaignBulletins,
  type CampaignResult,
  type CampaignWorkflowInput,
  type Person,
  type PlanAmendment,
  type UnitAssessment,
} from '@duban/workflows';
import { DubanClientError, DubanClientErrorCode, isDubanClientErrorCode } from './errors';
import { buildTaskInput, planTaskNumbers } from './task-input';

type CampaignWorkflowFn = (input: CampaignWorkflowInput) => Promise<CampaignResult>;

/** Memo key of the one-off token that tells whether this launch started the campaign. */
const LAUNCH_TOKEN_MEMO = 'dubanLaunchToken';

export interface LaunchOptions {
  /** Re-dates the plan to start in this year (`rebasePlan`) before launching. */
  campaignYear?: number;
  /** First weekly dispatch (周调度); default the next Monday 09:00 in the plan's time zone. */
  firstDispatchAt?: DateTime;
  /** Time between dispatches; default a week. */
  dispatchIntervalMs?: number;
  /** Default now; tests and previews pass another instant. */
  now?: DateTime;
}

export interface LaunchResult {
  planId: string;
  campaignWorkflowId: string;
  /** False when the plan was already launched: nothing new was started. */
  started: boolean;
  /** The task workflows' IDs, in plan order. */
  tasks: string[];
  /** When already launched: how many of its tasks are still running (not approved or cancelled). */
  alreadyRunning?: number;
  firstDispatchAt: string;
  endAt: string;
}

function toIso(at: DateTime): string {
  const iso = at.toISO();
  if (iso === null) throw new DubanClientError(DubanClientErrorCode.INVALID_PLAN, `Invalid instant: ${at.invalidExplanation ?? 'unknown reason'}.`);
  return iso;
}

/** The next Monday 09:00 in `timeZone` strictly after `now`: the default weekly dispatch (周调度). */
export function nextMondayMorning(now: DateTime, timeZone: string): DateTime {
  const local = now.setZone(timeZone);
  const candidate = local.set({ hour: 9, minute: 0, second: 0, millisecond: 0 }).plus({ days: (8 - local.weekday) % 7 });
  return candidate > local ? candidate : candidate.plus({ weeks: 1 });
}

/** The people who receive the bulletins: the HQ office (its host unit's hq-office role) and the HQ leaders. */
export function headquartersPeople(plan: Plan): Person[] {
  const leaders = new Set(plan.organization.headquarters.leaders);
  return plan.people
    .filter((p) => leaders.has(p.id) || p.roles.includes('hq-office'))
    .map((p) => ({ id: p.id, name: p.name, unit: p.unit, roles: [...p.roles] }));
}

/**
 * The one place a plan becomes the campaign workflow's input: every task's input
 * (`buildTaskInput`), the units, the HQ people, the dispatch schedule and the end.
 */
export function buildCampaignInput(plan: Plan, options: Omit<LaunchOptions, 'campaignYear'> = {}): CampaignWorkflowInput {
  const now = options.now ?? DateTime.now();
  const firstDispatch = options.firstDispatchAt ?? nextMondayMorning(now, plan.timeZone);
  return {
    planId: plan.id,
    planTitle: plan.title.zh,
    campaignYear: DateTime.fromISO(plan.campaign.start, { zone: plan.timeZone }).year,
    timeZone: plan.timeZone,
    tasks: planTaskNumbers(plan).map((n) => buildTaskInput(plan, n)),
    units: plan.units.map((u) => ({ code: u.code, name: u.name, en: u.en })),
    hq: headquartersPeople(plan),
    dispatch: { firstAt: toIso(firstDispatch), intervalMs: options.dispatchIntervalMs ?? WEEK_MS },
    endAt: toIso(dueInstant(plan.campaign.end, 'by', plan.timeZone)),
  };
}

/**
 * Turns a validated amendment file into what the campaign applies, for the plan as it was
 * launched: when the campaign runs in another year than the plan file says, the plan and
 * the amendment's dates are shifted alike.
 */
export function buildPlanAmendment(plan: Plan, amendment: Amendment, campaignYear?: number): PlanAmendment {
  const planYear = DateTime.fromISO(plan.campaign.start, { zone: plan.timeZone }).year;
  const launched = campaignYear === undefined ? plan : rebasePlan(plan, campaignYear);
  const dated = rebaseAmendment(amendment, (campaignYear ?? planYear) - planYear);
  const amended = applyAmendment(launched, dated);
  return {
    amendmentId: dated.id,
    actor: dated.issuedBy,
    reason: dated.reason,
    addTasks: dated.addTasks.map((t) => buildTaskInput(amended, t.number)),
    moveDeadlines: dated.moveDeadlines.map((m) => ({
      taskNumber: m.task,
      deadlineAt: toIso(dueInstant(m.deadline.date, m.deadline.rule, launched.timeZone)),
      reason: m.reason,
    })),
    reassign: dated.reassign.map((r) => {
      const [primaryLead, ...assistingLeads] = r.lead;
      if (primaryLead === undefined) {
        throw new DubanClientError(DubanClientErrorCode.AMENDMENT_INVALID, `Amendment ${dated.id} reassigns task ${r.task} to no lead unit.`, { field: 'reassign.lead' });
      }
      return { taskNumber: r.task, primaryLead, assistingLeads, people: buildTaskInput(amended, r.task).people, reason: r.reason };
    }),
  };
}

/** The campaign side of {@link DubanClient}: launch, amend and read a plan's campaign. */
export class CampaignOperations {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly address: string,
  ) {}

  /**
   * Launches the plan's campaign, which starts every task workflow. Idempotent: when the
   * campaign already exists, running or closed, nothing is started, `started` is false
   * and `alreadyRunning` counts its tasks still running.
   *
   * @throws DubanClientError `CAMPAIGN_OVER` when the campaign's end has passed (pass a
   *   `campaignYear`), `TASK_NOT_IN_PLAN`, `INVALID_PLAN`, `SERVER_UNREACHABLE`.
   */
  async launch(plan: Plan, options: LaunchOptions = {}): Promise<LaunchResult> {
    const launched = options.campaignYear === undefined ? plan : rebasePlan(plan, options.campaignYear);
    const input = buildCampaignInput(launched, options);
    const now = options.now ?? DateTime.now();
    if (Date.parse(input.endAt) <= now.toMillis()) {
      throw new DubanClientError(
        DubanClientErrorCode.CAMPAIGN_OVER,
        `The campaign of plan ${plan.id} ended ${launched.campaign.end}; launch it for a year to come, e.g. with campaignYear ${now.year + 1} (--campaign-year ${now.year + 1}).`,
        { details: { planId: plan.id, campaignEnd: launched.campaign.end } },
      );
    }
    const workflowId = campaignWorkflowId(plan.id);
    const tasks = input.tasks.map((t) => taskWorkflowId(plan.id, t.taskNumber));
    const result = { planId: plan.id, campaignWorkflowId: workflowId, tasks, firstDispatchAt: input.dispatch.firstAt, endAt: input.endAt };
    const token = randomUUID();
    let started: boolean;
    try {
      const handle = await this.client.workflow.start<CampaignWorkflowFn>(CAMPAIGN_WORKFLOW_TYPE, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        // A closed campaign's record is final: launching again reports it instead of starting over.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: { [LAUNCH_TOKEN_MEMO]: token },
      });
      const first = await this.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).describe();
      started = first.memo?.[LAUNCH_TOKEN_MEMO] === token;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw this.translate(error, plan.id);
      started = false;
    }
    if (started) return { ...result, started };
    const board = await this.board(plan.id);
    const alreadyRunning = board.tasks.filter((t) => t.status !== 'approved' && t.status !== 'cancelled').length;
    return { ...result, tasks: board.tasks.map((t) => t.workflowId), started, alreadyRunning };
  }

  /**
   * Applies a validated amendment (`loadAmendmentFile`) to the running campaign; dated
   * against the year the campaign was launched for. Applying the same amendment id
   * again changes nothing (`applied: false`).
   *
   * @throws DubanClientError `CAMPAIGN_NOT_FOUND`, or the campaign's refusal:
   *   `UNKNOWN_TASK`, `DUPLICATE_TASK_NUMBER`, `TASK_FINISHED`, `DEADLINE_IN_PAST`, `UNKNOWN_UNIT`, `CAMPAIGN_ENDED`.
   */
  async amend(plan: Plan, amendment: Amendment): Promise<AmendmentResult> {
    const board = await this.board(plan.id);
    const request = buildPlanAmendment(plan, amendment, board.campaignYear);
    try {
      // No update id: the server would answer a repeat with the first outcome (applied: true);
      // the campaign itself deduplicates by amendment id and says `applied: false`.
      return await this.handle(plan.id).executeUpdate(amendPlanUpdate, { args: [request] });
    } catch (error) {
      throw this.translate(error, plan.id);
    }
  }

  /** The live board: every task's status, light, escalation and deadline, and counts per unit. */
  board(planId: string): Promise<CampaignBoard> {
    return this.query(planId, () => this.handle(planId).query(boardQuery));
  }

  /** The latest bulletin (通报), the kept ones and a preview of the next. */
  bulletins(planId: string): Promise<CampaignBulletins> {
    return this.query(planId, () => this.handle(planId).query(bulletinsQuery));
  }

  /** The assessment rolled up by primary lead unit (final once the campaign has ended). */
  assessment(planId: string): Promise<UnitAssessment[]> {
    return this.query(planId, () => this.handle(planId).query(campaignAssessmentQuery));
  }

  private handle(planId: string): WorkflowHandle<CampaignWorkflowFn> {
    return this.client.workflow.getHandle<CampaignWorkflowFn>(campaignWorkflowId(planId));
  }

  private async query<T>(planId: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.translate(error, planId);
    }
  }

  private translate(error: unknown, planId: string): unknown {
    if (error instanceof DubanClientError) return error;
    if (error instanceof WorkflowUpdateFailedError) {
      const failure = error.cause;
      if (failure instanceof ApplicationFailure) {
        const code = isDubanClientErrorCode(failure.type) ? failure.type : DubanClientErrorCode.UPDATE_FAILED;
        return new DubanClientError(code, failure.message, { details: failure.details?.[0], cause: error });
      }
      return new DubanClientError(DubanClientErrorCode.UPDATE_FAILED, failure?.message ?? error.message, { cause: error });
    }
    if (error instanceof WorkflowNotFoundError) {
      return new DubanClientError(
        DubanClientErrorCode.CAMPAIGN_NOT_FOUND,
        `Plan ${planId} has no campaign (${campaignWorkflowId(planId)}): launch it first with \`duban launch PLAN\`.`,
        { details: { planId }, cause: error },
      );
    }
    if (isUnavailable(error)) {
      return new DubanClientError(
        DubanClientErrorCode.SERVER_UNREACHABLE,
        `No Temporal server answers at ${this.address}. Start one with \`duban dev\`, or set TEMPORAL_ADDRESS to a running server.`,
        { details: { address: this.address }, cause: error },
      );
    }
    return error;
  }
}

// gRPC status 14 UNAVAILABLE and 4 DEADLINE_EXCEEDED: the server is down or unreachable.
function isUnavailable(error: unknown): boolean {
  if (error instanceof ServiceError) return isUnavailable(error.cause);
  return isGrpcServiceError(error) && (error.code === 14 || error.code === 4);
}
