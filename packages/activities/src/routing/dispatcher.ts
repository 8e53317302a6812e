/**
 * The dispatcher of held deliveries: every worker that routes runs one. Each pass claims
 * the due groups (a message held past the quiet hours, or a person's digest batch) for a
 * lease, sends each as one message with its idempotency key, records it in the outbox,
 * and marks its rows sent; a failure frees the rows for a later pass (retryable) or marks
 * them failed (refused, or too many attempts).
 */
import type { NoticeLang } from '@duban/common';
import { messageOf } from '@duban/common';
import type { Channel, ChannelMessage } from '../channels';
import { DubanActivityError } from '../errors';
import type { NotifierLogger } from '../notifier';
import type { NotificationOutbox } from '../outbox';
import { digestMessage } from './digest';
import type { HeldDelivery, HeldDeliveryStore } from './held-store';
import type { RoutedPlan } from './types';

export interface HeldDeliveryDispatcherOptions {
  held: HeldDeliveryStore;
  outbox: NotificationOutbox;
  channel(planId: string, name: string): Channel | undefined;
  plan(planId: string): RoutedPlan | undefined;
  /** The plans this worker routes: it claims only their deliveries. */
  planIds: readonly string[];
  /** Who claims: unique per worker (e.g. `host:pid`). */
  owner: string;
  logger: NotifierLogger;
  clock: () => number;
  /** Between passes, in ms. Default 30 s. */
  intervalMs?: number;
  /** A claim lasts this long; longer than one send (a channel gives up after at most 25 s). Default 2 min. */
  leaseMs?: number;
  /** Groups per claim. Default 20. */
  limit?: number;
  /** Attempts before a held delivery is given up. Default 9 (as `NOTICE_DELIVERY`: 3 rounds of 3). */
  maxAttempts?: number;
}

export interface DispatchOutcome {
  /** The digest batch, or the delivery key of a message sent alone. */
  group: string;
  channel: string;
  addressee: string;
  /** The held deliveries the message carried. */
  keys: string[];
  status: 'sent' | 'already-sent' | 'retry' | 'failed';
  error?: string;
}

const RETRY_BASE_MS = 60_000;
const RETRY_MAX_MS = 3_600_000;

export class HeldDeliveryDispatcher {
  private readonly o: Required<HeldDeliveryDispatcherOptions>;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> | undefined;
  private stopped = true;

  constructor(options: HeldDeliveryDispatcherOptions) {
    this.o = { intervalMs: 30_000, leaseMs: 120_000, limit: 20, maxAttempts: 9, ...options };
  }

  /** Runs a pass now and then every `intervalMs`, until {@link stop}. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops passing; waits for a pass that is running. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass?.catch(() => undefined);
  }

  /** One pass: claims what is due and sends it. Exposed for tests and `duban` commands. */
  async dispatchDue(): Promise<DispatchOutcome[]> {
    const nowMs = this.o.clock();
    const rows = await this.o.held.claimDue({ nowMs, owner: this.o.owner, leaseMs: this.o.leaseMs, limit: this.o.limit, planIds: this.o.planIds });
    const groups = new Map<string, HeldDelivery[]>();
    for (const row of rows) groups.set(row.groupKey, [...(groups.get(row.groupKey) ?? []), row]);
    const outcomes: DispatchOutcome[] = [];
    for (const [group, members] of groups) outcomes.push(await this.send(group, members, nowMs));
    return outcomes;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.pass = this.dispatchDue()
        .catch((err: unknown) => this.o.logger.warn('held deliveries: a pass failed; the next one tries again', { error: messageOf(err) }))
        .finally(() => this.schedule(this.o.intervalMs));
    }, delayMs);
    // A waiting dispatcher must not keep the process alive on its own.
    this.timer.unref();
  }

  private async send(group: string, rows: HeldDelivery[], nowMs: number): Promise<DispatchOutcome> {
    const first = rows[0] as HeldDelivery;
    const keys = rows.map((r) => r.deliveryKey);
    const base = { group, channel: first.channel, addressee: first.addressee, keys };
    const plan = this.o.plan(first.planId);
    const channel = this.o.channel(first.planId, first.channel);
    if (plan === undefined || channel === undefined) {
      // The plan's routing no longer has the channel: nothing can send these.
      const error = `Channel ${first.channel} is no longer in the routing of plan ${first.planId}.`;
      await this.o.held.fail(keys, this.o.owner, error);
      this.o.logger.warn('held notification given up', { channel: first.channel, addressee: first.addressee, held: keys.length, error });
      return { ...base, status: 'failed', error };
    }
    const message: ChannelMessage = first.digest
      ? digestMessage(group, rows.map((r) => r.message), { timeZone: plan.timeZone, sendAfterMs: first.sendAfterMs, lang: this.langOf(plan, first.addressee) })
      : first.message;
    const log = { idempotencyKey: message.idempotencyKey, channel: first.channel, addressee: first.addressee, held: keys.length, digest: first.digest };
    const sentAt = new Date().toISOString();
    if (await this.o.outbox.wasSent(message.idempotencyKey)) {
      await this.recordSent(rows, first, message.idempotencyKey, sentAt, undefined);
      return { ...base, status: 'already-sent' };
    }
    try {
      const receipt = await channel.send(message);
      await this.recordSent(rows, first, message.idempotencyKey, receipt.sentAt, receipt.status);
      this.o.logger.info(first.digest ? 'daily digest sent' : 'held notification sent', { ...log, endpoint: receipt.endpoint, status: receipt.status });
      return { ...base, status: 'sent' };
    } catch (err) {
      const retryable = err instanceof DubanActivityError ? err.retryable : true;
      const error = messageOf(err);
      const attempts = Math.max(...rows.map((r) => r.attempts));
      if (retryable && attempts < this.o.maxAttempts) {
        const delay = Math.min(RETRY_BASE_MS * 2 ** (attempts - 1), RETRY_MAX_MS);
        await this.o.held.release(keys, this.o.owner, nowMs + delay, error);
        this.o.logger.warn('held notification not delivered; trying again later', { ...log, attempts, error });
        return { ...base, status: 'retry', error };
      }
      await this.o.held.fail(keys, this.o.owner, error);
      this.o.logger.warn('held notification given up', { ...log, attempts, error });
      return { ...base, status: 'failed', error };
    }
  }

  /** The outbox learns of the message and of each delivery it carried; then the rows are done. */
  private async recordSent(rows: HeldDelivery[], first: HeldDelivery, messageKey: string, sentAt: string, status: number | undefined): Promise<void> {
    const record = (idempotencyKey: string, kind: string, workflowId: string) =>
      this.o.outbox.markSent({ idempotencyKey, workflowId, kind, channel: first.channel, ...(status === undefined ? {} : { httpStatus: status }), sentAt });
    await record(messageKey, first.digest ? 'digest' : first.kind, first.workflowId);
    if (first.digest) for (const row of rows) await record(row.deliveryKey, row.kind, row.workflowId);
    await this.o.held.markSent(
      rows.map((r) => r.deliveryKey),
      this.o.owner,
      sentAt,
    );
  }

  private langOf(plan: RoutedPlan, addressee: string): NoticeLang {
    return plan.people.find((p) => p.id === addressee)?.contact?.lang ?? plan.routing?.lang ?? 'zh';
  }
}
