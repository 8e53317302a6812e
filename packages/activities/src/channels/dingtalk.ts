/**
 * 钉钉 custom robot (自定义机器人): one JSON POST to `robot/send?access_token=…`. With the
 * 加签 security setting each request also carries `timestamp` (ms) and `sign`, the
 * URL-encoded base64 of HMAC-SHA256(secret, `${timestamp}\n${secret}`); 钉钉 refuses a
 * timestamp more than an hour off. Published formats: `msgtype: text` (`text.content`) and
 * `msgtype: markdown` (`markdown.title`, `markdown.text`), both with
 * `at: { atMobiles, atUserIds, isAtAll }`.
 */
import { createHmac } from 'node:crypto';
import {
  checkMessage,
  receiptOf,
  type ChannelError,
  configError,
  mentionsOf,
  timeoutOption,
  type Channel,
  type ChannelLogger,
  type ChannelMessage,
  type ChannelReceipt,
  type ChannelSendOptions,
} from './channel';
import type { Secret } from './credentials';
import { DEFAULT_HTTP_TIMEOUT_MS, checkUrl, logged, postToRobot, redactEndpoint, type HttpTarget, type RobotErrcodes } from './http';
import { DEFAULT_TRUNCATION_MARKER, truncateUtf8, utf8Length } from './text';

export const DINGTALK_ROBOT_URL = 'https://oapi.dingtalk.com/robot/send';
/**
 * Our cap on a message's body, in UTF-8 bytes. 钉钉 publishes no byte limit for these
 * robots that we rely on; long notices are cut here, visibly, rather than by the platform.
 */
export const DINGTALK_DEFAULT_MAX_BYTES = 20_000;
/**
 * -1 system busy; 130101 send too fast (over 20 a minute); 410100 throttled. 300001 token
 * does not exist; 310000 the robot's security settings refused the request (加签
 * signature, keywords or IP allow-list); 400101 access_token missing; 400102 robot
 * disabled; 400106 robot does not exist.
 */
const DINGTALK_ERRCODES: RobotErrcodes = {
  platform: '钉钉',
  retryable: new Set([-1, 130101, 410100]),
  rateLimited: new Set([130101, 410100]),
  auth: new Set([300001, 310000, 400101, 400102, 400106]),
  authHint: "check the access token and 加签 secrets the channel names, the robot's security settings (keywords, IP allow-list) and this machine's clock.",
};

/**
 * The 加签 signature of a request made at `timestampMs`: base64 of
 * HMAC-SHA256(key = secret, data = `${timestampMs}\n${secret}`). It goes into the `sign`
 * query parameter URL-encoded.
 */
