import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DateTime } from 'luxon';
import { DEFAULT_NAMESPACE, DEFAULT_TEMPORAL_ADDRESS, DUBAN_TASK_QUEUE, TASK_WORKFLOW_TYPE, taskWorkflowId } from '@duban/common';
import type { Plan } from '@duban/plan';
import { planSearchAttribute, primaryLeadSearchAttribute, taskNumberSearchAttribute } from '@duban/workflows';
import { DubanCampaignHandle, launchCampaign, type LaunchOptions, type LaunchResult } from './campaign';
import { toDubanError, unreachable } from './failures';
import { KeyStore, type Keyring } from './keys';
import { startOnce } from './start';
import { DubanTaskHandle, taskFailures, type TaskWorkflowFn } from './task';
import { buildTaskInput } from './task-input';

export interface DubanConnectOptions {
  /** `host:port`; defaults to the embedded dev server, `DEFAULT_TEMPORAL_ADDRESS` (127.0.0.1:7233). */
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
  /** The plan's public keys for the task's people; default the keyring of `KeyStore.fromEnv()`. */
  keyring?: Keyring;
  /** Assign the task at once, even before the campaign's start; default: it waits for the start (see `buildTaskInput`). */
  startNow?: boolean;
}

export interface StartTaskResult {
  workflowId: string;
  /** The first run of the task's workflow (this call's, or the one that already existed). */
  runId: string | undefined;
  /** False when the task's workflow already existed, running or closed: nothing new was started. */
  started: boolean;
}

/**
 * The duban client: launches a plan's campaign or starts its task workflows, and hands
 * out handles on one task (`task(planId, n)`) and on one campaign (`campaign(planId)`).
 *
 * @example
 * ```ts
 * import { loadPlanFile } from '@duban/plan';
 * import { DubanClient } from '@duban/client';
 *
 * const duban = await DubanClient.connect(); // DEFAULT_TEMPORAL_ADDRESS, the `duban dev` server
 * const plan = await loadPlanFile('plans/xihu-2020.yaml');
 * const { workflowId, started } = await duban.startTask(plan, 3); // started=false the second time
 * const keys = KeyStore.fromEnv(); // the key files `duban keys issue` wrote
 * const task = duban.task(plan.id, 3);
 * await task.as(await keys.signingKey(plan.id, 'chengguan-head')).acknowledge({ actor: 'chengguan-head' });
 * await task.as(await keys.signingKey(plan.id, 'chengguan-staff')).reportProgress({ actor: 'chengguan-staff', percent: 40, note: '西桃花河清淤过半' });
 * const state = await task.state();
 * const board = await duban.campaign(plan.id).board(); // once the plan is launched: duban.launch(plan)
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
    const address = options.address ?? DEFAULT_TEMPORAL_ADDRESS;
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
    const keyring = options.keyring ?? (await KeyStore.fromEnv().keyring(plan.id));
    const input = buildTaskInput(plan, taskNumber, { ...options, keyring });
    const workflowId = taskWorkflowId(plan.id, taskNumber);
    try {
      const { started, firstRunId } = await startOnce<TaskWorkflowFn>(this.client, TASK_WORKFLOW_TYPE, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        // Set at start so a visibility query finds the task before its first workflow task runs.
        typedSearchAttributes: [
          { key: planSearchAttribute, value: plan.id },
          { key: taskNumberSearchAttribute, value: taskNumber },
          { key: primaryLeadSearchAttribute, value: input.primaryLead },
        ],
      });
      // A closed task's workflow is not started again: report the run that holds its record.
      const runId = firstRunId ?? (await this.client.workflow.getHandle(workflowId).describe()).runId;
      return { workflowId, runId, started };
    } catch (error) {
      throw toDubanError(error, taskFailures(plan.id, taskNumber, this.address()));
    }
  }

  /** A handle on task `taskNumber` of plan `planId`; no server call until you use it. */
  task(planId: string, taskNumber: number): DubanTaskHandle {
    return new DubanTaskHandle(this.client, planId, taskNumber, this.address());
  }

  /** A handle on the campaign of plan `planId`: board, bulletins, assessment, amendments. No server call until you use it. */
  campaign(planId: string): DubanCampaignHandle {
    return new DubanCampaignHandle(this.client, planId, this.address());
  }

  /**
   * Launches the plan's campaign, which starts every task; launching again starts nothing.
   *
   * @example
   * ```ts
   * const { started, tasks, alreadyRunning } = await duban.launch(plan, { campaignYear: 2027 });
   * ```
   *
   * @throws DubanClientError `CAMPAIGN_OVER` when the campaign's end has passed (pass a
   *   `campaignYear`), `TASK_NOT_IN_PLAN`, `INVALID_PLAN`, `SERVER_UNREACHABLE`.
   */
  launch(plan: Plan, options: LaunchOptions = {}): Promise<LaunchResult> {
    return launchCampaign(this.client, this.taskQueue, this.address(), plan, options);
  }

  private address(): string {
    const { connection } = this.client;
    // ConnectionLike has no address; a real Connection does.
    return connection instanceof Connection ? connection.options.address : 'the configured address';
  }
}
