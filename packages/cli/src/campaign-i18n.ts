/**
 * Labels and messages of the campaign commands (launch, amend, board, bulletin) in
 * Chinese and English, beside the shared catalogue in `i18n.ts` (which they also use for
 * statuses, lights and common labels). Task and unit names are printed as the plan writes them.
 */
import type { Lang } from './i18n';

const en = {
  'launch.started': 'Launched plan {plan}: campaign {workflowId} started {count} task workflows. First dispatch (周调度) {dispatch}; the campaign ends {end}.',
  'launch.already': 'Plan {plan} is already launched (campaign {workflowId}): {running} of its {count} tasks are still running. Nothing new was started.',
  'amend.applied': 'Amendment {id} applied to plan {plan}: added tasks {added}; moved deadlines of {moved}; reassigned {reassigned}.',
  'amend.duplicate': 'Amendment {id} was already applied to plan {plan}; nothing changed.',
  'board.heading': 'Board of plan {plan} (campaign {status}, updated {updated}; next dispatch {dispatch})',
  'board.byUnit': 'Per primary lead unit:',
  'board.amendments': 'Amendments: {list}',
  'bulletin.heading': 'Bulletin No. {number} (通报) of plan {plan}, {from} – {to}',
  'bulletin.previewHeading': 'Preview of the next bulletin of plan {plan}, {from} – now',
  'bulletin.none': 'No bulletin has been sent yet (next dispatch {dispatch}); this is a preview.',
  'bulletin.totals': '{tasks} tasks: {green} green, {yellow} yellow, {red} red, {approved} approved',
  'bulletin.overdue': 'Overdue (red), ranked by unit:',
  'bulletin.atRisk': 'At risk (yellow), ranked by unit:',
  'bulletin.opened': 'Escalations opened: {list}',
  'bulletin.closed': 'Escalations closed: {list}',
  'bulletin.level': 'level {level}',
  'label.none': 'none',
  'label.total': 'Tasks',
  'label.escalated': 'Escalated',
  'label.approvedCount': 'Approved',
  'status.running': 'running',
  'status.completed': 'completed',
} as const;

export type CampaignMessageKey = keyof typeof en;

const zh: Record<CampaignMessageKey, string> = {
  'launch.started': '计划 {plan} 已启动：督办总流程 {workflowId} 已启动 {count} 项任务流程。首次周调度 {dispatch}；督办截止 {end}。',
  'launch.already': '计划 {plan} 已启动过（督办总流程 {workflowId}）：{count} 项任务中仍有 {running} 项在办。未启动新的流程。',
  'amend.applied': '计划调整 {id} 已应用于计划 {plan}：新增任务 {added}；调整时限 {moved}；调整牵头单位 {reassigned}。',
  'amend.duplicate': '计划调整 {id} 已应用过于计划 {plan}，未作改动。',
  'board.heading': '计划 {plan} 督办看板（{status}，更新于 {updated}；下次调度 {dispatch}）',
  'board.byUnit': '按牵头单位统计：',
  'board.amendments': '计划调整：{list}',
  'bulletin.heading': '计划 {plan} 第{number}期通报，{from} 至 {to}',
  'bulletin.previewHeading': '计划 {plan} 下期通报预览，{from} 至今',
  'bulletin.none': '尚未发出通报（下次调度 {dispatch}）；以下为预览。',
  'bulletin.totals': '共 {tasks} 项任务：绿灯 {green}，黄灯 {yellow}，红灯 {red}，已办结 {approved}',
  'bulletin.overdue': '逾期（红灯），按单位排名：',
  'bulletin.atRisk': '滞后（黄灯），按单位排名：',
  'bulletin.opened': '本期启动督办：{list}',
  'bulletin.closed': '本期解除督办：{list}',
  'bulletin.level': '{level}级督办',
  'label.none': '无',
  'label.total': '任务数',
  'label.escalated': '督办中',
  'label.approvedCount': '已办结',
  'status.running': '进行中',
  'status.completed': '已结束',
};

const catalogue: Record<Lang, Record<CampaignMessageKey, string>> = { en, zh };

/** A campaign label or message in `lang`, with `{name}` placeholders filled from `params`. */
export function ct(lang: Lang, key: CampaignMessageKey, params: Record<string, string | number> = {}): string {
  return catalogue[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
