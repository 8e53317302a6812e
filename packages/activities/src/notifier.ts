import { messageOf, NOTICE_DELIVERY } from '@duban/common';
import type { NotificationInput, NotifyResult } from './contract';
import { ActivityErrorCode, DubanActivityError, WebhookError } from './errors';
import { InMemoryOutbox, type NotificationOutbox } from './outbox';
import { renderNotice, resolveRenderOptions, type RenderOptions, type RenderedNotice } from './render';
import { validateNotification } from './validate';

/**
 * The logging a notifier needs. Temporal's `Logger` (`Runtime.instance().logger`,
 * `log` from `@temporalio/activity`) and most structured loggers fit as they are.
 */
export interface NotifierLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/** Writes one JSON line per message to stderr: the default when no logger is injected. */
export const jsonLineLogger: NotifierLogger = {
  info: (message, meta) => process.stderr.write(`${JSON.stringify({ level: 'info', message, ...meta })}\n`),
  warn: (message, meta) => process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...meta })}\n`),
};

export interface NotifyOptions {
  /** Aborts delivery (the activity's cancellation signal, when run as an activity). */
  signal?: AbortSignal;
}

/** Sends a notification to people; idempotent on the notification's key. */
export interface Notifier {
  notify(notification: NotificationInput, options?: NotifyOptions): Promise<NotifyResult>;
}

export interface WebhookOptions {
  /**
   * `http:` or `https:` URL that receives a JSON POST per notification. Credentials in
   * the URL (`https://user:pass@host/...`) are sent as Basic auth and never logged.
   */
  url: string;
  /**
   * Give up on one attempt after this long, in ms. Default 10,000; at most 25,000
   * (`NOTICE_DELIVERY.maxWebhookTimeoutMs`), below the `notify` activity's 30 s
   * start-to-close timeout, so the notifier ends a slow attempt itself and Temporal never
   * abandons one still running. The workflow retries a bounded number of times (see
   * `NOTICE_DELIVERY`), so a receiver slower than this sees a notification at most 9
   * times, each with the same `Idempotency-Key`.
   */
  timeoutMs?: number;
  /** Extra request headers, e.g. `Authorization`. Never logged. */
  headers?: Record<string, string>;
}

export interface LogAndWebhookNotifierOptions extends RenderOptions {
  /** Where every delivered notification is logged. Default {@link jsonLineLogger}. */
  logger?: NotifierLogger;
  /** Post each notification here too; a string is the URL. Without it the notifier only logs. */
  webhook?: WebhookOptions | string;
  /**
   * Remembers delivered keys. Default: in memory, which deduplicates only within one
   * process; pass `auditStore.outbox()` so a restarted worker does not send again.
   */
  outbox?: NotificationOutbox;
}

/** What the webhook receives: the notice's facts and its rendered words, so receivers need no renderer of their own. */
type WebhookPayload = NotificationInput & Pick<RenderedNotice, 'subject' | 'body'>;

/** Cap on a server's `Retry-After`: a long wait belongs to the retry policy, not to one answer. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;

interface ResolvedWebhook {
  url: string;
  /** Safe to log: no credentials, no query string (tokens often live there). */
  endpoint: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** The URL as it may appear in logs and errors: scheme, host, port and path only. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}

