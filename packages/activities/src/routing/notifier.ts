/**
 * The routing notifier: each notification goes through the channels its plan's routing
 * names, to the people and units the routes reach, each delivery once.
 */
import { DubanError, ErrorCode, messageOf, type Notice, type NoticeLang } from '@duban/common';
import { createChannels, type Channel, type ChannelConfig, type ChannelMessage, type ChannelReceipt, type ChannelType, type SecretSource } from '../channels';
import type { NotificationInput, NotifyResult } from '../contract';
import { ActivityErrorCode, DubanActivityError } from '../errors';
import { jsonLineLogger, type Notifier, type NotifierLogger, type NotifyOptions } from '../notifier';
import type { NotificationOutbox } from '../outbox';
import { renderNotice, type RenderedNotice } from '../render';
import { validateNotification } from '../validate';
import { HeldDeliveryDispatcher, type HeldDeliveryDispatcherOptions } from './dispatcher';
import { InMemoryHeldDeliveries, type HeldDeliveryStore } from './held-store';
import { resolveDeliveries, type Delivery, type Unreachable } from './resolve';
import { holdFor } from './schedule';
import type { RoutedPlan } from './types';

/** An attempt of one channel must end within the notify activity's 30 s; the channels' own defaults may be longer. */
const DEFAULT_CHANNEL_TIMEOUT_MS = 20_000;

export interface RoutingNotifierOptions {
  /** The plans whose notifications are routed (by `planId`); one without `routing` goes to {@link fallback}. */
  plans: readonly RoutedPlan[];
  /** Remembers delivered keys: the notification's, and one per delivery. Pass the audit store's outbox. */
  outbox: NotificationOutbox;
  /** Where held deliveries wait (quiet hours, digests). Pass `openHeldDeliveries(target)`; default in memory. */
  held?: HeldDeliveryStore;
  /** Notifies for plans without routing: today's log-and-webhook notifier, on the same outbox. */
  fallback: Notifier;
  /** Where the channels' named secrets are read. Default `DUBAN_SECRET_<NAME>` (`envSecrets()`). */
  secrets?: SecretSource;
  logger?: NotifierLogger;
  /** Wall-clock time in epoch ms (quiet hours and digests are decided by it). Default `Date.now`. */
  clock?: () => number;
  /** The web workspace, for links in messages. */
  workspaceUrl?: string;
  /** How many deliveries of one notification are sent at the same time. Default 4. */
  concurrency?: number;
}

/** What became of one delivery. */
export interface DeliveryOutcome {
  key: string;
  channel: string;
  type: ChannelType;
  addressee: string;
  people: string[];
  status: 'sent' | 'held' | 'already-sent' | 'failed';
  receipt?: ChannelReceipt;
  /** For a held delivery: when it goes, and whether in a digest. */
  sendAfter?: string;
  digest?: boolean;
  error?: { code: string; message: string; retryable: boolean; nextRetryDelayMs?: number };
}

export interface RoutingReport {
  /** False when no route carries the notification's kind: it was only logged. */
  routed: boolean;
  outcomes: DeliveryOutcome[];
  unreachable: Unreachable[];
}

export interface RouteOptions extends NotifyOptions {
  /** Send now, whatever the quiet hours and digests say (`duban notify test`). */
  immediate?: boolean;
  /** Only the deliveries that reach this person, addressed to them alone (`duban notify test --to`). */
  onlyPerson?: string;
}

/** Runs `work` over `items`, at most `limit` at a time, keeping their order in the result. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
  });
  await Promise.all(lanes);
  return results;
}

function errorFacts(err: unknown): NonNullable<DeliveryOutcome['error']> {
  if (err instanceof DubanActivityError) {
    return { code: err.code, message: err.message, retryable: err.retryable, ...(err.nextRetryDelayMs === undefined ? {} : { nextRetryDelayMs: err.nextRetryDelayMs }) };
  }
  if (err instanceof DubanError) return { code: err.code, message: err.message, retryable: false };
  // Anything unexpected (a bug, a driver error) may pass on a retry.
  return { code: ActivityErrorCode.CHANNEL_UNAVAILABLE, message: messageOf(err), retryable: true };
}

/**
 * Routes each notification by its plan's `routing`: resolves the routes of its kind to
 * deliveries (recipients × channels), renders it once per language in the plan's zone,
 * and sends each delivery with its own idempotency key (`<notification key>><channel>>
 * <addressee>`), recorded in the outbox once the channel took it. A retried activity
 * sends only the deliveries not yet recorded: a partly delivered notification retries
 * what is missing, and never sends a delivered one twice.
 *
 * Non-urgent messages to people wait for the end of the plan's quiet hours, or for the
 * person's daily digest, in the held-delivery store; the dispatcher ({@link dispatcher})
 * sends them. Urgent kinds (`URGENT_KINDS`) always go at once.
 *
 * Failures follow the delivery lanes: when a delivery failed and a retry can help
 * (`CHANNEL_UNAVAILABLE`), the activity fails retryably; when every failure is final
 * (`CHANNEL_REJECTED`, `CHANNEL_AUTH_FAILED`, …) it fails for good and the task records
 * `notification.failed`. A notification whose routes reach nobody fails for good with
 * `NOTIFICATION_UNROUTABLE`; one whose kind no route carries is only logged.
 *
 * @example
 * ```ts
 * const plan = await loadPlanFile('plans/xihu-2020.yaml');
 * const notifier = await RoutingNotifier.create({
 *   plans: [plan], outbox: store.outbox(), held: await openHeldDeliveries(target),
 *   fallback: new LogAndWebhookNotifier({ outbox: store.outbox() }),
 * });
 * const dispatcher = notifier.dispatcher({ owner: 'worker-1' });
 * dispatcher.start();
 * ```
 */
