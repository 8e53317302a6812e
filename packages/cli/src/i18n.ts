/**
 * The CLI's labels and messages in Chinese and English. Task and unit names are never
 * translated: they are printed as the plan writes them.
 */
export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** `zh` when LC_ALL (or else LANG) starts with `zh`, English otherwise. */
export function defaultLang(env: NodeJS.ProcessEnv): Lang {
  const locale = env.LC_ALL || env.LANG || '';
  return locale.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

const en = {
  // Labels
  'label.task': 'Task',
  'label.number': 'No',
  'label.action': 'Action',
  'label.title': 'Title',
  'label.status': 'Status',
  'label.light': 'Light',
  'label.percent': 'Progress',
  'label.deadline': 'Deadline',
  'label.nextDeadline': 'Next deadline',
  'label.assignedAt': 'Assigned',
  'label.primaryLead': 'Primary lead',
  'label.assisting': 'Assisting',
  'label.responsible': 'Responsible',
  'label.unit': 'Unit',
  'label.role': 'Role',
  'label.acknowledged': 'Acknowledged',
  'label.reports': 'Reports',
  'label.escalation': 'Escalation level',
  'label.rungs': 'Rungs climbed',
  'label.score': 'Score',
  'label.commended': 'Commended',
  'label.at': 'At',
  'label.actor': 'Actor',
  'label.event': 'Event',
  'label.details': 'Details',
  'label.timeline': 'Timeline',
  'label.yes': 'yes',
  'label.no': 'no',
  'status.not-launched': 'not launched',
  'status.assigned': 'assigned',
  'status.acknowledged': 'acknowledged',
  'status.in-progress': 'in progress',
  'status.submitted': 'submitted',
  'status.approved': 'approved',
  'status.cancelled': 'cancelled',
  'light.green': 'green',
  'light.yellow': 'yellow',
  'light.red': 'red',
  'role.primary': 'primary lead',
  'role.assisting': 'assisting',
  'role.responsible': 'responsible',
  // Messages
  'msg.applied': '{message} applied to task {task} ({workflowId}): now {status}, light {light}.',
  'msg.duplicate': 'Request {requestId} was already applied to task {task}; nothing changed: {status}, light {light}.',
  'msg.refused': 'refused',
  'msg.exported': 'Wrote {count} audit entries to {file}.',
  'msg.ledgerWritten': 'Wrote the ledger of {count} tasks to {file}.',
  'msg.workerReady': 'duban worker polling {address} (namespace {namespace}, task queue {taskQueue}); Ctrl-C stops it.',
  'msg.workerStopped': 'duban worker stopped.',
  'msg.devReady': 'Temporal dev server at {address}; web UI at {ui}; data in {data}. Worker running. Ctrl-C stops both.',
  'msg.devStopping': 'Stopping the worker and the dev server…',
  'msg.devStopped': 'Stopped.',
  'msg.portInUse': 'Port {port} on 127.0.0.1 is already in use (another `duban dev` or Temporal server?). Stop it, or pick another port with --port.',
  'msg.missingAs': 'Say who is acting with --as PERSON (a person id from the plan roster), or set DUBAN_AS.',
} as const;

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
  'label.task': '任务',
  'label.number': '序号',
  'label.action': '行动',
  'label.title': '任务名称',
  'label.status': '状态',
  'label.light': '亮灯',
  'label.percent': '进度',
  'label.deadline': '完成时限',
  'label.nextDeadline': '下一节点',
  'label.assignedAt': '交办时间',
  'label.primaryLead': '牵头单位',
  'label.assisting': '协助单位',
  'label.responsible': '责任单位',
  'label.unit': '单位',
  'label.role': '角色',
  'label.acknowledged': '签收',
  'label.reports': '报告次数',
  'label.escalation': '督办层级',
  'label.rungs': '已启动督办',
  'label.score': '考核得分',
  'label.commended': '表扬',
  'label.at': '时间',
  'label.actor': '操作人',
  'label.event': '事件',
  'label.details': '详情',
  'label.timeline': '办理记录',
  'label.yes': '是',
  'label.no': '否',
  'status.not-launched': '未启动',
  'status.assigned': '已交办',
  'status.acknowledged': '已签收',
  'status.in-progress': '办理中',
  'status.submitted': '待审核',
  'status.approved': '已办结',
  'status.cancelled': '已撤销',
  'light.green': '绿灯',
  'light.yellow': '黄灯',
  'light.red': '红灯',
  'role.primary': '牵头',
  'role.assisting': '协助',
  'role.responsible': '责任',
  'msg.applied': '任务 {task}（{workflowId}）{message} 已受理：当前 {status}，{light}。',
  'msg.duplicate': '请求 {requestId} 已受理过，任务 {task} 未作改动：{status}，{light}。',
  'msg.refused': '未受理',
  'msg.exported': '已导出 {count} 条审计记录到 {file}。',
  'msg.ledgerWritten': '已将 {count} 项任务的台账写入 {file}。',
  'msg.workerReady': 'duban worker 已连接 {address}（命名空间 {namespace}，任务队列 {taskQueue}）；按 Ctrl-C 停止。',
  'msg.workerStopped': 'duban worker 已停止。',
  'msg.devReady': 'Temporal 开发服务器 {address}；Web UI {ui}；数据目录 {data}。worker 已运行，按 Ctrl-C 全部停止。',
  'msg.devStopping': '正在停止 worker 和开发服务器…',
  'msg.devStopped': '已停止。',
  'msg.portInUse': '127.0.0.1 的端口 {port} 已被占用（是否已有 `duban dev` 或 Temporal 服务器在运行？）。请先停止它，或用 --port 指定其他端口。',
  'msg.missingAs': '请用 --as PERSON 指明操作人（计划名册中的人员 id），或设置环境变量 DUBAN_AS。',
};

const catalogue: Record<Lang, Record<MessageKey, string>> = { en, zh };

/** A label or message in `lang`, with `{name}` placeholders filled from `params`. */
export function t(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return catalogue[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A status (or `not-launched`) label. */
export function statusLabel(lang: Lang, status: string): string {
  const key = `status.${status}`;
  return isKey(key) ? t(lang, key) : status;
}

export function lightLabel(lang: Lang, light: string): string {
  const key = `light.${light}`;
  return isKey(key) ? t(lang, key) : light;
}

function isKey(key: string): key is MessageKey {
  return key in en;
}
