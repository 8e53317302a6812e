/**
 * The HTTP side shared by the robots and the signed webhook: checking a configured URL,
 * one POST with a timeout and the caller's abort signal, and turning what went wrong into
 * a {@link ChannelError} that says whether a retry can help.
 */
import { ActivityErrorCode } from '../errors';
import { ChannelError, configError, type ChannelErrorFacts, type ChannelLogger, type ChannelReceipt, type ChannelType } from './channel';
import { scrubSecrets, type Secret } from './credentials';

/** Cap on a server's `Retry-After`: a longer wait belongs to the retry policy, not to one answer. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** How much of an unexpected answer goes into an error's details. */
const EXCERPT_LENGTH = 300;

/** The URL as it may appear in receipts, logs and errors: scheme, host, port and path; never the query (keys live there). */
export function redactEndpoint(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

export interface UrlRules {
  channel: string;
  type: ChannelType;
  /** Plain `http:` only to this machine: the URL itself (robots) or the body carries what must not travel in clear. */
  httpsUnlessLoopback: boolean;
}

/**
 * Parses a configured URL. Refuses credentials in it (they would be logged by whoever
 * prints the configuration) and, where asked, plain HTTP to another machine.
 *
 * @throws ChannelError `CHANNEL_CONFIG_INVALID`.
 */
export function checkUrl(raw: string, what: string, rules: UrlRules): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not echoed: a mistyped URL may still hold a key.
    throw configError(rules.channel, rules.type, '<invalid URL>', `the ${what} is not an absolute URL.`);
  }
  const endpoint = redactEndpoint(url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw configError(rules.channel, rules.type, endpoint, `the ${what} must use https, not ${url.protocol}`);
  }
  if (url.protocol === 'http:' && rules.httpsUnlessLoopback && !isLoopback(url.hostname)) {
    throw configError(rules.channel, rules.type, endpoint, `the ${what} must use https: plain http is allowed only to this machine (127.0.0.1).`);
  }
  if (url.username !== '' || url.password !== '') {
    throw configError(rules.channel, rules.type, endpoint, `the ${what} must not hold a user name or password; secrets are named in the configuration and set in the environment.`);
  }
  return url;
}

export interface HttpTarget extends Omit<ChannelErrorFacts, 'status' | 'errcode'> {
  timeoutMs: number;
  /** Scrubbed out of every answer quoted in an error. */
  secrets: readonly Secret[];
}

export interface HttpAnswer {
  status: number;
  /** The answer's body, scrubbed of the target's secrets. */
  body: string;
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** The system error code undici keeps in `cause` (ECONNREFUSED, ENOTFOUND, ...); never the error's text, which may quote the URL. */
function networkCode(err: unknown): string {
  const cause = typeof err === 'object' && err !== null && 'cause' in err ? err.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return typeof err === 'object' && err !== null && 'name' in err && typeof err.name === 'string' ? err.name : 'network error';
}

/**
 * POSTs `body` as JSON to `url` once and returns the 2xx answer. Redirects are not
 * followed (they would carry the key or signature elsewhere). The caller's abort rejects
 * with the signal's reason; a timeout, a refused connection, 408, 429 and 5xx throw
 * `CHANNEL_UNAVAILABLE`; 401 and 403 `CHANNEL_AUTH_FAILED`; other 3xx and 4xx
 * `CHANNEL_REJECTED`.
 */
export async function postJson(
  target: HttpTarget,
  url: URL,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<HttpAnswer> {
  signal?.throwIfAborted();
  const facts = { channel: target.channel, type: target.type, endpoint: target.endpoint };
  const timeout = AbortSignal.timeout(target.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'duban-notifier', ...headers },
      body,
      signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
      redirect: 'manual',
    });
  } catch (err) {
    if (signal?.aborted === true) throw signal.reason;
    const reason = timeout.aborted ? `did not answer within ${target.timeoutMs} ms` : `could not be reached (${networkCode(err)})`;
    throw new ChannelError(ActivityErrorCode.CHANNEL_UNAVAILABLE, `Channel ${target.channel}: ${target.endpoint} ${reason}; delivery will be retried.`, facts, {
      details: { reason },
    });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    if (signal?.aborted === true) throw signal.reason;
    throw new ChannelError(
      ActivityErrorCode.CHANNEL_UNAVAILABLE,
      `Channel ${target.channel}: ${target.endpoint} answered ${response.status} but its body was cut off (${networkCode(err)}); delivery will be retried.`,
      { ...facts, status: response.status },
    );
  }
  const scrubbed = scrubSecrets(text, target.secrets);
  const status = response.status;
  if (status >= 200 && status < 300) return { status, body: scrubbed };

  const withStatus = { ...facts, status };
  const details = { responseExcerpt: scrubbed.slice(0, EXCERPT_LENGTH) };
  if (status === 408 || status === 429 || status >= 500) {
    const delay = retryAfterMs(response.headers.get('retry-after'));
    throw new ChannelError(ActivityErrorCode.CHANNEL_UNAVAILABLE, `Channel ${target.channel}: ${target.endpoint} answered ${status}; delivery will be retried.`, withStatus, {
      details,
      ...(delay === undefined ? {} : { nextRetryDelayMs: delay }),
    });
  }
  if (status === 401 || status === 403) {
    throw new ChannelError(
      ActivityErrorCode.CHANNEL_AUTH_FAILED,
      `Channel ${target.channel}: ${target.endpoint} refused duban's credentials with ${status}; check the secret the channel names.`,
      withStatus,
      { details },
    );
  }
  throw new ChannelError(
    ActivityErrorCode.CHANNEL_REJECTED,
    status >= 300 && status < 400
      ? `Channel ${target.channel}: ${target.endpoint} answered with a redirect (${status}), which duban does not follow; configure the address it points to.`
      : `Channel ${target.channel}: ${target.endpoint} rejected the message with ${status}; sending it again will not help.`,
    withStatus,
    { details },
  );
}

