import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { DateTime } from 'luxon';
import { CAMPAIGN_WORKFLOW_TYPE, campaignWorkflowId, ErrorCode, HQ_ROLES, isDubanError, isTerminal, taskWorkflowId, type Role } from '@duban/common';
import { applyAmendment, dueInstant, findTask, rebaseAmendment, rebasePlan, taskSchedule, type Amendment, type Plan } from '@duban/plan';
import type { SigningKey } from '@duban/identity';
import {
  amendPlanUpdate,
  BOARD_PAGE_SIZE,
  boardQuery,
  bulletinsQuery,
  campaignAssessmentQuery,
  rosterQuery,
  splitIntoParts,
  STORE_PLAN_WORKFLOW_TYPE,
  storedPlanOf,
  storedPlanText,
  storePlanWorkflowId,
  utf8Length,
  WEEK_MS,
  type AmendmentResult,
  type CampaignBoard,
  type CampaignBulletins,
  type CampaignResult,
  type CampaignWorkflowInput,
  type Person,
  type PlanAmendment,
  type StoredPlan,
  type StorePlanPartInput,
  type UnitAssessment,
} from '@duban/workflows';
import { DubanClientError } from './errors';
import { toDubanError, type FailureContext } from './failures';
import { activeKeys, KeyStore, type Keyring } from './keys';
import { signRequest, type Signer } from './signing';
import { startOnce } from './start';
import { buildTaskInput, campaignEndAt, campaignStartAt, planTaskNumbers, REQUIRED_IDENTITY, rosterPeople } from './task-input';

type CampaignWorkflowFn = (input: CampaignWorkflowInput) => Promise<CampaignResult>;

/** How often an amendment sent back with `CONTINUING_AS_NEW` is sent again (about 10 s in all), as task messages are. */
const CONTINUING_AS_NEW_ATTEMPTS = 10;

/** Plan parts stored at once: each is one small workflow on the worker. */
const PARTS_IN_FLIGHT = 8;

export interface LaunchOptions {
  /** Re-dates the plan to start in this year (`rebasePlan`) before launching. */
  campaignYear?: number;
  /** First weekly dispatch (周调度); default the next Monday 09:00 in the plan's time zone. */
  firstDispatchAt?: DateTime;
  /** Time between dispatches; default a week. */
  dispatchIntervalMs?: number;
  /** Default now; tests and previews pass another instant. */
  now?: DateTime;
  /**
   * The plan's public keys, which become the roster of record's; default the keyring of
   * `KeyStore.fromEnv()` (`$DUBAN_KEYS_DIR` or `~/.config/duban/keys`).
   */
  keyring?: Keyring;
  /**
   * False where the server has no duban search attributes registered (the time-skipping
   * test server, which `duban simulate` drives): the campaign and its tasks then upsert none.
   */
  searchAttributes?: boolean;
  /**
   * Continue as new once the campaign's history reaches this many events, before Temporal
   * suggests it (tests and benchmarks: continue-as-new without thousands of tasks).
   */
  continueAsNewAtHistoryLength?: number;
  /**
   * Launch tasks whose deadline has already passed (`--allow-past`); each such task records
   * that it was launched past its deadline. Default: the launch is refused with
   * `DEADLINES_PASSED`, naming them.
   */
  allowPastDeadlines?: boolean;
  /**
   * Assign every task at once, even before the campaign's start (`duban dev`). Default: the
   * tasks wait for the campaign's start, and every window counts from it.
   */
  startNow?: boolean;
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
  /** Tasks launched although their deadline had passed (`allowPastDeadlines`), in plan order. */
  pastDeadline?: PastDeadlineTask[];
  /** When the campaign starts, where that is after the launch: the tasks wait for it (unless `startNow`). */
  startsAt?: string;
}

/** A task whose deadline had passed at launch. */
export interface PastDeadlineTask {
  taskNumber: number;
  deadlineAt: string;
  /** The deadline as the plan words it, where the task gives one. */
  deadline?: { date: string; rule: 'before' | 'by'; source: string };
}

