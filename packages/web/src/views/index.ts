/**
 * The workspace's pages: one function per page, `(model, ctx) => string`, a whole HTML
 * document in the request's language (Chinese first). The routes build the models
 * (`../models`) with everything decided; these only lay them out, through Eta templates
 * (`./templates`) that escape every value.
 *
 * @example
 * ```ts
 * import { views } from './views';
 * reply.type('text/html').send(views.taskPage(model, { lang: 'zh', csrfToken, person, path: request.url }));
 * ```
 */
import type {
  AssessmentModel,
  AuditModel,
  BoardModel,
  BulletinModel,
  ErrorModel,
  InboxModel,
  InviteModel,
  LoginModel,
  TaskModel,
  TotpModel,
  ViewContext,
  Views,
} from '../models';
import { render } from './render';

export const loginPage = (model: LoginModel, ctx: ViewContext): string => render('login', model, ctx);
export const invitePage = (model: InviteModel, ctx: ViewContext): string => render('invite', model, ctx);
export const totpPage = (model: TotpModel, ctx: ViewContext): string => render('totp', model, ctx);
export const inboxPage = (model: InboxModel, ctx: ViewContext): string => render('inbox', model, ctx);
export const taskPage = (model: TaskModel, ctx: ViewContext): string => render('task', model, ctx);
export const boardPage = (model: BoardModel, ctx: ViewContext): string => render('board', model, ctx);
/** The board's live part alone, `<div id="board-live">…</div>`: each server-sent update carries it. */
export const boardLive = (model: BoardModel, ctx: ViewContext): string => render('partials/board-live', model, ctx);
export const bulletinPage = (model: BulletinModel, ctx: ViewContext): string => render('bulletin', model, ctx);
export const assessmentPage = (model: AssessmentModel, ctx: ViewContext): string => render('assessment', model, ctx);
export const auditPage = (model: AuditModel, ctx: ViewContext): string => render('audit', model, ctx);
export const errorPage = (model: ErrorModel, ctx: ViewContext): string => render('error', model, ctx);

/** Every page, as the routes take them. */
export const views: Views = { loginPage, invitePage, totpPage, inboxPage, taskPage, boardPage, boardLive, bulletinPage, assessmentPage, auditPage, errorPage };

export { safeHref, TEMPLATE_DIR, wordsFor } from './render';
export type { Words } from './words/words';
