/**
 * What workflow code may ask of the outside world. Workflows import these types with
 * `import type` only; the implementations live beside them in this package.
 */
import type { Notice } from '@duban/common';
import type { AuditLink } from '@duban/identity';

/** One line of the audit trail (台账): written once per state change of a task. */
export interface AuditEntryInput {
  /** Unique per event, derived from the workflow ID and the event: a retry with the same key writes nothing. */
  idempotencyKey: string;
  /** When the event happened, as an ISO instant with offset (workflow time). */
  at: string;
  planId: string;
  taskNumber: number;
  workflowId: string;
  /** A person id from the plan's roster, or `system` for timers and the workflow itself. */
  actor: string;
  /** Dotted event name, e.g. `task.acknowledged`, `escalation.reminder`. */
  event: string;
  details: Record<string, unknown>;
  /**
   * The entry's link in its workflow's hash chain (`@duban/identity` `linkAuditEntry`),
   * computed in workflow code. Absent on entries written before chains existed.
   */
  chain?: AuditLink;
}

export interface NotificationRecipient {
  unit?: string;
  person?: string;
  role?: string;
}

/**
 * A message to people, as data: the notice says what happened (its `kind` and facts);
 * the notifier renders the words (`renderNotice`) in the reader's language and zone,
 * so wording never lives in workflow code.
 */
export interface NotificationInput {
  /** Unique per notification: a retry with the same key sends nothing twice. */
  idempotencyKey: string;
  at: string;
  planId: string;
  taskNumber: number;
  workflowId: string;
  recipients: NotificationRecipient[];
  notice: Notice;
}

export interface AppendAuditResult {
  /** False when an entry with this idempotency key was already stored. */
  inserted: boolean;
}

export interface NotifyResult {
  /** False when a notification with this idempotency key was already sent. */
  sent: boolean;
}

/** One part of a plan's stored text, as the launch sends it through the worker (`storePlanWorkflow`). */
export interface StorePlanPartRequest {
  planId: string;
  /** SHA-256 (hex) of the whole text: the plan is stored once per hash. */
  hash: string;
  /** Position from 0, of `parts`. */
  part: number;
  parts: number;
  body: string;
}

/** A slice of one section of a stored plan (`units` or `roster`), for the campaign to hold. */
export interface StoredPlanSectionRequest {
  hash: string;
  parts: number;
  section: 'units' | 'roster';
  from: number;
  count: number;
}

export interface StoredPlanSectionResult {
  /** As the client stored them (`Unit`s or `Person`s of `@duban/workflows`). */
  items: unknown[];
  /** How many the section holds. */
  total: number;
}

/** Where one part of a campaign's snapshot is kept: the run that saved it. */
export interface CampaignSnapshotPartRef {
  workflowId: string;
  runId: string;
  part: number;
}

export interface CampaignSnapshotPartInput extends CampaignSnapshotPartRef {
  parts: number;
  body: string;
}

/**
 * The activities of stored plans and campaign snapshots (`createCampaignStoreActivities`):
 * what keeps a campaign's start input and carried state independent of its size.
 */
export interface CampaignStoreActivities {
  storePlanPart(input: StorePlanPartRequest): Promise<{ inserted: boolean }>;
  loadStoredPlanSection(input: StoredPlanSectionRequest): Promise<StoredPlanSectionResult>;
  saveCampaignSnapshotPart(input: CampaignSnapshotPartInput): Promise<{ inserted: boolean }>;
  loadCampaignSnapshotPart(input: CampaignSnapshotPartRef): Promise<{ part: number; parts: number; body: string }>;
  /** Removes a campaign's snapshots older than the one its current run loaded. */
  pruneCampaignSnapshots(input: { workflowId: string; keepRunId: string }): Promise<{ removed: number }>;
}

/** The activities registered by the duban worker. */
export interface DubanActivities {
  appendAudit(entry: AuditEntryInput): Promise<AppendAuditResult>;
  notify(notification: NotificationInput): Promise<NotifyResult>;
}