/** The plan's tasks due at or before `now`, in plan order. */
export function tasksPastDeadline(plan: Plan, now: DateTime): PastDeadlineTask[] {
  return planTaskNumbers(plan).flatMap((taskNumber): PastDeadlineTask[] => {
    const { deadlineAt } = taskSchedule(plan, taskNumber);
    if (deadlineAt === undefined || Date.parse(deadlineAt) > now.toMillis()) return [];
    const { deadline } = findTask(plan, taskNumber);
    return [{ taskNumber, deadlineAt, ...(deadline ? { deadline: { date: deadline.date, rule: deadline.rule, source: deadline.source } } : {}) }];
  });
}

function toIso(at: DateTime): string {
  const iso = at.toISO();
  if (iso === null) throw new DubanClientError(ErrorCode.INVALID_PLAN, `Invalid instant: ${at.invalidExplanation ?? 'unknown reason'}.`);
  return iso;
}

/** The next Monday 09:00 in `timeZone` strictly after `now`: the default weekly dispatch (周调度). */
export function nextMondayMorning(now: DateTime, timeZone: string): DateTime {
  const local = now.setZone(timeZone);
  const candidate = local.set({ hour: 9, minute: 0, second: 0, millisecond: 0 }).plus({ days: (8 - local.weekday) % 7 });
  return candidate > local ? candidate : candidate.plus({ weeks: 1 });
}

/** Whether `roles` hold an HQ role (`HQ_ROLES`: the HQ office). */
function isHq(roles: readonly Role[]): boolean {
  return HQ_ROLES.some((role) => roles.includes(role));
}

/** The people who receive the bulletins: the HQ office (people with an HQ role) and the HQ leaders. */
export function headquartersPeople(plan: Plan): Person[] {
  const leaders = new Set(plan.organization?.headquarters.leaders ?? []);
  return plan.people
    .filter((p) => leaders.has(p.id) || isHq(p.roles))
    .map((p) => ({ id: p.id, name: p.name, unit: p.unit, roles: [...p.roles] }));
}

/**
 * The campaign workflow's input with everything in it: every task's input
 * (`buildTaskInput`), the units, the roster, the HQ people, the dispatch schedule and the
 * end — the input of campaigns launched before stored plans, bounded by one payload
 * (2 MiB: about 540 seed-sized tasks). `launch` stores the plan instead
 * ({@link buildStoredCampaign}); tests and tools that start a small campaign workflow
 * themselves may still use this.
 */
export function buildCampaignInput(plan: Plan, options: Omit<LaunchOptions, 'campaignYear'> = {}): CampaignWorkflowInput {
  const now = options.now ?? DateTime.now();
  const firstDispatch = options.firstDispatchAt ?? nextMondayMorning(now, plan.timeZone);
  const keyring = options.keyring ?? {};
  // Marked only where the launch allows them: otherwise `launchCampaign` has refused.
  const past = new Set(options.allowPastDeadlines ? tasksPastDeadline(plan, now).map((t) => t.taskNumber) : []);
  const taskOptions = { keyring, ...(options.startNow ? { startNow: true } : {}) };
  return {
    planId: plan.id,
    planTitle: plan.title.zh,
    campaignYear: DateTime.fromISO(plan.campaign.start, { zone: plan.timeZone }).year,
    timeZone: plan.timeZone,
    // The bulletin's language: the plan's, as its tasks' notices (buildTaskInput).
    ...(plan.routing?.lang ? { lang: plan.routing.lang } : {}),
    tasks: planTaskNumbers(plan).map((n) => ({
      ...buildTaskInput(plan, n, taskOptions),
      ...(options.searchAttributes === false ? { searchAttributes: false } : {}),
      ...(past.has(n) ? { launchedPastDeadline: true as const } : {}),
    })),
    units: plan.units.map((u) => ({ code: u.code, name: u.name, en: u.en })),
    hq: headquartersPeople(plan),
    roster: rosterPeople(plan, keyring),
    identity: { ...REQUIRED_IDENTITY },
    dispatch: { firstAt: toIso(firstDispatch), intervalMs: options.dispatchIntervalMs ?? WEEK_MS },
    endAt: campaignEndAt(plan),
    ...(options.searchAttributes === false ? { searchAttributes: false } : {}),
    ...(options.continueAsNewAtHistoryLength !== undefined ? { continueAsNewAtHistoryLength: options.continueAsNewAtHistoryLength } : {}),
  };
}

