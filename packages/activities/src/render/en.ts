/** English: for plans written in English and readers outside the Chinese-speaking offices. */
import type { BehindReason, BreakGlassAct, BulletinTask, NoticeKind, NoticeRecipient, NoticeTarget, NoticeTask, Rung, TrafficLight } from '@duban/common';
import { later, type Catalogue, type Line, type NoticeOf, type RenderContext, type Wording } from './catalogue';

const RUNG_NAMES: Record<Rung, string> = {
  reminder: 'Reminder (催办)',
  'supervision-notice': 'Supervision notice (督办单)',
  interview: 'Interview notice (约谈)',
  accountability: 'Accountability (问责)',
};

const LIGHTS: Record<TrafficLight, string> = { green: 'green', yellow: 'yellow', red: 'red' };

/** Month names written out here, not taken from ICU: its abbreviations differ between versions ("Sep", "Sept"). */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const taskName = (task: NoticeTask): string => `task ${task.taskNumber} "${task.title.en}"`;
const capital = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** The task, and when the notice names the lead unit, that the reader's unit leads it. */
const yours = (task: NoticeTask): string => `${capital(taskName(task))}${task.primaryLead === undefined ? '' : ', led by your unit,'}`;

/** The addressee line of a notice to the lead unit. */
const addressee = (task: NoticeTask, c: RenderContext): Line[] => (task.primaryLead === undefined ? [] : [`To: ${c.unit(task.primaryLead)}`]);

/** Each reason with the fact behind it. */
function reasons(n: NoticeOf<Rung>, c: RenderContext): string[] {
  const say: Record<BehindReason, () => string> = {
    unacknowledged: () => (n.assignedAt === undefined ? 'not acknowledged in time' : `not acknowledged in time (assigned ${c.day(n.assignedAt)})`),
    stalled: () => (n.lastActivityAt === undefined ? 'no progress reported for too long' : `no progress reported since ${c.day(n.lastActivityAt)}`),
    'behind-schedule': () => (n.expectedPercent === undefined ? 'behind schedule' : `behind schedule (${n.expectedPercent}% expected by now)`),
    overdue: () => `past its deadline (${c.deadline(n.deadlineAt)})`,
  };
  return n.reasons.map((reason) => say[reason]());
}

const standing = (n: NoticeOf<Rung>): string => `at ${n.percent}% (${LIGHTS[n.light]})`;

/** Finishing on time, or, once overdue, as soon as possible. */
const finish = (n: NoticeOf<Rung>, c: RenderContext): string => (n.reasons.includes('overdue') ? 'finish as soon as possible' : `finish ${c.dueBy(n.deadlineAt)}`);

/**
 * Supervision and interview notices as formal notices: the headquarters, the title and
 * the number (No. 2021/3-1: the year issued, the task, the how-many-th notice of the rung
 * on the task), the lead unit addressed, the reasons, the ask with its deadline to reply,
 * and the signing office with the date.
 */
function formal(n: NoticeOf<Rung>, c: RenderContext, ask: string): Wording {
  const issuer = n.settings?.issuer;
  const year = n.at === undefined ? undefined : c.year(n.at);
  const serial = `${n.task.taskNumber}-${n.ordinal ?? n.level}`;
  return {
    heading: RUNG_NAMES[n.kind],
    formal: {
      header: [...(issuer ? [issuer.headquarters.en] : []), { strong: RUNG_NAMES[n.kind] }, `No. ${year === undefined ? '' : `${year}/`}${serial}`],
      ...(n.task.primaryLead === undefined ? {} : { addressee: `To: ${c.unit(n.task.primaryLead)}` }),
      signature: [office(n), ...(n.at === undefined ? [] : [c.day(n.at)])],
    },
    lines: [`${yours(n.task)} is ${standing(n)}, with these problems:`, { items: reasons(n, c) }, ask],
  };
}

const office = (n: { settings?: { issuer?: { office: { en: string } } } }): string => n.settings?.issuer?.office.en ?? 'Headquarters office';

