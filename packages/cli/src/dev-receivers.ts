/**
 * `duban dev`'s catch-all receivers: a local SMTP server per email channel (`smtp-server`)
 * and one HTTP endpoint for the robots and webhooks, all on 127.0.0.1. The plans' routing
 * is pointed at them, with made-up secrets the receivers check as the real services do
 * (the robot's key or token, 钉钉's 加签, the webhook's signature), so a developer sees
 * every message the routing would send, one line each, and nothing leaves the machine.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import {
  EMAIL_IDEMPOTENCY_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  Secret,
  dingTalkSignature,
  verifyWebhookSignature,
  type ChannelConfig,
  type ChannelType,
  type RoutedPlan,
  type SecretSource,
} from '@duban/activities';
import { t, type Lang } from './i18n';

/** One message a receiver took. */
export interface DevMessage {
  /** The plan's channel name; `webhook` for the default notifier's unsigned webhook. */
  channel: string;
  type: ChannelType | 'plain';
  /** Whom it is for, as the receiver sees it: mailboxes, @-mentions, the webhook's recipients. */
  to: string[];
  subject: string;
  text: string;
  /** The idempotency key it carried (email header, robots' and webhook's `Idempotency-Key`). */
  idempotencyKey: string | undefined;
  /** The raw message (email source, or the JSON body), for tests. */
  raw: string;
}

export interface DevReceivers {
  /** The plans with every channel pointed at these receivers. */
  plans: RoutedPlan[];
  /** The made-up secrets of those channels, which the receivers check. */
  secrets: SecretSource;
  /** A catch-all for the default notifier's unsigned webhook (plans without routing). */
  webhookUrl: string;
  /** Every message taken so far, in arrival order. */
  messages: DevMessage[];
  close(): Promise<void>;
}

export interface DevReceiversOptions {
  plans: readonly RoutedPlan[];
  /** Called for each message taken (the CLI prints {@link describeDevMessage}). */
  onMessage?: (message: DevMessage) => void;
  /** Called when a receiver refuses a request (a key, token or signature that does not check). */
  onRefused?: (channel: string, reason: string) => void;
  /**
   * The secrets the channels use and the receivers check. Default: made up for this run,
   * so a dev run needs none of the real ones; tests pass the environment's.
   */
  secrets?: SecretSource;
}

/** One line for people: which channel, to whom, what. */
export function describeDevMessage(lang: Lang, m: DevMessage): string {
  return t(lang, 'dev.message', { channel: m.channel, type: m.type, to: m.to.join(', ') || t(lang, 'dev.group'), subject: m.subject });
}

/** Made-up secrets, one per name, fresh for each run: a dev run needs none of the real ones. */
class DevSecrets implements SecretSource {
  private readonly values = new Map<string, Secret>();
  get(name: string): Secret {
    let secret = this.values.get(name);
    if (secret === undefined) {
      secret = new Secret(name, `dev-${randomBytes(12).toString('hex')}`);
      this.values.set(name, secret);
    }
    return secret;
  }
}

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((o) => o.value.map((a) => (a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? ''))));
}