/** A campaign as `launch` starts it: a small input, and the plan it refers to, stored apart. */
export interface StoredCampaign {
  /** The campaign's start input: the same few hundred bytes whatever the plan's size (`input.plan` names the stored plan). */
  input: CampaignWorkflowInput;
  /** The plan as stored: every task's input, with the roster and the units once. */
  plan: StoredPlan;
  /** The stored plan's text (canonical JSON, whose SHA-256 is `input.plan.hash`) in parts, as the worker stores them. */
  parts: string[];
}

/**
 * The one place a plan becomes a launched campaign: {@link buildCampaignInput}'s task
 * inputs, roster and units go into a stored plan, content-addressed by the SHA-256 of its
 * canonical JSON; the campaign's input names it. Every task input comes back from the
 * stored plan as `buildTaskInput` built it (`taskInputOf`).
 */
export function buildStoredCampaign(plan: Plan, options: Omit<LaunchOptions, 'campaignYear'> = {}): StoredCampaign {
  const { tasks, units, roster, ...rest } = buildCampaignInput(plan, options);
  const stored = storedPlanOf(plan.id, units, roster ?? [], tasks);
  const text = storedPlanText(stored);
  const parts = splitIntoParts(text);
  const hash = createHash('sha256').update(text, 'utf8').digest('hex');
  return { input: { ...rest, tasks: [], units: [], plan: { hash, parts: parts.length, bytes: utf8Length(text), tasks: stored.tasks.length } }, plan: stored, parts };
}

/**
 * Hands the stored plan's parts to the worker, which writes them to its audit database
 * (`storePlanWorkflow`, one per part). Not awaited: the campaign reads the plan once its
 * parts are there. Idempotent: a part stored before is not stored again, a part whose
 * storing failed (its workflow terminated) is stored again.
 */
async function storePlanParts(client: Client, taskQueue: string, planId: string, campaign: StoredCampaign): Promise<void> {
  const ref = campaign.input.plan;
  if (ref === undefined) return;
  const parts = campaign.parts.map((body, part): StorePlanPartInput => ({ planId, hash: ref.hash, part, parts: ref.parts, body }));
  for (let i = 0; i < parts.length; i += PARTS_IN_FLIGHT) {
    await Promise.all(
      parts.slice(i, i + PARTS_IN_FLIGHT).map(async (part) => {
        try {
          await client.workflow.start(STORE_PLAN_WORKFLOW_TYPE, {
            taskQueue,
            workflowId: storePlanWorkflowId(planId, part.hash, part.part),
            args: [part],
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
          });
        } catch (error) {
          // Stored already by an earlier launch of the same plan text.
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
      }),
    );
  }
}

/**
 * A campaign whose amendments must be signed needs an HQ office member with a key from
 * the start: without one nobody could ever register the other keys.
 */
function requireHqKey(plan: Plan, keyring: Keyring): void {
  if (plan.people.some((p) => isHq(p.roles) && activeKeys(keyring[p.id]).length > 0)) return;
  throw new DubanClientError(
    ErrorCode.KEY_FILE_MISSING,
    `No HQ office member of plan ${plan.id} has a key in the keyring, so nobody could sign the campaign's amendments: ` +
      `issue the roster's keys first with \`pnpm duban keys issue PLAN --all\` (run by an operator).`,
    { details: { planId: plan.id } },
  );
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
        throw new DubanClientError(ErrorCode.AMENDMENT_INVALID, `Amendment ${dated.id} reassigns task ${r.task} to no lead unit.`, { field: 'reassign.lead' });
      }
      // No people: the campaign gives the new lead units' people from its roster of record.
      return { taskNumber: r.task, primaryLead, assistingLeads, reason: r.reason };
    }),
  };
}

/** How a campaign's failures read: "not found" means the plan was never launched. */
function campaignFailures(planId: string, address: string): FailureContext {
  return {
    address,
    notFound: (cause) =>
      new DubanClientError(
        ErrorCode.CAMPAIGN_NOT_FOUND,
        `Plan ${planId} has no campaign (${campaignWorkflowId(planId)}): launch it first with \`duban launch PLAN\`.`,
        { details: { planId }, cause },
      ),
  };
}

/**
 * Launches the plan's campaign, which starts every task workflow: the body of
 * `DubanClient.launch`. The plan is stored through the worker ({@link buildStoredCampaign}),
 * so a plan of any size within `PLAN_LIMITS` launches; the campaign starts its tasks in
 * batches a moment after this returns. Idempotent: when the campaign already exists,
 * running or closed, nothing is started, `started` is false and `alreadyRunning` counts
 * its tasks still running.
 */
