/**
 * The inbox, the task page and the task's forms. Each form becomes one task message,
 * signed with the logged-in person's key (opened at their login) and sent through the
 * duban client: the task workflow checks the signature, the roster and the rules, and is
 * the only authority. Nothing here decides whether a person may act; a refusal comes
 * back with the workflow's code and is shown on the task page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DubanTaskHandle, SigningKey } from '@duban/client';
import { DubanError, ErrorCode, errorKind, isDubanError, type ErrorKind } from '@duban/common';
import { dueInstant, type Plan } from '@duban/plan';
import type { MessageResult } from '@duban/workflows';
import { langOf, render, type Who, type Workspace } from '../context';
import { lines } from '../format';
import { doneNotice, errorNotice } from '../i18n';
import type { Lang, Notice } from '../models';
import { inboxModel, taskModel } from '../pages';
import type { WorkspaceViews } from '../server';

export interface TaskRouteOptions {
  workspace: Workspace;
  views: WorkspaceViews;
  requireLogin: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

type Params = { planId: string; taskNumber: string };
type Body = Record<string, string | string[] | undefined>;

/** The HTTP status of a refusal: its kind decides, as the CLI's exit code does. */
export function statusOf(error: unknown): number {
  if (!isDubanError(error)) return 500;
  const byKind: Record<ErrorKind, number> = { usage: 400, invalid: 422, refused: 403, 'not-found': 404, unavailable: 503, config: 500 };
  return byKind[errorKind(error.code)];
}

function text(body: Body, name: string): string | undefined {
  const value = body[name];
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined ? undefined : one;
}

/** A number typed in a form; empty is absent (the workflow's schema then says what is missing). */
function numberField(body: Body, name: string): number | undefined {
  const value = text(body, name)?.trim();
  return value === undefined || value === '' ? undefined : Number(value);
}

/** A date typed in a form, read as the end of that day in the plan's zone ("by that day", as the plan's deadlines are). */
function deadlineField(body: Body, name: string, plan: Plan): string | undefined {
  const value = text(body, name)?.trim();
  if (!value) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new DubanError(ErrorCode.INVALID_ARGUMENT, `${name} must be a date such as 2021-01-15, got "${value}".`, { details: { field: name } });
  }
  return dueInstant(value, 'by', plan.timeZone).toISO() ?? undefined;
}

function signingKey(who: Who, planId: string): SigningKey {
  const key = who.vault.keys.find((k) => k.planId === planId);
  if (!key) {
    throw new DubanError(ErrorCode.SIGNING_KEY_UNAVAILABLE, `The workspace holds no signing key of ${who.person} for plan ${planId}.`, { details: { person: who.person, planId } });
  }
  return { person: who.person, keyId: key.keyId, privateKey: key.privateKey };
}

/** The messages the task forms send, by the path they post to. */
const SENDERS: Record<string, (task: DubanTaskHandle, actor: string, body: Body, plan: Plan) => Promise<MessageResult>> = {
  acknowledge: (task, actor, body) => {
    const note = text(body, 'note')?.trim();
    return task.acknowledge({ actor, ...(note ? { note } : {}) });
  },
  report: (task, actor, body) => {
    const evidence = lines(text(body, 'evidence'));
    return task.reportProgress({ actor, percent: numberField(body, 'percent') as number, note: text(body, 'note') ?? '', ...(evidence.length > 0 ? { evidence } : {}) });
  },
  submit: (task, actor, body) => {
    const evidence = lines(text(body, 'evidence'));
    return task.submit({ actor, summary: text(body, 'summary') ?? '', ...(evidence.length > 0 ? { evidence } : {}) });
  },
  review: (task, actor, body) => {
    if (text(body, 'decision') === 'return') return task.review({ actor, decision: 'return', reasons: lines(text(body, 'reasons')) });
    const note = text(body, 'note')?.trim();
    return task.review({ actor, decision: 'approve', score: numberField(body, 'score') as number, ...(note ? { note } : {}) });
  },
  extension: (task, actor, body, plan) => task.requestExtension({ actor, deadlineAt: deadlineField(body, 'deadline', plan) as string, reason: text(body, 'reason') ?? '' }),
  'extension-decision': (task, actor, body, plan) => {
    const reason = text(body, 'reason')?.trim();
    if (text(body, 'decision') === 'refuse') return task.decideExtension({ actor, decision: 'refuse', reason: reason ?? '' });
    const deadlineAt = deadlineField(body, 'deadline', plan);
    return task.decideExtension({ actor, decision: 'approve', ...(deadlineAt ? { deadlineAt } : {}), ...(reason ? { reason } : {}) });
  },
};

