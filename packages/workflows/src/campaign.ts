/**
 * The campaign workflow: one per launched plan, headquarters' view (指挥部). It starts the
 * plan's task workflows, keeps a live board from their summaries, takes amendments while
 * running, sends the weekly dispatch bulletin (周调度通报) and rolls up the assessment by
 * unit at the end. Decisions live in `campaign-decisions.ts`.
 *
 * A campaign launched from a stored plan (`input.plan`, every launch since) has an input
 * and a carried state of the same few hundred bytes whatever its size: it reads its units
 * and roster from the stored plan, has the worker start its tasks a batch at a time, and
 * before continuing as new saves its board, roster and amendments as a snapshot the next
 * run loads (`campaign-storage.ts`). Campaigns launched before carry everything in their
 * input and state, as they always did, and start their tasks as abandoned children.
 *
 * This file holds the run's shape: the order in which it loads, launches, dispatches,
 * continues as new and ends, which replay holds every recorded history to. Each part of
 * the run lives in a file of its own and works on the one {@link CampaignRun}: the board
 * and HQ's queries (`campaign-board.ts`), the stored plan and the snapshot
 * (`campaign-snapshot.ts`), starting the tasks (`campaign-launch.ts`), the dispatch
 * (`campaign-dispatch.ts`) and the amendments (`campaign-amendments.ts`).
 */
import { allHandlersFinished, condition, continueAsNew, patched } from '@temporalio/workflow';
import { SYSTEM_ACTOR } from '@duban/common';
import { AUDIT_CHAIN_PATCH } from './audit-chain';
import type { CampaignResult, CampaignWorkflowInput } from './campaign-definitions';
import { nextDispatchAtMs, rollUp } from './campaign-decisions';
import { registerAmendments } from './campaign-amendments';
import { finished, registerBoardHandlers } from './campaign-board';
import { dispatch } from './campaign-dispatch';
import { launchChildren, launchStored } from './campaign-launch';
import { CampaignRun } from './campaign-run';
import { continueWithSnapshot, loadState, shouldContinueAsNew } from './campaign-snapshot';
import { iso } from './decisions';
import { DELIVERY_LANES_PATCH } from './task/outbox';

export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignResult> {
  // Decided once, before the first command (see the task workflow): runs recorded before
  // them replay unchained entries and unbounded bulletins.
  const chained = patched(AUDIT_CHAIN_PATCH);
  const boundedNotices = patched(DELIVERY_LANES_PATCH);
  const run = new CampaignRun(input, { chained, boundedNotices });
  const { workflowId, carried, stored, board, bulletins, amendments } = run;

  // In the order the handlers were always set: a message buffered before the run starts
  // is applied as its handler is set, so replay needs the summaries' handler before the amendments'.
  registerBoardHandlers(run);
  registerAmendments(run);

  // ------------------------------------------------------------------ run

  if (stored !== undefined) {
    await loadState(run);
    await launchStored(run);
  } else if (!carried) {
    await launchChildren(run);
  }

  let endedBy: CampaignResult['endedBy'];
  for (;;) {
    if (finished(run)) {
      endedBy = 'all-finished';
      break;
    }
    if (Date.now() >= run.endAtMs) {
      endedBy = 'campaign-end';
      break;
    }
    if (Date.now() >= run.nextDispatchAt) {
      await dispatch(run);
      run.nextDispatchAt = nextDispatchAtMs(run.firstDispatchMs, input.dispatch.intervalMs, Date.now());
      continue;
    }
    if (shouldContinueAsNew(run)) {
      if (stored !== undefined) await continueWithSnapshot(run);
      await condition(allHandlersFinished);
      await continueAsNew<typeof campaignWorkflow>({
        ...input,
        tasks: [],
        endAt: iso(run.endAtMs),
        carried: {
          board,
          bulletins,
          bulletinCount: run.bulletinCount,
          amendments,
          nextDispatchAt: iso(run.nextDispatchAt),
          periodStart: run.periodStart,
          weekOpened: run.weekOpened,
          weekClosed: run.weekClosed,
          roster: run.roster,
          breakGlassSeen: run.breakGlassSeen,
          breakGlassPending: run.breakGlassPending,
          ...(run.auditChain ? { auditChain: run.auditChain } : {}),
        },
      });
    }
    await condition(() => finished(run) || shouldContinueAsNew(run), Math.max(Math.min(run.nextDispatchAt, run.endAtMs) - Date.now(), 1));
  }

  run.ended = true;
  await condition(allHandlersFinished);
  const assessment = rollUp(board);
  await run.audit({ ...run.base(), idempotencyKey: `${workflowId}:ended`, actor: SYSTEM_ACTOR, event: 'campaign.ended', details: { endedBy, assessment } });
  return { planId: input.planId, endedBy, endedAt: iso(Date.now()), assessment, bulletins: run.bulletinCount, amendments: amendments.length };
}
