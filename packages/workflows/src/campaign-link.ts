/**
 * The task workflow's side of the campaign: it keeps the campaign's board current with a
 * compact summary after each state change. Workflow code (sandboxed); the task workflow
 * calls it only when it was launched by a campaign.
 */
import { condition, getExternalWorkflowHandle, isCancellation, log } from '@temporalio/workflow';
import { taskChangedSignal, type TaskSummary } from './campaign-definitions';

/**
 * Guards the campaign link in the task workflow: histories recorded before it carry no
 * board signals, and replay must not expect them.
 */
export const CAMPAIGN_LINK_PATCH = 'duban-campaign-link';

export interface CampaignLink {
  /** Resolves once the summary of the latest change has been signalled; the link then stops. */
  flush(): Promise<void>;
}

/**
 * Signals the campaign whenever `changes()` moves on. Changes that happen while a signal
 * is in flight are sent as one summary (the board keeps only the latest per task, and the
 * summary's counters carry what happened in between). The first summary goes out at once,
 * also after continue-as-new.
 */
export function linkCampaign(campaignWorkflowId: string, changes: () => number, summary: () => TaskSummary): CampaignLink {
  let sent = -1;
  let stopped = false;
  const loop = (async () => {
    for (;;) {
      await condition(() => changes() !== sent || stopped);
      if (changes() === sent) return;
      sent = changes();
      try {
        await getExternalWorkflowHandle(campaignWorkflowId).signal(taskChangedSignal, summary());
      } catch (err) {
        if (isCancellation(err)) throw err;
        // The campaign may have ended (tasks are abandoned, not stopped, when it closes): the task goes on.
        log.warn('Could not tell the campaign about a task change', { campaignWorkflowId, error: err instanceof Error ? err.message : String(err) });
      }
    }
  })();
  return {
    async flush() {
      await condition(() => changes() === sent);
      stopped = true;
      await loop;
    },
  };
}