export const TASK_ACTIONS = Object.keys(SENDERS);

function taskNumberOf(params: Params): number {
  const n = Number(params.taskNumber);
  if (!/^\d+$/.test(params.taskNumber) || n < 1) throw new DubanError(ErrorCode.NOT_FOUND, `No task ${params.taskNumber}.`, { details: { taskNumber: params.taskNumber } });
  return n;
}

export async function taskRoutes(app: FastifyInstance, options: TaskRouteOptions): Promise<void> {
  const { workspace, views, requireLogin } = options;

  app.get('/', { preHandler: requireLogin }, async (request, reply) => {
    const lang = langOf(request, reply);
    const model = await inboxModel(workspace, request.who as Who, lang);
    const notice = doneNotice((request.query as Record<string, string | undefined>).done, lang);
    return render(workspace, request, reply, views.inboxPage, { ...model, ...(notice ? { notice } : {}) });
  });

  /** The task page, with `notice` (an outcome or a refusal) and `status`. */
  const taskPage = async (request: FastifyRequest, reply: FastifyReply, plan: Plan, taskNumber: number, lang: Lang, notice?: Notice, status = 200) => {
    const state = await workspace.duban.task(plan.id, taskNumber).state();
    const model = await taskModel(workspace, request.who as Who, plan, state, lang);
    return render(workspace, request, reply, views.taskPage, { ...model, ...(notice ? { notice } : {}) }, status);
  };

  app.get<{ Params: Params }>('/tasks/:planId/:taskNumber', { preHandler: requireLogin }, async (request, reply) => {
    const lang = langOf(request, reply);
    const plan = workspace.plan(request.params.planId);
    const notice = doneNotice((request.query as Record<string, string | undefined>).done, lang);
    return taskPage(request, reply, plan, taskNumberOf(request.params), lang, notice);
  });

  // The links in notices (`DUBAN_WORKSPACE_URL/plans/<plan>/tasks/<n>`) lead to the task page.
  app.get<{ Params: { planId: string; taskNumber: string } }>('/plans/:planId/tasks/:taskNumber', async (request, reply) =>
    reply.redirect(`/tasks/${encodeURIComponent(request.params.planId)}/${encodeURIComponent(request.params.taskNumber)}`, 301),
  );

  for (const [action, send] of Object.entries(SENDERS)) {
    app.post<{ Params: Params }>(`/tasks/:planId/:taskNumber/${action}`, { preHandler: [requireLogin, app.csrfProtection] }, async (request, reply) => {
      const lang = langOf(request, reply);
      const who = request.who as Who;
      const plan = workspace.plan(request.params.planId);
      const taskNumber = taskNumberOf(request.params);
      try {
        const task = workspace.duban.task(plan.id, taskNumber).as(signingKey(who, plan.id));
        const result = await send(task, who.person, (request.body ?? {}) as Body, plan);
        // Post, redirect, get: a reload does not send the form again.
        return reply.redirect(`/tasks/${encodeURIComponent(plan.id)}/${taskNumber}?done=${result.applied ? action : 'already'}`, 303);
      } catch (error) {
        if (!isDubanError(error)) throw error;
        request.log.info({ code: error.code, person: who.person, planId: plan.id, taskNumber, action }, 'task message refused');
        return taskPage(request, reply, plan, taskNumber, lang, errorNotice(error, lang), statusOf(error));
      }
    });
  }
}