/**
 * How a group robot's platform sorts its `errcode`s: the ones a retry can cure (busy,
 * throttled), the ones that mean the robot will not accept our credentials, and the rest,
 * which no retry changes.
 */
export interface RobotErrcodes {
  /** The platform as people know it: 企业微信, 钉钉. */
  platform: string;
  retryable: ReadonlySet<number>;
  /** Retryable errcodes that mean "too many a minute": the retry waits out the minute. */
  rateLimited: ReadonlySet<number>;
  auth: ReadonlySet<number>;
  /** What to check when the platform refuses the credentials. */
  authHint: string;
}

/** The published limit of both robots is 20 messages a minute: waiting out the minute is enough. */
const ROBOT_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * POSTs a robot message once and returns the 2xx answer whose `errcode` is 0; a non-zero
 * errcode becomes the {@link ChannelError} its table says.
 */
export async function postToRobot(
  target: HttpTarget,
  url: URL,
  body: unknown,
  idempotencyKey: string,
  codes: RobotErrcodes,
  signal: AbortSignal | undefined,
): Promise<{ status: number; errmsg: string }> {
  const answer = await postJson(target, url, JSON.stringify(body), { 'idempotency-key': idempotencyKey }, signal);
  const { errcode, errmsg } = robotAnswer(target, answer);
  if (errcode !== 0) throw robotRefusal(target, codes, errcode, errmsg, answer.status);
  return { status: answer.status, errmsg };
}

function robotRefusal(target: HttpTarget, codes: RobotErrcodes, errcode: number, errmsg: string, status: number): ChannelError {
  const facts = { channel: target.channel, type: target.type, endpoint: target.endpoint, status, errcode };
  const said = `errcode ${errcode}${errmsg === '' ? '' : ` (${errmsg})`}`;
  const robot = `Channel ${target.channel}: the ${codes.platform} robot`;
  if (codes.retryable.has(errcode)) {
    return new ChannelError(ActivityErrorCode.CHANNEL_UNAVAILABLE, `${robot} answered ${said}; delivery will be retried.`, facts, {
      ...(codes.rateLimited.has(errcode) ? { nextRetryDelayMs: ROBOT_RATE_LIMIT_WAIT_MS } : {}),
    });
  }
  if (codes.auth.has(errcode)) {
    return new ChannelError(ActivityErrorCode.CHANNEL_AUTH_FAILED, `${robot} refused the request with ${said}; ${codes.authHint}`, facts);
  }
  return new ChannelError(ActivityErrorCode.CHANNEL_REJECTED, `${robot} rejected the message with ${said}; sending it again will not help.`, facts);
}

/** Parses a robot's JSON answer `{ errcode, errmsg }`; anything else is treated as a transient fault of the platform or a proxy. */
function robotAnswer(target: HttpTarget, answer: HttpAnswer): { errcode: number; errmsg: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && 'errcode' in parsed && typeof parsed.errcode === 'number') {
    const errmsg = 'errmsg' in parsed && typeof parsed.errmsg === 'string' ? parsed.errmsg : '';
    return { errcode: parsed.errcode, errmsg };
  }
  throw new ChannelError(
    ActivityErrorCode.CHANNEL_UNAVAILABLE,
    `Channel ${target.channel}: ${target.endpoint} answered ${answer.status} without the robot's errcode; delivery will be retried.`,
    { channel: target.channel, type: target.type, endpoint: target.endpoint, status: answer.status },
    { details: { responseExcerpt: answer.body.slice(0, EXCERPT_LENGTH) } },
  );
}

/**
 * Runs one send, logging its outcome: one info line with the receipt, or one warn line
 * with the error's code and facts. A cancelled send is rethrown as it is, unlogged.
 */
export async function logged<R extends ChannelReceipt>(logger: ChannelLogger | undefined, channel: string, idempotencyKey: string, send: () => Promise<R>): Promise<R> {
  let receipt: R;
  try {
    receipt = await send();
  } catch (err) {
    if (err instanceof ChannelError) {
      logger?.warn(`channel ${channel}: not delivered`, {
        idempotencyKey,
        code: err.code,
        retryable: err.retryable,
        error: err.message,
        ...err.details,
      });
    }
    throw err;
  }
  logger?.info(`channel ${channel}: delivered`, { receipt });
  return receipt;
}
