/**
 * The workspace server: Fastify with its security plugins, the accounts, and the routes.
 *
 * @example
 * ```ts
 * const duban = await DubanClient.connect();
 * const workspace = await createWorkspaceServer({ duban, plans: [await loadPlanFile('plans/xihu-2020.yaml')], dbPath: '.duban/workspace.sqlite' });
 * const url = await workspace.listen(); // http://127.0.0.1:8233
 * // … later
 * await workspace.close();
 * ```
 */
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { DubanClient } from '@duban/client';
import { ErrorCode, isDubanError } from '@duban/common';
import type { Plan } from '@duban/plan';
import type { AuditStore } from '@duban/activities';
import { Accounts, type AccountPolicy } from './accounts';
import { csrfUserInfo, langOf, render, SESSION_COOKIE, Workspace } from './context';
import { codeWords, errorNotice } from './i18n';
import type { Views } from './models';
import { authRoutes } from './routes/auth';
import { campaignRoutes } from './routes/campaign';
import { statusOf, taskRoutes } from './routes/tasks';
import * as pages from './views';

/** The page functions the server renders with (`./views` satisfies it). */
export type WorkspaceViews = Views;

/** The default port of `duban serve`, beside the Temporal dev server's 7233 and UI's 8233. */
export const DEFAULT_WORKSPACE_PORT = 8280;

export interface WorkspaceOptions {
  /** A connected duban client; the workspace does not close it. */
  duban: DubanClient;
  /** The plans served: their people may log in, their tasks are shown. */
  plans: readonly Plan[];
  /** The accounts database (`DEFAULT_PATHS.workspaceDb`); `:memory:` for a throw-away one. */
  dbPath: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default {@link DEFAULT_WORKSPACE_PORT}; 0 picks a free one. */
  port?: number;
  /** Cookies marked Secure and HSTS sent: set when the workspace is reached over https (default: whether `publicUrl` is https). */
  secure?: boolean;
  /** The URL people reach the workspace at, for the links `users invite` prints. */
  publicUrl?: string;
  /** The clock (tests). */
  now?: () => number;
  /** How often an open board stream asks for the board (default 3 s). */
  boardPollMs?: number;
  /** Login, second-factor and invitation posts per client address per window (default 20 a minute). */
  loginLimit?: { max: number; timeWindowMs: number };
  accountPolicy?: Partial<AccountPolicy>;
  /** The worker's audit store, for the audit page to verify its hash chains. */
  auditStore?: Pick<AuditStore, 'list'>;
  /** Fastify's logger (default off). */
  logger?: boolean;
  /** The page functions (default `./views`). */
  views?: WorkspaceViews;
}

export interface WorkspaceServer {
  app: FastifyInstance;
  accounts: Accounts;
  /** Starts listening; returns the URL. */
  listen(): Promise<string>;
  /** Stops listening, ends the board streams, closes the accounts database. */
  close(): Promise<void>;
}

