/**
 * Email over SMTP with nodemailer: the formal channel, for 督办单 and notices to unit heads
 * and HQ. Subject and body are UTF-8 (the subject and display names as RFC 2047 encoded
 * words), From carries the issuing office's name, and the `Message-ID` is derived from
 * the idempotency key, so a retried send is the same message to every mail system.
 */
import { createHash } from 'node:crypto';
import { createTransport, type NodemailerError, type SMTPSentMessageInfo, type SMTPTransportOptions, type Transporter } from 'nodemailer';
import { ActivityErrorCode, DubanActivityError } from '../errors';
import {
  ChannelError,
  checkMessage,
  receiptOf,
  configError,
  timeoutOption,
  type Channel,
  type ChannelErrorCode,
  type ChannelLogger,
  type ChannelMessage,
  type ChannelReceipt,
  type ChannelSendOptions,
} from './channel';
import { scrubSecrets, type Secret } from './credentials';
import { logged } from './http';

/**
 * How the connection is protected:
 * - `tls`: TLS from the first byte (SMTPS, port 465 by default);
 * - `starttls`: plain connection upgraded with STARTTLS, refused when the server does not
 *   offer it (submission, port 587 by default);
 * - `none`: no TLS, only to this machine (a local relay or `duban dev`'s catch-all), port 25.
 */
export type SmtpSecurity = 'tls' | 'starttls' | 'none';

export const DEFAULT_SMTP_TIMEOUT_MS = 30_000;
const DEFAULT_PORTS: Record<SmtpSecurity, number> = { tls: 465, starttls: 587, none: 25 };

/** Marks every message as sent by a program (RFC 3834), so out-of-office replies are not sent back. */
const AUTO_SUBMITTED = 'auto-generated';
export const EMAIL_IDEMPOTENCY_HEADER = 'X-Duban-Idempotency-Key';

export interface EmailAddress {
  /** The mailbox, e.g. `duban@xihu.nc.gov.cn`. */
  address: string;
  /** The display name, e.g. 南昌市西湖区督办. */
  name?: string;
}

export interface EmailChannelOptions {
  name: string;
  host: string;
  /** Default 465 (`tls`), 587 (`starttls`) or 25 (`none`). */
  port?: number;
  /** Default `starttls`. */
  security?: SmtpSecurity;
  /** PEM certificate(s) of a CA to trust for the server (an office CA), besides Node's. */
  ca?: string;
  /** The login; with {@link password}, or neither. */
  user?: string;
  password?: Secret;
  /** The sender every message shows. */
  from: EmailAddress;
  /** The right-hand side of `Message-ID`. Default: the domain of {@link from}. */
  messageIdDomain?: string;
  /** Limit on connecting, on each server reply, and on the whole send, in ms. Default 30,000. */
  timeoutMs?: number;
  logger?: ChannelLogger;
}

/** A mailbox we accept: something@something, no spaces or angle brackets (the address goes into headers). */
const MAILBOX = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;
const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The `Message-ID` of the message with this idempotency key: the same on every attempt,
 * different for every key. A hash, because keys may hold characters an address may not.
 */
export function emailMessageId(idempotencyKey: string, domain: string): string {
  const digest = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 40);
  return `<duban.${digest}@${domain}>`;
}

/** The facts nodemailer puts on the errors it rejects with (all optional; anything else thrown has none). */
type NodemailerFailure = Pick<NodemailerError, 'code' | 'responseCode' | 'response' | 'command' | 'permanent' | 'originalCode'>;

function failureOf(err: unknown): NodemailerFailure {
  return typeof err === 'object' && err !== null ? (err as NodemailerFailure) : {};
}

/**
 * Sends each message as one email to its recipients (To, or Cc for those marked `copy`),
 * plain text in UTF-8; Markdown is not used. A message some recipients' servers refused
 * still counts as sent (the others got it; sending again would duplicate it for them):
 * the receipt lists the refused addresses.
 *
 * @example
 * ```ts
 * const mail = new EmailChannel({
 *   name: 'hq-mail',
 *   host: 'smtp.xihu.nc.gov.cn', security: 'starttls',
 *   user: 'duban@xihu.nc.gov.cn', password: secrets.get('xihu-smtp'),
 *   from: { name: '南昌市西湖区督办', address: 'duban@xihu.nc.gov.cn' },
 * });
 * await mail.send({ idempotencyKey, subject, text, recipients: [{ id: 'chengguan-head', name: '王建国', email: 'wangjg@xihu.nc.gov.cn' }] });
 * ```
 */
