/**
 * The workflow that stores one part of a launched plan's text in the worker's audit
 * database: how the plan reaches the worker without passing through the campaign's input
 * (a client need not reach the database, which may be a SQLite file on the worker's
 * machine). One workflow per part, its ID made of the plan's hash and the part
 * (`storePlanWorkflowId`), so storing a plan again stores nothing new.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CampaignStoreActivities } from '@duban/activities';
import type { StorePlanPartInput } from './campaign-definitions';

// Unlimited retries: a store that is down holds the campaign's launch back rather than losing the plan.
const { storePlanPart } = proxyActivities<CampaignStoreActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function storePlanWorkflow(part: StorePlanPartInput): Promise<{ inserted: boolean }> {
  return storePlanPart(part);
}