/** What people call each notice, for a notice that names another. */
const NOTICE_NAMES: Record<NoticeKind, string> = {
  assignment: 'assignment',
  reminder: 'reminder',
  'supervision-notice': 'supervision notice',
  interview: 'interview notice',
  accountability: 'accountability notice',
  'review-requested': 'review request',
  'review-overdue': 'review-overdue reminder',
  returned: 'return for rework',
  commendation: 'commendation',
  'extension-requested': 'extension request',
  'extension-decided': 'extension decision',
  cancelled: 'cancellation',
  amended: 'plan amendment',
  'notification-failed': 'undelivered-notification notice',
  bulletin: 'weekly bulletin',
  'duty-due': 'duty due',
};

/** A recipient as people know them: the person, else the unit, else the role. */
const recipient = (r: NoticeRecipient, c: RenderContext): string => (r.person ? c.person(r.person) : r.unit ? c.unit(r.unit) : (r.role ?? '—'));

const rankedTask = (t: BulletinTask): string => `task ${t.taskNumber} "${t.title}" (${t.percent}%)`;

/** Break-glass: who acted for whom, on which task, what and why. */
const breakGlass = (acts: BreakGlassAct[] | undefined, c: RenderContext): string[] =>
  acts && acts.length > 0
    ? [
        'Acted for an absent person (break-glass):',
        ...acts.map((a) => `  task ${a.taskNumber}: ${c.person(a.signer)} for ${c.person(a.actor)}, ${a.message} at ${c.time(a.at)}; why: ${a.reason}`),
      ]
    : [];

const pad = (n: number): string => String(n).padStart(2, '0');
const day = (local: { year: number; month: number; day: number }): string => `${local.day} ${MONTHS[local.month - 1] ?? local.month} ${local.year}`;

