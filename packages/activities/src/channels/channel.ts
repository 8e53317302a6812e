/**
 * What every notification channel shares: the message it is given (already rendered,
 * recipients already resolved for this channel), the receipt it gives back, and the one
 * error class it throws. Routing decides which channel and which recipients; a channel
 * only speaks its protocol.
 */
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../validate';
import { ActivityErrorCode, DubanActivityError, type DubanActivityErrorOptions } from '../errors';

export const CHANNEL_TYPES = ['email', 'wecom', 'dingtalk', 'webhook'] as const;
/** `wecom`: 企业微信 group robot; `dingtalk`: 钉钉 custom robot; `webhook`: a signed JSON POST. */
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/**
 * One addressee, as routing resolved it for a channel. Each channel uses the fields its
 * protocol knows and ignores the rest, so routing may pass the same person to several.
 */
export interface ChannelRecipient {
  /** The plan's person id or unit code, for receipts and logs. */
  id?: string;
  /** How people know them (王建国, 区城管局): the display name of an email address. */
  name?: string;
  /** Email: the mailbox. Required by the email channel. */
  email?: string;
  /** Email: put on Cc instead of To. */
  copy?: boolean;
  /** Robots: @ this mobile number (企业微信 `mentioned_mobile_list`, 钉钉 `atMobiles`). */
  mobile?: string;
  /** Robots: @ this platform user id (企业微信 userid in `mentioned_list`, 钉钉 `atUserIds`). */
  userId?: string;
}

/** One rendered message for one channel. */
export interface ChannelMessage {
  /**
   * The delivery's idempotency key, carried on the wire (email `Message-ID` and
   * `X-Duban-Idempotency-Key`, webhook `Idempotency-Key`), so a retry is recognisable.
   * Printable ASCII, at most {@link MAX_IDEMPOTENCY_KEY_LENGTH} characters.
   */
  idempotencyKey: string;
  /** The subject line (email `Subject`, the robots' first line or title). */
  subject: string;
  /** The body as plain text, without the subject. */
  text: string;
  /** The same body as Markdown, without the subject: used by the robots when they can show it. */
  markdown?: string;
  /** Addressees resolved for this channel; the robots post to their group whoever is listed. */
  recipients: ChannelRecipient[];
  /** Robots: @ everyone in the group. */
  mentionAll?: boolean;
  /** Facts for machine receivers (e.g. the notice): the signed webhook sends them as `data`; others ignore them. */
  data?: Record<string, unknown>;
}

export interface ChannelSendOptions {
  /** Aborts the send (the activity's cancellation signal); the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What a channel reports after the other side accepted the message. No secrets, no message text. */
export interface ChannelReceipt {
  /** The configured channel name, e.g. `hq-mail`. */
  channel: string;
  type: ChannelType;
  idempotencyKey: string;
  /** ISO instant the other side accepted the message. */
  sentAt: string;
  /** Where it went, without keys or tokens: `smtp://host:587`, `https://qyapi.weixin.qq.com/cgi-bin/webhook/send`. */
  endpoint: string;
  /** HTTP status (robots, webhook) or SMTP reply code (email). */
  status: number;
  /** Email: the `Message-ID` header, derived from the idempotency key. */
  messageId?: string;
  /** Email: envelope recipients the server accepted, and those it refused (the message went to the others). */
  accepted?: string[];
  rejected?: string[];
  /** Robots: the `msgtype` posted. */
  format?: 'text' | 'markdown';
  /** Robots: how many people were @-mentioned (without @all). */
  mentioned?: number;
  /** True when the body was cut to fit the platform's limit. */
  truncated?: boolean;
  /** The server's short answer (SMTP reply, robot `errmsg`), with secrets removed. */
  response?: string;
}

/**
 * A way to reach people. `send` delivers one message and resolves with a receipt once the
 * other side accepted it, or throws a {@link ChannelError} whose code says whether to retry
 * (`CHANNEL_UNAVAILABLE`) or not (`CHANNEL_REJECTED`, `CHANNEL_AUTH_FAILED`,
 * `CHANNEL_CONFIG_INVALID`; `INVALID_INPUT` for a malformed message).
 *
 * A channel does not deduplicate: every call sends. The caller's outbox remembers what
 * was delivered; the idempotency key on the wire lets receivers drop a repeat that
 * slipped through (a crash after sending, before recording).
 */
export interface Channel {
  /** The configured name, e.g. `chengguan-robot`. */
  readonly name: string;
  readonly type: ChannelType;
  /** Where it sends, safe to log (no keys, tokens or passwords). */
  readonly endpoint: string;
  send(message: ChannelMessage, options?: ChannelSendOptions): Promise<ChannelReceipt>;
  /** Releases connections; sending after close is not supported. */
  close(): Promise<void>;
}

/** The receipt of a message the other side accepted now: who took it, where, and what it answered. */
export function receiptOf(channel: Channel, message: ChannelMessage, status: number, extra: Omit<Partial<ChannelReceipt>, 'channel' | 'type'> = {}): ChannelReceipt {
  return {
    channel: channel.name,
    type: channel.type,
    idempotencyKey: message.idempotencyKey,
    sentAt: new Date().toISOString(),
    endpoint: channel.endpoint,
    status,
    ...extra,
  };
}

/** What the channels log: a structured logger such as Temporal's fits as it is. */
export interface ChannelLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/** The codes a channel's failures carry. */
export type ChannelErrorCode =
  | typeof ActivityErrorCode.CHANNEL_CONFIG_INVALID
  | typeof ActivityErrorCode.CHANNEL_AUTH_FAILED
  | typeof ActivityErrorCode.CHANNEL_REJECTED
  | typeof ActivityErrorCode.CHANNEL_UNAVAILABLE;

export interface ChannelErrorFacts {
  channel: string;
  type: ChannelType;
  /** Redacted, as in {@link Channel.endpoint}. */
  endpoint: string;
  /** HTTP status or SMTP reply code, when the other side answered. */
  status?: number;
  /** The robot's `errcode`, when it answered with one. */
  errcode?: number;
}

/**
 * Thrown by a channel that could not deliver, or cannot be built from its settings. The
 * code decides retrying (`retryable`, from the registry); `nextRetryDelayMs` carries a
 * server's `Retry-After` or a robot's rate-limit window. Messages and details never hold
 * secrets: endpoints are redacted and server answers scrubbed.
 */
export class ChannelError extends DubanActivityError {
  override readonly name = 'ChannelError';
  readonly channel: string;
  readonly channelType: ChannelType;
  readonly endpoint: string;
  readonly status: number | undefined;
  readonly errcode: number | undefined;

