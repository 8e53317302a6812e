/**
 * The task workflow's side of the campaign: it keeps the campaign's board current with a
 * compact summary after each state change. Workflow code (sandboxed); the task workflow
 * calls it only when it was launched by a campaign.
 */
import { condition, getExternalWorkflowHandle, isCancellation, log, patched } from '@temporalio/workflow';
import { taskChangedSignal, type TaskSummary } from './campaign-definitions';

/**
 * Guards the campaign link in the task workflow: histories recorded before it carry no
 * board signals, and replay must not expect them.
 */
export const CAMPAIGN_LINK_PATCH = 'duban-campaign-link';

/**
 * Guards sending a refused board signal again: runs recorded before it logged the refusal
 * and went on, with no timer after it.
 */
export const BOARD_SIGNAL_RETRY_PATCH = 'duban-board-signal-retry';

/**
 * How a refused board signal is sent again: after 1, 2, 4, 8 and 16 s (31 s in all, six
 * tries), or at once with the next change, whichever comes first. A campaign that
 * continues as new has no run to take a signal for a moment (the time-skipping server's
 * continue-as-new is not atomic), and the server refuses signals to a run whose attempt to
 * continue as new is being retried ("Workflow is closing"); both last well under a second.
 * A campaign that has ended stays gone: after one round of tries the link stops retrying
 * until a signal gets through again, so a task that outlives its campaign pays the round
 * once, not per change.
 */
export const BOARD_SIGNAL_RETRY = { attempts: 6, firstDelayMs: 1_000, factor: 2 } as const;

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
  /** A round of tries failed and none has got through since: the campaign is taken as gone, one try per change. */
  let campaignGone = false;

  /** Takes the latest change; undefined when it moves nothing on the board (with `onlyBoardChanges`). */
  const latest = (): TaskSummary | undefined => {
    sent = changes();
    const current = summary();
    if (options.onlyBoardChanges) {
      const key = boardKey(current);
      if (key === lastKey) return undefined;
      lastKey = key;
    }
    return current;
  };

  const signal = (current: TaskSummary) => getExternalWorkflowHandle(campaignWorkflowId).signal(taskChangedSignal, current);

  const loop = (async () => {
    for (;;) {
      await condition(() => changes() !== sent || stopped);
      if (changes() === sent) return;
      let current = latest();
      if (current === undefined) continue;
      for (let attempt = 1; ; attempt += 1) {
        try {
          await signal(current);
          campaignGone = false;
          break;
        } catch (err) {
          if (isCancellation(err)) throw err;
          const error = err instanceof Error ? err.message : String(err);
          // Asked only when a signal is refused, where runs from before the patch logged and went on.
          const retry = !campaignGone && attempt < BOARD_SIGNAL_RETRY.attempts && patched(BOARD_SIGNAL_RETRY_PATCH);
          if (!retry) {
            // The campaign may have ended (tasks are abandoned, not stopped, when it closes): the task goes on.
            log.warn('Could not tell the campaign about a task change', { campaignWorkflowId, attempts: attempt, error });
            if (attempt > 1) {
              campaignGone = true;
              // Not delivered: the next change is sent even if it shows the same board line.
              lastKey = undefined;
            }
            break;
          }
          // A new change does not wait out the delay: the campaign may be back, and the board is behind.
          await condition(() => changes() !== sent, BOARD_SIGNAL_RETRY.firstDelayMs * BOARD_SIGNAL_RETRY.factor ** (attempt - 1));
          // What changed meanwhile goes in the same try: the board keeps only the latest summary.
          if (changes() !== sent) {
            lastKey = undefined;
            current = latest() ?? current;
          }
        }
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