export async function launchCampaign(client: Client, taskQueue: string, address: string, plan: Plan, options: LaunchOptions = {}): Promise<LaunchResult> {
  const launched = options.campaignYear === undefined ? plan : rebasePlan(plan, options.campaignYear);
  const keyring = options.keyring ?? (await KeyStore.fromEnv().keyring(plan.id));
  const now = options.now ?? DateTime.now();
  const campaign = buildStoredCampaign(launched, { ...options, now, keyring });
  const { input } = campaign;
  if (Date.parse(input.endAt) <= now.toMillis()) {
    throw new DubanClientError(
      ErrorCode.CAMPAIGN_OVER,
      `The campaign of plan ${plan.id} ended ${launched.campaign.end}; launch it for a year to come, e.g. with campaignYear ${now.year + 1} (--campaign-year ${now.year + 1}).`,
      { details: { planId: plan.id, campaignEnd: launched.campaign.end } },
    );
  }
  const pastDeadline = tasksPastDeadline(launched, now);
  const startAt = campaignStartAt(launched);
  if (pastDeadline.length > 0 && !options.allowPastDeadlines) {
    const listed = pastDeadline.map((t) => `task ${t.taskNumber} (${t.deadline?.source ?? t.deadlineAt})`).join(', ');
    throw new DubanClientError(
      ErrorCode.DEADLINES_PASSED,
      `${pastDeadline.length} task(s) of plan ${plan.id} are due before now: ${listed}. Re-date the plan (campaignYear, --campaign-year) or launch with allowPastDeadlines (--allow-past), which records it in each of them.`,
      { details: { planId: plan.id, tasks: pastDeadline } },
    );
  }
  requireHqKey(plan, keyring);
  const workflowId = campaignWorkflowId(plan.id);
  const tasks = campaign.plan.tasks.map((t) => taskWorkflowId(plan.id, t.taskNumber));
  const result = {
    planId: plan.id,
    campaignWorkflowId: workflowId,
    tasks,
    firstDispatchAt: input.dispatch.firstAt,
    endAt: input.endAt,
    ...(pastDeadline.length > 0 ? { pastDeadline } : {}),
    ...(!options.startNow && Date.parse(startAt) > now.toMillis() ? { startsAt: startAt } : {}),
  };
  let started: boolean;
  try {
    await storePlanParts(client, taskQueue, plan.id, campaign);
    ({ started } = await startOnce<CampaignWorkflowFn>(client, CAMPAIGN_WORKFLOW_TYPE, { taskQueue, workflowId, args: [input] }));
  } catch (error) {
    throw toDubanError(error, campaignFailures(plan.id, address));
  }
  if (started) return { ...result, started };
  const board = await new DubanCampaignHandle(client, plan.id, address).board();
  // Tasks the campaign is still starting in batches are not on its board yet: they count as running.
  const all = [...new Set([...tasks, ...board.tasks.map((t) => t.workflowId)])];
  const closed = new Set(board.tasks.filter((t) => isTerminal(t.status)).map((t) => t.workflowId));
  return { ...result, tasks: all, started, alreadyRunning: all.filter((id) => !closed.has(id)).length };
}

/**
 * One plan's campaign: its board, bulletins and assessment, and amendments to it. Made by
 * `duban.campaign(planId)`; no server call until you use it.
 *
 * @example
 * ```ts
 * const campaign = duban.campaign('xihu-2020');
 * const board = await campaign.board();
 * const clerk = await KeyStore.fromEnv().signingKey('xihu-2020', 'hq-office-clerk');
 * await campaign.as(clerk).amend(plan, await loadAmendmentFile('amendments/2020-06.yaml')); // issuedBy: hq-office-clerk
 * ```
 */
export class DubanCampaignHandle {
  readonly workflowId: string;
  private readonly failures: FailureContext;

  constructor(
    private readonly client: Client,
    readonly planId: string,
    private readonly address: string,
    private readonly signer?: Signer,
  ) {
    this.workflowId = campaignWorkflowId(planId);
    this.failures = campaignFailures(planId, address);
  }

