/**
 * An amendment from the campaign (计划调整): a new deadline, new lead units, the roster of
 * record's new entries of the task's people (keys issued or revoked) and/or the
 * campaign's new end, for a running task. A signal, not an update: the campaign (a
 * workflow) cannot send updates, and it has already authorised and validated the
 * amendment against the plan and its roster of record.
 */
import { isTerminal, WORKER_ROLES } from '@duban/common';
import type { TaskAmendment } from '../campaign-definitions';
import { iso, ms } from '../decisions';
import type { UnitProgress } from './definitions';
import { reconcileLadder, recomputeLight } from './ladder';
import type { TaskRecord } from './record';

export function amendTask(task: TaskRecord, amendment: TaskAmendment): void {
  const { state, input } = task;
  const seen = state.timeline.some((e) => e.kind === 'task.amended' && e.details['amendmentId'] === amendment.amendmentId);
  if (seen || isTerminal(state.status)) return;
  const details: Record<string, unknown> = { amendmentId: amendment.amendmentId, reason: amendment.reason };
  // The roster of record is the campaign's: each of the task's people takes its entry
  // there (roles, keys); nobody joins the task this way. Sent to every running task, so a
  // task none of whose people changed records nothing.
  const updated = (amendment.roster ?? []).filter((entry) => input.people.some((p) => p.id === entry.id));
  if (updated.length > 0) {
    input.people = input.people.map((p) => updated.find((entry) => entry.id === p.id) ?? p);
    details['roster'] = updated.map((p) => ({ person: p.id, keys: (p.keys ?? []).map((k) => ({ keyId: k.keyId, ...(k.revokedAt !== undefined ? { revokedAt: k.revokedAt } : {}) })) }));
  }
  if (amendment.campaignEndAt !== undefined) {
    details['campaignEnd'] = { from: input.campaignEndAt, to: amendment.campaignEndAt };
    input.campaignEndAt = amendment.campaignEndAt;
  }
  const workChanged = amendment.deadlineAt !== undefined || amendment.leads !== undefined;
  if (!workChanged && updated.length === 0 && amendment.campaignEndAt === undefined) return;
  if (amendment.deadlineAt !== undefined) {
    const to = iso(ms(amendment.deadlineAt));
    details['deadline'] = { from: state.deadlineAt, to };
    state.deadlineAt = to;
    state.deadlinePassed = false;
    recomputeLight(task, Date.now());
  }
  if (amendment.leads) {
    const { primaryLead, assistingLeads, people, units } = amendment.leads;
    const leads = [primaryLead, ...assistingLeads];
    details['leads'] = { from: [input.primaryLead, ...input.assistingLeads], to: leads };
    const before = new Map(state.units.map((u) => [u.unit, u]));
    state.units = [
      ...leads.map((unit, i): UnitProgress => ({ ...(before.get(unit) ?? { unit, percent: 0, reports: 0 }), unit, role: i === 0 ? 'primary' : 'assisting' })),
      // Responsible and cooperating units keep their part (cooperating units exist in plan-format-2 tasks only).
      ...state.units.filter((u) => (u.role === 'responsible' || u.role === 'cooperating') && !leads.includes(u.unit)),
    ];
    // The input is carried across continue-as-new, so the new leads stay.
    input.primaryLead = primaryLead;
    input.assistingLeads = [...assistingLeads];
    input.people.push(...people.filter((p) => !input.people.some((q) => q.id === p.id)));
    input.units.push(...units.filter((u) => !input.units.some((v) => v.code === u.code)));
  }
  // The units are told when their work changed (deadline, leads); a key or the campaign's end is only recorded.
  const notice = workChanged
    ? task.tell(
        { kind: 'amended', reason: amendment.reason, deadlineAt: state.deadlineAt, primaryLead: input.primaryLead },
        task.recipients({ unit: input.primaryLead, roles: WORKER_ROLES }),
      )
    : undefined;
  task.record(amendment.actor, 'task.amended', details, notice);
  reconcileLadder(task);
}