export const en: Catalogue = {
  time: (local) => `${day(local)}, ${pad(local.hour)}:${pad(local.minute)}`,
  day,
  dueBy: (shown) => `by ${shown}`,
  listSeparator: ', ',
  itemSeparator: '; ',
  colon: ': ',
  task: taskName,
  subject: (heading, about) => `${heading}: ${about}`,
  link: { task: 'Open the task', plan: 'Open the plan' },
  // English readers may be anywhere: the zone is always named.
  zoneNote: (zone) => `Dates and times are in the ${zone} time zone.`,
  templates: {
    assignment: (n, c) => {
      const hours = Math.round(n.acknowledgementWindowMs / 3_600_000);
      const acknowledge =
        n.at === undefined
          ? `Please acknowledge (签收) within ${hours} h of assignment`
          : `Please acknowledge (签收) by ${c.time(later(n.at, n.acknowledgementWindowMs))} (within ${hours} h of assignment)`;
      return {
        heading: 'Assigned (交办)',
        lines: [
          `${capital(taskName(n.task))} is assigned as follows:`,
          { label: 'Lead unit', value: `${c.unit(n.primaryLead)}${n.assistingLeads.length > 0 ? ` (assisted by ${c.list(n.assistingLeads.map(c.unit))})` : ''}` },
          { label: 'Responsible', value: c.list(n.responsible.map(c.unit)) },
          ...(n.cooperating && n.cooperating.length > 0 ? [{ label: 'Cooperating units', value: c.list(n.cooperating.map(c.unit)) }] : []),
          { label: 'Deadline', value: c.deadline(n.deadlineAt) },
          ...(n.targets && n.targets.length > 0 ? [{ label: 'Targets', value: n.targets.map(targetGloss).join('; ') }] : []),
          `${acknowledge} and finish ${c.dueBy(n.deadlineAt)}.`,
        ],
      };
    },
    reminder: (n, c) => ({
      heading: (n.ordinal ?? 1) > 1 ? `${RUNG_NAMES.reminder} no. ${n.ordinal}` : RUNG_NAMES.reminder,
      lines: [
        ...addressee(n.task, c),
        `${yours(n.task)} is ${standing(n)}: ${reasons(n, c).join('; ')}.`,
        n.reasons.includes('overdue') ? 'Please finish it as soon as possible and report progress.' : `Please move it forward, report progress and ${finish(n, c)}.`,
      ],
    }),
    'supervision-notice': (n, c) =>
      formal(
        n,
        c,
        n.replyBy === undefined
          ? `Please explain the delay in writing, with the steps that will close it, as soon as possible, and ${finish(n, c)}.`
          : `Please explain the delay in writing, with the steps that will close it, by ${c.due(n.replyBy)}, and ${finish(n, c)}. ` +
              'Without improvement by then, the matter is escalated.',
      ),
    interview: (n, c) =>
      formal(
        n,
        c,
        `The head of ${n.task.primaryLead === undefined ? 'the lead unit' : 'your unit'} is called to an interview: ` +
          (n.replyBy === undefined
            ? `please come at the time the ${office(n)} sets to explain, and submit the corrective steps in writing.`
            : `please come to the ${office(n)} by ${c.due(n.replyBy)} to explain, and submit the corrective steps in writing.`),
      ),
    accountability: (n, c) => {
      const lead = n.task.primaryLead === undefined ? '' : `, led by ${c.unit(n.task.primaryLead)},`;
      return {
        heading: RUNG_NAMES.accountability,
        lines: [
          `${capital(taskName(n.task))}${lead} is ${standing(n)} and has not improved through the escalation:`,
          { items: reasons(n, c) },
          'Accountability proceedings are opened: please investigate under the rules and report your findings to headquarters' +
            `${n.task.primaryLead === undefined ? '' : `; the head of ${c.unit(n.task.primaryLead)} is asked to cooperate`}.`,
        ],
      };
    },
    'review-requested': (n, c) => ({
      heading: 'Submitted for review',
      lines: [`${c.person(n.submittedBy)} submitted the work on ${taskName(n.task)}: ${n.summary}`, `Please review it by ${c.due(n.reviewDueAt)}.`],
    }),
    'review-overdue': (n, c) => ({
      heading: 'Review overdue',
      lines: [
        `The work on ${taskName(n.task)} submitted by ${c.person(n.submittedBy)} on ${c.time(n.submittedAt)} was due for review by ${c.due(n.reviewDueAt)} and is still undecided.`,
        'Please review it now.',
      ],
    }),
    returned: (n, c) => ({
      heading: 'Returned for rework',
      lines: [
        ...addressee(n.task, c),
        `The work on ${taskName(n.task)} did not pass review and is returned for rework:`,
        { items: n.reasons },
        n.task.deadlineAt === undefined ? 'Please rework it and submit again.' : `Please rework it, submit again and finish ${c.dueBy(n.task.deadlineAt)}.`,
      ],
    }),
    commendation: (n) => ({ heading: 'Commendation', lines: [`${capital(taskName(n.task))} was completed early with a review score of ${n.score}. Well done.`] }),
    'extension-requested': (n, c) => ({
      heading: 'Extension requested',
      lines: [
        `${c.person(n.requestedBy)} asks to move the deadline of ${taskName(n.task)}${n.task.deadlineAt === undefined ? '' : ` from ${c.due(n.task.deadlineAt)}`} to ${c.due(n.deadlineAt)}.`,
        { label: 'Reason', value: n.reason },
        n.task.deadlineAt === undefined ? 'Please decide (HQ office).' : `Please decide by ${c.due(n.task.deadlineAt)} (HQ office).`,
      ],
    }),
    'extension-decided': (n, c) => ({
      heading: n.decision === 'approved' ? 'Extension approved' : 'Extension refused',
      lines: [
        n.decision === 'approved'
          ? `The extension of ${taskName(n.task)} is approved: the deadline is now ${c.due(n.deadlineAt)}. Please finish by then.`
          : `The extension of ${taskName(n.task)} is refused: the deadline stays ${c.deadline(n.deadlineAt)}. Please finish by then.`,
        ...(n.reason === undefined ? [] : [{ label: 'Note', value: n.reason }]),
      ],
    }),
    cancelled: (n) => ({
      heading: 'Cancelled',
      lines: [`${capital(taskName(n.task))} is cancelled: no further work is needed.`, { label: 'Reason', value: n.reason }],
    }),
    amended: (n, c) => ({
      heading: 'Plan amended',
      lines: [
        `${capital(taskName(n.task))} is amended; please carry on as follows:`,
        { label: 'Reason', value: n.reason },
        { label: 'Lead unit', value: c.unit(n.primaryLead) },
        { label: 'Deadline', value: c.deadline(n.deadlineAt) },
      ],
    }),
    'notification-failed': ({ undelivered: u, reason, code }, c) => ({
      heading: 'Notification not delivered',
      lines: [
        `The ${NOTICE_NAMES[u.kind]} of ${c.time(u.at)} (key ${u.idempotencyKey}) did not arrive: ` +
          (reason === 'rejected' ? `the receiver refused it (${code}).` : `every attempt failed (${code}).`),
        `Meant for: ${c.list(u.recipients.map((r) => recipient(r, c)))}`,
        'Please reach them another way; the audit trail records the failure (notification.failed).',
      ],
    }),
    'duty-due': (n, c) => ({
      heading: n.duty === 'dispatch' ? 'Dispatch due (调度)' : 'Check due (检查)',
      lines: [
        `The ${n.duty === 'dispatch' ? 'dispatch' : 'check'} of ${taskName(n.task)}${n.label === undefined ? '' : ` (${n.label})`} falls due (${c.time(n.dueAt)}); ${n.byName?.en ?? c.unit(n.by)} carries it out.`,
        n.duty === 'dispatch' ? 'Please dispatch the task as planned and take stock of the lead units\' progress.' : 'Please check the work as planned and record what you found.',
      ],
    }),
    bulletin: ({ bulletin: b }, c) => ({
      heading: b.number === 0 ? 'Weekly bulletin (preview)' : `Weekly bulletin ${b.number}`,
      lines: [
        `Period: ${c.time(b.periodStart)} to ${c.time(b.periodEnd)}`,
        `Tasks ${b.totals.tasks}: green ${b.totals.green}, yellow ${b.totals.yellow}, red ${b.totals.red}, ` +
          `approved ${b.totals.approved}, cancelled ${b.totals.cancelled}.`,
        'Overdue (red), by unit:',
        ...c.ranking(b.overdue, rankedTask),
        'At risk (yellow), by unit:',
        ...c.ranking(b.atRisk, rankedTask),
        `Escalations opened: ${c.list(b.escalationsOpened.map((e) => `task ${e.taskNumber}`))}`,
        `Escalations closed: ${c.list(b.escalationsClosed.map((e) => `task ${e.taskNumber}`))}`,
        ...breakGlass(b.breakGlass, c),
        'Units at the top of a ranking are asked to act on their tasks first.',
      ],
    }),
  },
};

/**
 * A target in English: the plan's words (Chinese, as the source gives them) with the figure
 * or the comparison glossed: 增长6.2%左右 (about 6.2%), 不低于全市平均水平 (relative).
 */
function targetGloss(target: NoticeTarget): string {
  const figure =
    target.percent !== undefined ? `${target.percent}%` : target.quantity !== undefined ? `${target.quantity}${target.unit ? ` ${target.unit}` : ''}` : undefined;
  switch (target.kind) {
    case 'approx':
      return figure === undefined ? target.description : `${target.description} (about ${figure})`;
    case 'rate':
      return figure === undefined ? target.description : `${target.description} (rate: ${figure})`;
    case 'relative':
      return `${target.description} (relative: ${target.relation ?? 'as the plan compares'})`;
    default:
      return figure === undefined ? target.description : `${target.description} (${figure})`;
  }
}