  /**
   * This campaign with every amendment signed by `key`: an HQ office member's, who is the
   * amendment's `actor`. `clock` dates the proofs (default the machine's): see `Signer.clock`.
   */
  as(key: SigningKey, options: { clock?: () => Date } = {}): DubanCampaignHandle {
    return new DubanCampaignHandle(this.client, this.planId, this.address, { key, ...(options.clock !== undefined ? { clock: options.clock } : {}) });
  }

  /**
   * Applies a validated amendment (`loadAmendmentFile`) to the running campaign; dated
   * against the year the campaign was launched for. Applying the same amendment id
   * again changes nothing (`applied: false`). `plan` is the plan file this campaign was
   * launched from.
   *
   * @throws DubanClientError `PLAN_MISMATCH` when `plan` is another plan's, `CAMPAIGN_NOT_FOUND`,
   *   or the campaign's refusal: `NOT_AUTHORISED` (the signer holds no HQ office role in
   *   the roster of record), a proof's refusal (`CREDENTIAL_MISSING`, `KEY_UNKNOWN`, …),
   *   `UNKNOWN_TASK`, `DUPLICATE_TASK_NUMBER`, `TASK_FINISHED`, `DEADLINE_IN_PAST`,
   *   `UNKNOWN_UNIT`, `CAMPAIGN_ENDED`.
   */
  async amend(plan: Plan, amendment: Amendment): Promise<AmendmentResult> {
    if (plan.id !== this.planId) {
      throw new DubanClientError(ErrorCode.PLAN_MISMATCH, `Plan ${plan.id} is not the plan of campaign ${this.planId}.`, {
        details: { planId: this.planId, given: plan.id },
      });
    }
    const board = await this.board();
    return this.amendPlan(buildPlanAmendment(plan, amendment, board.campaignYear));
  }

  /**
   * Sends an amendment as the campaign receives it (`buildPlanAmendment`, or roster
   * changes: `roster.issueKeys` / `roster.revokeKeys`), signed with this handle's key.
   * The campaign applies an amendment id once (`applied: false` the second time).
   */
  async amendPlan(request: Omit<PlanAmendment, 'proof'>): Promise<AmendmentResult> {
    const { proof: _ignored, ...unsigned } = request as PlanAmendment;
    const signed = signRequest(this.workflowId, amendPlanUpdate.name, unsigned.amendmentId, unsigned, this.signer);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.call(() => this.handle().executeUpdate(amendPlanUpdate, { args: [signed.args], updateId: signed.updateId }));
      } catch (refused) {
        // The campaign is between two runs or still starting its tasks: the same signed amendment goes again, and is applied once.
        if (!isDubanError(refused) || refused.code !== ErrorCode.CONTINUING_AS_NEW || attempt >= CONTINUING_AS_NEW_ATTEMPTS) throw refused;
        await delay(Math.min(100 * 2 ** (attempt - 1), 2_000));
      }
    }
  }

  /** The roster of record: every person with roles and public keys, as the campaign holds it now. */
  roster(): Promise<Person[]> {
    return this.call(() => this.handle().query(rosterQuery));
  }

  /**
   * The live board: every task's status, light, escalation and deadline, and counts per
   * unit. A board of more than `BOARD_PAGE_SIZE` tasks is read a page at a time (one
   * query each) and put together here; the counts are the first page's.
   */
  board(): Promise<CampaignBoard> {
    return this.call(async () => {
      const first = await this.handle().query(boardQuery);
      if (first.page === undefined) return first;
      const { page, ...board } = first;
      const tasks = [...first.tasks];
      while (tasks.length < page.total) {
        const next = await this.handle().query(boardQuery, { offset: tasks.length, limit: BOARD_PAGE_SIZE });
        if (next.tasks.length === 0) break;
        tasks.push(...next.tasks);
      }
      return { ...board, tasks };
    });
  }

  /** The latest bulletin (通报), the kept ones and a preview of the next. */
  bulletins(): Promise<CampaignBulletins> {
    return this.call(() => this.handle().query(bulletinsQuery));
  }

  /** The assessment rolled up by primary lead unit (final once the campaign has ended). */
  assessment(): Promise<UnitAssessment[]> {
    return this.call(() => this.handle().query(campaignAssessmentQuery));
  }

  private handle(): WorkflowHandle<CampaignWorkflowFn> {
    return this.client.workflow.getHandle<CampaignWorkflowFn>(this.workflowId);
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toDubanError(error, this.failures);
    }
  }
}