export class EmailChannel implements Channel {
  readonly type = 'email' as const;
  readonly name: string;
  readonly endpoint: string;
  // An ES private field: util.inspect and JSON.stringify of the channel never reach the
  // transport, whose options hold the password.
  readonly #transport: Transporter<SMTPSentMessageInfo, SMTPTransportOptions>;
  private readonly from: EmailAddress;
  private readonly messageIdDomain: string;
  private readonly timeoutMs: number;
  private readonly secrets: readonly Secret[];
  private readonly logger: ChannelLogger | undefined;

  /** @throws ChannelError `CHANNEL_CONFIG_INVALID` for unusable settings. */
  constructor(options: EmailChannelOptions) {
    this.name = options.name;
    const security = options.security ?? 'starttls';
    const port = options.port ?? DEFAULT_PORTS[security];
    this.endpoint = `smtp://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
    const fail = (problem: string): ChannelError => configError(this.name, this.type, this.endpoint, problem);
    if (!(security in DEFAULT_PORTS)) throw fail(`security must be tls, starttls or none, not ${JSON.stringify(security)}.`);
    if (options.host.trim() === '') throw fail('the SMTP host is empty.');
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw fail(`the SMTP port must be a whole number from 1 to 65535, got ${port}.`);
    if (security === 'none' && !isLoopbackHost(options.host)) {
      throw fail('security "none" sends in clear and is allowed only to this machine (127.0.0.1); use tls or starttls.');
    }
    if ((options.user === undefined) !== (options.password === undefined)) throw fail('give both the SMTP user and its password secret, or neither.');
    if (!MAILBOX.test(options.from.address)) throw fail(`the sender ${JSON.stringify(options.from.address)} is not an email address.`);
    this.from = options.from;
    this.messageIdDomain = options.messageIdDomain ?? options.from.address.slice(options.from.address.lastIndexOf('@') + 1);
    if (!DOMAIN.test(this.messageIdDomain)) throw fail(`the Message-ID domain ${JSON.stringify(this.messageIdDomain)} is not a domain name.`);
    this.timeoutMs = timeoutOption(options.timeoutMs, DEFAULT_SMTP_TIMEOUT_MS, fail);
    this.secrets = options.password === undefined ? [] : [options.password];
    this.logger = options.logger;
    this.#transport = createTransport({
      host: options.host,
      port,
      secure: security === 'tls',
      requireTLS: security === 'starttls',
      ignoreTLS: security === 'none',
      ...(options.user === undefined || options.password === undefined ? {} : { auth: { user: options.user, pass: options.password.reveal() } }),
      ...(options.ca === undefined ? {} : { tls: { ca: options.ca } }),
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs,
      // Messages are built from rendered text only: nodemailer must never read a file or URL for them.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
  }

  async send(message: ChannelMessage, options: ChannelSendOptions = {}): Promise<ChannelReceipt> {
    checkMessage(message, this.name);
    const to: EmailAddress[] = [];
    const cc: EmailAddress[] = [];
    message.recipients.forEach((recipient, index) => {
      if (typeof recipient.email !== 'string' || !MAILBOX.test(recipient.email)) {
        throw new DubanActivityError(
          ActivityErrorCode.INVALID_INPUT,
          `Invalid message for channel ${this.name}: recipient ${recipient.id ?? index} has no usable email address.`,
          { details: { channel: this.name, field: `recipients[${index}].email`, idempotencyKey: message.idempotencyKey } },
        );
      }
      (recipient.copy === true ? cc : to).push({ address: recipient.email, ...(recipient.name === undefined ? {} : { name: recipient.name }) });
    });
    if (to.length + cc.length === 0) {
      throw new DubanActivityError(ActivityErrorCode.INVALID_INPUT, `Invalid message for channel ${this.name}: it has no recipients.`, {
        details: { channel: this.name, field: 'recipients', idempotencyKey: message.idempotencyKey },
      });
    }
    const signal = options.signal;
    signal?.throwIfAborted();
    return logged(this.logger, this.name, message.idempotencyKey, async () => {
      const messageId = emailMessageId(message.idempotencyKey, this.messageIdDomain);
      const timeout = AbortSignal.timeout(this.timeoutMs);
      let info: SMTPSentMessageInfo;
      try {
        info = await this.#transport.sendMail({
          from: this.from,
          to,
          cc,
          subject: message.subject,
          text: message.text,
          messageId,
          headers: { [EMAIL_IDEMPOTENCY_HEADER]: message.idempotencyKey, 'Auto-Submitted': AUTO_SUBMITTED },
          signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
        });
      } catch (err) {
        if (signal?.aborted === true) throw signal.reason;
        throw this.failure(failureOf(err), timeout.aborted);
      }
      const response = scrubSecrets(info.response, this.secrets);
      return receiptOf(this, message, Number(/^\d{3}/.exec(response)?.[0] ?? 250), {
        messageId: info.messageId,
        accepted: info.accepted.map(String),
        rejected: info.rejected.map(String),
        response,
      });
    });
  }

  async close(): Promise<void> {
    this.#transport.close();
  }

  /** Sorts a nodemailer failure by what a retry can do; only the server's scrubbed reply and codes are kept. */
  private failure(err: NodemailerFailure, timedOut: boolean): ChannelError {
    const status = err.responseCode;
    const facts = { channel: this.name, type: this.type, endpoint: this.endpoint, ...(status === undefined ? {} : { status }) };
    const reply = err.response === undefined ? undefined : scrubSecrets(err.response, this.secrets).slice(0, 300);
    const details = {
      smtpCode: err.code,
      ...(err.originalCode === undefined ? {} : { systemCode: err.originalCode }),
      ...(err.command === undefined ? {} : { command: err.command }),
      ...(reply === undefined ? {} : { response: reply }),
    };
    const error = (code: ChannelErrorCode, what: string): ChannelError =>
      new ChannelError(code, `Channel ${this.name}: ${this.endpoint} ${what}`, facts, { details });
    const answered = reply === undefined ? '' : ` (${reply})`;

    if (err.code === 'EABORT' && timedOut) return error(ActivityErrorCode.CHANNEL_UNAVAILABLE, `did not finish within ${this.timeoutMs} ms; delivery will be retried.`);
    // 530 authentication required, 534/535 credentials refused; 454 is a temporary failure.
    if (err.code === 'EAUTH' || err.code === 'ENOAUTH' || status === 530 || status === 534 || status === 535) {
      if (status !== undefined && status >= 400 && status < 500) {
        return error(ActivityErrorCode.CHANNEL_UNAVAILABLE, `could not log in for now${answered}; delivery will be retried.`);
      }
      return error(ActivityErrorCode.CHANNEL_AUTH_FAILED, `refused the login${answered}; check the SMTP user and the password secret the channel names.`);
    }
    if (err.code === 'ETLS' || err.code === 'EREQUIRETLS' || err.code === 'ECONFIG' || err.code === 'EMAXRECIPIENTS') {
      return error(
        ActivityErrorCode.CHANNEL_CONFIG_INVALID,
        `could not be used as configured (${err.code})${answered}; check the port, the security setting (tls or starttls) and the CA.`,
      );
    }
    if (status !== undefined) {
      // RFC 5321: 5yz is a permanent refusal (503 only a bad command sequence), 4yz transient.
      const permanent = err.permanent ?? (status >= 500 && status !== 503);
      return permanent
        ? error(ActivityErrorCode.CHANNEL_REJECTED, `refused the message with ${status}${answered}; sending it again will not help.`)
        : error(ActivityErrorCode.CHANNEL_UNAVAILABLE, `answered ${status}${answered}; delivery will be retried.`);
    }
    return error(ActivityErrorCode.CHANNEL_UNAVAILABLE, `could not be reached (${err.originalCode ?? err.code ?? 'connection failed'}); delivery will be retried.`);
  }
}
