import { randomUUID } from 'node:crypto';
import {
  ApplicationFailure,
  Client,
  Connection,
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type ConnectionOptions,
  type WorkflowHandle,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { DateTime } from 'luxon';
import type { Plan } from '@duban/plan';
import {
  acknowledgeUpdate,
  cancelUpdate,
  decideExtensionUpdate,
  DUBAN_TASK_QUEUE,
  messageArgSchemas,
  planSearchAttribute,
  primaryLeadSearchAttribute,
  reportProgressUpdate,
  requestExtensionUpdate,
  reviewUpdate,
  submitUpdate,
  taskNumberSearchAttribute,
  taskStateQuery,
  taskWorkflowId,
  type MessageArgs,
  type MessageName,
  type MessageResult,
  type TaskState,
  type TaskWorkflowInput,
  type TaskWorkflowResult,
} from '@duban/workflows';
import { DubanClientError, DubanClientErrorCode, isDubanClientErrorCode } from './errors';
import { buildTaskInput } from './task-input';
import { CampaignOperations, type LaunchOptions, type LaunchResult } from './campaign';
import type { Amendment } from '@duban/plan';
import type { AmendmentResult, CampaignBoard, CampaignBulletins, UnitAssessment } from '@duban/workflows';

/**
 * The task workflow's type name: the exported function name in `@duban/workflows`'
 * workflow file. Kept here because importing that file would load workflow code.
 */
export const TASK_WORKFLOW_TYPE = 'taskWorkflow';

/** The embedded dev server's address (`duban dev`): the default when none is given. */
export const DEFAULT_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';

/**
 * Memo key holding a one-off token per start call: reading it back from the first run
 * tells whether this call started the workflow or found it already there, which the
 * SDK's start response does not expose.
 */
const START_TOKEN_MEMO = 'dubanStartToken';

type TaskWorkflowFn = (input: TaskWorkflowInput) => Promise<TaskWorkflowResult>;

/** `Omit` that keeps a discriminated union a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A message's argument as callers give it: `requestId` may be left out, and one is
 * generated. Give your own to make a retry of the same request safe.
 */
export type MessageInput<N extends MessageName> = DistributiveOmit<MessageArgs[N], 'requestId'> & { requestId?: string };

export interface DubanConnectOptions {
  /** `host:port`; defaults to the embedded dev server at 127.0.0.1:7233. */
  address?: string;
  namespace?: string;
  /** An existing connection; the client then leaves closing it to you. */
  connection?: Connection;
  /** TLS, API key, metadata and the like, e.g. from `@temporalio/envconfig`. */
  connectionOptions?: Omit<ConnectionOptions, 'address'>;
  /** Task queue of the duban worker; defaults to `DUBAN_TASK_QUEUE`. */
  taskQueue?: string;
}

export interface DubanClientOptions {
  /** Task queue of the duban worker; defaults to `DUBAN_TASK_QUEUE`. */
  taskQueue?: string;
}

export interface StartTaskOptions {
  /** When the task counts as assigned; the workflow's start time when omitted. */
  assignedAt?: DateTime;
}

export interface StartTaskResult {
  workflowId: string;
  /** The first run of the task's workflow (this call's, or the one that already existed). */
  runId: string | undefined;
  /** False when the task's workflow already existed, running or closed: nothing new was started. */
  started: boolean;
}

/**
 * The duban client: starts task workflows from a plan and sends them the task messages.
 *
 * @example
 * ```ts
 * import { loadPlanFile } from '@duban/plan';
 * import { DubanClient } from '@duban/client';
 *
 * const duban = await DubanClient.connect({ address: 'localhost:7233' });
 * const plan = await loadPlanFile('plans/xihu-2020.yaml');
 * const { workflowId, started } = await duban.startTask(plan, 3); // started=false the second time
 * const task = duban.task(plan.id, 3);
 * await task.acknowledge({ actor: 'chengguan-head' });
 * await task.reportProgress({ actor: 'chengguan-staff', percent: 40, note: '西桃花河清淤过半' });
 * const state = await task.state();
 * await duban.close();
 * ```
 */
export class DubanClient {
  readonly taskQueue: string;
  private ownedConnection: Connection | undefined;

  /** Wraps an SDK client you already have; {@link DubanClient.close} leaves it open. */
  constructor(
    readonly client: Client,
    options: DubanClientOptions = {},
  ) {
    this.taskQueue = options.taskQueue ?? DUBAN_TASK_QUEUE;
  }

  /**
   * Connects to a Temporal server.
   *
   * @throws DubanClientError `SERVER_UNREACHABLE` when nothing answers at the address.
   */
  static async connect(options: DubanConnectOptions = {}): Promise<DubanClient> {
    const namespace = options.namespace ?? DEFAULT_NAMESPACE;
    if (options.connection) {
      return new DubanClient(new Client({ connection: options.connection, namespace }), { taskQueue: options.taskQueue });
    }
    const address = options.address ?? DEFAULT_ADDRESS;
    let connection: Connection;
    try {
      connection = await Connection.connect({ connectTimeout: '5 seconds', ...options.connectionOptions, address });
    } catch (cause) {
      throw unreachable(address, cause);
    }
    const duban = new DubanClient(new Client({ connection, namespace }), { taskQueue: options.taskQueue });
    duban.ownedConnection = connection;
    return duban;
  }

  /** Closes the connection if {@link DubanClient.connect} opened it. */
  async close(): Promise<void> {
    const connection = this.ownedConnection;
    this.ownedConnection = undefined;
    if (connection) await connection.close();
  }

  /**
   * Starts task `taskNumber` of `plan` as its workflow, idempotently: when the task's
   * workflow already exists, running or closed, nothing is started and `started` is
   * false. (A closed task is not restarted: its record is final.)
   *
   * @throws DubanClientError `TASK_NOT_IN_PLAN`, `INVALID_PLAN`, `SERVER_UNREACHABLE`.
   */
  async startTask(plan: Plan, taskNumber: number, options: StartTaskOptions = {}): Promise<StartTaskResult> {
    const input = buildTaskInput(plan, taskNumber, options);
    const workflowId = taskWorkflowId(plan.id, taskNumber);
    const token = randomUUID();
    try {
      const handle = await this.client.workflow.start<TaskWorkflowFn>(TASK_WORKFLOW_TYPE, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: { [START_TOKEN_MEMO]: token },
        // Set at start so a visibility query finds the task before its first workflow task runs.
        typedSearchAttributes: [
          { key: planSearchAttribute, value: plan.id },
          { key: taskNumberSearchAttribute, value: taskNumber },
          { key: primaryLeadSearchAttribute, value: input.primaryLead },
        ],
      });
      const first = await this.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).describe();
      return { workflowId, runId: handle.firstExecutionRunId, started: first.memo?.[START_TOKEN_MEMO] === token };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        const existing = await this.client.workflow.getHandle(workflowId).describe();
        return { workflowId, runId: existing.runId, started: false };
      }
      throw translate(error, { planId: plan.id, taskNumber, address: this.address() });
    }
  }

  /** A handle on task `taskNumber` of plan `planId`; no server call until you use it. */
  task(planId: string, taskNumber: number): DubanTaskHandle {
    return new DubanTaskHandle(this.client, planId, taskNumber, this.address());
  }

  // ------------------------------------------------------------------ campaign (see ./campaign)

  /**
   * Launches the plan's campaign, which starts every task; launching again starts nothing.
   *
   * @example
   * ```ts
   * const { started, tasks, alreadyRunning } = await duban.launch(plan, { campaignYear: 2027 });
   * ```
   */
  launch(plan: Plan, options: LaunchOptions = {}): Promise<LaunchResult> {
    return this.campaign().launch(plan, options);
  }

  /** Applies an amendment file (`loadAmendmentFile`) to the running campaign. */
  amend(plan: Plan, amendment: Amendment): Promise<AmendmentResult> {
    return this.campaign().amend(plan, amendment);
  }

  /** The campaign's live board. */
  board(planId: string): Promise<CampaignBoard> {
    return this.campaign().board(planId);
  }

  /** The latest weekly bulletin (通报), the kept ones and a preview of the next. */
  bulletins(planId: string): Promise<CampaignBulletins> {
    return this.campaign().bulletins(planId);
  }

  /** The assessment rolled up by primary lead unit. */
  assessment(planId: string): Promise<UnitAssessment[]> {
    return this.campaign().assessment(planId);
  }

  private campaign(): CampaignOperations {
    return new CampaignOperations(this.client, this.taskQueue, this.address());
  }

  private address(): string {
    const { connection } = this.client;
    // ConnectionLike has no address; a real Connection does.
    return connection instanceof Connection ? connection.options.address : 'the configured address';
  }
}