export async function createWorkspaceServer(options: WorkspaceOptions): Promise<WorkspaceServer> {
  const now = options.now ?? Date.now;
  const secure = options.secure ?? (options.publicUrl?.startsWith('https:') === true);
  const views = options.views ?? pages;
  const accounts = Accounts.open(options.dbPath, options.accountPolicy);
  const workspace = new Workspace(options.duban, options.plans, accounts, now);
  // forceCloseConnections: board streams stay open; close() must not wait for them.
  const app = Fastify({ logger: options.logger ?? false, trustProxy: false, bodyLimit: 256 * 1024, forceCloseConnections: true });

  // The cookie secret signs the CSRF secret's cookie; kept in the database so a restart does not void open forms.
  await app.register(fastifyCookie, { secret: accounts.setting('cookie-secret') });
  await app.register(fastifyFormbody);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // The second-factor QR code is a data: URL.
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // Invitation tokens are in URLs: never send them on as a referrer.
    referrerPolicy: { policy: 'no-referrer' },
    hsts: secure ? { maxAge: 15_552_000 } : false,
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'duban_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure, signed: true },
    // The token is bound to the session too: a token from someone else's page does not pass.
    csrfOpts: { userInfo: true, hmacKey: accounts.setting('csrf-hmac-key') },
    getUserInfo: csrfUserInfo,
    getToken: (request: FastifyRequest) => {
      const token = (request.body as Record<string, unknown> | undefined)?._csrf;
      return typeof token === 'string' ? token : undefined;
    },
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyStatic, { root: join(__dirname, '..', 'public'), prefix: '/static/', decorateReply: false, index: false });

  // Who the request is from: a full session whose vault this process opened.
  app.addHook('onRequest', async (request) => {
    const id = request.cookies[SESSION_COOKIE];
    if (!id) return;
    const session = accounts.session(id, now());
    if (!session || session.stage !== 'full') return;
    const vault = workspace.vaults.get(Accounts.sessionKey(id));
    if (!vault) {
      // Opened by a process that has since stopped: the keys went with it, so must the session.
      accounts.endSession(id);
      return;
    }
    request.who = { sessionId: id, person: session.person, vault };
  });

  const requireLogin = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.who) return;
    if (request.method === 'GET') return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    const lang = langOf(request, reply);
    return render(workspace, request, reply, views.errorPage, { status: 401, notice: { kind: 'error', code: ErrorCode.SESSION_INVALID, text: codeWords(ErrorCode.SESSION_INVALID, lang) }, back: '/login' }, 401);
  };

  app.setErrorHandler(async (error: Error, request, reply) => {
    const lang = langOf(request, reply);
    const fastifyCode = (error as { code?: string }).code;
    if (fastifyCode === 'FST_CSRF_MISSING_SECRET' || fastifyCode === 'FST_CSRF_INVALID_TOKEN') {
      return render(workspace, request, reply, views.errorPage, { status: 403, notice: { kind: 'error', code: ErrorCode.CSRF_INVALID, text: codeWords(ErrorCode.CSRF_INVALID, lang) }, back: request.headers.referer ? undefined : '/' }, 403);
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 429) {
      const text = lang === 'zh' ? '请求过于频繁，请稍后再试。' : 'Too many attempts: wait a minute and try again.';
      return render(workspace, request, reply, views.errorPage, { status: 429, notice: { kind: 'error', text }, back: '/login' }, 429);
    }
    if (isDubanError(error)) return render(workspace, request, reply, views.errorPage, { status: statusOf(error), notice: errorNotice(error, lang), back: '/' }, statusOf(error));
    if (status !== undefined && status < 500) return render(workspace, request, reply, views.errorPage, { status, notice: { kind: 'error', text: error.message }, back: '/' }, status);
    request.log.error({ err: error }, 'workspace request failed');
    return render(workspace, request, reply, views.errorPage, { status: 500, notice: errorNotice(error, lang), back: '/' }, 500);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const lang = langOf(request, reply);
    return render(workspace, request, reply, views.errorPage, { status: 404, notice: { kind: 'error', code: ErrorCode.NOT_FOUND, text: codeWords(ErrorCode.NOT_FOUND, lang) }, back: '/' }, 404);
  });

  const loginLimit = { max: options.loginLimit?.max ?? 20, timeWindow: options.loginLimit?.timeWindowMs ?? 60_000 };
  await app.register(authRoutes, { workspace, views, secure, loginLimit });
  await app.register(taskRoutes, { workspace, views, requireLogin });
  await app.register(campaignRoutes, { workspace, views, requireLogin, boardPollMs: options.boardPollMs ?? 3_000, ...(options.auditStore ? { auditStore: options.auditStore } : {}) });

  let closed = false;
  return {
    app,
    accounts,
    async listen() {
      const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? DEFAULT_WORKSPACE_PORT });
      return address.replace('[::1]', 'localhost');
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      workspace.vaults.clear();
      accounts.close();
    },
  };
}
