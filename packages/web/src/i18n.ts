/**
 * The server's own words to people, in Chinese and English: notices (errors and outcomes)
 * and the one-line summaries of timeline events. Labels of statuses, lights and rungs
 * are the views' (B's). A workflow refusal's message is the workflow's (English, with
 * the facts); in Chinese the person reads what the code means for them, and the code.
 */
import { isDubanError, messageOf, type ErrorCode } from '@duban/common';
import type { Lang, Notice } from './models';

type Words = { zh: string; en: string };

/** What each code a person may meet in the workspace means to them. */
const CODE_WORDS: Partial<Record<ErrorCode, Words>> = {
  LOGIN_FAILED: { zh: '账号或密码不正确。', en: 'The person id or password is wrong.' },
  ACCOUNT_LOCKED: { zh: '连续输错次数过多，账号已暂时锁定。', en: 'Too many wrong attempts: the account is locked for a while.' },
  SESSION_INVALID: { zh: '登录已失效，请重新登录。', en: 'Your session has ended: log in again.' },
  CSRF_INVALID: { zh: '表单已失效（缺少防伪令牌），请刷新页面后重试。', en: 'The form lacked its anti-forgery token: reload the page and try again.' },
  INVITATION_INVALID: { zh: '邀请链接无效、已使用或已过期，请联系管理员重新发送。', en: 'This invitation link is unknown, used or expired: ask an operator for a new one.' },
  PASSWORD_REJECTED: { zh: '密码不符合要求（长度不足或两次输入不一致）。', en: 'The password is too short, or the two entries differ.' },
  SIGNING_KEY_UNAVAILABLE: { zh: '本工作台没有您在该计划下的签名密钥，无法代您签发指令。', en: 'The workspace holds no signing key of yours for this plan: it cannot sign for you.' },
  WRONG_ROLE: { zh: '您的单位或角色无权执行此操作（由任务流程核验拒绝）。', en: 'Your unit or roles do not allow this (refused by the task workflow).' },
  UNKNOWN_ACTOR: { zh: '您不在该任务的人员名单中。', en: "You are not on this task's roster." },
  SELF_REVIEW: { zh: '不能审核自己提交的工作。', en: 'You cannot review work you submitted.' },
  INVALID_STATE: { zh: '任务当前状态不允许此操作。', en: "This does not fit the task's current status." },
  INVALID_ARGUMENT: { zh: '填写的内容有误。', en: 'Something in the form is malformed.' },
  DEADLINE_PASSED: { zh: '期限已过，不能再申请延期。', en: 'The deadline has passed: extensions must be asked for before it.' },
  ASSISTING_REPORTS_MISSING: { zh: '尚有协助牵头单位未报送进度，暂不能提交。', en: 'An assisting unit has not reported yet: the task cannot be submitted.' },
  EXTENSION_PENDING: { zh: '已有一项延期申请待批。', en: 'An extension request is already waiting for HQ.' },
  CREDENTIAL_MISSING: { zh: '指令缺少签名。', en: 'The instruction carries no signature.' },
  KEY_UNKNOWN: { zh: '签名密钥不在名册中。', en: 'The signing key is not in the roster of record.' },
  KEY_REVOKED: { zh: '签名密钥已被吊销。', en: 'The signing key was revoked.' },
  SIGNATURE_INVALID: { zh: '签名与指令不符。', en: 'The signature does not match the instruction.' },
  INSTRUCTION_EXPIRED: { zh: '指令已过期，请重试。', en: 'The instruction expired: try again.' },
  ACTING_FOR_ANOTHER: { zh: '不能代他人签发指令。', en: 'You cannot sign for someone else.' },
  NOT_AUTHORISED: { zh: '您在名册中的角色无权执行此操作。', en: 'Your roles in the roster of record do not allow this.' },
  SELF_DECISION: { zh: '不能审批自己提出的延期申请。', en: 'You cannot decide your own extension request.' },
  CONFLICT_OF_INTEREST: { zh: '审核人不得来自牵头单位本单位。', en: "A reviewer may not belong to the primary lead's unit." },
  EXTENSION_BEYOND_CAMPAIGN: { zh: '延期不得超出活动结束时间。', en: "An extension may not go past the campaign's end." },
  REASON_REQUIRED: { zh: '进度未达100%时通过审核须填写理由。', en: 'Approving work below 100% needs a note saying why.' },
  TASK_NOT_FOUND: { zh: '该任务尚未启动。', en: 'This task was never launched.' },
  TASK_NOT_IN_PLAN: { zh: '计划中没有该任务。', en: 'The plan has no such task.' },
  CAMPAIGN_NOT_FOUND: { zh: '该计划尚未启动督办。', en: 'This plan was never launched.' },
  NOT_FOUND: { zh: '找不到该页面。', en: 'There is no such page.' },
  SERVER_UNREACHABLE: { zh: '督办服务暂时无法连接，请稍后重试。', en: 'The duban server cannot be reached: try again later.' },
  CONTINUING_AS_NEW: { zh: '任务正在切换运行，请稍后重试。', en: 'The task is between two runs: try again in a moment.' },
};

