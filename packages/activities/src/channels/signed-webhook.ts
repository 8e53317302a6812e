/**
 * A generic webhook: the message as a JSON POST, signed so the receiver knows it comes
 * from duban and was not altered or replayed. The signature is HMAC-SHA256 with a shared
 * secret over `${timestamp}.${body}` (the exact bytes sent), in
 * `X-Duban-Signature: sha256=<hex>`; the timestamp (Unix seconds) is in
 * `X-Duban-Timestamp`; the delivery's key in `Idempotency-Key`. The receiver's check is
 * in this folder's README.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  checkMessage,
  receiptOf,
  configError,
  timeoutOption,
  type Channel,
  type ChannelError,
  type ChannelLogger,
  type ChannelMessage,
  type ChannelReceipt,
  type ChannelRecipient,
  type ChannelSendOptions,
} from './channel';
import type { Secret } from './credentials';
import { DEFAULT_HTTP_TIMEOUT_MS, checkUrl, logged, postJson, redactEndpoint, type HttpTarget } from './http';

/** Header names as sent; Node's `req.headers` gives them lower-cased. */
export const WEBHOOK_TIMESTAMP_HEADER = 'X-Duban-Timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'X-Duban-Signature';
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** How far a receiver should accept a timestamp from its own clock, in seconds. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** What the receiver gets as the JSON body. */
export interface SignedWebhookPayload {
  idempotencyKey: string;
  /** The sending channel's name, so one receiver can serve several. */
  channel: string;
  subject: string;
  text: string;
  markdown?: string;
  recipients: ChannelRecipient[];
  mentionAll?: boolean;
  data?: Record<string, unknown>;
}

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body, 'utf8').digest('hex')}`;
}

export interface VerifyWebhookOptions {
  /** Default {@link WEBHOOK_TOLERANCE_SECONDS}. */
  toleranceSeconds?: number;
  /** The receiver's clock, in ms. Default `Date.now()`. */
  nowMs?: number;
}

/**
 * The receiver's check, for receivers written in TypeScript against this package (the
 * README has the same check as a dependency-free snippet). `headers` as Node gives them.
 * True only for a well-formed signature of this body by this secret, with a timestamp
 * inside the tolerance window; compared in constant time.
 */
export function verifyWebhookSignature(
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  secret: string,
  options: VerifyWebhookOptions = {},
): boolean {
  const timestamp = headers[WEBHOOK_TIMESTAMP_HEADER.toLowerCase()];
  const signature = headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()];
  if (typeof timestamp !== 'string' || !/^\d{1,15}$/.test(timestamp)) return false;
  if (typeof signature !== 'string' || !/^sha256=[0-9a-f]{64}$/.test(signature)) return false;
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs((options.nowMs ?? Date.now()) / 1000 - Number(timestamp)) > tolerance) return false;
  const expected = Buffer.from(signWebhookBody(secret, timestamp, rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface SignedWebhookChannelOptions {
  name: string;
  /** Where to POST. May hold a path and query; no user name or password. Shown without its query. */
  url: string;
  /** The secret shared with the receiver. */
  secret: Secret;
  /** One attempt's limit, in ms. Default 10,000. */
  timeoutMs?: number;
  /** The clock the timestamp comes from, in ms. Default `Date.now`. */
  now?: () => number;
  logger?: ChannelLogger;
}

/**
 * Posts each message as a {@link SignedWebhookPayload}. Every attempt is signed afresh
 * (new timestamp) and carries the same `Idempotency-Key`, which receivers should
 * remember to drop repeats.
 *
 * @example
 * ```ts
 * const hook = new SignedWebhookChannel({ name: 'ops-hook', url: 'https://ops.example.gov.cn/duban', secret: secrets.get('ops-hook') });
 * ```
 */
export class SignedWebhookChannel implements Channel {
  readonly type = 'webhook' as const;
  readonly name: string;
  readonly endpoint: string;
  private readonly url: URL;
  private readonly secret: Secret;
  private readonly target: HttpTarget;
  private readonly now: () => number;
  private readonly logger: ChannelLogger | undefined;

  /** @throws ChannelError `CHANNEL_CONFIG_INVALID` for an unusable URL or timeout. */
  constructor(options: SignedWebhookChannelOptions) {
    this.name = options.name;
    // Plain http is allowed: the body is signed, not secret, and receivers on an office
    // network often have no certificate.
    this.url = checkUrl(options.url, 'webhook URL', { channel: this.name, type: this.type, httpsUnlessLoopback: false });
    this.endpoint = redactEndpoint(this.url);
    const fail = (problem: string): ChannelError => configError(this.name, this.type, this.endpoint, problem);
    this.secret = options.secret;
    this.target = {
      channel: this.name,
      type: this.type,
      endpoint: this.endpoint,
      timeoutMs: timeoutOption(options.timeoutMs, DEFAULT_HTTP_TIMEOUT_MS, fail),
      secrets: [options.secret],
    };
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
  }

  async send(message: ChannelMessage, options: ChannelSendOptions = {}): Promise<ChannelReceipt> {
    checkMessage(message, this.name);
    return logged(this.logger, this.name, message.idempotencyKey, async () => {
      const payload: SignedWebhookPayload = {
        idempotencyKey: message.idempotencyKey,
        channel: this.name,
        subject: message.subject,
        text: message.text,
        ...(message.markdown === undefined ? {} : { markdown: message.markdown }),
        recipients: message.recipients,
        ...(message.mentionAll === undefined ? {} : { mentionAll: message.mentionAll }),
        ...(message.data === undefined ? {} : { data: message.data }),
      };
      const body = JSON.stringify(payload);
      const timestamp = String(Math.floor(this.now() / 1000));
      const answer = await postJson(
        this.target,
        this.url,
        body,
        {
          [IDEMPOTENCY_KEY_HEADER]: message.idempotencyKey,
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(this.secret.reveal(), timestamp, body),
        },
        options.signal,
      );
      return receiptOf(this, message, answer.status);
    });
  }

  async close(): Promise<void> {
    // Each send is one fetch; nothing is held open.
  }
}
