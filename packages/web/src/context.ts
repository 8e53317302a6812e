/**
 * What every route shares: the duban client, the plans served, the accounts, the vaults
 * opened at login (in memory only, by session), the clock; and the request helpers that
 * pick the language, make the view context and render a page.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DubanClient } from '@duban/client';
import { DubanError, ErrorCode } from '@duban/common';
import type { Plan, PlanTask } from '@duban/plan';
import type { Person } from '@duban/workflows';
import { Accounts } from './accounts';
import type { VaultContents } from './keystore';
import type { Lang, PersonRef, UnitRef, View, ViewContext } from './models';

/** The cookie that names the session; its value is stored only hashed. */
export const SESSION_COOKIE = 'duban_session';
/** The language chosen with `?lang=`. */
export const LANG_COOKIE = 'duban_lang';

/** Who a request is from, once the session checks out. */
export interface Who {
  /** The cookie's value. */
  sessionId: string;
  person: string;
  vault: VaultContents;
}

declare module 'fastify' {
  interface FastifyRequest {
    who?: Who;
  }
}

/** How long a plan's roster of record is read from the campaign before it is asked again. */
const ROSTER_TTL_MS = 15_000;

export class Workspace {
  /** Vaults opened at login, by session key (the hash of the session id): gone at logout or restart. */
  readonly vaults = new Map<string, VaultContents>();
  private readonly rosters = new Map<string, { at: number; people: Person[] }>();
  readonly plans: ReadonlyMap<string, Plan>;

  constructor(
    readonly duban: DubanClient,
    plans: readonly Plan[],
    readonly accounts: Accounts,
    readonly now: () => number,
  ) {
    this.plans = new Map(plans.map((p) => [p.id, p]));
  }

  /**
   * The plan `planId` if this workspace serves it.
   *
   * @throws DubanError `NOT_FOUND`.
   */
  plan(planId: string): Plan {
    const plan = this.plans.get(planId);
    if (!plan) throw new DubanError(ErrorCode.NOT_FOUND, `This workspace does not serve plan ${planId}.`, { details: { planId } });
    return plan;
  }

  /** The plan's task `n`, or undefined. */
  planTask(plan: Plan, taskNumber: number): (PlanTask & { action: number; actionTitle: string }) | undefined {
    for (const action of plan.actions) {
      const task = action.tasks.find((t) => t.number === taskNumber);
      if (task) return { ...task, action: action.number, actionTitle: action.title.zh };
    }
    return undefined;
  }

  /**
   * The roster of record of a plan, as its campaign holds it (roles may have changed by
   * amendment since the plan file); the plan file's people when the campaign cannot be
   * asked. Read at most every few seconds.
   */
  async roster(planId: string): Promise<Person[]> {
    const cached = this.rosters.get(planId);
    const now = this.now();
    if (cached && now - cached.at < ROSTER_TTL_MS) return cached.people;
    let roster: Person[] = [];
    try {
      roster = await this.duban.campaign(planId).roster();
    } catch {
      // Not launched yet, or the server is away: the plan file's people stand in (below).
    }
    // The roster's entries win; a campaign still loading its stored plan may answer only
    // part of it, so the plan file's people fill in the rest (for display: the workflow
    // checks every act against its own roster anyway).
    const known = new Set(roster.map((p) => p.id));
    const people = [...roster, ...this.plan(planId).people.filter((p) => !known.has(p.id)).map((p) => ({ id: p.id, name: p.name, unit: p.unit, roles: [...p.roles] }))];
    if (roster.length > 0) this.rosters.set(planId, { at: now, people });
    return people;
  }

  async personIn(planId: string, person: string): Promise<Person | undefined> {
    return (await this.roster(planId)).find((p) => p.id === person);
  }

  /** The plans the logged-in person has a key for (the ones their invitation carried) that this workspace serves. */
  plansOf(who: Who): Plan[] {
    const ids = new Set(who.vault.keys.map((k) => k.planId));
    return [...this.plans.values()].filter((p) => ids.has(p.id));
  }

  /** A person's name (and unit's name) as a page shows them; the id when unknown. */
  async personRef(planId: string, person: string): Promise<PersonRef> {
    const plan = this.plans.get(planId);
    const found = (await this.roster(planId)).find((p) => p.id === person) ?? plan?.people.find((p) => p.id === person);
    if (!found) return { id: person, name: person };
    const unitName = plan?.units.find((u) => u.code === found.unit)?.name;
    return { id: person, name: found.name, ...(unitName ? { unitName } : {}) };
  }

  unitRef(plan: Plan, code: string): UnitRef {
    return { code, name: plan.units.find((u) => u.code === code)?.name ?? code };
  }
}

/**
 * What a CSRF token is bound to besides the browser's secret: the session (its cookie's
 * hash), so a token from another session's page does not pass. Before login, a fixed
 * word (the library refuses an empty one).
 */
export function csrfUserInfo(request: FastifyRequest): string {
  const id = request.cookies[SESSION_COOKIE];
  return id ? Accounts.sessionKey(id) : 'visitor';
}

/** The page's language: `?lang=` (remembered in a cookie), else the cookie, else Chinese. */
export function langOf(request: FastifyRequest, reply?: FastifyReply): Lang {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  if (asked === 'zh' || asked === 'en') {
    reply?.setCookie(LANG_COOKIE, asked, { path: '/', sameSite: 'lax', httpOnly: true });
    return asked;
  }
  const kept = request.cookies[LANG_COOKIE];
  return kept === 'en' ? 'en' : 'zh';
}

/** The context every view is given: language, a fresh CSRF token, the person, the path. */
export async function viewContext(workspace: Workspace, request: FastifyRequest, reply: FastifyReply): Promise<ViewContext> {
  const lang = langOf(request, reply);
  const csrfToken = reply.generateCsrf({ userInfo: csrfUserInfo(request) });
  const path = request.url.split('?')[0] ?? '/';
  const ctx: ViewContext = { lang, csrfToken, path };
  const who = request.who;
  if (who) {
    const planId = who.vault.keys[0]?.planId;
    const plan = planId === undefined ? undefined : workspace.plans.get(planId);
    const person = plan ? await workspace.personIn(plan.id, who.person) : undefined;
    const unit = person?.unit ?? '';
    const unitName = plan?.units.find((u) => u.code === unit)?.name;
    ctx.person = { id: who.person, name: person?.name ?? who.person, unit, ...(unitName ? { unitName } : {}) };
  }
  return ctx;
}

/** Renders `view` with `model` as the reply (HTML, `status`). */
export async function render<M>(workspace: Workspace, request: FastifyRequest, reply: FastifyReply, view: View<M>, model: M, status = 200): Promise<FastifyReply> {
  const ctx = await viewContext(workspace, request, reply);
  return reply.code(status).type('text/html; charset=utf-8').send(view(model, ctx));
}
