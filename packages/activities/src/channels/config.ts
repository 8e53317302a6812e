/**
 * Channels built from configuration, where every secret is referred to by name (fields
 * ending in `Secret`) and looked up in a {@link SecretSource}: the configuration can be
 * committed, shown and logged.
 */
import { ActivityErrorCode, DubanActivityError } from '../errors';
import { CHANNEL_TYPES, type Channel, type ChannelLogger } from './channel';
import { envSecrets, type SecretSource } from './credentials';
import { DingTalkRobotChannel } from './dingtalk';
import { EmailChannel, type EmailAddress, type SmtpSecurity } from './email';
import { SignedWebhookChannel } from './signed-webhook';
import { WeComRobotChannel } from './wecom';

export interface EmailChannelConfig {
  type: 'email';
  host: string;
  port?: number;
  security?: SmtpSecurity;
  /** PEM of a CA to trust for the server. */
  ca?: string;
  user?: string;
  /** Name of the secret holding the SMTP password. */
  passwordSecret?: string;
  from: EmailAddress;
  messageIdDomain?: string;
  timeoutMs?: number;
}

export interface WeComChannelConfig {
  type: 'wecom';
  /** Name of the secret holding the robot's key. */
  keySecret: string;
  /** Default the 企业微信 endpoint. */
  url?: string;
  timeoutMs?: number;
  truncationMarker?: string;
}

export interface DingTalkChannelConfig {
  type: 'dingtalk';
  /** Name of the secret holding the robot's access_token. */
  accessTokenSecret: string;
  /** Name of the secret holding the 加签 secret. */
  signSecret?: string;
  /** Default the 钉钉 endpoint. */
  url?: string;
  timeoutMs?: number;
  maxBytes?: number;
  truncationMarker?: string;
}

export interface WebhookChannelConfig {
  type: 'webhook';
  url: string;
  /** Name of the secret shared with the receiver for the HMAC signature. */
  signingSecret: string;
  timeoutMs?: number;
}

/** One channel's settings, by `type`. */
export type ChannelConfig = EmailChannelConfig | WeComChannelConfig | DingTalkChannelConfig | WebhookChannelConfig;

export interface CreateChannelOptions {
  /** Where named secrets are looked up. Default {@link envSecrets} (`DUBAN_SECRET_<NAME>`, `…_FILE`). */
  secrets?: SecretSource;
  /** Receives one line per delivery and per failure. Default: none. */
  logger?: ChannelLogger;
}

/**
 * Builds the channel `name` from its settings, resolving its secrets now, so a missing
 * secret stops the worker at start rather than failing every notification.
 *
 * @example
 * ```ts
 * const robot = createChannel('chengguan-robot', { type: 'wecom', keySecret: 'chengguan-wecom-key' });
 * // reads DUBAN_SECRET_CHENGGUAN_WECOM_KEY, or the file named by DUBAN_SECRET_CHENGGUAN_WECOM_KEY_FILE
 * ```
 * @throws DubanError `SECRET_NOT_FOUND` / `SECRET_INVALID`; ChannelError `CHANNEL_CONFIG_INVALID`.
 */
export function createChannel(name: string, config: ChannelConfig, options: CreateChannelOptions = {}): Channel {
  const secrets = options.secrets ?? envSecrets();
  const logger = options.logger;
  switch (config.type) {
    case 'email':
      return new EmailChannel({
        name,
        host: config.host,
        port: config.port,
        security: config.security,
        ca: config.ca,
        user: config.user,
        password: config.passwordSecret === undefined ? undefined : secrets.get(config.passwordSecret),
        from: config.from,
        messageIdDomain: config.messageIdDomain,
        timeoutMs: config.timeoutMs,
        logger,
      });
    case 'wecom':
      return new WeComRobotChannel({
        name,
        key: secrets.get(config.keySecret),
        url: config.url,
        timeoutMs: config.timeoutMs,
        truncationMarker: config.truncationMarker,
        logger,
      });
    case 'dingtalk':
      return new DingTalkRobotChannel({
        name,
        accessToken: secrets.get(config.accessTokenSecret),
        signSecret: config.signSecret === undefined ? undefined : secrets.get(config.signSecret),
        url: config.url,
        timeoutMs: config.timeoutMs,
        maxBytes: config.maxBytes,
        truncationMarker: config.truncationMarker,
        logger,
      });
    case 'webhook':
      return new SignedWebhookChannel({
        name,
        url: config.url,
        secret: secrets.get(config.signingSecret),
        timeoutMs: config.timeoutMs,
        logger,
      });
    default: {
      const type: unknown = (config as { type?: unknown }).type;
      throw new DubanActivityError(
        ActivityErrorCode.CHANNEL_CONFIG_INVALID,
        `Channel ${name}: type must be one of ${CHANNEL_TYPES.join(', ')}, not ${JSON.stringify(type)}.`,
        { details: { channel: name } },
      );
    }
  }
}

/**
 * Builds every configured channel, by name. All or nothing: when one cannot be built, the
 * ones already built are closed and the error is thrown.
 */
export async function createChannels(configs: Record<string, ChannelConfig>, options: CreateChannelOptions = {}): Promise<Map<string, Channel>> {
  const channels = new Map<string, Channel>();
  try {
    for (const [name, config] of Object.entries(configs)) channels.set(name, createChannel(name, config, options));
  } catch (err) {
    await Promise.all([...channels.values()].map((channel) => channel.close()));
    throw err;
  }
  return channels;
}