  constructor(code: ChannelErrorCode, message: string, facts: ChannelErrorFacts, options: Omit<DubanActivityErrorOptions, 'retryable'> = {}) {
    super(code, message, { ...options, details: { ...facts, ...options.details } });
    this.channel = facts.channel;
    this.channelType = facts.type;
    this.endpoint = facts.endpoint;
    this.status = facts.status;
    this.errcode = facts.errcode;
  }
}

/** An idempotency key that can go into a header as it is. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * Refuses a message no channel can send (`INVALID_INPUT`, not retried): the same input
 * would fail the same way on every attempt.
 */
export function checkMessage(message: ChannelMessage, channel: string): void {
  const invalid = (field: string, problem: string): DubanActivityError =>
    new DubanActivityError(ActivityErrorCode.INVALID_INPUT, `Invalid message for channel ${channel}: ${field} ${problem}.`, {
      details: { channel, field, ...(typeof message.idempotencyKey === 'string' ? { idempotencyKey: message.idempotencyKey } : {}) },
    });
  const key: unknown = message.idempotencyKey;
  if (typeof key !== 'string' || key === '') throw invalid('idempotencyKey', 'must be a non-empty string');
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw invalid('idempotencyKey', `is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  // It travels in headers: control characters would split them, other characters be mangled.
  if (!HEADER_SAFE.test(key)) throw invalid('idempotencyKey', 'must be printable ASCII without spaces (it travels in headers)');
  if (typeof message.subject !== 'string' || message.subject.trim() === '') throw invalid('subject', 'must be a non-empty string');
  if (typeof message.text !== 'string' || message.text.trim() === '') throw invalid('text', 'must be a non-empty string');
  if (message.markdown !== undefined && (typeof message.markdown !== 'string' || message.markdown.trim() === '')) {
    throw invalid('markdown', 'must be a non-empty string when given');
  }
  if (!Array.isArray(message.recipients)) throw invalid('recipients', 'must be a list');
}

/** The robots' @-mentions of a message: user ids and mobile numbers, each once, in the order given. */
export function mentionsOf(message: ChannelMessage): { userIds: string[]; mobiles: string[] } {
  const unique = (values: Array<string | undefined>): string[] => [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
  return { userIds: unique(message.recipients.map((r) => r.userId)), mobiles: unique(message.recipients.map((r) => r.mobile)) };
}

/** Raised from configuration checks: no secret is ever part of the message. */
export function configError(channel: string, type: ChannelType, endpoint: string, problem: string): ChannelError {
  return new ChannelError(ActivityErrorCode.CHANNEL_CONFIG_INVALID, `Channel ${channel} (${type}): ${problem}`, { channel, type, endpoint });
}

/** A positive number of ms, or the default. */
export function timeoutOption(value: number | undefined, fallback: number, fail: (problem: string) => Error): number {
  const timeoutMs = value ?? fallback;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw fail(`the timeout must be a positive number of ms, got ${timeoutMs}.`);
  return timeoutMs;
}
