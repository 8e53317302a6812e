/**
 * An amendment from the campaign (计划调整): a new deadline and/or new lead units for a
 * running task. A signal, not an update: the campaign (a workflow) cannot send updates,
 * and it has already validated the amendment against the plan.
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
      ...state.units.filter((u) => u.role === 'responsible' && !leads.includes(u.unit)),
    ];
    // The input is carried across continue-as-new, so the new leads stay.
    input.primaryLead = primaryLead;
    input.assistingLeads = [...assistingLeads];
    input.people.push(...people.filter((p) => !input.people.some((q) => q.id === p.id)));
    input.units.push(...units.filter((u) => !input.units.some((v) => v.code === u.code)));
  }
  const notice = task.tell(
    { kind: 'amended', reason: amendment.reason, deadlineAt: state.deadlineAt, primaryLead: input.primaryLead },
    task.recipients({ unit: input.primaryLead, roles: WORKER_ROLES }),
  );
  task.record(amendment.actor, 'task.amended', details, notice);
  reconcileLadder(task);
}
