import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/**
 * Memo key holding a one-off token per start call: reading it back from the first run
 * tells whether this call started the workflow or found it already there, which the
 * SDK's start response does not expose.
 */
const START_TOKEN_MEMO = 'dubanStartToken';

export interface StartOnceResult {
  /** False when a workflow with this ID already existed, running or closed: nothing new was started. */
  started: boolean;
  /** The first run of the running workflow (this call's or the one found); unknown when it had closed. */
  firstRunId?: string;
}

/**
 * Starts a workflow unless one with the same ID exists, running or closed, and says which
 * happened. A running one is used as it is (`USE_EXISTING`); a closed one is not started
 * again (`REJECT_DUPLICATE`): its record is final.
 */
export async function startOnce<T extends Workflow>(
  client: Client,
  workflowType: string,
  options: Omit<WorkflowStartOptions<T>, 'workflowIdConflictPolicy' | 'workflowIdReusePolicy' | 'memo'>,
): Promise<StartOnceResult> {
  const token = randomUUID();
  try {
    const handle = await client.workflow.start<T>(workflowType, {
      ...options,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      memo: { [START_TOKEN_MEMO]: token },
    } as WorkflowStartOptions<T>);
    const first = await client.workflow.getHandle(options.workflowId, handle.firstExecutionRunId).describe();
    return { started: first.memo?.[START_TOKEN_MEMO] === token, firstRunId: handle.firstExecutionRunId };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { started: false };
    throw error;
  }
}