/**
 * One task's workflow. Every message validates its argument with the schema the workflow
 * uses (`messageArgSchemas` from `@duban/workflows`) before anything is sent, generates a
 * `requestId` when none is given and sends it as the update ID too, so a retried request
 * is applied once.
 *
 * @example
 * ```ts
 * const task = duban.task('xihu-2020', 8);
 * await task.submit({ actor: 'chengguan-head', summary: '新建公厕30座', evidence: ['https://example.org/toilets'] });
 * await task.review({ actor: 'supervisor-li', decision: 'approve', score: 92 });
 * ```
 */
export class DubanTaskHandle {
  readonly workflowId: string;

  constructor(
    private readonly client: Client,
    readonly planId: string,
    readonly taskNumber: number,
    private readonly address: string,
  ) {
    this.workflowId = taskWorkflowId(planId, taskNumber);
  }

  /** 签收: a worker of the primary lead, an assisting lead or a responsible unit takes the task on. */
  acknowledge(args: MessageInput<'acknowledge'>): Promise<MessageResult> {
    return this.send('acknowledge', acknowledgeUpdate, args);
  }

  /** Progress of the actor's unit (for the primary lead: the whole task), 0–100. */
  reportProgress(args: MessageInput<'reportProgress'>): Promise<MessageResult> {
    return this.send('reportProgress', reportProgressUpdate, args);
  }

  /** The primary lead consolidates (牵头汇总) and submits for review. */
  submit(args: MessageInput<'submit'>): Promise<MessageResult> {
    return this.send('submit', submitUpdate, args);
  }

