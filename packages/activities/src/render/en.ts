/** English: for readers outside the Chinese-speaking offices, and for logs read by developers. */
import type { BehindReason, BreakGlassAct, BulletinTask, NoticeKind, NoticeRecipient, Rung, TrafficLight } from '@duban/common';
import type { Catalogue, NoticeOf, RenderContext, Wording } from './catalogue';

const RUNG_NAMES: Record<Rung, string> = {
  reminder: 'Reminder (催办)',
  'supervision-notice': 'Supervision notice (督办单)',
  interview: 'Interview (约谈)',
  accountability: 'Accountability record (问责)',
};

/** What each rung asks of the unit. */
const RUNG_ACTIONS: Record<Rung, string> = {
  reminder: 'Please move the task forward and report progress.',
  'supervision-notice': 'Please explain the delay in writing, with the steps that will close it, and finish on time.',
  interview: "The unit's head is called to an interview to explain the delay.",
  accountability: "Accountability proceedings are opened; the unit's head is asked to cooperate.",
};

const REASONS: Record<BehindReason, string> = {
  unacknowledged: 'not acknowledged in time',
  stalled: 'no progress reported for too long',
  'behind-schedule': 'behind schedule',
  overdue: 'overdue',
};

const LIGHTS: Record<TrafficLight, string> = { green: 'green', yellow: 'yellow', red: 'red' };

function rung(notice: NoticeOf<Rung>, c: RenderContext): Wording {
  return {
    heading: `${RUNG_NAMES[notice.kind]}, level ${notice.level}`,
    lines: [
      `Why: ${c.list(notice.reasons.map((reason) => REASONS[reason]))}; progress ${notice.percent}%, light ${LIGHTS[notice.light]}.`,
      `Deadline: ${c.time(notice.deadlineAt)}.`,
      RUNG_ACTIONS[notice.kind],
    ],
  };
}

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

export const en: Catalogue = {
  time: (local, zone) => `${local.toFormat('yyyy-MM-dd HH:mm')} (${zone})`,
  listSeparator: ', ',
  itemSeparator: '; ',
  colon: ': ',
  task: (task) => `${task.planTitle ?? task.planId} task ${task.taskNumber} "${task.title.en}"`,
  subject: (heading, about) => `${heading}: ${about}`,
  templates: {
    assignment: (n, c) => ({
      heading: 'Assigned',
      lines: [
        `Lead unit: ${c.unit(n.primaryLead)}${n.assistingLeads.length > 0 ? ` (assisted by ${c.list(n.assistingLeads.map(c.unit))})` : ''}`,
        `Responsible: ${n.responsible.length > 0 ? c.list(n.responsible.map(c.unit)) : '—'}`,
        `Deadline: ${c.time(n.deadlineAt)}`,
        `Please acknowledge within ${Math.round(n.acknowledgementWindowMs / 3_600_000)} h of assignment and finish by the deadline.`,
      ],
    }),
    reminder: rung,
    'supervision-notice': rung,
    interview: rung,
    accountability: rung,
    'review-requested': (n, c) => ({
      heading: 'Submitted for review',
      lines: [`${c.person(n.submittedBy)} submitted: ${n.summary}`, `Please review by ${c.time(n.reviewDueAt)}.`],
    }),
    'review-overdue': (n, c) => ({
      heading: 'Review overdue',
      lines: [
        `The submission by ${c.person(n.submittedBy)} at ${c.time(n.submittedAt)} was due for review by ${c.time(n.reviewDueAt)} and is still undecided.`,
        'Please review it now.',
      ],
    }),
    returned: (n) => ({
      heading: 'Returned for rework',
      lines: ['The review did not pass:', ...n.reasons.map((reason, i) => `${i + 1}. ${reason}`), 'Please rework and submit again.'],
    }),
    commendation: (n) => ({ heading: 'Commendation', lines: [`Completed early with a review score of ${n.score}. Well done.`] }),
    'extension-requested': (n, c) => ({
      heading: 'Extension requested',
      lines: [`${c.person(n.requestedBy)} asks to move the deadline to ${c.time(n.deadlineAt)}.`, `Reason: ${n.reason}`, "Please decide (HQ office)."],
    }),
    'extension-decided': (n, c) => ({
      heading: n.decision === 'approved' ? 'Extension approved' : 'Extension refused',
      lines: [`The deadline is now ${c.time(n.deadlineAt)}; please finish by then.`, ...(n.reason === undefined ? [] : [`Note: ${n.reason}`])],
    }),
    cancelled: (n) => ({ heading: 'Cancelled', lines: [`Reason: ${n.reason}`, 'No further work is needed on this task.'] }),
    amended: (n, c) => ({
      heading: 'Plan amended',
      lines: [`Reason: ${n.reason}`, `Lead unit: ${c.unit(n.primaryLead)}; deadline: ${c.time(n.deadlineAt)}.`, 'Please carry on as amended.'],
    }),
    'notification-failed': ({ undelivered: u, reason, code }, c) => ({
      heading: 'Notification not delivered',
      lines: [
        `The ${NOTICE_NAMES[u.kind]} of ${c.time(u.at)} (key ${u.idempotencyKey}) did not arrive: ` +
          (reason === 'rejected' ? `the receiver refused it (${code}).` : `every attempt failed (${code}).`),
        `Meant for: ${c.list(u.recipients.map((r) => recipient(r, c))) || '—'}`,
        'Please reach them another way; the audit trail records the failure (notification.failed).',
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
        `Escalations opened: ${c.list(b.escalationsOpened.map((e) => `task ${e.taskNumber}`)) || '—'}`,
        `Escalations closed: ${c.list(b.escalationsClosed.map((e) => `task ${e.taskNumber}`)) || '—'}`,
        ...breakGlass(b.breakGlass, c),
        'Units at the top of a ranking are asked to act on their tasks first.',
      ],
    }),
  },
};
