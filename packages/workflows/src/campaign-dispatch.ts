/**
 * The weekly dispatch (周调度通报): the bulletin of the period's moves on the board, sent
 * to HQ and recorded in the audit trail. The workflow sends facts only; the notifier
 * renders them in the plan's zone and language. A bulletin that cannot be delivered is
 * recorded as failed, never a reason for the campaign to stop. Workflow code.
 */
import { isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { DubanActivities, NotificationInput, NotificationRecipient } from '@duban/activities';
import { HQ_ROLES, NOTICE_DELIVERY, SYSTEM_ACTOR } from '@duban/common';
import { bulletinHeadline, MAX_KEPT_BULLETINS } from './campaign-definitions';
import { BULLETIN_CANCELLED_APART_PATCH, buildBulletin } from './campaign-decisions';
import { notify, type CampaignRun } from './campaign-run';
import { iso } from './decisions';
import { noticeFailure } from './task/outbox';

/**
 * The bulletin's delivery since `DELIVERY_LANES_PATCH`: as many attempts as a task's
 * notice gets in all its rounds (`NOTICE_DELIVERY`), then it is recorded as failed and the
 * campaign goes on. (Unlimited retries sent a slow receiver the same bulletin without end,
 * and a rejection failed the campaign.)
 */
const { notify: notifyBounded } = proxyActivities<DubanActivities>({
  startToCloseTimeout: NOTICE_DELIVERY.activityTimeoutMs,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: NOTICE_DELIVERY.attemptsPerRound * NOTICE_DELIVERY.rounds },
});

const hqRole = HQ_ROLES[0];

function hqRecipients(run: CampaignRun): NotificationRecipient[] {
  const { input } = run;
  return input.hq.length > 0 ? input.hq.map((p) => ({ person: p.id, unit: p.unit, role: p.roles[0] ?? hqRole })) : [{ role: hqRole }];
}

/** Tells HQ; since the patch within bounds, recording a notice that did not arrive instead of failing the campaign. */
function notifyHq(run: CampaignRun, notification: NotificationInput): Promise<unknown> {
  if (!run.boundedNotices) return notify(notification);
  return notifyBounded(notification).catch((err: unknown) => {
    if (isCancellation(err)) throw err;
    const { idempotencyKey, at, recipients, notice } = notification;
    return run.audit({
      ...run.base(),
      idempotencyKey: `${idempotencyKey}:failed`,
      actor: SYSTEM_ACTOR,
      event: 'notification.failed',
      details: { kind: notice.kind, idempotencyKey, at, recipients, ...noticeFailure(err) },
    });
  });
}

export async function dispatch(run: CampaignRun): Promise<void> {
  const { input, workflowId, board, bulletins, stored, headlines, weekOpened, weekClosed, breakGlassPending } = run;
  run.bulletinCount += 1;
  const bulletin = buildBulletin({
    board,
    number: run.bulletinCount,
    at: iso(Date.now()),
    periodStart: run.periodStart,
    opened: weekOpened,
    closed: weekClosed,
    breakGlass: breakGlassPending,
    // Histories from before count a cancelled task under its light: replay rebuilds their bulletins (chained audit entries) as they were.
    cancelledApart: patched(BULLETIN_CANCELLED_APART_PATCH),
  });
  bulletins.push(bulletin);
  bulletins.splice(0, Math.max(0, bulletins.length - MAX_KEPT_BULLETINS));
  if (stored !== undefined) {
    headlines.push(bulletinHeadline(bulletin));
    headlines.splice(0, Math.max(0, headlines.length - MAX_KEPT_BULLETINS));
  }
  weekOpened.length = 0;
  weekClosed.length = 0;
  breakGlassPending.length = 0;
  // The render step names who acted for whom: the names of both, from the roster of record.
  const named = new Set((bulletin.breakGlass ?? []).flatMap((act) => [act.signer, act.actor]));
  const people = Object.fromEntries(run.roster.filter((p) => named.has(p.id)).map((p) => [p.id, p.name]));
  run.periodStart = bulletin.at;
  const key = `${workflowId}:bulletin:${bulletin.number}`;
  // Facts only: the notifier renders the bulletin, with the unit names given here.
  await notifyHq(run, {
    ...run.base(),
    idempotencyKey: key,
    recipients: hqRecipients(run),
    notice: {
      kind: 'bulletin',
      plan: { id: input.planId, title: input.planTitle },
      names: {
        units: Object.fromEntries(run.units.map((u) => [u.code, u.name])),
        unitsEn: Object.fromEntries(run.units.filter((u) => u.en).map((u) => [u.code, u.en])),
        ...(named.size > 0 ? { people } : {}),
      },
      // The plan's zone and language, for the render step; never formatted here.
      settings: { timeZone: input.timeZone, ...(input.lang ? { lang: input.lang } : {}) },
      bulletin,
    },
  });
  await run.audit({ ...run.base(), idempotencyKey: key, actor: SYSTEM_ACTOR, event: 'campaign.bulletin', details: { ...bulletin } });
}
