/** 中文: the default catalogue, for the people who read notices first. */
import type { BehindReason, BreakGlassAct, BulletinTask, NoticeKind, NoticeRecipient, NoticeTask, Rung, TrafficLight } from '@duban/common';
import { DEFAULT_RENDER_TIME_ZONE, later, type Catalogue, type Line, type NoticeOf, type RenderContext, type Wording } from './catalogue';

const LIGHTS: Record<TrafficLight, string> = { green: '绿灯', yellow: '黄灯', red: '红灯' };

const taskName = (task: NoticeTask): string => `任务${task.taskNumber}「${task.title.zh}」`;

/** Whom the body speaks to: the lead unit as 你单位 when the notice names it. */
const yours = (task: NoticeTask): string => (task.primaryLead === undefined ? `${taskName(task)}` : `你单位牵头的${taskName(task)}`);

/** The addressee line of a notice to the lead unit: `城管办：`. */
const addressee = (task: NoticeTask, c: RenderContext): Line[] => (task.primaryLead === undefined ? [] : [`${c.unit(task.primaryLead)}：`]);

/** Each reason with the fact behind it. */
function reasons(n: NoticeOf<Rung>, c: RenderContext): string[] {
  const say: Record<BehindReason, () => string> = {
    unacknowledged: () => (n.assignedAt === undefined ? '交办后未按时签收' : `交办后未按时签收（${c.day(n.assignedAt)}交办）`),
    stalled: () => (n.lastActivityAt === undefined ? '长期未报送进展' : `自${c.day(n.lastActivityAt)}起未报送进展`),
    'behind-schedule': () => (n.expectedPercent === undefined ? '进度滞后' : `进度滞后（按计划应达${n.expectedPercent}%）`),
    overdue: () => `已超过完成时限（${c.deadline(n.deadlineAt)}）`,
  };
  return n.reasons.map((reason) => say[reason]());
}

const standing = (n: NoticeOf<Rung>): string => `当前进度${n.percent}%（${LIGHTS[n.light]}）`;

/** Finishing on time, or, once overdue, as soon as possible. */
const finish = (n: NoticeOf<Rung>, c: RenderContext): string => (n.reasons.includes('overdue') ? '尽快办结' : `确保于${c.dueBy(n.deadlineAt)}办结`);

/**
 * 督办单 and 约谈通知 as formal notices: the headquarters, the title and the number
 * (督办〔2021〕3-1号: the year issued, the task, the how-many-th notice of the rung on the
 * task), the lead unit addressed, the reasons, the ask with its deadline to reply, and
 * the signing office with the date.
 */
function formal(n: NoticeOf<Rung>, c: RenderContext, title: string, short: string, ask: string, closing: string): Wording {
  const issuer = n.settings?.issuer;
  const year = n.at === undefined ? undefined : c.year(n.at);
  const serial = `${n.task.taskNumber}-${n.ordinal ?? n.level}`;
  const number = year === undefined ? `${short}第${serial}号` : `${short}〔${year}〕${serial}号`;
  return {
    heading: title,
    formal: {
      header: [...(issuer ? [issuer.headquarters.zh] : []), { strong: title }, number],
      ...(n.task.primaryLead === undefined ? {} : { addressee: `${c.unit(n.task.primaryLead)}：` }),
      signature: [office(n), ...(n.at === undefined ? [] : [c.day(n.at)])],
    },
    lines: [`${yours(n.task)}${standing(n)}，存在以下问题：`, { items: reasons(n, c) }, ask, closing],
  };
}

const office = (n: { settings?: { issuer?: { office: { zh: string } } } }): string => n.settings?.issuer?.office.zh ?? '指挥部办公室';

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
  'duty-due': '调度提醒',
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

const pad = (n: number): string => String(n).padStart(2, '0');