export class RoutingNotifier implements Notifier {
  private readonly plans: ReadonlyMap<string, RoutedPlan>;
  private readonly outbox: NotificationOutbox;
  readonly held: HeldDeliveryStore;
  private readonly fallback: Notifier;
  private readonly logger: NotifierLogger;
  private readonly clock: () => number;
  private readonly workspaceUrl: string | undefined;
  private readonly concurrency: number;

  private constructor(
    options: RoutingNotifierOptions,
    /** Plan id → channel name → channel. */
    private readonly channels: ReadonlyMap<string, ReadonlyMap<string, Channel>>,
  ) {
    this.plans = new Map(options.plans.map((plan) => [plan.id, plan]));
    this.outbox = options.outbox;
    this.held = options.held ?? new InMemoryHeldDeliveries();
    this.fallback = options.fallback;
    this.logger = options.logger ?? jsonLineLogger;
    this.clock = options.clock ?? Date.now;
    this.workspaceUrl = options.workspaceUrl;
    this.concurrency = options.concurrency ?? 4;
  }

  /**
   * Builds every routed plan's channels, reading their secrets now: a missing secret stops
   * the worker at start, not every notification.
   *
   * @throws DubanError `SECRET_NOT_FOUND` / `SECRET_INVALID`; ChannelError `CHANNEL_CONFIG_INVALID`.
   */
  static async create(options: RoutingNotifierOptions): Promise<RoutingNotifier> {
    const channels = new Map<string, ReadonlyMap<string, Channel>>();
    try {
      for (const plan of options.plans) {
        if (plan.routing === undefined) continue;
        const configs = Object.fromEntries(
          Object.entries(plan.routing.channels).map(([name, config]): [string, ChannelConfig] => [name, { ...config, timeoutMs: config.timeoutMs ?? DEFAULT_CHANNEL_TIMEOUT_MS }]),
        );
        channels.set(plan.id, await createChannels(configs, { ...(options.secrets ? { secrets: options.secrets } : {}), ...(options.logger ? { logger: options.logger } : {}) }));
      }
    } catch (err) {
      await Promise.all([...channels.values()].flatMap((byName) => [...byName.values()].map((c) => c.close())));
      throw err;
    }
    return new RoutingNotifier(options, channels);
  }

  /** The plans this notifier routes, by id. */
  routedPlans(): RoutedPlan[] {
    return [...this.plans.values()].filter((plan) => plan.routing !== undefined);
  }

  /** A plan's channel, by name. */
  channel(planId: string, name: string): Channel | undefined {
    return this.channels.get(planId)?.get(name);
  }

  async notify(notification: NotificationInput, options: NotifyOptions = {}): Promise<NotifyResult> {
    validateNotification(notification);
    const key = notification.idempotencyKey;
    const kind = notification.notice.kind;
    const plan = this.plans.get(notification.planId);
    if (plan?.routing === undefined) return this.fallback.notify(notification, options);
    if (await this.outbox.wasSent(key)) {
      this.logger.info('notification already sent; not sending again', { idempotencyKey: key, kind });
      return { sent: false };
    }
    const report = await this.route(notification, options);
    if (!report.routed) {
      this.logger.info(`notification ${kind}: no route of plan ${plan.id} carries it; logged only`, { idempotencyKey: key, kind, recipients: notification.recipients });
    } else if (report.outcomes.length === 0) {
      throw new DubanError(
        ErrorCode.NOTIFICATION_UNROUTABLE,
        `Notification ${key} (${kind}) reaches nobody through the routing of plan ${plan.id}: ` +
          `${report.unreachable.map((u) => `${u.who} (${u.why} on ${u.channel})`).join(', ') || 'its routes name nobody'}. ` +
          "Add the people's contacts (people[].contact) or their units' robots (routing.robots) to the plan.",
        { details: { idempotencyKey: key, kind, unreachable: report.unreachable } },
      );
    }
    const failed = report.outcomes.filter((o) => o.status === 'failed');
    if (failed.length > 0) throw this.failure(notification, failed, report.outcomes.length);
    await this.outbox.markSent({ idempotencyKey: key, workflowId: notification.workflowId, kind, channel: report.routed ? 'routing' : 'log', sentAt: new Date().toISOString() });
    return { sent: true };
  }

