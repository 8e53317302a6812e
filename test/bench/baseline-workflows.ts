/**
 * The bench's other two arms, bundled on their own (`pnpm bench`):
 *
 * - `baselineTaskWorkflow`: what a careful engineer would write by hand with plain
 *   Temporal for the same task path: the same input, the same updates with the same
 *   (signed) arguments, the same `appendAudit` and `notify` activities with entries and
 *   notices of the same shape, one timer for the deadline. It checks the roster and the
 *   order of the steps in its validators, but keeps no hash chain, verifies no signature,
 *   keeps no search attributes and no ladder: the difference to duban is what duban's
 *   bookkeeping costs.
 * - `nullWorkflow`: returns at once: the server's ceiling on this machine.
 *
 * Workflow code: only `@temporalio/workflow` and types.
 */
import { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { DubanActivities, NotificationRecipient } from '@duban/activities';
import type { TaskNotice } from '@duban/common';
import type { MessageResult, Person, TaskWorkflowInput } from '@duban/workflows';

const { appendAudit, notify } = proxyActivities<DubanActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
});

interface Args {
  requestId: string;
  actor: string;
  proof?: unknown;
  note?: string;
  percent?: number;
  summary?: string;
  evidence?: string[];
  decision?: 'approve' | 'return';
  score?: number;
}

// The same update names as duban's messages, so the same signed arguments fit.
const acknowledge = defineUpdate<MessageResult, [Args]>('acknowledge');
const reportProgress = defineUpdate<MessageResult, [Args]>('reportProgress');
const submit = defineUpdate<MessageResult, [Args]>('submit');
const review = defineUpdate<MessageResult, [Args]>('review');

type Status = 'assigned' | 'acknowledged' | 'in-progress' | 'submitted' | 'approved';

