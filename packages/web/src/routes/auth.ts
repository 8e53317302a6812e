/**
 * Login (password, then the second factor when enrolled), invitations, logout and
 * logout-everywhere. A person's vault is opened here with the password they typed and
 * kept in memory under their session; it is dropped at logout, and a session whose vault
 * is gone (the server restarted) is a logged-out one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toDataURL } from 'qrcode';
import { authenticator } from 'otplib';
import { DubanError, ErrorCode } from '@duban/common';
import { Accounts } from '../accounts';
import { langOf, render, SESSION_COOKIE, type Workspace } from '../context';
import { localTime } from '../format';
import { codeWords, doneNotice, errorNotice } from '../i18n';
import type { InviteModel, Lang, Notice } from '../models';
import type { WorkspaceViews } from '../server';

export interface AuthRouteOptions {
  workspace: Workspace;
  views: WorkspaceViews;
  /** Cookies only over https (true behind TLS). */
  secure: boolean;
  /** The limit on login, second-factor and invitation posts, per client address. */
  loginLimit: { max: number; timeWindow: number };
}

type Body = Record<string, string | string[] | undefined>;

function field(body: unknown, name: string): string {
  const value = (body as Body | undefined)?.[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? (value[0] ?? '') : '';
}

/** A path on this site to go to after login; anything else (another site, `//host`) is dropped. */
export function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : undefined;
}

const TOTP_ISSUER = '督办 duban';
/** RFC 6238 codes: 6 digits, 30 s steps, SHA-1 (what authenticator apps expect), one step of tolerance either side. */
const totp = authenticator.clone({ window: 1 });

/** The 30-second step a valid code belongs to, or undefined when the code is not valid now. */
function totpStep(secret: string | undefined, code: string, now: number): number | undefined {
  if (!secret || !/^\d{6}$/.test(code.trim())) return undefined;
  // One step either side: a phone's clock a little off still works.
  const delta = totp.checkDelta(code.trim(), secret);
  return delta === null ? undefined : Math.floor(now / 30_000) + delta;
}