function resolveWebhook(option: WebhookOptions | string): ResolvedWebhook {
  const config = typeof option === 'string' ? { url: option } : option;
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch {
    throw new DubanActivityError(
      ActivityErrorCode.WEBHOOK_URL_INVALID,
      'The webhook URL is not a valid URL. Set DUBAN_WEBHOOK_URL (or webhookUrl) to an absolute http(s) URL.',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DubanActivityError(
      ActivityErrorCode.WEBHOOK_URL_INVALID,
      `The webhook URL must use http or https, not ${parsed.protocol}`,
      { details: { endpoint: redactUrl(config.url) } },
    );
  }
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new DubanActivityError(ActivityErrorCode.WEBHOOK_URL_INVALID, `The webhook timeout must be a positive number of ms, got ${timeoutMs}.`);
  }
  // Longer, and the activity's timeout would cut attempts the notifier is still making:
  // Temporal would retry while the first POST may still arrive.
  if (timeoutMs > NOTICE_DELIVERY.maxWebhookTimeoutMs) {
    throw new DubanActivityError(
      ActivityErrorCode.WEBHOOK_URL_INVALID,
      `The webhook timeout must be at most ${NOTICE_DELIVERY.maxWebhookTimeoutMs} ms (the notify activity allows an attempt ${NOTICE_DELIVERY.activityTimeoutMs} ms), got ${timeoutMs}.`,
      { details: { timeoutMs, maxTimeoutMs: NOTICE_DELIVERY.maxWebhookTimeoutMs } },
    );
  }
  const headers: Record<string, string> = {};
  // fetch refuses URLs with credentials; turn them into the header they stand for.
  if (parsed.username !== '' || parsed.password !== '') {
    const user = decodeURIComponent(parsed.username);
    const pass = decodeURIComponent(parsed.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
  return { url: parsed.toString(), endpoint: redactUrl(parsed.toString()), headers, timeoutMs };
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** Whether an HTTP status means "the same request may succeed later". */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Logs each notification and, when a webhook is configured, POSTs it as JSON with an
 * `Idempotency-Key` header (the notification's key) on every request, retries included.
 * A key recorded in the outbox is not sent again; a key is recorded only after delivery
 * succeeded, so a crash between the POST and the record, or an answer slower than the
 * attempt timeout, repeats the POST with the same `Idempotency-Key`: receivers must drop
 * repeats of a key (at most `attemptsPerRound × rounds` of `NOTICE_DELIVERY`, 9).
 *
 * Failures: 5xx, 408, 429, timeouts and network errors throw a retryable
 * `WEBHOOK_UNAVAILABLE`; other 4xx (and redirects) throw a non-retryable
 * `WEBHOOK_REJECTED`, which the task workflow records as `notification.failed` at once.
 *
 * @example
 * ```ts
 * const notifier = new LogAndWebhookNotifier({
 *   webhook: { url: process.env.DUBAN_WEBHOOK_URL!, timeoutMs: 5000 },
 *   outbox: auditStore.outbox(),
 * });
 * ```
 */
export class LogAndWebhookNotifier implements Notifier {
  private readonly logger: NotifierLogger;
  private readonly webhook: ResolvedWebhook | undefined;
  private readonly outbox: NotificationOutbox;
  private readonly render: RenderOptions;

  /**
   * @throws DubanActivityError `WEBHOOK_URL_INVALID` for an unusable webhook configuration;
   * DubanError `INVALID_ARGUMENT` / `INVALID_TIME_ZONE` for an unknown language or zone.
   */
  constructor(options: LogAndWebhookNotifierOptions = {}) {
    this.render = resolveRenderOptions(options);
    this.logger = options.logger ?? jsonLineLogger;
    this.webhook = options.webhook === undefined ? undefined : resolveWebhook(options.webhook);
    this.outbox = options.outbox ?? new InMemoryOutbox();
  }

  /** The webhook endpoint without credentials or query, for startup logs; undefined when log-only. */
  get endpoint(): string | undefined {
    return this.webhook?.endpoint;
  }

  async notify(notification: NotificationInput, options: NotifyOptions = {}): Promise<NotifyResult> {
    validateNotification(notification);
    const key = notification.idempotencyKey;
    const kind = notification.notice.kind;
    if (await this.outbox.wasSent(key)) {
      this.logger.info('notification already sent; not sending again', { idempotencyKey: key, kind });
      return { sent: false };
    }
    const { subject, body } = this.renderOrRefuse(notification);
    const payload: WebhookPayload = { ...notification, subject, body };
    const httpStatus = this.webhook === undefined ? undefined : await this.post(this.webhook, payload, options.signal);
    this.logger.info(`notification ${kind}: ${subject}`, {
      idempotencyKey: key,
      planId: notification.planId,
      taskNumber: notification.taskNumber,
      workflowId: notification.workflowId,
      kind,
      at: notification.at,
      recipients: notification.recipients,
      body,
      channel: this.webhook === undefined ? 'log' : 'webhook',
      ...(this.webhook === undefined ? {} : { endpoint: this.webhook.endpoint, httpStatus }),
    });
    await this.outbox.markSent({
      idempotencyKey: key,
      workflowId: notification.workflowId,
      kind,
      channel: this.webhook === undefined ? 'log' : 'webhook',
      ...(httpStatus === undefined ? {} : { httpStatus }),
      sentAt: new Date().toISOString(),
    });
    return { sent: true };
  }

  /** A notice the render step cannot word lacks facts; retrying the same input would fail the same way. */
  private renderOrRefuse(notification: NotificationInput): RenderedNotice {
    try {
      return renderNotice(notification.notice, this.render);
    } catch (err) {
      throw new DubanActivityError(
        ActivityErrorCode.INVALID_INPUT,
        `Invalid notification: its ${notification.notice.kind} notice cannot be rendered (${messageOf(err)}).`,
        { details: { field: 'notice', idempotencyKey: notification.idempotencyKey }, cause: err },
      );
    }
  }

  /** One delivery attempt; returns the 2xx status or throws a {@link WebhookError}. */
  private async post(webhook: ResolvedWebhook, notification: WebhookPayload, signal: AbortSignal | undefined): Promise<number> {
    const timeout = AbortSignal.timeout(webhook.timeoutMs);
    let response: Response;
    try {
      response = await fetch(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'duban-notifier',
          ...webhook.headers,
          'idempotency-key': notification.idempotencyKey,
        },
        body: JSON.stringify(notification),
        signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
        // A redirect would carry the auth and idempotency headers to another address;
        // a 3xx is reported as a rejection so the configuration gets fixed instead.
        redirect: 'manual',
      });
    } catch (err) {
      // Cancellation of the activity is not a webhook failure: let Temporal see it as is.
      if (signal?.aborted === true) throw err;
      const reason = timeout.aborted
        ? `did not answer within ${webhook.timeoutMs} ms`
        : `could not be reached (${describeFetchError(err)})`;
      this.logger.warn('webhook delivery failed; Temporal will retry', {
        idempotencyKey: notification.idempotencyKey,
        endpoint: webhook.endpoint,
        reason,
      });
      throw new WebhookError(ActivityErrorCode.WEBHOOK_UNAVAILABLE, `The notification webhook ${webhook.endpoint} ${reason}.`, webhook.endpoint, undefined, {
        cause: err,
      });
    }
    // Read the body either way: it frees the connection, and its start helps diagnose a rejection.
    const excerpt = (await response.text().catch(() => '')).slice(0, 300);
    if (response.ok) return response.status;

    const status = response.status;
    if (isRetryableStatus(status)) {
      const delay = retryAfterMs(response.headers.get('retry-after'));
      this.logger.warn('webhook answered with a retryable status; Temporal will retry', {
        idempotencyKey: notification.idempotencyKey,
        endpoint: webhook.endpoint,
        status,
      });
      throw new WebhookError(
        ActivityErrorCode.WEBHOOK_UNAVAILABLE,
        `The notification webhook ${webhook.endpoint} answered ${status}; delivery will be retried.`,
        webhook.endpoint,
        status,
        { details: { responseExcerpt: excerpt }, ...(delay === undefined ? {} : { nextRetryDelayMs: delay }) },
      );
    }
    throw new WebhookError(
      ActivityErrorCode.WEBHOOK_REJECTED,
      `The notification webhook ${webhook.endpoint} rejected notification ${notification.idempotencyKey} with ${status}; ` +
        'retrying will not help. Check the webhook URL, its credentials and the payload it expects.',
      webhook.endpoint,
      status,
      { details: { responseExcerpt: excerpt } },
    );
  }
}

function describeFetchError(err: unknown): string {
  // undici puts the system error (ECONNREFUSED, ENOTFOUND, ...) in `cause`.
  const cause = typeof err === 'object' && err !== null && 'cause' in err ? err.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return messageOf(err);
}