export async function baselineTaskWorkflow(input: TaskWorkflowInput): Promise<{ status: Status; score?: number }> {
  const { workflowId } = workflowInfo();
  const units = [input.primaryLead, ...input.assistingLeads, ...input.responsible];
  const acknowledged = new Set<string>();
  const requests = new Set<string>();
  let status: Status = 'assigned';
  let percent = 0;
  let score: number | undefined;
  let seq = 0;
  const pending: Promise<unknown>[] = [];

  // Entries written one after the other, in event order, as duban's audit lane writes them.
  let lastAudit: Promise<unknown> = Promise.resolve();
  const audit = (actor: string, event: string, details: Record<string, unknown>): Promise<unknown> => {
    seq += 1;
    const at = new Date(Date.now()).toISOString();
    const entry = { idempotencyKey: `${workflowId}:${seq}:${event}`, at, planId: input.planId, taskNumber: input.taskNumber, workflowId, actor, event, details: { ...details, status } };
    lastAudit = lastAudit.then(() => appendAudit(entry));
    return lastAudit;
  };
  const recipients = (unit: string | undefined, roles: string[]): NotificationRecipient[] =>
    input.people.filter((p) => (unit === undefined || p.unit === unit) && roles.some((r) => p.roles.includes(r as never))).map((p) => ({ person: p.id, unit: p.unit, role: roles[0] }));
  const tell = (facts: Record<string, unknown>, to: NotificationRecipient[]): void => {
    const at = new Date(Date.now()).toISOString();
    const notice = {
      ...facts,
      task: { planId: input.planId, ...(input.planTitle ? { planTitle: input.planTitle } : {}), taskNumber: input.taskNumber, title: input.title, primaryLead: input.primaryLead, deadlineAt: input.deadlineAt },
      names: { units: Object.fromEntries(input.units.map((u) => [u.code, u.name])), unitsEn: {}, people: {} },
      at,
      ...(input.timeZone ? { settings: { timeZone: input.timeZone } } : {}),
    } as unknown as TaskNotice;
    const kind = String(facts['kind']);
    pending.push(notify({ idempotencyKey: `${workflowId}:${seq}:notify.${kind}`, at, planId: input.planId, taskNumber: input.taskNumber, workflowId, recipients: to, notice }));
  };
  const result = (requestId: string): MessageResult => ({ requestId, applied: true, status, light: 'green', deadlineAt: input.deadlineAt });
  const person = (args: Args): Person => {
    const found = input.people.find((p) => p.id === args.actor);
    if (!found || requests.has(args.requestId)) throw new Error(`refused ${args.requestId}`);
    return found;
  };

  const refuseUnless = (allowed: boolean): void => {
    if (!allowed) throw new Error('refused');
  };

  // Not awaited here: the handlers are set meanwhile (an update that finds no handler is refused).
  void audit('system', 'task.assigned', { title: input.title, primaryLead: input.primaryLead, responsible: input.responsible, deadlineAt: input.deadlineAt });
  tell(
    { kind: 'assignment', primaryLead: input.primaryLead, assistingLeads: input.assistingLeads, responsible: input.responsible, deadlineAt: input.deadlineAt, acknowledgementWindowMs: input.policy.acknowledgementWindowMs },
    units.flatMap((unit) => recipients(unit, ['staff', 'unit-head'])),
  );

  setHandler(
    acknowledge,
    async (args) => {
      const p = person(args);
      requests.add(args.requestId);
      acknowledged.add(p.unit);
      if (p.unit === input.primaryLead && status === 'assigned') status = 'acknowledged';
      await audit(p.id, 'task.acknowledged', { unit: p.unit, ...(args.note ? { note: args.note } : {}), proof: args.proof });
      return result(args.requestId);
    },
    { validator: (args) => refuseUnless(units.includes(person(args).unit) && !acknowledged.has(person(args).unit)) },
  );
  setHandler(
    reportProgress,
    async (args) => {
      const p = person(args);
      requests.add(args.requestId);
      if (p.unit === input.primaryLead) {
        percent = args.percent ?? percent;
        if (status === 'acknowledged') status = 'in-progress';
      }
      await audit(p.id, 'progress.reported', { unit: p.unit, percent: args.percent, note: args.note, evidence: args.evidence ?? [], proof: args.proof });
      return result(args.requestId);
    },
    { validator: (args) => refuseUnless(acknowledged.has(person(args).unit)) },
  );
  setHandler(
    submit,
    async (args) => {
      const p = person(args);
      requests.add(args.requestId);
      status = 'submitted';
      const reviewDueAt = new Date(Date.now() + input.policy.reviewDeadlineMs).toISOString();
      const done = audit(p.id, 'task.submitted', { summary: args.summary, evidence: args.evidence ?? [], percent, reviewDueAt, proof: args.proof });
      tell({ kind: 'review-requested', submittedBy: p.id, summary: args.summary, reviewDueAt }, recipients(undefined, ['supervisor']));
      await done;
      return result(args.requestId);
    },
    { validator: (args) => refuseUnless(person(args).unit === input.primaryLead && status !== 'assigned') },
  );
  setHandler(
    review,
    async (args) => {
      const p = person(args);
      requests.add(args.requestId);
      status = 'approved';
      score = args.score;
      await audit(p.id, 'review.approved', { reviewerScore: args.score, score: args.score, proof: args.proof });
      return result(args.requestId);
    },
    { validator: (args) => refuseUnless(status === 'submitted' && person(args).roles.includes('supervisor')) },
  );

  // One timer for the deadline, never cancelled: the run ends when the work is approved.
  const deadline = sleep(Math.max(Date.parse(input.deadlineAt) - Date.now(), 1)).then(() => undefined);
  await Promise.race([deadline, condition(() => status === 'approved')]);
  await Promise.all(pending);
  await condition(allHandlersFinished);
  return { status, ...(score === undefined ? {} : { score }) };
}

/** The server's ceiling: a workflow that returns at once. */
export async function nullWorkflow(): Promise<void> {}