export async function authRoutes(app: FastifyInstance, options: AuthRouteOptions): Promise<void> {
  const { workspace, views, secure } = options;
  const { accounts } = workspace;
  const limited = { rateLimit: options.loginLimit };

  const setSession = (reply: FastifyReply, id: string) =>
    // Lax, not Strict: a link in a notification (mail, 企业微信) opens the task page logged in;
    // every form is still guarded by its CSRF token.
    reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: Math.floor(accounts.policy.sessionMs / 1000) });
  const clearSession = (reply: FastifyReply) => reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });

  /** Ends the session of the cookie, if any, and drops its vault. */
  const endCurrent = (request: FastifyRequest) => {
    const id = request.cookies[SESSION_COOKIE];
    if (!id) return;
    workspace.vaults.delete(Accounts.sessionKey(id));
    accounts.endSession(id);
  };

  const loginPage = (request: FastifyRequest, reply: FastifyReply, notice?: Notice, status = 200, extra: { username?: string; lockedUntil?: number } = {}) => {
    const lang = langOf(request, reply);
    const query = request.query as Record<string, unknown>;
    const next = safeNext((request.body as Body | undefined)?.next ?? query.next);
    const username = extra.username ?? (typeof query.username === 'string' ? query.username : undefined);
    const zone = [...workspace.plans.values()][0]?.timeZone ?? 'Asia/Shanghai';
    return render(workspace, request, reply, views.loginPage, {
      ...(notice ?? doneNotice(typeof query.done === 'string' ? query.done : undefined, lang) ? { notice: notice ?? doneNotice(query.done as string, lang) } : {}),
      ...(username ? { username } : {}),
      ...(next ? { next } : {}),
      ...(extra.lockedUntil ? { lockedUntil: localTime(new Date(extra.lockedUntil).toISOString(), zone, lang) } : {}),
    }, status);
  };

  app.get('/login', async (request, reply) => {
    if (request.who) return reply.redirect(safeNext((request.query as Record<string, unknown>).next) ?? '/');
    return loginPage(request, reply);
  });

  app.post('/login', { config: limited, preHandler: app.csrfProtection }, async (request, reply) => {
    const lang = langOf(request, reply);
    const username = field(request.body, 'username').trim();
    const password = field(request.body, 'password');
    const now = workspace.now();
    const outcome = await accounts.login(username, password, now);
    if (!outcome.ok) {
      if (outcome.reason === 'locked') {
        return loginPage(request, reply, { kind: 'error', code: ErrorCode.ACCOUNT_LOCKED, text: codeWords(ErrorCode.ACCOUNT_LOCKED, lang) }, 423, { username, lockedUntil: outcome.lockedUntil });
      }
      return loginPage(request, reply, { kind: 'error', code: ErrorCode.LOGIN_FAILED, text: codeWords(ErrorCode.LOGIN_FAILED, lang) }, 401, { username });
    }
    endCurrent(request);
    const next = safeNext(field(request.body, 'next')) ?? '/';
    const id = accounts.createSession(username, outcome.secondFactor ? 'password' : 'full', now);
    workspace.vaults.set(Accounts.sessionKey(id), outcome.vault);
    setSession(reply, id);
    return reply.redirect(outcome.secondFactor ? `/totp?next=${encodeURIComponent(next)}` : next, 303);
  });

  /** The password-stage session of the cookie, with its vault; undefined when there is none. */
  const pendingLogin = (request: FastifyRequest) => {
    const id = request.cookies[SESSION_COOKIE];
    if (!id) return undefined;
    const session = accounts.session(id, workspace.now());
    const vault = workspace.vaults.get(Accounts.sessionKey(id));
    if (!session || session.stage !== 'password' || !vault) return undefined;
    return { id, session, vault };
  };

  app.get('/totp', async (request, reply) => {
    const pending = pendingLogin(request);
    if (!pending) return reply.redirect('/login', 303);
    const person = await personRefAnywhere(workspace, pending.session.person);
    return render(workspace, request, reply, views.totpPage, { person });
  });

  app.post('/totp', { config: limited, preHandler: app.csrfProtection }, async (request, reply) => {
    const lang = langOf(request, reply);
    const pending = pendingLogin(request);
    if (!pending) return loginPage(request, reply, { kind: 'error', code: ErrorCode.SESSION_INVALID, text: codeWords(ErrorCode.SESSION_INVALID, lang) }, 401);
    const now = workspace.now();
    const { person } = pending.session;
    const step = totpStep(pending.vault.totpSecret, field(request.body, 'code'), Date.now());
    // A code already used (here or at enrolment) does not log in again.
    if (step !== undefined && accounts.spendSecondFactorStep(person, step)) {
      accounts.clearFailures(person);
      const id = accounts.promote(pending.id, now);
      workspace.vaults.delete(Accounts.sessionKey(pending.id));
      workspace.vaults.set(Accounts.sessionKey(id), pending.vault);
      setSession(reply, id);
      return reply.redirect(safeNext((request.query as Record<string, unknown>).next) ?? '/', 303);
    }
    const lockedUntil = accounts.recordFailure(person, now);
    if (lockedUntil !== undefined) {
      workspace.vaults.delete(Accounts.sessionKey(pending.id));
      accounts.endSession(pending.id);
      clearSession(reply);
      return loginPage(request, reply, { kind: 'error', code: ErrorCode.ACCOUNT_LOCKED, text: codeWords(ErrorCode.ACCOUNT_LOCKED, lang) }, 423, { username: person, lockedUntil });
    }
    const notice: Notice = { kind: 'error', code: ErrorCode.LOGIN_FAILED, text: lang === 'zh' ? '动态验证码不正确。' : 'The code is wrong.' };
    return render(workspace, request, reply, views.totpPage, { person: await personRefAnywhere(workspace, person), notice }, 401);
  });

  app.post('/logout', { preHandler: app.csrfProtection }, async (request, reply) => {
    endCurrent(request);
    clearSession(reply);
    return reply.redirect('/login?done=logged-out', 303);
  });

  app.post('/logout/all', { preHandler: app.csrfProtection }, async (request, reply) => {
    const who = request.who;
    if (who) {
      accounts.endSessionsOf(who.person);
      for (const [key, vault] of workspace.vaults) if (vault.person === who.person) workspace.vaults.delete(key);
    }
    clearSession(reply);
    return reply.redirect('/login?done=logged-out-all', 303);
  });

  // -- Invitations --------------------------------------------------------------------------

  const invitePage = async (request: FastifyRequest, reply: FastifyReply, token: string, notice?: Notice, status = 200) => {
    const lang = langOf(request, reply);
    const now = workspace.now();
    const invitation = accounts.invitation(token, now);
    if (!invitation) return invitationGone(request, reply, lang);
    const offered = await accounts.invitationContents(token, now);
    const plans = invitation.plans.flatMap((id) => {
      const plan = workspace.plans.get(id);
      return plan ? [{ id, title: lang === 'en' && plan.title.en ? plan.title.en : plan.title.zh }] : [];
    });
    const firstPlan = workspace.plans.get(invitation.plans[0] ?? '');
    const secret = offered.totpSecret ?? '';
    const person = await personRefAnywhere(workspace, invitation.person);
    const totpUri = totp.keyuri(`${person.name} (${invitation.person})`, TOTP_ISSUER, secret);
    const model: InviteModel = {
      action: `/invite/${encodeURIComponent(token)}`,
      person,
      plans,
      expiresAt: localTime(new Date(invitation.expiresAt).toISOString(), firstPlan?.timeZone ?? 'Asia/Shanghai', lang),
      totpSecret: secret,
      totpUri,
      totpQrDataUrl: await toDataURL(totpUri, { margin: 1, width: 200 }),
      minPasswordLength: accounts.policy.minPasswordLength,
      ...(notice ? { notice } : {}),
    };
    return render(workspace, request, reply, views.invitePage, model, status);
  };

  const invitationGone = (request: FastifyRequest, reply: FastifyReply, lang: Lang) =>
    render(workspace, request, reply, views.errorPage, { status: 404, notice: { kind: 'error', code: ErrorCode.INVITATION_INVALID, text: codeWords(ErrorCode.INVITATION_INVALID, lang) }, back: '/login' }, 404);

  app.get<{ Params: { token: string } }>('/invite/:token', { config: limited }, async (request, reply) => invitePage(request, reply, request.params.token));

  app.post<{ Params: { token: string } }>('/invite/:token', { config: limited, preHandler: app.csrfProtection }, async (request, reply) => {
    const lang = langOf(request, reply);
    const { token } = request.params;
    const now = workspace.now();
    if (!accounts.invitation(token, now)) return invitationGone(request, reply, lang);
    const password = field(request.body, 'password');
    if (password !== field(request.body, 'password2')) {
      return invitePage(request, reply, token, { kind: 'error', code: ErrorCode.PASSWORD_REJECTED, text: codeWords(ErrorCode.PASSWORD_REJECTED, lang) }, 422);
    }
    const secondFactor = field(request.body, 'totp') === '1';
    let step: number | undefined;
    if (secondFactor) {
      const offered = await accounts.invitationContents(token, now);
      step = totpStep(offered.totpSecret, field(request.body, 'totpCode'), Date.now());
      if (step === undefined) {
        const text = lang === 'zh' ? '动态验证码不正确：请按验证器应用中显示的6位数字填写。' : 'The code is wrong: type the six digits your authenticator app shows.';
        return invitePage(request, reply, token, { kind: 'error', code: ErrorCode.LOGIN_FAILED, text }, 422);
      }
    }
    try {
      const person = await accounts.accept(token, password, { now, secondFactor });
      if (step !== undefined) accounts.spendSecondFactorStep(person, step);
      // Any vault opened with the old password is gone with its sessions.
      for (const [key, vault] of workspace.vaults) if (vault.person === person) workspace.vaults.delete(key);
      return reply.redirect(`/login?done=accepted&username=${encodeURIComponent(person)}`, 303);
    } catch (error) {
      if (error instanceof DubanError && error.code === ErrorCode.INVITATION_INVALID) return invitationGone(request, reply, lang);
      if (error instanceof DubanError && error.code === ErrorCode.PASSWORD_REJECTED) return invitePage(request, reply, token, errorNotice(error, lang), 422);
      throw error;
    }
  });
}

/** A person's name from the first served plan that knows them. */
async function personRefAnywhere(workspace: Workspace, person: string) {
  for (const plan of workspace.plans.values()) {
    if (plan.people.some((p) => p.id === person)) return workspace.personRef(plan.id, person);
  }
  return { id: person, name: person };
}
