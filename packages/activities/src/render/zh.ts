/** 中文: the default catalogue, for the people who read notices first. */
import type { BehindReason, BreakGlassAct, BulletinTask, NoticeKind, NoticeRecipient, Rung, TrafficLight } from '@duban/common';
import { DEFAULT_RENDER_TIME_ZONE, type Catalogue, type NoticeOf, type RenderContext, type Wording } from './catalogue';

const RUNG_NAMES: Record<Rung, string> = {
  reminder: '催办',
  'supervision-notice': '督办单',
  interview: '约谈',
  accountability: '问责',
};

/** What each rung asks of the unit. */
const RUNG_ACTIONS: Record<Rung, string> = {
  reminder: '请抓紧推进，及时更新办理进度。',
  'supervision-notice': '请书面说明滞后原因和整改措施，按期办结。',
  interview: '请单位主要负责人按通知接受约谈，说明情况。',
  accountability: '已启动问责程序，请单位主要负责人配合调查。',
};

const REASONS: Record<BehindReason, string> = {
  unacknowledged: '未按时签收',
  stalled: '长期未更新进度',
  'behind-schedule': '进度滞后',
  overdue: '已逾期',
};

const LIGHTS: Record<TrafficLight, string> = { green: '绿灯', yellow: '黄灯', red: '红灯' };

function rung(notice: NoticeOf<Rung>, c: RenderContext): Wording {
  return {
    heading: `${RUNG_NAMES[notice.kind]}（第${notice.level}级）`,
    lines: [
      `情况：${c.list(notice.reasons.map((reason) => REASONS[reason]))}；当前进度${notice.percent}%，${LIGHTS[notice.light]}。`,
      `完成时限：${c.time(notice.deadlineAt)}。`,
      RUNG_ACTIONS[notice.kind],
    ],
  };
}

/** What people call each notice, for a notice that names another. */
const NOTICE_NAMES: Record<NoticeKind, string> = {
  assignment: '交办',
  reminder: '催办',
  'supervision-notice': '督办单',
  interview: '约谈',
  accountability: '问责',
  'review-requested': '待审核',
  'review-overdue': '审核逾期',
  returned: '退回整改',
  commendation: '表扬',
  'extension-requested': '延期申请',
  'extension-decided': '延期审批',
  cancelled: '任务撤销',
  amended: '计划调整',
  'notification-failed': '通知未送达',
  bulletin: '周调度通报',
};

/** A recipient as people know them: the person, else the unit, else the role. */
const recipient = (r: NoticeRecipient, c: RenderContext): string => (r.person ? c.person(r.person) : r.unit ? c.unit(r.unit) : (r.role ?? '—'));

const rankedTask = (t: BulletinTask): string => `任务${t.taskNumber}「${t.title}」（${t.percent}%）`;

/** What people call the task messages; a message not listed here is shown by its name. */
const MESSAGES: Record<string, string> = {
  acknowledge: '签收',
  reportProgress: '报送进展',
  submit: '提交办理结果',
  review: '审核',
  requestExtension: '申请延期',
  decideExtension: '审批延期',
  cancel: '撤销任务',
};

/** 代为操作 (break-glass): who acted for whom, on which task, what and why. */
const breakGlass = (acts: BreakGlassAct[] | undefined, c: RenderContext): string[] =>
  acts && acts.length > 0
    ? [
        '本期代为操作：',
        ...acts.map((a) => `  任务${a.taskNumber}：${c.person(a.signer)}代${c.person(a.actor)}${MESSAGES[a.message] ?? a.message}（${c.time(a.at)}），理由：${a.reason}`),
      ]
    : [];

