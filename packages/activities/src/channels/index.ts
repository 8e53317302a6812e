/**
 * Notification channels: email over SMTP, 企业微信 and 钉钉 group robots, and signed
 * webhooks. Each sends one rendered message to the recipients routing resolved for it,
 * and answers with a receipt or a {@link ChannelError} that says whether to retry.
 * Secrets are named in configuration and read from the environment.
 *
 * @example
 * ```ts
 * import { createChannel } from '@duban/activities';
 *
 * const mail = createChannel('hq-mail', {
 *   type: 'email', host: 'smtp.xihu.nc.gov.cn', security: 'starttls',
 *   user: 'duban@xihu.nc.gov.cn', passwordSecret: 'xihu-smtp',          // DUBAN_SECRET_XIHU_SMTP
 *   from: { name: '南昌市西湖区督办', address: 'duban@xihu.nc.gov.cn' },
 * });
 * const receipt = await mail.send(
 *   { idempotencyKey, subject, text, recipients: [{ id: 'chengguan-head', name: '王建国', email: 'wangjg@xihu.nc.gov.cn' }] },
 *   { signal: Context.current().cancellationSignal },
 * );
 * ```
 */
export { CHANNEL_TYPES, ChannelError } from './channel';
export type {
  Channel,
  ChannelErrorCode,
  ChannelErrorFacts,
  ChannelLogger,
  ChannelMessage,
  ChannelReceipt,
  ChannelRecipient,
  ChannelSendOptions,
  ChannelType,
} from './channel';
export { createChannel, createChannels } from './config';
export type { ChannelConfig, CreateChannelOptions, DingTalkChannelConfig, EmailChannelConfig, WeComChannelConfig, WebhookChannelConfig } from './config';
export { Secret, envSecrets, scrubSecrets, secretEnvName } from './credentials';
export type { EnvSecretsOptions, SecretSource } from './credentials';
export { DINGTALK_DEFAULT_MAX_BYTES, DINGTALK_ROBOT_URL, DingTalkRobotChannel, dingTalkSignature } from './dingtalk';
export type { DingTalkRobotChannelOptions } from './dingtalk';
export { DEFAULT_SMTP_TIMEOUT_MS, EMAIL_IDEMPOTENCY_HEADER, EmailChannel, emailMessageId } from './email';
export type { EmailAddress, EmailChannelOptions, SmtpSecurity } from './email';
export {
  IDEMPOTENCY_KEY_HEADER,
  SignedWebhookChannel,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  WEBHOOK_TOLERANCE_SECONDS,
  signWebhookBody,
  verifyWebhookSignature,
} from './signed-webhook';
export type { SignedWebhookChannelOptions, SignedWebhookPayload, VerifyWebhookOptions } from './signed-webhook';
export { DEFAULT_TRUNCATION_MARKER, truncateUtf8 } from './text';
export type { Truncated } from './text';
export { WECOM_MARKDOWN_MAX_BYTES, WECOM_ROBOT_URL, WECOM_TEXT_MAX_BYTES, WeComRobotChannel } from './wecom';
export type { WeComRobotChannelOptions } from './wecom';
