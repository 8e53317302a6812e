import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ErrorCode, isDubanError, taskWorkflowId } from '@duban/common';
import {
  messageArgSchemas,
  TASK_MESSAGES,
  taskStateQuery,
  type MessageArgs,
  type MessageName,
  type MessageResult,
  type TaskState,
  type TaskWorkflowInput,
  type TaskWorkflowResult,
} from '@duban/workflows';
import type { SigningKey } from '@duban/identity';
import { DubanClientError } from './errors';
import { toDubanError, type FailureContext } from './failures';
import { signRequest, type Signer } from './signing';

/** How often a message refused with `CONTINUING_AS_NEW` is sent again (about 10 s in all) before the refusal is the caller's. */
const CONTINUING_AS_NEW_ATTEMPTS = 10;

export type TaskWorkflowFn = (input: TaskWorkflowInput) => Promise<TaskWorkflowResult>;

/** `Omit` that keeps a discriminated union a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A message's argument as callers give it: `requestId` may be left out, and one is
 * generated. Give your own to make a retry of the same request safe. The proof is the
 * handle's to add (see {@link DubanTaskHandle.as}).
 */
export type MessageInput<N extends MessageName> = DistributiveOmit<MessageArgs[N], 'requestId' | 'proof'> & { requestId?: string };

/** Break-glass: the signer acts for an absent actor, for this reason. */
export interface ActAsOptions {
  breakGlass?: string;
  /** Dates the proofs (default the machine's clock): see {@link Signer.clock}. */
  clock?: () => Date;
}

/** Each task message's update definition, by message name (which is also the update's name). */
const messageUpdates = Object.fromEntries(TASK_MESSAGES.map((m) => [m.name, m.update])) as {
  [N in MessageName]: UpdateDefinition<MessageResult, [MessageArgs[N]], N>;
};

/** How a task's failures read: "not found" means the task was never launched. */
export function taskFailures(planId: string, taskNumber: number, address: string): FailureContext {
  return {
    address,
    notFound: (cause) =>
      new DubanClientError(
        ErrorCode.TASK_NOT_FOUND,
        `Task ${taskNumber} of plan ${planId} has no workflow (${taskWorkflowId(planId, taskNumber)}): ` +
          `launch the plan first with \`duban launch PLAN\` (a campaign launched a moment ago may still be starting its tasks).`,
        { details: { planId, taskNumber }, cause },
      ),
  };
}

/**
 * One task's workflow. Every message validates its argument with the schema the workflow
 * uses (`messageArgSchemas` from `@duban/workflows`) before anything is sent, generates a
 * `requestId` when none is given, and is signed with the key the handle was given
 * (`as(key)`): the workflow refuses an unsigned message unless its campaign predates
 * signatures. A request sent again is applied once (`applied: false` the second time).
 *
 * @example
 * ```ts
 * const keys = KeyStore.fromEnv();
 * const task = duban.task('xihu-2020', 8);
 * await task.as(await keys.signingKey('xihu-2020', 'chengguan-head')).submit({ actor: 'chengguan-head', summary: '新建公厕30座', evidence: ['https://example.org/toilets'] });
 * await task.as(await keys.signingKey('xihu-2020', 'supervisor-li')).review({ actor: 'supervisor-li', decision: 'approve', score: 92 });
 * ```
 */
export class DubanTaskHandle {
  readonly workflowId: string;
  private readonly failures: FailureContext;

  constructor(
    private readonly client: Client,
    readonly planId: string,
    readonly taskNumber: number,
    private readonly address: string,
    private readonly signer?: Signer,
  ) {
    this.workflowId = taskWorkflowId(planId, taskNumber);
    this.failures = taskFailures(planId, taskNumber, address);
  }

  /**
   * This task with every message signed by `key` (the key's person must be the message's
   * `actor`). With `breakGlass`, `key` is an HQ office member's, acting for an absent actor
   * for that reason: the workflow records both identities and the next bulletin names the act.
   */
  as(key: SigningKey, options: ActAsOptions = {}): DubanTaskHandle {
    const signer: Signer = {
      key,
      ...(options.breakGlass !== undefined ? { breakGlass: { reason: options.breakGlass } } : {}),
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
    };
    return new DubanTaskHandle(this.client, this.planId, this.taskNumber, this.address, signer);
  }

