/**
 * The campaign's pages: the board (with live updates by server-sent events), the weekly
 * bulletin, the assessment table, the ledger download and the audit trail's status. Read
 * only; any person of the plan who is logged in may see them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import { DubanError, ErrorCode, campaignWorkflowId, taskWorkflowId } from '@duban/common';
import type { Plan } from '@duban/plan';
import type { AuditStore } from '@duban/activities';
import { Accounts } from '../accounts';
import { langOf, render, type Who, type Workspace } from '../context';
import { dueTime, localTime } from '../format';
import type { AuditModel, Lang, ViewContext } from '../models';
import { assessmentModel, boardFilters, boardModel, boardVersion, bulletinModel } from '../pages';
import type { WorkspaceViews } from '../server';

export interface CampaignRouteOptions {
  workspace: Workspace;
  views: WorkspaceViews;
  requireLogin: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** How often an open board stream asks the campaign for its board. */
  boardPollMs: number;
  /** The audit store the worker writes, to verify its hash chains; without it the audit page shows the workflows' heads only. */
  auditStore?: Pick<AuditStore, 'list'>;
}

/** UTF-8 byte order mark: Excel on Chinese Windows reads the CSV as UTF-8 with it. */
const BOM = '\uFEFF';

/** The plan of the URL, if the logged-in person is one of its people. */
function planOf(workspace: Workspace, who: Who, planId: string): Plan {
  const plan = workspace.plansOf(who).find((p) => p.id === planId);
  if (!plan) throw new DubanError(ErrorCode.NOT_FOUND, `No plan ${planId} of yours in this workspace.`, { details: { planId } });
  return plan;
}

export async function campaignRoutes(app: FastifyInstance, options: CampaignRouteOptions): Promise<void> {
  const { workspace, views, requireLogin } = options;
  type P = { Params: { planId: string } };

  app.get<P>('/board/:planId', { preHandler: requireLogin }, async (request, reply) => {
    const lang = langOf(request, reply);
    const plan = planOf(workspace, request.who as Who, request.params.planId);
    const board = await workspace.duban.campaign(plan.id).board();
    return render(workspace, request, reply, views.boardPage, boardModel(workspace, plan, board, boardFilters(request.query as Record<string, unknown>), lang));
  });

  app.get<P>('/board/:planId/events', { preHandler: requireLogin }, async (request, reply) => {
    const lang = langOf(request);
    const who = request.who as Who;
    const plan = planOf(workspace, who, request.params.planId);
    const query = request.query as Record<string, unknown>;
    const filters = boardFilters(query);
    const ctx: ViewContext = { lang, csrfToken: '', path: `/board/${plan.id}` };
    // The version the page was rendered at: nothing is sent until the board differs from it.
    let sent = typeof request.headers['last-event-id'] === 'string' ? request.headers['last-event-id'] : typeof query.v === 'string' ? query.v : undefined;
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
    out.write(`retry: ${options.boardPollMs}\n\n`);
    let open = true;
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      open = false;
      if (timer) clearTimeout(timer);
      if (!out.writableEnded) out.end();
    };
    request.raw.on('close', stop);
    const tick = async () => {
      if (!open) return;
      // The stream lives only as long as the session: logging out (anywhere) ends it.
      if (!workspace.accounts.session(who.sessionId, workspace.now()) || !workspace.vaults.has(Accounts.sessionKey(who.sessionId))) return stop();
      try {
        const board = await workspace.duban.campaign(plan.id).board();
        const version = boardVersion(board);
        if (version !== sent && open) {
          const model = boardModel(workspace, plan, board, filters, lang);
          const update = { version, updatedAt: model.updatedAt, html: views.boardLive(model, ctx) };
          out.write(`id: ${version}\nevent: board\ndata: ${JSON.stringify(update)}\n\n`);
          sent = version;
        } else if (open) {
          // A comment keeps proxies from closing a quiet stream.
          out.write(': idle\n\n');
        }
      } catch (error) {
        request.log.warn({ err: error, planId: plan.id }, 'board stream could not read the board');
      }
      if (open) timer = setTimeout(() => void tick(), options.boardPollMs);
    };
    void tick();
  });

  app.get<P>('/bulletin/:planId', { preHandler: requireLogin }, async (request, reply) => {
    const lang = langOf(request, reply);
    const plan = planOf(workspace, request.who as Who, request.params.planId);
    return render(workspace, request, reply, views.bulletinPage, await bulletinModel(workspace, plan, lang));
  });

  app.get<P>('/assessment/:planId', { preHandler: requireLogin }, async (request, reply) => {
    const lang = langOf(request, reply);
    const plan = planOf(workspace, request.who as Who, request.params.planId);
    return render(workspace, request, reply, views.assessmentPage, await assessmentModel(workspace, plan, lang));
  });

  app.get<{ Params: { file: string } }>('/ledger/:file', { preHandler: requireLogin }, async (request, reply) => {
    const lang = langOf(request, reply);
    const match = /^(.+)\.csv$/.exec(request.params.file);
    if (!match) throw new DubanError(ErrorCode.NOT_FOUND, `No ledger ${request.params.file}: ask for /ledger/<plan>.csv.`);
    const plan = planOf(workspace, request.who as Who, match[1] as string);
    const csv = await ledgerCsv(workspace, plan, lang);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${plan.id}-ledger.csv"; filename*=UTF-8''${encodeURIComponent(`${plan.id}-台账.csv`)}`)
      .send(csv);
  });

  app.get<{ Params: { file: string } }>('/audit/:file', { preHandler: requireLogin }, async (request, reply) => {
    const lang = langOf(request, reply);
    const planId = request.params.file.replace(/\.json$/, '');
    const plan = planOf(workspace, request.who as Who, planId);
    return render(workspace, request, reply, views.auditPage, await auditModel(workspace, plan, lang, options.auditStore));
  });
}