/** The notice for an error: what its code means in `lang`, with the code; the workflow's own message in English. */
export function errorNotice(error: unknown, lang: Lang): Notice {
  if (isDubanError(error)) {
    const words = CODE_WORDS[error.code];
    const text = lang === 'en' ? error.message : words ? `${words.zh}` : error.message;
    return { kind: 'error', code: error.code, text };
  }
  return { kind: 'error', text: lang === 'zh' ? `服务器出错：${messageOf(error)}` : `Server error: ${messageOf(error)}` };
}

/** The words of a code in `lang` (for notices the server raises itself). */
export function codeWords(code: ErrorCode, lang: Lang): string {
  return CODE_WORDS[code]?.[lang] ?? code;
}

const DONE: Record<string, Words> = {
  acknowledge: { zh: '已签收。', en: 'Acknowledged.' },
  report: { zh: '进度已报送。', en: 'Progress reported.' },
  submit: { zh: '已提交审核。', en: 'Submitted for review.' },
  review: { zh: '审核意见已记录。', en: 'Review recorded.' },
  extension: { zh: '延期申请已提交。', en: 'Extension requested.' },
  'extension-decision': { zh: '延期审批已记录。', en: 'Extension decision recorded.' },
  already: { zh: '该指令此前已执行，未重复记录。', en: 'This was already applied: nothing recorded twice.' },
  'logged-out-all': { zh: '已在所有设备上退出登录。', en: 'Logged out everywhere.' },
  'logged-out': { zh: '已退出登录。', en: 'Logged out.' },
  accepted: { zh: '密码已设置，请登录。', en: 'Your password is set: log in.' },
};

/** The success notice after action `done` (a key of the query string `?done=`). */
export function doneNotice(done: string | undefined, lang: Lang): Notice | undefined {
  const words = done === undefined ? undefined : DONE[done];
  return words ? { kind: 'success', text: words[lang] } : undefined;
}

const EVENTS: Record<string, Words> = {
  'task.assigned': { zh: '任务下达', en: 'Task assigned' },
  'task.acknowledged': { zh: '签收', en: 'Acknowledged' },
  'progress.reported': { zh: '报送进度', en: 'Progress reported' },
  'task.submitted': { zh: '提交审核', en: 'Submitted for review' },
  'review.approved': { zh: '审核通过', en: 'Approved' },
  'review.returned': { zh: '退回整改', en: 'Returned' },
  'review.overdue': { zh: '审核逾期', en: 'Review overdue' },
  'extension.requested': { zh: '申请延期', en: 'Extension requested' },
  'extension.approved': { zh: '延期获批', en: 'Extension approved' },
  'extension.refused': { zh: '延期未获批', en: 'Extension refused' },
  'milestone.checked': { zh: '节点检查', en: 'Milestone checked' },
  'deadline.passed': { zh: '期限已到', en: 'Deadline passed' },
  'acknowledgement.overdue': { zh: '签收逾期', en: 'Acknowledgement overdue' },
  'escalation.started': { zh: '进入督办升级', en: 'Escalation started' },
  'escalation.stopped': { zh: '督办升级解除', en: 'Escalation stopped' },
  'task.stalled': { zh: '长时间未报送', en: 'Stalled' },
  'task.cancelled': { zh: '任务撤销', en: 'Cancelled' },
  'task.commended': { zh: '通报表扬', en: 'Commended' },
  'task.amended': { zh: '计划调整', en: 'Plan amended' },
  'notification.failed': { zh: '通知发送失败', en: 'Notification failed' },
  'duty.due': { zh: '例行事项到期', en: 'Recurring duty due' },
  'report.checked': { zh: '报送检查', en: 'Report checked' },
  'launch.past-deadline': { zh: '启动时已过期限', en: 'Launched past its deadline' },
};

/** The summary of a timeline event: its name in `lang`, with the facts that matter (percent, score). */
export function eventSummary(kind: string, details: Record<string, unknown>, lang: Lang): string {
  const name = EVENTS[kind]?.[lang] ?? kind;
  const facts: string[] = [];
  if (typeof details.percent === 'number') facts.push(`${details.percent}%`);
  if (typeof details.score === 'number') facts.push(lang === 'zh' ? `评分 ${details.score}` : `score ${details.score}`);
  if (typeof details.rung === 'string') facts.push(details.rung);
  if (typeof details.light === 'string') facts.push(details.light);
  return facts.length > 0 ? `${name}（${facts.join('，')}）`.replace(/（(.*)）$/, lang === 'zh' ? '（$1）' : ' ($1)') : name;
}