  /**
   * Delivers one notification through its plan's routes and says what became of each
   * delivery; it does not throw for a channel's failure (see the outcomes), only for a
   * notice that cannot be rendered (`INVALID_INPUT`) or a plan it does not route.
   */
  async route(notification: NotificationInput, options: RouteOptions = {}): Promise<RoutingReport> {
    const plan = this.plans.get(notification.planId);
    const routing = plan?.routing;
    if (plan === undefined || routing === undefined) {
      throw new DubanError(ErrorCode.NOT_FOUND, `Plan ${notification.planId} has no routing in this notifier.`, { details: { planId: notification.planId } });
    }
    const channels = this.channels.get(plan.id) ?? new Map<string, Channel>();
    const types = new Map([...channels].map(([name, channel]) => [name, channel.type]));
    const resolution = resolveDeliveries(notification, plan, types);
    const { routed, unreachable } = resolution;
    const only = options.onlyPerson;
    const deliveries =
      only === undefined
        ? resolution.deliveries
        : resolution.deliveries.flatMap((d) => (d.people.includes(only) ? [{ ...d, people: [only], recipients: d.recipients.filter((r) => r.id === only) }] : []));
    if (unreachable.length > 0) {
      this.logger.warn('some people of a notification cannot be reached by its routes; the others are sent to', {
        idempotencyKey: notification.idempotencyKey,
        kind: notification.notice.kind,
        unreachable,
      });
    }
    const rendered = new Map<string, RenderedNotice>();
    const render = (lang: NoticeLang | undefined): RenderedNotice => {
      const cacheKey = lang ?? '';
      let words = rendered.get(cacheKey);
      if (words === undefined) {
        words = this.render(notification, plan, lang);
        rendered.set(cacheKey, words);
      }
      return words;
    };
    const nowMs = this.clock();
    const outcomes = await mapLimit(deliveries, this.concurrency, (delivery) => this.deliver(notification, plan, delivery, render(delivery.lang), nowMs, options));
    return { routed, outcomes, unreachable };
  }

  /** The dispatcher of this notifier's held deliveries; the worker starts and stops it. */
  dispatcher(options: Pick<HeldDeliveryDispatcherOptions, 'owner'> & Partial<HeldDeliveryDispatcherOptions>): HeldDeliveryDispatcher {
    return new HeldDeliveryDispatcher({
      held: this.held,
      outbox: this.outbox,
      channel: (planId, name) => this.channel(planId, name),
      plan: (planId) => this.plans.get(planId),
      planIds: this.routedPlans().map((plan) => plan.id),
      logger: this.logger,
      clock: this.clock,
      ...options,
    });
  }

  /** Closes the channels (the outbox and the held store belong to whoever opened them). */
  async close(): Promise<void> {
    await Promise.all([...this.channels.values()].flatMap((byName) => [...byName.values()].map((c) => c.close())));
  }

