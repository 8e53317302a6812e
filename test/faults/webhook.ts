/**
 * The notification receiver of the fault suite: healthy by default, and on demand it
 * answers 500 to everything for a while, 400 to some notifications (every attempt) and
 * slowly to others (the first attempt gets no answer before the notifier's own attempt
 * timeout, 10 s, cuts it; later attempts are answered). Which notifications misbehave is
 * drawn from the seed, by order of arrival. Every request and its answer is logged by
 * idempotency key, for the checks.
 */
import { startWebhook } from '../activities/fixtures';
import type { Draws } from './seed';

/** What the receiver did with one request. */
export type WebhookAnswer = 200 | 400 | 500 | 'slow';

export interface WebhookRequestLog {
  key: string;
  answer: WebhookAnswer;
  atMs: number;
}

/** What a notification is in for while the receiver misbehaves. */
type Fate = 'ok' | 'reject' | 'slow';

export interface MisbehaviourPlan {
  /** How many of the first new notifications are rejected (400), and how many answered slowly. */
  rejects: number;
  slows: number;
  /** Among how many first arrivals those are drawn (the rest are answered normally). */
  among: number;
  /** 500 to every request once this many requests arrived since `misbehave()`, for `serverErrorMs`. */
  serverErrorAfter: number;
  serverErrorMs: number;
}

export class FaultyWebhook {
  readonly log: WebhookRequestLog[] = [];
  private fates: Fate[] = [];
  private readonly fateOf = new Map<string, Fate>();
  private readonly slowServed = new Set<string>();
  private readonly seen = new Set<string>();
  private misbehaving = false;
  private requestsSinceMisbehave = 0;
  private serverErrorAfter = Infinity;
  private serverErrorMs = 0;
  private serverErrorUntil = 0;
  /** When the 500 window opened and closed, for the figures. */
  serverErrorWindow: { fromMs: number; toMs: number } | undefined;

  private server: Awaited<ReturnType<typeof startWebhook>> | undefined;

  /** Where the workers post (`DUBAN_WEBHOOK_URL`). */
  get url(): string {
    if (!this.server) throw new Error('The webhook is not started.');
    return this.server.url;
  }

  static async start(): Promise<FaultyWebhook> {
    const webhook = new FaultyWebhook();
    webhook.server = await startWebhook((_n, req) => webhook.answer(String(req.headers['idempotency-key'])));
    return webhook;
  }

  /** From now on: the plan's 500 window, and rejections and slow answers for the first new notifications, in a seeded order. */
  misbehave(plan: MisbehaviourPlan, draws: Draws): void {
    const fates: Fate[] = [...Array<Fate>(plan.rejects).fill('reject'), ...Array<Fate>(plan.slows).fill('slow')];
    while (fates.length < plan.among) fates.push('ok');
    this.fates = draws.shuffle(fates);
    this.misbehaving = true;
    this.requestsSinceMisbehave = 0;
    this.serverErrorAfter = plan.serverErrorAfter;
    this.serverErrorMs = plan.serverErrorMs;
  }

  /** Back to answering 200 to every new notification (those already rejected stay rejected: a 4xx is final). */
  behave(): void {
    this.misbehaving = false;
    this.fates = [];
  }

  /** The notifications given a fate, by fate. */
  keysThat(fate: Exclude<Fate, 'ok'>): string[] {
    return [...this.fateOf].filter(([, f]) => f === fate).map(([key]) => key);
  }

  /** The answers one key got, in order. */
  answersTo(key: string): WebhookAnswer[] {
    return this.log.filter((r) => r.key === key).map((r) => r.answer);
  }

  count(answer: WebhookAnswer): number {
    return this.log.filter((r) => r.answer === answer).length;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  private answer(key: string): { status: number } | 'hang' {
    const now = Date.now();
    const answer = this.decide(key, now);
    this.seen.add(key);
    this.log.push({ key, answer, atMs: now });
    return answer === 'slow' ? 'hang' : { status: answer };
  }

  private decide(key: string, now: number): WebhookAnswer {
    if (this.misbehaving) {
      this.requestsSinceMisbehave += 1;
      if (this.requestsSinceMisbehave === this.serverErrorAfter) {
        this.serverErrorUntil = now + this.serverErrorMs;
        this.serverErrorWindow = { fromMs: now, toMs: this.serverErrorUntil };
      }
    }
    if (now < this.serverErrorUntil) return 500;
    let fate = this.fateOf.get(key);
    // Only notifications new to the receiver draw a fate: the order of arrival decides.
    if (fate === undefined && this.misbehaving && !this.seen.has(key)) {
      fate = this.fates.shift() ?? 'ok';
      this.fateOf.set(key, fate);
    }
    if (fate === 'reject') return 400;
    if (fate === 'slow' && !this.slowServed.has(key)) {
      this.slowServed.add(key);
      return 'slow';
    }
    return 200;
  }
}