export function dingTalkSignature(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

export interface DingTalkRobotChannelOptions {
  name: string;
  /** The robot's `access_token` (from its webhook address). */
  accessToken: Secret;
  /** The 加签 secret (`SEC…`). Without it the robot must be protected by keywords or an IP allow-list. */
  signSecret?: Secret;
  /** The send endpoint without query. Default {@link DINGTALK_ROBOT_URL}; tests point it at 127.0.0.1. */
  url?: string;
  /** One attempt's limit, in ms. Default 10,000. */
  timeoutMs?: number;
  /** Cap on the body in UTF-8 bytes. Default {@link DINGTALK_DEFAULT_MAX_BYTES}. */
  maxBytes?: number;
  /** Appended where a body is cut to fit. Default {@link DEFAULT_TRUNCATION_MARKER}. */
  truncationMarker?: string;
  /** The clock the signature's timestamp comes from, in ms. Default `Date.now`. */
  now?: () => number;
  logger?: ChannelLogger;
}

interface At {
  atMobiles?: string[];
  atUserIds?: string[];
  isAtAll: boolean;
}

type DingTalkBody =
  | { msgtype: 'text'; text: { content: string }; at: At }
  | { msgtype: 'markdown'; markdown: { title: string; text: string }; at: At };

/**
 * Posts to a 钉钉 custom robot, as Markdown when the message has it, else as text. The
 * people to @ are listed in `at` and named in the body (`@13800000001`), which 钉钉 needs
 * to show the mention in a Markdown message.
 *
 * @example
 * ```ts
 * const robot = new DingTalkRobotChannel({
 *   name: 'hq-dingtalk',
 *   accessToken: secrets.get('hq-dingtalk-token'),
 *   signSecret: secrets.get('hq-dingtalk-sign'),
 * });
 * ```
 */
export class DingTalkRobotChannel implements Channel {
  readonly type = 'dingtalk' as const;
  readonly name: string;
  readonly endpoint: string;
  private readonly base: URL;
  private readonly accessToken: Secret;
  private readonly signSecret: Secret | undefined;
  private readonly target: HttpTarget;
  private readonly maxBytes: number;
  private readonly marker: string;
  private readonly now: () => number;
  private readonly logger: ChannelLogger | undefined;

  /** @throws ChannelError `CHANNEL_CONFIG_INVALID` for an unusable URL, timeout or limit. */
  constructor(options: DingTalkRobotChannelOptions) {
    this.name = options.name;
    this.base = checkUrl(options.url ?? DINGTALK_ROBOT_URL, 'robot URL', { channel: this.name, type: this.type, httpsUnlessLoopback: true });
    this.endpoint = redactEndpoint(this.base);
    const fail = (problem: string): ChannelError => configError(this.name, this.type, this.endpoint, problem);
    if (this.base.search !== '') throw fail('the robot URL must not have a query: give the access token as a secret, not in the URL.');
    this.accessToken = options.accessToken;
    this.signSecret = options.signSecret;
    this.maxBytes = options.maxBytes ?? DINGTALK_DEFAULT_MAX_BYTES;
    this.marker = options.truncationMarker ?? DEFAULT_TRUNCATION_MARKER;
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 512) throw fail(`maxBytes must be a whole number of at least 512, got ${this.maxBytes}.`);
    if (utf8Length(this.marker) >= this.maxBytes / 4) throw fail('the truncation marker is too long.');
    this.target = {
      channel: this.name,
      type: this.type,
      endpoint: this.endpoint,
      timeoutMs: timeoutOption(options.timeoutMs, DEFAULT_HTTP_TIMEOUT_MS, fail),
      secrets: options.signSecret === undefined ? [options.accessToken] : [options.accessToken, options.signSecret],
    };
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
  }

  async send(message: ChannelMessage, options: ChannelSendOptions = {}): Promise<ChannelReceipt> {
    checkMessage(message, this.name);
    return logged(this.logger, this.name, message.idempotencyKey, async () => {
      const { body, truncated, mentioned } = this.compose(message);
      // Signed per attempt: a retry gets a fresh timestamp inside 钉钉's one-hour window.
      const { status, errmsg } = await postToRobot(this.target, this.signedUrl(), body, message.idempotencyKey, DINGTALK_ERRCODES, options.signal);
      return receiptOf(this, message, status, {
        format: body.msgtype,
        mentioned,
        truncated,
        response: errmsg,
      });
    });
  }

  async close(): Promise<void> {
    // Each send is one fetch; nothing is held open.
  }

  private signedUrl(): URL {
    const url = new URL(this.base);
    // URLSearchParams form-encodes the values: base64's "+", "/" and "=" become %2B, %2F, %3D.
    url.searchParams.set('access_token', this.accessToken.reveal());
    if (this.signSecret !== undefined) {
      const timestamp = Math.trunc(this.now());
      url.searchParams.set('timestamp', String(timestamp));
      url.searchParams.set('sign', dingTalkSignature(this.signSecret.reveal(), timestamp));
    }
    return url;
  }

  private compose(message: ChannelMessage): { body: DingTalkBody; truncated: boolean; mentioned: number } {
    const { userIds, mobiles } = mentionsOf(message);
    const isAtAll = message.mentionAll === true;
    const at: At = {
      ...(mobiles.length === 0 ? {} : { atMobiles: mobiles }),
      ...(userIds.length === 0 ? {} : { atUserIds: userIds }),
      isAtAll,
    };
    const markdown = message.markdown !== undefined;
    const main = markdown ? `### ${message.subject}\n\n${message.markdown}` : `${message.subject}\n\n${message.text}`;
    // The mentions close the body and survive a cut, or the people they name are not alerted.
    const names = [...mobiles, ...userIds].map((id) => `@${id}`);
    const mentionLine = names.length === 0 ? '' : `\n\n${names.join(' ')}`;
    const { text, truncated } = truncateUtf8(main, this.maxBytes - utf8Length(mentionLine), this.marker);
    const content = text + mentionLine;
    const body: DingTalkBody = markdown
      ? { msgtype: 'markdown', markdown: { title: message.subject, text: content }, at }
      : { msgtype: 'text', text: { content }, at };
    return { body, truncated, mentioned: mobiles.length + userIds.length };
  }

}