/** A robot's post: subject and text from its published formats; the @-mentions as it gives them. */
function robotMessage(channel: string, type: 'wecom' | 'dingtalk', body: Record<string, unknown>, key: string | undefined, raw: string): DevMessage {
  const get = (path: string[]): unknown => path.reduce<unknown>((node, step) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[step] : undefined), body);
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  if (type === 'wecom') {
    // text: subject, blank line, body; markdown: `### subject`, blank line, body.
    const [first = '', ...rest] = String(get(['text', 'content']) ?? get(['markdown', 'content']) ?? '').split('\n');
    const to = [...strings(get(['text', 'mentioned_list'])), ...strings(get(['text', 'mentioned_mobile_list']))].map((who) => `@${who}`);
    return { channel, type, to, subject: first.replace(/^#+\s*/, ''), text: rest.join('\n').trim(), idempotencyKey: key, raw };
  }
  // markdown: the title is the subject; text: the subject is the first line.
  const title = get(['markdown', 'title']);
  const content = String(get(['markdown', 'text']) ?? get(['text', 'content']) ?? '');
  const [first = '', ...rest] = content.split('\n');
  const subject = typeof title === 'string' ? title : first;
  const text = typeof title === 'string' ? content : rest.join('\n').trim();
  const to = [...strings(get(['at', 'atUserIds'])), ...strings(get(['at', 'atMobiles']))].map((who) => `@${who}`);
  return { channel, type, to, subject, text, idempotencyKey: key, raw };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The plan with its channels pointed at the receivers (email to its own local SMTP port). */
function rewire(plan: RoutedPlan, http: string, smtpPorts: ReadonlyMap<string, number>): RoutedPlan {
  const routing = plan.routing;
  if (routing === undefined) return plan;
  const channels = Object.fromEntries(
    Object.entries(routing.channels).map(([name, config]): [string, ChannelConfig] => {
      const path = `${http}/${config.type}/${encodeURIComponent(plan.id)}/${encodeURIComponent(name)}`;
      switch (config.type) {
        case 'email':
          return [name, { ...config, host: '127.0.0.1', port: smtpPorts.get(`${plan.id}/${name}`) ?? 0, security: 'none' }];
        case 'wecom':
          return [name, { ...config, url: `${path}/cgi-bin/webhook/send` }];
        case 'dingtalk':
          return [name, { ...config, url: `${path}/robot/send` }];
        case 'webhook':
          return [name, { ...config, url: path }];
      }
    }),
  );
  return { ...plan, routing: { ...routing, channels } };
}

/**
 * Starts the receivers for `plans` and gives the plans pointed at them, with the secrets
 * to run them. Close them when the worker has stopped.
 */
export async function startDevReceivers(options: DevReceiversOptions): Promise<DevReceivers> {
  const secrets = options.secrets ?? new DevSecrets();
  const messages: DevMessage[] = [];
  const take = (message: DevMessage) => {
    messages.push(message);
    options.onMessage?.(message);
  };
  const refuse = (channel: string, reason: string) => options.onRefused?.(channel, reason);
  const closers: Array<() => Promise<void>> = [];
  const configOf = (planId: string, name: string): ChannelConfig | undefined => options.plans.find((p) => p.id === planId)?.routing?.channels[name];

  try {
    // One SMTP server per email channel: the channel a message came through is the server it reached.
    const smtpPorts = new Map<string, number>();
    for (const plan of options.plans) {
      for (const [name, config] of Object.entries(plan.routing?.channels ?? {})) {
        if (config.type !== 'email') continue;
        const password = config.passwordSecret === undefined ? undefined : secrets.get(config.passwordSecret).reveal();
        const server = new SMTPServer({
          disabledCommands: ['STARTTLS'],
          authOptional: password === undefined,
          allowInsecureAuth: true,
          logger: false,
          closeTimeout: 200,
          onAuth(auth, _session, callback) {
            if (auth.username === config.user && auth.password === password) callback(null, { user: auth.username });
            else {
              refuse(name, 'SMTP login refused');
              callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
            }
          },
          onData(stream, _session, callback) {
            simpleParser(stream).then(
              (mail) => {
                take({
                  channel: name,
                  type: 'email',
                  to: [...addresses(mail.to), ...addresses(mail.cc)],
                  subject: mail.subject ?? '',
                  text: (mail.text ?? '').trim(),
                  idempotencyKey: header(mail.headers.get(EMAIL_IDEMPOTENCY_HEADER.toLowerCase()) as string | undefined),
                  raw: mail.text ?? '',
                });
                callback();
              },
              (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
            );
          },
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        smtpPorts.set(`${plan.id}/${name}`, (server.server.address() as AddressInfo).port);
        closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      }
    }

    const answer = (res: ServerResponse, status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const http = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const [, type, planId = '', name = ''] = url.pathname.split('/').map((part) => decodeURIComponent(part));
        const key = header(req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()]);
        if (type === 'plain') {
          const body = JSON.parse(raw) as { subject?: string; body?: string; text?: string; recipients?: Array<{ person?: string; unit?: string }> };
          const to = (body.recipients ?? []).map((r) => r.person ?? r.unit ?? '');
          take({ channel: 'webhook', type: 'plain', to, subject: body.subject ?? '', text: body.text ?? body.body ?? '', idempotencyKey: key, raw });
          return answer(res, 200, { ok: true });
        }
        const config = configOf(planId, name);
        if (config === undefined || config.type !== type) return answer(res, 404, { error: 'no such channel' });
        if (config.type === 'wecom') {
          if (url.searchParams.get('key') !== secrets.get(config.keySecret).reveal()) {
            refuse(name, 'wrong robot key');
            return answer(res, 200, { errcode: 93000, errmsg: 'invalid webhook url' });
          }
          take(robotMessage(name, 'wecom', JSON.parse(raw) as Record<string, unknown>, key, raw));
          return answer(res, 200, { errcode: 0, errmsg: 'ok' });
        }
        if (config.type === 'dingtalk') {
          const timestamp = Number(url.searchParams.get('timestamp'));
          const signed = config.signSecret === undefined || url.searchParams.get('sign') === dingTalkSignature(secrets.get(config.signSecret).reveal(), timestamp);
          if (url.searchParams.get('access_token') !== secrets.get(config.accessTokenSecret).reveal() || !signed || Math.abs(Date.now() - timestamp) > 3_600_000) {
            refuse(name, 'wrong token or 加签 signature');
            return answer(res, 200, { errcode: 310000, errmsg: 'sign not match' });
          }
          take(robotMessage(name, 'dingtalk', JSON.parse(raw) as Record<string, unknown>, key, raw));
          return answer(res, 200, { errcode: 0, errmsg: 'ok' });
        }
        if (config.type === 'webhook') {
          if (!verifyWebhookSignature(req.headers, raw, secrets.get(config.signingSecret).reveal())) {
            refuse(name, 'signature does not match');
            return answer(res, 401, { error: 'signature does not match' });
          }
          const body = JSON.parse(raw) as { subject: string; text: string; recipients: Array<{ id?: string; name?: string }> };
          take({ channel: name, type: 'webhook', to: body.recipients.map((r) => r.name ?? r.id ?? ''), subject: body.subject, text: body.text, idempotencyKey: key, raw });
          return answer(res, 200, { ok: true });
        }
        return answer(res, 404, { error: 'no such channel' });
      })
        // A body that is not what the channel sends (not JSON, say) is the sender's problem.
        .catch((err: unknown) => answer(res, 400, { error: err instanceof Error ? err.message : String(err) }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    });
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    return {
      plans: options.plans.map((plan) => rewire(plan, base, smtpPorts)),
      secrets,
      webhookUrl: `${base}/plain`,
      messages,
      close: async () => {
        await Promise.all(closers.splice(0).map((close) => close()));
      },
    };
  } catch (err) {
    await Promise.all(closers.map((close) => close()));
    throw err;
  }
}

/** What `duban dev` gives its worker so the routing reaches the receivers, and how to stop them. */
export interface DevRouting {
  /** Options for `createDubanWorker`: the rewired plans, their made-up secrets, the catch-all webhook. */
  workerOptions(webhookUrl: string | undefined): { plans: RoutedPlan[]; secrets: SecretSource; webhookUrl: string };
  close(): Promise<void>;
}

/**
 * Starts the receivers for `duban dev` (for the plan it launches, if any) and prints one
 * line for each message they take.
 */
export async function startDevRouting(output: { line(text: string): void }, lang: Lang, plans: readonly RoutedPlan[]): Promise<DevRouting> {
  const receivers = await startDevReceivers({
    plans,
    onMessage: (message) => output.line(describeDevMessage(lang, message)),
    onRefused: (channel, reason) => output.line(t(lang, 'dev.refused', { channel, reason })),
  });
  const routed = plans.filter((plan) => plan.routing !== undefined).map((plan) => plan.id);
  output.line(t(lang, 'dev.receivers', { plans: routed.join(', ') || '—', webhook: receivers.webhookUrl }));
  return {
    workerOptions: (webhookUrl) => ({ plans: receivers.plans, secrets: receivers.secrets, webhookUrl: webhookUrl ?? receivers.webhookUrl }),
    close: () => receivers.close(),
  };
}