export const zh: Catalogue = {
  // Readers in China know their own zone; any other is named, so a time is never misread.
  time: (local, zone) => `${local.toFormat('yyyy年M月d日 HH:mm')}${zone === DEFAULT_RENDER_TIME_ZONE ? '' : `（${zone}）`}`,
  listSeparator: '、',
  itemSeparator: '；',
  colon: '：',
  task: (task) => `${task.planTitle ?? task.planId} 任务${task.taskNumber}「${task.title.zh}」`,
  subject: (heading, about) => `【${heading}】${about}`,
  templates: {
    assignment: (n, c) => ({
      heading: '交办',
      lines: [
        `牵头单位：${c.unit(n.primaryLead)}${n.assistingLeads.length > 0 ? `（协办：${c.list(n.assistingLeads.map(c.unit))}）` : ''}`,
        `责任单位：${n.responsible.length > 0 ? c.list(n.responsible.map(c.unit)) : '—'}`,
        `完成时限：${c.time(n.deadlineAt)}`,
        `请于交办后${Math.round(n.acknowledgementWindowMs / 3_600_000)}小时内签收，并按时限办结。`,
      ],
    }),
    reminder: rung,
    'supervision-notice': rung,
    interview: rung,
    accountability: rung,
    'review-requested': (n, c) => ({
      heading: '待审核',
      lines: [`${c.person(n.submittedBy)}已提交办理结果：${n.summary}`, `请于${c.time(n.reviewDueAt)}前完成审核。`],
    }),
    'review-overdue': (n, c) => ({
      heading: '审核逾期',
      lines: [
        `${c.person(n.submittedBy)}于${c.time(n.submittedAt)}提交的办理结果，应于${c.time(n.reviewDueAt)}前审核，至今未审核。`,
        '请尽快完成审核。',
      ],
    }),
    returned: (n) => ({
      heading: '退回整改',
      lines: ['审核未通过，退回整改：', ...n.reasons.map((reason, i) => `${i + 1}. ${reason}`), '请整改后重新提交。'],
    }),
    commendation: (n) => ({ heading: '表扬', lines: [`任务提前办结，审核评分${n.score}分，特予表扬。`] }),
    'extension-requested': (n, c) => ({
      heading: '延期申请',
      lines: [`${c.person(n.requestedBy)}申请将完成时限延至${c.time(n.deadlineAt)}。`, `理由：${n.reason}`, '请指挥部办公室审批。'],
    }),
    'extension-decided': (n, c) => ({
      heading: n.decision === 'approved' ? '延期已批准' : '延期未批准',
      lines: [`现完成时限：${c.time(n.deadlineAt)}，请按时办结。`, ...(n.reason === undefined ? [] : [`说明：${n.reason}`])],
    }),
    cancelled: (n) => ({ heading: '任务撤销', lines: [`撤销原因：${n.reason}`, '该任务无需继续办理。'] }),
    amended: (n, c) => ({
      heading: '计划调整',
      lines: [
        `调整原因：${n.reason}`,
        `牵头单位：${c.unit(n.primaryLead)}；完成时限：${c.time(n.deadlineAt)}。`,
        '请按调整后的要求办理。',
      ],
    }),
    'notification-failed': ({ undelivered: u, reason, code }, c) => ({
      heading: '通知未送达',
      lines: [
        `${c.time(u.at)}的「${NOTICE_NAMES[u.kind]}」通知（编号 ${u.idempotencyKey}）未能送达：` +
          (reason === 'rejected' ? `接收方拒收（${code}）。` : `多次发送均失败（${code}）。`),
        `应收对象：${c.list(u.recipients.map((r) => recipient(r, c))) || '—'}`,
        '请通过其他方式通知相关人员；台账已记录此次失败（notification.failed）。',
      ],
    }),
    bulletin: ({ bulletin: b }, c) => ({
      heading: b.number === 0 ? '周调度通报（预览）' : `周调度通报 第${b.number}期`,
      lines: [
        `通报期间：${c.time(b.periodStart)} 至 ${c.time(b.periodEnd)}`,
        `任务共${b.totals.tasks}项：绿灯${b.totals.green}项，黄灯${b.totals.yellow}项，红灯${b.totals.red}项，` +
          `已办结${b.totals.approved}项，已撤销${b.totals.cancelled}项。`,
        '逾期（红灯）单位排名：',
        ...c.ranking(b.overdue, rankedTask),
        '滞后（黄灯）单位排名：',
        ...c.ranking(b.atRisk, rankedTask),
        `本期启动督办：${c.list(b.escalationsOpened.map((e) => `任务${e.taskNumber}`)) || '—'}`,
        `本期解除督办：${c.list(b.escalationsClosed.map((e) => `任务${e.taskNumber}`)) || '—'}`,
        ...breakGlass(b.breakGlass, c),
        '请排名靠前的单位对照问题抓紧整改。',
      ],
    }),
  },
};