  /** 签收: a worker of the primary lead, an assisting lead or a responsible unit takes the task on. */
  readonly acknowledge = this.sender('acknowledge');
  /** Progress of the actor's unit (for the primary lead: the whole task), 0–100. */
  readonly reportProgress = this.sender('reportProgress');
  /** The primary lead consolidates (牵头汇总) and submits for review. */
  readonly submit = this.sender('submit');
  /** A supervisor approves with a score or returns the work with reasons. */
  readonly review = this.sender('review');
  /** 延期: the primary lead asks for a later deadline, before the current one passes. */
  readonly requestExtension = this.sender('requestExtension');
  /** HQ approves (optionally with another deadline) or refuses the pending extension. */
  readonly decideExtension = this.sender('decideExtension');
  /** HQ cancels the task. */
  readonly cancel = this.sender('cancel');

  /**
   * Sends any task message by name; the named properties above are this with the name
   * filled in. The argument is checked against the workflow's schema first.
   *
   * @throws DubanClientError `INVALID_ARGUMENT` (with `field`) for a malformed argument,
   *   the workflow's refusal code (`WRONG_ROLE`, `INVALID_STATE`, `CREDENTIAL_MISSING`,
   *   `ACTING_FOR_ANOTHER`, `REQUEST_ID_REUSED`, …), or `TASK_NOT_FOUND`.
   */
  async send<N extends MessageName>(message: N, args: MessageInput<N>): Promise<MessageResult> {
    const parsed = validate(message, { ...args, requestId: args.requestId ?? randomUUID() });
    const signed = signRequest(this.workflowId, message, parsed.requestId, parsed, this.signer);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.handle().executeUpdate(messageUpdates[message], { args: [signed.args], updateId: signed.updateId });
      } catch (error) {
        // Updates to a closed workflow come back as "not found": tell that apart from a task never launched.
        if (error instanceof WorkflowNotFoundError) await this.throwIfClosed(message, error);
        const refused = toDubanError(error, this.failures);
        // The task is between two runs: the same signed request goes to the next run, and is applied once.
        if (!isDubanError(refused) || refused.code !== ErrorCode.CONTINUING_AS_NEW || attempt >= CONTINUING_AS_NEW_ATTEMPTS) throw refused;
        await delay(Math.min(100 * 2 ** (attempt - 1), 2_000));
      }
    }
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
      throw toDubanError(error, this.failures);
    }
  }

  private handle(): WorkflowHandle<TaskWorkflowFn> {
    return this.client.workflow.getHandle<TaskWorkflowFn>(this.workflowId);
  }

  private sender<N extends MessageName>(message: N): (args: MessageInput<N>) => Promise<MessageResult> {
    return (args) => this.send(message, args);
  }

  /**
   * Refuses a message to a closed task with what closed it. The execution status only says
   * COMPLETED for an approved and a cancelled task alike: the workflow's result (read from
   * its history, no worker needed) says which.
   */
  private async throwIfClosed(message: MessageName, cause: unknown): Promise<void> {
    let status: string;
    try {
      status = (await this.handle().describe()).status.name;
    } catch {
      // Described as missing too: the task was never launched, which toDubanError() reports.
      return;
    }
    if (status === 'RUNNING') return;
    const outcome = status === 'COMPLETED' ? await this.outcome() : undefined;
    const closed = outcome === undefined ? `is closed (${status})` : `was ${outcome} (its workflow is closed)`;
    throw new DubanClientError(
      ErrorCode.INVALID_STATE,
      `Task ${this.taskNumber} of plan ${this.planId} ${closed}: it takes no more messages such as ${message}.`,
      { details: { planId: this.planId, taskNumber: this.taskNumber, status, closed: true, ...(outcome === undefined ? {} : { outcome }), message }, cause },
    );
  }

  /** How a completed task ended (`approved` or `cancelled`), from its workflow's result. */
  private async outcome(): Promise<TaskWorkflowResult['status'] | undefined> {
    try {
      const result = await this.handle().result();
      return result.status === 'approved' || result.status === 'cancelled' ? result.status : undefined;
    } catch {
      // The result cannot be read (history trimmed, server busy): the status alone must do.
      return undefined;
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
    ErrorCode.INVALID_ARGUMENT,
    `Malformed ${message} argument: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}.`,
    { field: first?.path || undefined, details: { issues } },
  );
}
