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
  /** Resolves once the summary of the latest change has been signalled (or changes nothing on the board); the link then stops. */
  flush(): Promise<void>;
}

export interface CampaignLinkOptions {
  /**
   * Signal only summaries that change the board line beyond its `seq` and `at` (runs since
   * `TASK_BOOKKEEPING_PATCH`): seven of a task's eight acknowledgements, for instance, move
   * nothing the board shows, and each signal is an event in both histories and a workflow
   * task of the campaign, which thousands of tasks share. The counters in the summary
   * (episodes, checks) are part of the comparison, so nothing the campaign counts is lost.
   */
  onlyBoardChanges?: boolean;
}

/** The summary without what every event changes: equal keys, equal board line. */
function boardKey(summary: TaskSummary): string {
  const { seq: _seq, at: _at, ...shown } = summary;
  return JSON.stringify(shown);
}

/**
 * Signals the campaign whenever `changes()` moves on. Changes that happen while a signal
 * is in flight are sent as one summary (the board keeps only the latest per task, and the
 * summary's counters carry what happened in between). The first summary goes out at once,
 * also after continue-as-new.
 */
export function linkCampaign(campaignWorkflowId: string, changes: () => number, summary: () => TaskSummary, options: CampaignLinkOptions = {}): CampaignLink {
  let sent = -1;
  let lastKey: string | undefined;
  let stopped = false;
  const loop = (async () => {
    for (;;) {
      await condition(() => changes() !== sent || stopped);
      if (changes() === sent) return;
      sent = changes();
      const current = summary();
      if (options.onlyBoardChanges) {
        const key = boardKey(current);
        if (key === lastKey) continue;
        lastKey = key;
      }
      try {
        await getExternalWorkflowHandle(campaignWorkflowId).signal(taskChangedSignal, current);
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
