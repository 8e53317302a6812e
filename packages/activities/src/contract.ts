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

/** The activities registered by the duban worker. */
export interface DubanActivities {
  appendAudit(entry: AuditEntryInput): Promise<AppendAuditResult>;
  notify(notification: NotificationInput): Promise<NotifyResult>;
}