const LEDGER_HEADERS: Record<Lang, string[]> = {
  zh: ['序号', '编号', '任务', '牵头单位', '协助牵头单位', '状态', '亮灯', '进度', '期限', '下一节点', '督办层级', '得分'],
  en: ['Task', 'Printed', 'Title', 'Primary lead', 'Assisting', 'Status', 'Light', 'Percent', 'Deadline', 'Next check', 'Escalation level', 'Score'],
};

/** The ledger (台账) as CSV: one row per task, names not codes, dates in the plan's zone. Cells are quoted by csv-stringify; formulas are defused. */
async function ledgerCsv(workspace: Workspace, plan: Plan, lang: Lang): Promise<string> {
  const board = await workspace.duban.campaign(plan.id).board();
  const names = (codes: readonly string[]) => codes.map((c) => workspace.unitRef(plan, c).name).join('、');
  // A cell starting with = + - @ is a formula to a spreadsheet: prefix it so it stays text.
  const cell = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
  const rows = [...board.tasks]
    .sort((a, b) => a.taskNumber - b.taskNumber)
    .map((t) => [
      String(t.taskNumber),
      workspace.planTask(plan, t.taskNumber)?.printed ?? '',
      cell(lang === 'en' && t.title.en ? t.title.en : t.title.zh),
      names([t.primaryLead]),
      names(t.assistingLeads),
      t.status,
      t.light,
      String(t.percent),
      dueTime(t.deadlineAt, plan, lang, t.taskNumber).text,
      t.nextDeadlineAt ? dueTime(t.nextDeadlineAt, plan, lang).text : '',
      String(t.escalationLevel),
      t.score === undefined ? '' : String(t.score),
    ]);
  return BOM + stringify([LEDGER_HEADERS[lang], ...rows], { record_delimiter: 'windows' });
}

async function auditModel(workspace: Workspace, plan: Plan, lang: Lang, store: Pick<AuditStore, 'list'> | undefined): Promise<AuditModel> {
  const board = await workspace.duban.campaign(plan.id).board();
  const heads = new Map<string, { taskNumber?: number; head?: { seq: number; hash: string } }>();
  heads.set(campaignWorkflowId(plan.id), { ...(board.auditChain ? { head: board.auditChain } : {}) });
  await Promise.all(
    board.tasks.map(async (t) => {
      const state = await workspace.duban.task(plan.id, t.taskNumber).state().catch(() => undefined);
      heads.set(taskWorkflowId(plan.id, t.taskNumber), { taskNumber: t.taskNumber, ...(state?.auditChain ? { head: state.auditChain } : {}) });
    }),
  );
  const model: AuditModel = {
    plan: { id: plan.id, title: lang === 'en' && plan.title.en ? plan.title.en : plan.title.zh },
    checkedAt: localTime(new Date(workspace.now()).toISOString(), plan.timeZone, lang),
    status: 'unavailable',
    chains: [...heads.entries()].map(([name, h]) => ({ name, ...(h.taskNumber !== undefined ? { taskNumber: h.taskNumber } : {}), ...(h.head ? { seq: h.head.seq, hash: h.head.hash } : {}) })),
    problems: [],
  };
  if (!store) return model;
  const { verifyAuditTrail } = await import('@duban/activities');
  // The stored chains checked link by link; the heads are shown beside them (entries still on their way to the store are not a break).
  const verification = verifyAuditTrail(await store.list({ planId: plan.id }));
  const byWorkflow = new Map(verification.chains.map((c) => [c.workflowId, c]));
  model.chains = model.chains.map((c) => {
    const report = byWorkflow.get(c.name);
    return report ? { ...c, verified: report.problem === undefined } : c;
  });
  model.problems = verification.chains
    .filter((c) => c.problem !== undefined)
    .map((c) => ({ taskNumber: c.taskNumber, text: `${c.workflowId}: ${c.problem?.kind} (${c.problem?.reason})${c.problem?.row ? ` #${c.problem.row.seq}` : ''}` }));
  model.status = verification.ok ? 'ok' : 'broken';
  return model;
}
