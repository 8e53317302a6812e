/**
 * Notifications of the seed plan built as the task workflow builds them (its recipients
 * for each kind, the notice's task, names and settings), and the secrets of the seed's
 * channels as the environment would hold them.
 */
import { secretEnvName, type NotificationInput, type NotificationRecipient } from '@duban/activities';
import { HQ_ROLES, WORKER_ROLES, type Role, type TaskNotice } from '@duban/common';
import { findTask, type Plan } from '@duban/plan';

/** Every secret the seed's routing names, with values that are easy to grep for. */
export const SEED_SECRETS: Record<string, string> = {
  'xihu-smtp': 'smtp-Pa55+w/rd=督办~',
  'chengjian-wecom-key': 'wk-chengjian-9f8e7d6c5b4a',
  'chengguan-wecom-key': 'wk-chengguan-0a1b2c3d4e5f',
  'jingfa-wecom-key': 'wk-jingfa-13579bdf2468',
  'shehui-wecom-key': 'wk-shehui-2468ace13579',
  'dangzheng-wecom-key': 'wk-dangzheng-fedcba987654',
  'communities-dingtalk-token': 'dt-token-5e1b2d7c9e8f0011',
  'communities-dingtalk-sign': 'SECsign-7d1c0b5a3e4f29d8c6',
  'xihu-ops-hook': 'hook-secret-督办-+/=~',
};

/** `DUBAN_SECRET_<NAME>` variables for {@link SEED_SECRETS}. */
export const SEED_SECRET_ENV: Record<string, string> = Object.fromEntries(Object.entries(SEED_SECRETS).map(([name, value]) => [secretEnvName(name), value]));

/** The people of a unit and/or with one of the roles, as `TaskRecord.recipients` picks them. */
export function recipients(plan: Plan, filter: { unit?: string; roles?: readonly Role[] }): NotificationRecipient[] {
  const role = filter.roles?.[0];
  const people = plan.people.filter((p) => (filter.unit === undefined || p.unit === filter.unit) && (filter.roles === undefined || filter.roles.some((r) => p.roles.includes(r))));
  if (people.length > 0) return people.map((p) => ({ person: p.id, unit: p.unit, ...(role ? { role } : {}) }));
  return [{ ...(filter.unit ? { unit: filter.unit } : {}), ...(role ? { role } : {}) }];
}

type Facts = Record<string, unknown> & { kind: TaskNotice['kind'] };

/** The recipients the task workflow gives each kind, for task `taskNumber` of the plan. */
export function recipientsOf(plan: Plan, taskNumber: number, kind: TaskNotice['kind']): NotificationRecipient[] {
  const task = findTask(plan, taskNumber);
  const lead = task.lead[0] ?? '';
  const involved = [...new Set([...task.lead, ...task.responsible])];
  const hq = recipients(plan, { roles: HQ_ROLES });
  switch (kind) {
    case 'assignment':
      return involved.flatMap((unit) => recipients(plan, { unit, roles: WORKER_ROLES }));
    case 'reminder':
      return recipients(plan, { unit: lead, roles: WORKER_ROLES });
    case 'supervision-notice':
      return [...recipients(plan, { unit: lead, roles: ['unit-head'] }), ...hq];
    case 'interview':
      return [...recipients(plan, { roles: ['accountability'] }), ...recipients(plan, { unit: lead, roles: ['unit-head'] })];
    case 'accountability':
      return [...hq, ...recipients(plan, { roles: ['accountability'] })];
    case 'review-requested':
      return recipients(plan, { roles: ['supervisor'] });
    case 'commendation':
      return [...recipients(plan, { unit: lead, roles: ['unit-head'] }), ...hq];
    default:
      return hq;
  }
}

let seq = 100;

/** A notification of task `taskNumber` of the plan, as the workflow sends it (a fresh event seq each). */
export function notificationOf(plan: Plan, taskNumber: number, facts: Facts, at = '2027-03-02T02:00:00.000Z'): NotificationInput {
  const task = findTask(plan, taskNumber);
  const workflowId = `duban/${plan.id}/task-${taskNumber}`;
  seq += 1;
  return {
    idempotencyKey: `${workflowId}:${seq}:notify.${facts.kind}`,
    at,
    planId: plan.id,
    taskNumber,
    workflowId,
    recipients: recipientsOf(plan, taskNumber, facts.kind),
    notice: {
      ...facts,
      task: { planId: plan.id, planTitle: plan.title.zh, taskNumber, title: task.title },
      names: { units: Object.fromEntries(plan.units.map((u) => [u.code, u.name])), people: Object.fromEntries(plan.people.map((p) => [p.id, p.name])) },
      at,
      settings: { timeZone: plan.timeZone },
    } as TaskNotice,
  };
}

export const DEADLINE = '2027-12-31T16:00:00.000Z';
export const rung = (kind: 'reminder' | 'supervision-notice' | 'interview' | 'accountability', level: number): Facts => ({
  kind,
  level,
  reasons: ['unacknowledged'],
  percent: 0,
  light: 'yellow',
  deadlineAt: DEADLINE,
});
export const assignment = (plan: Plan, taskNumber: number): Facts => {
  const [primaryLead = '', ...assistingLeads] = findTask(plan, taskNumber).lead;
  return { kind: 'assignment', primaryLead, assistingLeads, responsible: findTask(plan, taskNumber).responsible, deadlineAt: DEADLINE, acknowledgementWindowMs: 3 * 86_400_000 };
};

/** A date shown to people in Chinese, in the plan's zone: 2027年12月31日, never an ISO instant. */
export const CHINESE_DATE = /\d{4}年\d{1,2}月\d{1,2}日/;
export const ISO_INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
