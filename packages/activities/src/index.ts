/**
 * The duban activities: the audit trail (台账) and notifications, with the stores and
 * senders behind them, and the render step that turns notices into words. Workflow
 * code imports `./contract` types only; workers build the implementations here.
 *
 * @example
 * ```ts
 * import { LogAndWebhookNotifier, createActivities, openAuditStore, renderNotice, verifyAuditTrail, workspaceUrlFromEnv } from '@duban/activities';
 *
 * // A SQLite file, or the PostgreSQL database every worker shares (postgres://…).
 * const auditStore = await openAuditStore(process.env.DUBAN_AUDIT_URL ?? '.duban/audit.sqlite');
 * const notifier = new LogAndWebhookNotifier({
 *   webhook: process.env.DUBAN_WEBHOOK_URL,   // optional: without it, log only
 *   outbox: auditStore.outbox(),              // a restarted (or another) worker does not resend
 *   lang: 'zh', timeZone: 'Asia/Shanghai',     // the defaults
 * });
 * const activities = createActivities({ auditStore, notifier });
 * // Worker.create({ activities, ... })
 *
 * const trail = await auditStore.list({ planId: 'xihu-2020', taskNumber: 3 });
 * const { ok, chains } = verifyAuditTrail(trail); // links intact? the first bad row of each chain
 * const { subject, text, markdown } = renderNotice(notice, { workspaceUrl: workspaceUrlFromEnv(process.env) });
 * ```
 */
export type {
  AppendAuditResult,
  AuditEntryInput,
  CampaignSnapshotPartInput,
  CampaignSnapshotPartRef,
  CampaignStoreActivities,
  StorePlanPartRequest,
  StoredPlanSectionRequest,
  StoredPlanSectionResult,
  DubanActivities,
  NotificationInput,
  NotificationRecipient,
  NotifyResult,
} from './contract';
export { createActivities } from './activities';
export {
  createCampaignStoreActivities,
  InMemoryCampaignStore,
  PostgresCampaignStore,
  SqliteCampaignStore,
  StoredPlanReader,
  storedPlanReader,
} from './campaign-store';
export type { CampaignStore, StoredPart, StoredPlanDocument } from './campaign-store';
export type { ActivityDependencies } from './activities';
export { InMemoryAuditStore, PostgresAuditStore, SqliteAuditStore } from './audit-store';
export type { SqliteDurability } from './sqlite-writer';
export type { AuditQuery, AuditRecord, AuditStore, PersistentAuditStore } from './audit-store';
export { auditStoreTarget, describeAuditTarget, openAuditStore } from './open-store';
export type { AuditStoreChoice, OpenAuditStoreOptions } from './open-store';
export { POSTGRES_SCHEMA_VERSION, isPostgresUrl, redactPostgresUrl } from './postgres';
export type { OpenPostgresOptions } from './postgres';
export { verifyAuditTrail } from './verify';
export type {
  AuditChainProblem,
  AuditChainReference,
  AuditChainReport,
  AuditProblemKind,
  AuditProblemReason,
  AuditRowRef,
  AuditVerification,
} from './verify';
export { InMemoryOutbox, PostgresOutbox, SqliteOutbox } from './outbox';
export type { NotificationChannel, NotificationOutbox, PersistentOutbox, SentNotification } from './outbox';
export { LogAndWebhookNotifier, isRetryableStatus, jsonLineLogger, redactUrl } from './notifier';
export type { LogAndWebhookNotifierOptions, Notifier, NotifierLogger, NotifyOptions, WebhookOptions } from './notifier';
export {
  DEFAULT_RENDER_LANG,
  DEFAULT_RENDER_TIME_ZONE,
  RENDER_LANGS,
  renderNotice,
  resolveRenderOptions,
  workspaceUrlFromEnv,
} from './render';
export type { RenderLang, RenderOptions, RenderedNotice } from './render';
export { ActivityErrorCode, AuditStoreError, DubanActivityError, WebhookError, toApplicationFailure } from './errors';
export type { DubanActivityErrorOptions } from './errors';
export { SQLITE_SCHEMA_VERSION, openSqliteDatabase } from './sqlite';
export type { OpenSqliteOptions, SqliteDatabase } from './sqlite';
export { MAX_IDEMPOTENCY_KEY_LENGTH } from './validate';
export * from './channels';
export * from './routing';
