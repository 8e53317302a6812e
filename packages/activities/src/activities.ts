import { Context } from '@temporalio/activity';
import type { AppendAuditResult, AuditEntryInput, CampaignStoreActivities, DubanActivities, NotificationInput, NotifyResult } from './contract';
import type { AuditStore } from './audit-store';
import { createCampaignStoreActivities, InMemoryCampaignStore, type CampaignStore } from './campaign-store';
import { toApplicationFailure } from './errors';
import type { Notifier } from './notifier';

/** What the activities need from the outside world; injected so tests and embedders choose. */
export interface ActivityDependencies {
  auditStore: AuditStore;
  notifier: Notifier;
  /**
   * Where launched plans and campaign snapshots are kept (`auditStore.campaignStore()` of
   * a SQLite or PostgreSQL store). Default: in memory, which serves one worker process only.
   */
  campaignStore?: CampaignStore;
}

/** The running activity's cancellation signal, or undefined when called outside an activity (plain tests). */
function activityCancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    // Context.current() throws outside an activity; the notifier then relies on its own timeout.
    return undefined;
  }
}

/**
 * Builds the activities the duban worker registers. Errors from the store and the
 * notifier cross the Temporal boundary as `ApplicationFailure`s whose `type` is an
 * {@link ActivityErrorCode}: invalid input and webhook rejections are non-retryable,
 * everything else is retried by the workflow's retry policy.
 *
 * Callers of `notify` set its start-to-close timeout to `NOTICE_DELIVERY.activityTimeoutMs`
 * (30 s, `@duban/common`), above the webhook's attempt timeout (at most 25 s), and bound
 * its attempts (`NOTICE_DELIVERY`): a slow receiver then sees each notification a bounded
 * number of times, all with the same `Idempotency-Key` header.
 *
 * @example
 * ```ts
 * const auditStore = SqliteAuditStore.open('.duban/audit.sqlite');
 * const activities = createActivities({
 *   auditStore,
 *   notifier: new LogAndWebhookNotifier({ outbox: auditStore.outbox() }),
 * });
 * await Worker.create({ activities, workflowBundle, taskQueue, connection });
 * ```
 */
export function createActivities(deps: ActivityDependencies): DubanActivities & CampaignStoreActivities {
  const { auditStore, notifier } = deps;
  return {
    ...createCampaignStoreActivities(deps.campaignStore ?? new InMemoryCampaignStore()),
    async appendAudit(entry: AuditEntryInput): Promise<AppendAuditResult> {
      try {
        return await auditStore.append(entry);
      } catch (err) {
        throw toApplicationFailure(err);
      }
    },
    async notify(notification: NotificationInput): Promise<NotifyResult> {
      const signal = activityCancellationSignal();
      try {
        return await notifier.notify(notification, signal === undefined ? {} : { signal });
      } catch (err) {
        throw toApplicationFailure(err);
      }
    },
  };
}