  private async deliver(notification: NotificationInput, plan: RoutedPlan, d: Delivery, words: RenderedNotice, nowMs: number, options: RouteOptions): Promise<DeliveryOutcome> {
    const base = { key: d.key, channel: d.channel, type: d.type, addressee: d.addressee, people: d.people };
    const kind = notification.notice.kind;
    const log = { idempotencyKey: d.key, kind, channel: d.channel, type: d.type, addressee: d.addressee, people: d.people };
    if (await this.outbox.wasSent(d.key)) return { ...base, status: 'already-sent' };
    const message: ChannelMessage = {
      idempotencyKey: d.key,
      subject: words.subject,
      text: words.text,
      ...(words.markdown === '' ? {} : { markdown: words.markdown }),
      recipients: d.recipients,
      // Machines get the facts too, so they need no renderer of their own.
      ...(d.type === 'webhook'
        ? {
            data: {
              notificationKey: notification.idempotencyKey,
              planId: notification.planId,
              taskNumber: notification.taskNumber,
              workflowId: notification.workflowId,
              at: notification.at,
              kind,
              recipients: notification.recipients,
              notice: notification.notice,
            },
          }
        : {}),
    };
    const routing = plan.routing ?? { channels: {}, routes: [] };
    const hold = options.immediate === true ? { until: 'now' as const } : holdFor({ kind, type: d.type, digest: d.person?.contact?.digest, nowMs, timeZone: plan.timeZone, routing });
    if (hold.until !== 'now') {
      const digest = hold.until === 'digest';
      await this.held.hold({
        deliveryKey: d.key,
        groupKey: digest ? `${plan.id}>${d.channel}>${d.addressee}>${hold.batch}` : d.key,
        planId: plan.id,
        workflowId: notification.workflowId,
        kind,
        channel: d.channel,
        addressee: d.addressee,
        digest,
        sendAfterMs: hold.sendAfterMs,
        message,
      });
      const sendAfter = new Date(hold.sendAfterMs).toISOString();
      this.logger.info(digest ? 'notification held for the daily digest' : 'notification held until the quiet hours end', { ...log, sendAfter });
      return { ...base, status: 'held', sendAfter, digest };
    }
    const channel = this.channel(plan.id, d.channel);
    if (channel === undefined) {
      return { ...base, status: 'failed', error: { code: ActivityErrorCode.CHANNEL_CONFIG_INVALID, message: `Channel ${d.channel} is not configured.`, retryable: false } };
    }
    try {
      const receipt = await channel.send(message, options.signal === undefined ? {} : { signal: options.signal });
      await this.outbox.markSent({ idempotencyKey: d.key, workflowId: notification.workflowId, kind, channel: d.channel, httpStatus: receipt.status, sentAt: receipt.sentAt });
      this.logger.info(`notification ${kind} sent: ${words.subject}`, { ...log, endpoint: receipt.endpoint, status: receipt.status });
      return { ...base, status: 'sent', receipt };
    } catch (err) {
      // Cancellation of the activity is not a channel failure: let Temporal see it as is.
      if (options.signal?.aborted === true) throw err;
      const error = errorFacts(err);
      this.logger.warn(`notification ${kind} not delivered on ${d.channel}`, { ...log, code: error.code, error: error.message, retryable: error.retryable });
      return { ...base, status: 'failed', error };
    }
  }

  /** A notice the render step cannot word lacks facts; retrying the same input would fail the same way. */
  private render(notification: NotificationInput, plan: RoutedPlan, lang: NoticeLang | undefined): RenderedNotice {
    const notice = lang === undefined ? notification.notice : ({ ...notification.notice, settings: { ...notification.notice.settings, lang } } as Notice);
    try {
      return renderNotice(notice, {
        timeZone: plan.timeZone,
        at: notification.at,
        ...(lang === undefined ? {} : { lang }),
        ...(this.workspaceUrl === undefined ? {} : { workspaceUrl: this.workspaceUrl }),
      });
    } catch (err) {
      throw new DubanActivityError(
        ActivityErrorCode.INVALID_INPUT,
        `Invalid notification: its ${notification.notice.kind} notice cannot be rendered (${messageOf(err)}).`,
        { details: { field: 'notice', idempotencyKey: notification.idempotencyKey }, cause: err },
      );
    }
  }

  /**
   * One error for the failed deliveries: retryable when any of them may pass later (the
   * next attempt sends only those), final when none can.
   */
  private failure(notification: NotificationInput, failed: DeliveryOutcome[], total: number): DubanActivityError {
    const retryable = failed.filter((o) => o.error?.retryable === true);
    const which = failed.map((o) => `${o.channel}→${o.addressee}: ${o.error?.code ?? '?'} (${o.error?.message ?? ''})`).join('; ');
    const details = { idempotencyKey: notification.idempotencyKey, failed: failed.map((o) => ({ channel: o.channel, addressee: o.addressee, code: o.error?.code })) };
    const head = `${failed.length} of ${total} deliveries of notification ${notification.idempotencyKey} failed`;
    if (retryable.length > 0) {
      // A rate limit's window (or a Retry-After) of any of them is honoured by the next attempt.
      const waits = retryable.flatMap((o) => (o.error?.nextRetryDelayMs === undefined ? [] : [o.error.nextRetryDelayMs]));
      return new DubanActivityError(ActivityErrorCode.CHANNEL_UNAVAILABLE, `${head}; the next attempt sends only those: ${which}`, {
        details,
        retryable: true,
        ...(waits.length === 0 ? {} : { nextRetryDelayMs: Math.max(...waits) }),
      });
    }
    const first = failed[0]?.error?.code;
    const code = first !== undefined && first in ActivityErrorCode ? (first as ActivityErrorCode) : ActivityErrorCode.CHANNEL_REJECTED;
    return new DubanActivityError(code, `${head}, and sending again will not help: ${which}`, { details, retryable: false });
  }
}
