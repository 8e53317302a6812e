/**
 * The duban activities: the audit trail (台账) and notifications, with the stores and
 * senders behind them, and the render step that turns notices into words. Workflow
 * code imports `./contract` types only; workers build the implementations here.
 *
 * @example
 * ```ts
 * import { LogAndWebhookNotifier, SqliteAuditStore, createActivities, renderNotice } from '@duban/activities';
 *
 * const auditStore = SqliteAuditStore.open('.duban/audit.sqlite');
 * const notifier = new LogAndWebhookNotifier({
 *   webhook: process.env.DUBAN_WEBHOOK_URL,   // optional: without it, log only
 *   outbox: auditStore.outbox(),              // a restarted worker does not resend
 *   lang: 'zh', timeZone: 'Asia/Shanghai',     // the defaults
 * });
 * const activities = createActivities({ auditStore, notifier });
 * // Worker.create({ activities, ... })
 *
 * const trail = await auditStore.list({ planId: 'xihu-2020', taskNumber: 3 });
 * const { subject, body } = renderNotice(notice, { lang: 'en' });
 * ```
 */
export type {
  AppendAuditResult,
  AuditEntryInput,
  DubanActivities,
  NotificationInput,
  NotificationRecipient,
  NotifyResult,
} from './contract';
export { createActivities } from './activities';
export type { ActivityDependencies } from './activities';
export { InMemoryAuditStore, SqliteAuditStore } from './audit-store';
export type { AuditQuery, AuditRecord, AuditStore } from './audit-store';
export { InMemoryOutbox, SqliteOutbox } from './outbox';
export type { NotificationChannel, NotificationOutbox, SentNotification } from './outbox';
export { LogAndWebhookNotifier, isRetryableStatus, jsonLineLogger, redactUrl } from './notifier';
export type { LogAndWebhookNotifierOptions, Notifier, NotifierLogger, NotifyOptions, WebhookOptions } from './notifier';
export {
  DEFAULT_RENDER_LANG,
  DEFAULT_RENDER_TIME_ZONE,
  RENDER_LANGS,
  renderNotice,
  resolveRenderOptions,
} from './render';
export type { RenderLang, RenderOptions, RenderedNotice } from './render';
export { ActivityErrorCode, AuditStoreError, DubanActivityError, WebhookError, toApplicationFailure } from './errors';
export type { DubanActivityErrorOptions } from './errors';
export { SQLITE_SCHEMA_VERSION, openSqliteDatabase } from './sqlite';
export type { OpenSqliteOptions, SqliteDatabase } from './sqlite';
export { MAX_IDEMPOTENCY_KEY_LENGTH } from './validate';