  /** A supervisor approves with a score or returns the work with reasons. */
  review(args: MessageInput<'review'>): Promise<MessageResult> {
    return this.send('review', reviewUpdate, args);
  }

  /** 延期: the primary lead asks for a later deadline, before the current one passes. */
  requestExtension(args: MessageInput<'requestExtension'>): Promise<MessageResult> {
    return this.send('requestExtension', requestExtensionUpdate, args);
  }

  /** HQ approves (optionally with another deadline) or refuses the pending extension. */
  decideExtension(args: MessageInput<'decideExtension'>): Promise<MessageResult> {
    return this.send('decideExtension', decideExtensionUpdate, args);
  }

  /** HQ cancels the task. */
  cancel(args: MessageInput<'cancel'>): Promise<MessageResult> {
    return this.send('cancel', cancelUpdate, args);
  }

  /**
   * The task's full state and timeline.
   *
   * @throws DubanClientError `TASK_NOT_FOUND` when the task was never launched.
   */
  async state(): Promise<TaskState> {
    try {
      return await this.handle().query(taskStateQuery);
    } catch (error) {
      throw translate(error, this.facts());
    }
  }

  private handle(): WorkflowHandle<TaskWorkflowFn> {
    return this.client.workflow.getHandle<TaskWorkflowFn>(this.workflowId);
  }

  private facts(): Facts {
    return { planId: this.planId, taskNumber: this.taskNumber, address: this.address };
  }

  private async send<N extends MessageName>(
    message: N,
    update: UpdateDefinition<MessageResult, [MessageArgs[N]]>,
    input: MessageInput<N>,
  ): Promise<MessageResult> {
    const args = validate(message, { ...input, requestId: input.requestId ?? randomUUID() });
    try {
      return await this.handle().executeUpdate(update, { args: [args], updateId: args.requestId });
    } catch (error) {
      // Updates to a closed workflow come back as "not found": tell that apart from a task never launched.
      if (error instanceof WorkflowNotFoundError) await this.throwIfClosed(message, error);
      throw translate(error, this.facts());
    }
  }

  private async throwIfClosed(message: MessageName, cause: unknown): Promise<void> {
    let status: string;
    try {
      status = (await this.handle().describe()).status.name;
    } catch {
      // Described as missing too: the task was never launched, which translate() reports.
      return;
    }
    if (status !== 'RUNNING') {
      throw new DubanClientError(
        DubanClientErrorCode.INVALID_STATE,
        `Task ${this.taskNumber} of plan ${this.planId} is closed (${status}): it takes no more messages such as ${message}.`,
        { details: { status }, cause },
      );
    }
  }
}

/**
 * Parses a message's argument with the workflow's own schema, so a malformed argument is
 * refused here with the field named instead of after a round trip.
 */
function validate<N extends MessageName>(message: N, raw: unknown): MessageArgs[N] {
  const schema = messageArgSchemas[message];
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const first = issues[0];
  throw new DubanClientError(
    DubanClientErrorCode.INVALID_ARGUMENT,
    `Malformed ${message} argument: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}.`,
    { field: first?.path || undefined, details: { issues } },
  );
}

interface Facts {
  planId: string;
  taskNumber: number;
  address: string;
}

/** The SDK's errors, as the codes and messages duban users act on. */
function translate(error: unknown, facts: Facts): unknown {
  if (error instanceof DubanClientError) return error;
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const failure = error.cause;
    const code = isDubanClientErrorCode(failure.type) ? failure.type : DubanClientErrorCode.UPDATE_FAILED;
    return new DubanClientError(code, failure.message, { details: failure.details?.[0], cause: error });
  }
  if (error instanceof WorkflowUpdateFailedError) {
    return new DubanClientError(DubanClientErrorCode.UPDATE_FAILED, error.cause?.message ?? error.message, { cause: error });
  }
  if (error instanceof WorkflowNotFoundError) {
    return new DubanClientError(
      DubanClientErrorCode.TASK_NOT_FOUND,
      `Task ${facts.taskNumber} of plan ${facts.planId} has no workflow (${taskWorkflowId(facts.planId, facts.taskNumber)}): ` +
        `launch the plan first with \`duban launch PLAN\`.`,
      { details: { planId: facts.planId, taskNumber: facts.taskNumber }, cause: error },
    );
  }
  if (isUnavailable(error)) return unreachable(facts.address, error);
  return error;
}

// gRPC status 14 UNAVAILABLE and 4 DEADLINE_EXCEEDED: the server is down or unreachable.
function isUnavailable(error: unknown): boolean {
  if (error instanceof ServiceError) return isUnavailable(error.cause);
  return isGrpcServiceError(error) && (error.code === 14 || error.code === 4);
}

function unreachable(address: string, cause: unknown): DubanClientError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DubanClientError(
    DubanClientErrorCode.SERVER_UNREACHABLE,
    `No Temporal server answers at ${address} (${reason}). Start one with \`duban dev\`, or set TEMPORAL_ADDRESS to a running server.`,
    { details: { address }, cause },
  );
}
