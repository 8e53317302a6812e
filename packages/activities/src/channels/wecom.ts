/**
 * 企业微信 group robot (群机器人): one JSON POST to the robot's webhook, whose `key` query
 * parameter is the robot's only credential. Published format: `msgtype: text` with
 * `mentioned_list` (userids, `@all`) and `mentioned_mobile_list`, at most 2048 bytes of
 * content; `msgtype: markdown`, at most 4096 bytes, which cannot @ anyone.
 */
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

export const WECOM_ROBOT_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send';
export const WECOM_TEXT_MAX_BYTES = 2048;
export const WECOM_MARKDOWN_MAX_BYTES = 4096;
/**
 * errcodes worth retrying: -1 system busy, 45009 call frequency over the limit (20 a
 * minute), 45033 too many concurrent calls; 93000 invalid webhook URL (the key is wrong
 * or the robot is gone).
 */
const WECOM_ERRCODES: RobotErrcodes = {
  platform: '企业微信',
  retryable: new Set([-1, 45009, 45033]),
  rateLimited: new Set([45009]),
  auth: new Set([93000]),
  authHint: 'check the robot still exists and the key secret the channel names.',
};

export interface WeComRobotChannelOptions {
  /** The configured channel name, e.g. `chengguan-robot`. */
  name: string;
  /** The robot's key: the `key=` of the webhook address 企业微信 shows. */
  key: Secret;
  /** The send endpoint without `key`. Default {@link WECOM_ROBOT_URL}; tests point it at 127.0.0.1. */
  url?: string;
  /** One attempt's limit, in ms. Default 10,000. */
  timeoutMs?: number;
  /** Appended where a body is cut to fit. Default {@link DEFAULT_TRUNCATION_MARKER}. */
  truncationMarker?: string;
  logger?: ChannelLogger;
}

type WeComBody =
  | { msgtype: 'text'; text: { content: string; mentioned_list?: string[]; mentioned_mobile_list?: string[] } }
  | { msgtype: 'markdown'; markdown: { content: string } };

/**
 * Posts to a 企业微信 group robot. Markdown is used when the message has it and nobody is
 * to be @-mentioned; otherwise text, since only text messages can @ people and a reminder
 * that reaches its reader matters more than its formatting.
 *
 * @example
 * ```ts
 * const robot = new WeComRobotChannel({ name: 'chengguan-robot', key: secrets.get('chengguan-wecom-key') });
 * await robot.send({ idempotencyKey, subject, text, markdown, recipients: [{ id: 'chengguan-head', mobile: '13800000001' }] });
 * ```
 */
export class WeComRobotChannel implements Channel {
  readonly type = 'wecom' as const;
  readonly name: string;
  readonly endpoint: string;
  private readonly base: URL;
  private readonly key: Secret;
  private readonly target: HttpTarget;
  private readonly marker: string;
  private readonly logger: ChannelLogger | undefined;

  /** @throws ChannelError `CHANNEL_CONFIG_INVALID` for an unusable URL, timeout or marker. */
  constructor(options: WeComRobotChannelOptions) {
    this.name = options.name;
    this.base = checkUrl(options.url ?? WECOM_ROBOT_URL, 'robot URL', { channel: this.name, type: this.type, httpsUnlessLoopback: true });
    this.endpoint = redactEndpoint(this.base);
    const fail = (problem: string): ChannelError => configError(this.name, this.type, this.endpoint, problem);
    if (this.base.search !== '') throw fail('the robot URL must not have a query: give the key as a secret, not in the URL.');
    this.key = options.key;
    this.marker = options.truncationMarker ?? DEFAULT_TRUNCATION_MARKER;
    if (utf8Length(this.marker) >= WECOM_TEXT_MAX_BYTES / 2) throw fail('the truncation marker is too long.');
    this.target = {
      channel: this.name,
      type: this.type,
      endpoint: this.endpoint,
      timeoutMs: timeoutOption(options.timeoutMs, DEFAULT_HTTP_TIMEOUT_MS, fail),
      secrets: [options.key],
    };
    this.logger = options.logger;
  }

  async send(message: ChannelMessage, options: ChannelSendOptions = {}): Promise<ChannelReceipt> {
    checkMessage(message, this.name);
    return logged(this.logger, this.name, message.idempotencyKey, async () => {
      const { body, truncated, mentioned } = this.compose(message);
      // The keyed URL exists only for the request, so the channel object holds no secret in clear.
      const url = new URL(this.base);
      url.searchParams.set('key', this.key.reveal());
      const { status, errmsg } = await postToRobot(this.target, url, body, message.idempotencyKey, WECOM_ERRCODES, options.signal);
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

  private compose(message: ChannelMessage): { body: WeComBody; truncated: boolean; mentioned: number } {
    const { userIds, mobiles } = mentionsOf(message);
    const mentionAll = message.mentionAll === true;
    if (message.markdown !== undefined && userIds.length === 0 && mobiles.length === 0 && !mentionAll) {
      const { text, truncated } = truncateUtf8(`### ${message.subject}\n\n${message.markdown}`, WECOM_MARKDOWN_MAX_BYTES, this.marker);
      return { body: { msgtype: 'markdown', markdown: { content: text } }, truncated, mentioned: 0 };
    }
    const { text, truncated } = truncateUtf8(`${message.subject}\n\n${message.text}`, WECOM_TEXT_MAX_BYTES, this.marker);
    const mentionedList = mentionAll ? [...userIds, '@all'] : userIds;
    return {
      body: {
        msgtype: 'text',
        text: {
          content: text,
          ...(mentionedList.length === 0 ? {} : { mentioned_list: mentionedList }),
          ...(mobiles.length === 0 ? {} : { mentioned_mobile_list: mobiles }),
        },
      },
      truncated,
      mentioned: userIds.length + mobiles.length,
    };
  }

}