export const zh: Catalogue = {
  time: (local) => `${local.year}年${local.month}月${local.day}日 ${pad(local.hour)}:${pad(local.minute)}`,
  day: (local) => `${local.year}年${local.month}月${local.day}日`,
  dueBy: (shown) => `${shown}前`,
  listSeparator: '、',
  itemSeparator: '；',
  colon: '：',
  task: taskName,
  subject: (heading, about) => `【${heading}】${about}`,
  link: { task: '查看任务', plan: '查看计划' },
  // Readers in China know their own zone; any other is named, so a time is never misread.
  zoneNote: (zone) => (zone === DEFAULT_RENDER_TIME_ZONE ? undefined : `（文中日期时间均为${zone}时区）`),
  templates: {
    assignment: (n, c) => {
      const hours = Math.round(n.acknowledgementWindowMs / 3_600_000);
      const acknowledge = n.at === undefined ? `请于交办后${hours}小时内签收` : `请于${c.time(later(n.at, n.acknowledgementWindowMs))}前签收（交办后${hours}小时内）`;
      return {
        heading: '交办',
        lines: [
          `现将${taskName(n.task)}交办如下：`,
          // 牵头单位以排名在前的为主,在后的积极协助配合: the later lead units assist (协助); 协办 is the third role word.
          { label: '牵头单位', value: `${c.unit(n.primaryLead)}${n.assistingLeads.length > 0 ? `（协助：${c.list(n.assistingLeads.map(c.unit))}）` : ''}` },
          { label: '责任单位', value: c.list(n.responsible.map(c.unit)) },
          ...(n.cooperating && n.cooperating.length > 0 ? [{ label: '配合单位', value: c.list(n.cooperating.map(c.unit)) }] : []),
          { label: '完成时限', value: c.deadline(n.deadlineAt) },
          // The plan's own words: 增长6.2%左右, 增速不低于全市平均水平.
          ...(n.targets && n.targets.length > 0 ? [{ label: '工作目标', value: n.targets.map((t) => t.description).join('；') }] : []),
          `${acknowledge}，并于${c.dueBy(n.deadlineAt)}办结。`,
        ],
      };
    },
    reminder: (n, c) => ({
      heading: (n.ordinal ?? 1) > 1 ? `催办（第${n.ordinal}次）` : '催办',
      lines: [
        ...addressee(n.task, c),
        `${yours(n.task)}${standing(n)}，${reasons(n, c).join('；')}。`,
        n.reasons.includes('overdue') ? '请尽快办结，并及时报送办理进展。' : `请抓紧推进，及时报送办理进展，${finish(n, c)}。`,
      ],
    }),
    'supervision-notice': (n, c) =>
      formal(
        n,
        c,
        '督办单',
        '督办',
        n.replyBy === undefined
          ? `请尽快书面报送滞后原因和整改措施，${finish(n, c)}。`
          : `请于${c.due(n.replyBy)}前书面报送滞后原因和整改措施，${finish(n, c)}；逾期仍未改善的，将按程序升级督办。`,
        '特此督办。',
      ),
    interview: (n, c) =>
      formal(
        n,
        c,
        '约谈通知',
        '约谈',
        `经研究，决定约谈${n.task.primaryLead === undefined ? '牵头单位' : '你单位'}主要负责人。` +
          (n.replyBy === undefined
            ? `请按${office(n)}通知的时间到场说明情况，并书面报送整改措施。`
            : `请于${c.due(n.replyBy)}前到${office(n)}说明情况，并书面报送整改措施。`),
        '特此通知。',
      ),
    accountability: (n, c) => {
      const lead = n.task.primaryLead === undefined ? '' : `${c.unit(n.task.primaryLead)}牵头的`;
      return {
        heading: '问责',
        lines: [
          `${lead}${taskName(n.task)}${standing(n)}，经逐级督办仍未改善，存在以下问题：`,
          { items: reasons(n, c) },
          `现按督办程序启动问责，请依规调查核实，提出问责意见报指挥部${n.task.primaryLead === undefined ? '' : `；请${c.unit(n.task.primaryLead)}主要负责人配合调查`}。`,
        ],
      };
    },
    'review-requested': (n, c) => ({
      heading: '待审核',
      lines: [`${c.person(n.submittedBy)}已提交${taskName(n.task)}的办理结果：${n.summary}`, `请于${c.due(n.reviewDueAt)}前完成审核。`],
    }),
    'review-overdue': (n, c) => ({
      heading: '审核逾期',
      lines: [
        `${c.person(n.submittedBy)}于${c.time(n.submittedAt)}提交的${taskName(n.task)}办理结果，应于${c.due(n.reviewDueAt)}前审核，至今未审核。`,
        '请尽快完成审核。',
      ],
    }),
    returned: (n, c) => ({
      heading: '退回整改',
      lines: [
        ...addressee(n.task, c),
        `${taskName(n.task)}的办理结果审核未通过，退回整改：`,
        { items: n.reasons },
        n.task.deadlineAt === undefined ? '请整改后重新提交。' : `请整改后重新提交，确保于${c.dueBy(n.task.deadlineAt)}办结。`,
      ],
    }),
    commendation: (n) => ({ heading: '表扬', lines: [`${taskName(n.task)}提前办结，审核评分${n.score}分，特予表扬。`] }),
    'extension-requested': (n, c) => ({
      heading: '延期申请',
      lines: [
        `${c.person(n.requestedBy)}申请将${taskName(n.task)}的完成时限${n.task.deadlineAt === undefined ? '' : `由${c.due(n.task.deadlineAt)}`}延至${c.due(n.deadlineAt)}。`,
        { label: '理由', value: n.reason },
        n.task.deadlineAt === undefined ? '请指挥部办公室及时审批。' : `请指挥部办公室于${c.due(n.task.deadlineAt)}前审批。`,
      ],
    }),
    'extension-decided': (n, c) => ({
      heading: n.decision === 'approved' ? '延期已批准' : '延期未批准',
      lines: [
        n.decision === 'approved'
          ? `${taskName(n.task)}的延期申请已批准，完成时限调整为${c.due(n.deadlineAt)}，请按时办结。`
          : `${taskName(n.task)}的延期申请未获批准，完成时限仍为${c.deadline(n.deadlineAt)}，请按时办结。`,
        ...(n.reason === undefined ? [] : [{ label: '说明', value: n.reason }]),
      ],
    }),
    cancelled: (n) => ({ heading: '任务撤销', lines: [`${taskName(n.task)}已撤销，无需继续办理。`, { label: '撤销原因', value: n.reason }] }),
    amended: (n, c) => ({
      heading: '计划调整',
      lines: [
        `${taskName(n.task)}已调整，请按调整后的要求办理：`,
        { label: '调整原因', value: n.reason },
        { label: '牵头单位', value: c.unit(n.primaryLead) },
        { label: '完成时限', value: c.deadline(n.deadlineAt) },
      ],
    }),
    'notification-failed': ({ undelivered: u, reason, code }, c) => ({
      heading: '通知未送达',
      lines: [
        `${c.time(u.at)}的「${NOTICE_NAMES[u.kind]}」通知（编号 ${u.idempotencyKey}）未能送达：` +
          (reason === 'rejected' ? `接收方拒收（${code}）。` : `多次发送均失败（${code}）。`),
        `应收对象：${c.list(u.recipients.map((r) => recipient(r, c)))}`,
        '请通过其他方式通知相关人员；台账已记录此次失败（notification.failed）。',
      ],
    }),
    'duty-due': (n, c) => ({
      heading: n.duty === 'dispatch' ? '调度提醒' : '检查提醒',
      lines: [
        `${taskName(n.task)}${n.label === undefined ? '' : `「${n.label}」`}${n.duty === 'dispatch' ? '调度' : '检查'}节点已到（${c.time(n.dueAt)}），由${n.byName?.zh ?? c.unit(n.by)}负责。`,
        n.duty === 'dispatch' ? '请按计划组织调度，掌握牵头单位办理进展。' : '请按计划开展检查，并记录检查情况。',
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
        `本期启动督办：${c.list(b.escalationsOpened.map((e) => `任务${e.taskNumber}`))}`,
        `本期解除督办：${c.list(b.escalationsClosed.map((e) => `任务${e.taskNumber}`))}`,
        ...breakGlass(b.breakGlass, c),
        '请排名靠前的单位对照问题抓紧整改。',
      ],
    }),
  },
};
