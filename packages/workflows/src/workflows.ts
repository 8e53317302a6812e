/**
 * The task workflow: one durable run per task of the plan, from assignment (交办) through
 * acknowledgement (签收), progress, consolidated submission (牵头汇总) and review, with
 * milestone checks, the accountability ladder and the assessment. Decisions live in
 * `decisions.ts`; this file wires them to Temporal.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair, UpdateDefinition } from '@temporalio/common';
import type { AuditEntryInput, DubanActivities, NotificationInput, NotificationRecipient } from '@duban/activities';
import {
  acknowledgeUpdate,
  cancelUpdate,
  decideExtensionUpdate,
  escalationLevelSearchAttribute,
  lightSearchAttribute,
  nextDeadlineSearchAttribute,
  planSearchAttribute,
  primaryLeadSearchAttribute,
  reportProgressUpdate,
  requestExtensionUpdate,
  reviewUpdate,
  statusSearchAttribute,
  submitUpdate,
  TaskErrorCode,
  taskNumberSearchAttribute,
  taskStateQuery,
  type MessageArgs,
  type MessageName,
  type MessageResult,
  type Person,
  type Role,
  type Rung,
  type TaskState,
  type TaskWorkflowInput,
  type TaskWorkflowResult,
  type TimelineEvent,
  type UnitProgress,
} from './definitions';
import {
  assess,
  behindReasons,
  expectedPercent,
  iso,
  isTerminal,
  ms,
  nextDeadlineAtMs,
  openSubmission,
  trafficLight,
  upcomingChecks,
  type TimedCheck,
} from './decisions';
import { messageArgSchemas } from './schemas';
import { patched } from '@temporalio/workflow';
import { amendTaskSignal } from './campaign-definitions';
import { taskSummary } from './campaign-decisions';
import { CAMPAIGN_LINK_PATCH, linkCampaign } from './campaign-link';

const { appendAudit, notify } = proxyActivities<DubanActivities>({
  startToCloseTimeout: '30 seconds',
  // Bounded: after the last attempt the outbox waits and tries the same entry again, so
  // an audit store that is down for hours delays entries but never loses one.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
});

const OUTBOX_BACKOFF_MS = 60_000;
const OUTBOX_BACKOFF_MAX_MS = 3_600_000;

type OutboxItem =
  | { seq: number; kind: 'audit'; entry: AuditEntryInput }
  | { seq: number; kind: 'notify'; notification: NotificationInput };

interface Notice {
  kind: string;
  recipients: NotificationRecipient[];
  subject: string;
  body: string;
}

const WORKER_ROLES: Role[] = ['unit-head', 'staff'];
const REVIEWER_ROLES: Role[] = ['supervisor', 'hq-office'];
const HQ_ROLES: Role[] = ['hq-office'];

const RUNG_NAMES: Record<Rung, string> = {
  reminder: '催办 reminder',
  'supervision-notice': '督办单 supervision notice',
  interview: '约谈 interview',
  accountability: '问责 accountability record',
};

function fail(type: TaskErrorCode, message: string, details?: Record<string, unknown>): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });
}

export async function taskWorkflow(input: TaskWorkflowInput): Promise<TaskWorkflowResult> {
  const { workflowId } = workflowInfo();
  const { policy } = input;
  const carried = input.carried;
  const state: TaskState = carried ? carried.state : initialState(input, workflowId);
  let seq = carried?.seq ?? 0;
  const processedRequests: Record<string, MessageName> = { ...(carried?.processedRequests ?? {}) };
  const outbox: OutboxItem[] = [];
  // Bumped on every state change: the main loop wakes on it to re-plan its timers.
  let version = 0;
  let lastSearchAttributes = '';

  const involvedUnits = [input.primaryLead, ...input.assistingLeads, ...input.responsible];

  // ------------------------------------------------------------------ recording

  function recipients(filter: { unit?: string; roles?: Role[] }): NotificationRecipient[] {
    const people = input.people.filter(
      (p) => (filter.unit === undefined || p.unit === filter.unit) && (filter.roles === undefined || filter.roles.some((r) => p.roles.includes(r))),
    );
    if (people.length > 0) {
      return people.map((p) => ({ person: p.id, unit: p.unit, ...(filter.roles?.[0] ? { role: filter.roles[0] } : {}) }));
    }
    return [{ ...(filter.unit ? { unit: filter.unit } : {}), ...(filter.roles?.[0] ? { role: filter.roles[0] } : {}) }];
  }

  function taskLabel(): string {
    return `${input.planTitle ?? input.planId} 任务${input.taskNumber} ${input.title.zh} (${input.title.en})`;
  }

  /** Every state change goes through here: one timeline event, one audit entry, maybe one notification. */
  function record(actor: string, kind: string, details: Record<string, unknown>, notice?: Notice): number {
    seq += 1;
    const at = iso(Date.now());
    state.nextDeadlineAt = optionalIso(nextDeadlineAtMs(state, input));
    const event: TimelineEvent = { seq, at, actor, kind, details };
    state.timeline.push(event);
    const base = { at, planId: input.planId, taskNumber: input.taskNumber, workflowId };
    outbox.push({
      seq,
      kind: 'audit',
      entry: {
        ...base,
        idempotencyKey: `${workflowId}:${seq}:${kind}`,
        actor,
        event: kind,
        details: { ...details, status: state.status, light: state.light, escalationLevel: state.escalation.level },
      },
    });
    if (notice) {
      outbox.push({
        seq,
        kind: 'notify',
        notification: { ...base, idempotencyKey: `${workflowId}:${seq}:notify.${notice.kind}`, ...notice },
      });
    }
    version += 1;
    upsertVisibility();
    return seq;
  }

  function upsertVisibility(): void {
    if (input.searchAttributes === false) return;
    const nextDeadline = state.nextDeadlineAt ? new Date(ms(state.nextDeadlineAt)) : null;
    const pairs: SearchAttributeUpdatePair[] = [
      { key: planSearchAttribute, value: input.planId },
      { key: taskNumberSearchAttribute, value: input.taskNumber },
      { key: statusSearchAttribute, value: state.status },
      { key: lightSearchAttribute, value: state.light },
      { key: escalationLevelSearchAttribute, value: state.escalation.level },
      { key: primaryLeadSearchAttribute, value: input.primaryLead },
      { key: nextDeadlineSearchAttribute, value: nextDeadline },
    ];
    // Only when something changed: each upsert is a command in the history.
    const fingerprint = JSON.stringify(pairs.map((p) => p.value));
    if (fingerprint === lastSearchAttributes) return;
    lastSearchAttributes = fingerprint;
    upsertSearchAttributes(pairs);
  }

  function deliveredThrough(eventSeq: number): Promise<void> {
    return condition(() => !outbox.some((item) => item.seq <= eventSeq));
  }

  // The outbox delivers audit entries and notifications in event order. Idempotency keys
  // make a retried delivery a no-op in the stores.
  let stopOutbox = false;
  const outboxDone = (async () => {
    let failures = 0;
    for (;;) {
      await condition(() => outbox.length > 0 || stopOutbox);
      const item = outbox[0];
      if (!item) return;
      try {
        if (item.kind === 'audit') await appendAudit(item.entry);
        else await notify(item.notification);
        outbox.shift();
        failures = 0;
      } catch (err) {
        if (isCancellation(err)) throw err;
        failures += 1;
        const key = item.kind === 'audit' ? item.entry.idempotencyKey : item.notification.idempotencyKey;
        log.warn('Delivery failed after its retries; waiting before trying the same entry again', {
          idempotencyKey: key,
          failures,
          error: err instanceof Error ? err.message : String(err),
        });
        await sleep(Math.min(OUTBOX_BACKOFF_MS * 2 ** (failures - 1), OUTBOX_BACKOFF_MAX_MS));
      }
    }
  })();

  // ------------------------------------------------------------------ light and ladder

  /** What the schedule expects now: the figure of the last milestone checked (0 before any). */
  function currentExpectation(): number {
    const milestoneChecks = state.checks.filter((c) => c.id !== 'deadline');
    return milestoneChecks[milestoneChecks.length - 1]?.expectedPercent ?? 0;
  }

  function recomputeLight(atMs: number, expected: number): void {
    const submission = state.submissions[state.submissions.length - 1];
    state.light = trafficLight({
      atMs,
      status: state.status,
      percent: state.percent,
      expectedPercent: expected,
      deadlineAtMs: ms(state.deadlineAt),
      ...(state.status === 'submitted' && submission ? { submittedAtMs: ms(submission.submittedAt) } : {}),
      yellowTolerance: policy.yellowTolerance,
    });
  }

  /** Starts an escalation episode when the task falls behind; ends it when it catches up. */
  function reconcileLadder(): void {
    const reasons = behindReasons(state);
    const esc = state.escalation;
    const now = iso(Date.now());
    if (reasons.length > 0 && esc.episodeStartedAt === undefined) {
      esc.episodeStartedAt = now;
      esc.lastStepAt = now;
      esc.level = 0;
      record('system', 'escalation.started', { reasons });
    } else if (reasons.length === 0 && esc.episodeStartedAt !== undefined) {
      const levelReached = esc.level;
      const startedAt = esc.episodeStartedAt;
      delete esc.episodeStartedAt;
      delete esc.lastStepAt;
      esc.level = 0;
      const why = state.status === 'approved' ? 'approved' : state.status === 'cancelled' ? 'cancelled' : 'caught-up';
      record('system', 'escalation.stopped', { levelReached, startedAt, reason: why });
    }
  }

  function applyTimedCheck(check: TimedCheck): void {
    const nowMs = Date.now();
    switch (check.kind) {
      case 'milestone': {
        const expected = expectedPercent(check.atMs, ms(state.assignedAt), ms(state.deadlineAt), check.milestone);
        recomputeLight(check.atMs, expected);
        state.checks.push({ id: check.milestone.id, at: iso(check.atMs), light: state.light, percent: state.percent, expectedPercent: expected });
        record('system', 'milestone.checked', { milestone: check.milestone.id, dueAt: check.milestone.dueAt, light: state.light, percent: state.percent, expectedPercent: expected });
        return;
      }
      case 'deadline': {
        state.deadlinePassed = true;
        // Just past the deadline: work not yet submitted in time is overdue.
        recomputeLight(check.atMs + 1, 100);
        state.checks.push({ id: 'deadline', at: iso(check.atMs), light: state.light, percent: state.percent, expectedPercent: 100 });
        record('system', 'deadline.passed', { deadlineAt: state.deadlineAt, light: state.light, percent: state.percent });
        return;
      }
      case 'acknowledgement-window': {
        state.acknowledgementOverdue = true;
        record('system', 'acknowledgement.overdue', { assignedAt: state.assignedAt, windowMs: policy.acknowledgementWindowMs });
        return;
      }
      case 'stall': {
        state.stalled = true;
        record('system', 'task.stalled', { lastActivityAt: state.lastActivityAt, windowMs: policy.stallWindowMs });
        return;
      }
      case 'review-overdue': {
        const submission = openSubmission(state);
        if (!submission) return;
        submission.overdueNotices += 1;
        record(
          'system',
          'review.overdue',
          { submittedAt: submission.submittedAt, submittedBy: submission.submittedBy, reviewDueAt: submission.reviewDueAt },
          {
            kind: 'review-overdue',
            recipients: [...recipients({ roles: ['supervisor'] }), ...recipients({ roles: ['hq-office'] })],
            subject: `审核逾期 Review overdue: ${taskLabel()}`,
            body: `The submission of ${submission.submittedAt} was due for review by ${submission.reviewDueAt} and is still undecided.`,
          },
        );
        return;
      }
      case 'rung': {
        const step = policy.escalation[check.level];
        if (!step) return;
        const esc = state.escalation;
        esc.level = check.level + 1;
        esc.lastStepAt = iso(nowMs);
        const reasons = behindReasons(state);
        esc.history.push({ rung: step.rung, at: iso(nowMs), reasons });
        record('system', `escalation.${step.rung}`, { rung: step.rung, level: esc.level, reasons, light: state.light }, rungNotice(step.rung, reasons));
        return;
      }
    }
  }

  function rungNotice(rung: Rung, reasons: string[]): Notice {
    const lead = input.primaryLead;
    const who: Record<Rung, NotificationRecipient[]> = {
      reminder: recipients({ unit: lead, roles: WORKER_ROLES }),
      'supervision-notice': [...recipients({ unit: lead, roles: ['unit-head'] }), ...recipients({ roles: HQ_ROLES })],
      interview: [...recipients({ roles: ['accountability'] }), ...recipients({ unit: lead, roles: ['unit-head'] })],
      accountability: [...recipients({ roles: HQ_ROLES }), ...recipients({ roles: ['accountability'] })],
    };
    return {
      kind: rung,
      recipients: who[rung],
      subject: `${RUNG_NAMES[rung]}: ${taskLabel()}`,
      body: `Behind for: ${reasons.join(', ')}. Progress ${state.percent}%, light ${state.light}, deadline ${state.deadlineAt}.`,
    };
  }

  /** Applies every timed check that is due, in order, re-planning after each. */
  function processDueChecks(): void {
    for (;;) {
      const next = upcomingChecks(state, input)[0];
      if (!next || next.atMs > Date.now()) return;
      applyTimedCheck(next);
      reconcileLadder();
    }
  }

  // ------------------------------------------------------------------ messages

  function unitOf(unit: string): UnitProgress {
    const found = state.units.find((u) => u.unit === unit);
    if (!found) fail(TaskErrorCode.WRONG_ROLE, `Unit ${unit} has no part in task ${input.taskNumber}.`);
    return found;
  }

  function requireRole(person: Person, roles: Role[], message: MessageName, unit?: string): void {
    const roleOk = roles.some((r) => person.roles.includes(r));
    const unitOk = unit === undefined || person.unit === unit;
    if (!roleOk || !unitOk) {
      fail(
        TaskErrorCode.WRONG_ROLE,
        `${person.name} (${person.id}) may not ${message} on task ${input.taskNumber}: it needs ${roles.join(' or ')}${unit ? ` of unit ${unit}` : ''}.`,
        { actor: person.id, requiredRoles: roles, ...(unit ? { requiredUnit: unit } : {}), actorUnit: person.unit, actorRoles: person.roles },
      );
    }
  }

  function requireWorker(person: Person, message: MessageName): UnitProgress {
    if (!involvedUnits.includes(person.unit)) {
      fail(TaskErrorCode.WRONG_ROLE, `${person.name} (${person.id}) belongs to ${person.unit}, which has no part in task ${input.taskNumber}.`, {
        actor: person.id,
        actorUnit: person.unit,
        units: involvedUnits,
      });
    }
    requireRole(person, WORKER_ROLES, message);
    return unitOf(person.unit);
  }

  function requireNotTerminal(): void {
    if (isTerminal(state.status)) fail(TaskErrorCode.INVALID_STATE, `Task ${input.taskNumber} is ${state.status}: it takes no more messages.`, { status: state.status });
  }

  function requireStatus(message: MessageName, allowed: TaskState['status'][]): void {
    if (!allowed.includes(state.status)) {
      fail(TaskErrorCode.INVALID_STATE, `Cannot ${message} task ${input.taskNumber} while it is ${state.status}; allowed when ${allowed.join(' or ')}.`, {
        status: state.status,
        allowed,
      });
    }
  }

  interface Checked<A> {
    args: A;
    person: Person;
    duplicate: boolean;
  }

  /**
   * The validation every message goes through, in the update validator (synchronous, so
   * a rejection leaves no trace in history) and again in the handler.
   */
  function check<N extends MessageName>(message: N, raw: unknown): Checked<ArgsOf<N>> {
    const parsed = messageArgSchemas[message].safeParse(raw);
    if (!parsed.success) {
      fail(TaskErrorCode.INVALID_ARGUMENT, `Malformed ${message} arguments: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, {
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      });
    }
    const args = parsed.data as ArgsOf<N>;
    const seen = processedRequests[args.requestId];
    if (seen !== undefined && seen !== message) {
      fail(TaskErrorCode.REQUEST_ID_REUSED, `Request id ${args.requestId} was already used for ${seen}; use a fresh id for ${message}.`, {
        requestId: args.requestId,
        usedFor: seen,
      });
    }
    const person = input.people.find((p) => p.id === args.actor);
    if (!person) {
      fail(TaskErrorCode.UNKNOWN_ACTOR, `No person ${args.actor} on the roster of task ${input.taskNumber}.`, { actor: args.actor });
    }
    // A retry of an applied request is answered, not re-judged: the state has moved on.
    if (seen === message) return { args, person, duplicate: true };
    rules[message](args, person);
    return { args, person, duplicate: false };
  }

  const rules: { [N in MessageName]: (args: ArgsOf<N>, person: Person) => void } = {
    acknowledge: (_args, person) => {
      requireNotTerminal();
      const unit = requireWorker(person, 'acknowledge');
      if (unit.acknowledgedAt) {
        fail(TaskErrorCode.INVALID_STATE, `Unit ${unit.unit} already acknowledged task ${input.taskNumber} at ${unit.acknowledgedAt}.`, {
          unit: unit.unit,
          acknowledgedAt: unit.acknowledgedAt,
        });
      }
    },
    reportProgress: (_args, person) => {
      requireNotTerminal();
      const unit = requireWorker(person, 'reportProgress');
      requireStatus('reportProgress', ['assigned', 'acknowledged', 'in-progress']);
      if (!unit.acknowledgedAt) fail(TaskErrorCode.INVALID_STATE, `Unit ${unit.unit} must acknowledge (签收) task ${input.taskNumber} before reporting.`, { unit: unit.unit });
    },
    submit: (_args, person) => {
      requireNotTerminal();
      requireRole(person, WORKER_ROLES, 'submit', input.primaryLead);
      requireStatus('submit', ['acknowledged', 'in-progress']);
      if (policy.requireAssistingReports) {
        const missing = state.units.filter((u) => u.role !== 'primary' && u.reports === 0).map((u) => u.unit);
        if (missing.length > 0) {
          fail(TaskErrorCode.ASSISTING_REPORTS_MISSING, `Task ${input.taskNumber} needs a progress report from ${missing.join(', ')} before submission.`, { missing });
        }
      }
    },
    review: (args, person) => {
      requireNotTerminal();
      requireRole(person, REVIEWER_ROLES, 'review');
      requireStatus('review', ['submitted']);
      const submission = openSubmission(state);
      if (submission?.submittedBy === person.id) {
        fail(TaskErrorCode.SELF_REVIEW, `${person.name} (${person.id}) submitted this work and cannot review it; ask another reviewer.`, { actor: person.id });
      }
      if (args.decision === 'approve' && args.score > policy.scoring.base) {
        fail(TaskErrorCode.INVALID_ARGUMENT, `Score ${args.score} exceeds the plan's base of ${policy.scoring.base}.`, { score: args.score, base: policy.scoring.base });
      }
    },
    requestExtension: (args, person) => {
      requireNotTerminal();
      requireRole(person, WORKER_ROLES, 'requestExtension', input.primaryLead);
      requireStatus('requestExtension', ['assigned', 'acknowledged', 'in-progress']);
      if (state.deadlinePassed || Date.now() >= ms(state.deadlineAt)) {
        fail(TaskErrorCode.DEADLINE_PASSED, `The deadline ${state.deadlineAt} of task ${input.taskNumber} has passed: extensions must be requested before it.`, {
          deadlineAt: state.deadlineAt,
        });
      }
      if (pendingExtension()) fail(TaskErrorCode.EXTENSION_PENDING, `An extension request for task ${input.taskNumber} is already waiting for HQ.`);
      if (ms(args.deadlineAt) <= ms(state.deadlineAt)) {
        fail(TaskErrorCode.INVALID_ARGUMENT, `The requested deadline ${args.deadlineAt} must be later than the current ${state.deadlineAt}.`, {
          deadlineAt: state.deadlineAt,
        });
      }
    },
    decideExtension: (args, person) => {
      requireNotTerminal();
      requireRole(person, HQ_ROLES, 'decideExtension');
      if (!pendingExtension()) fail(TaskErrorCode.INVALID_STATE, `No extension request of task ${input.taskNumber} is waiting for a decision.`);
      if (args.decision === 'approve' && args.deadlineAt !== undefined && ms(args.deadlineAt) <= ms(state.deadlineAt)) {
        fail(TaskErrorCode.INVALID_ARGUMENT, `The granted deadline ${args.deadlineAt} must be later than the current ${state.deadlineAt}.`, {
          deadlineAt: state.deadlineAt,
        });
      }
    },
    cancel: (_args, person) => {
      requireNotTerminal();
      requireRole(person, HQ_ROLES, 'cancel');
    },
  };

  function pendingExtension() {
    return state.extensions.find((e) => e.decision === undefined);
  }

  const effects: { [N in MessageName]: (args: ArgsOf<N>, person: Person) => number } = {
    acknowledge: (args, person) => {
      const now = iso(Date.now());
      const unit = unitOf(person.unit);
      unit.acknowledgedAt = now;
      unit.acknowledgedBy = person.id;
      if (unit.role === 'primary') {
        if (state.status === 'assigned') state.status = 'acknowledged';
        state.lastActivityAt = now;
      }
      return record(person.id, 'task.acknowledged', { unit: unit.unit, role: unit.role, ...(args.note ? { note: args.note } : {}) });
    },
    reportProgress: (args, person) => {
      const now = iso(Date.now());
      const unit = unitOf(person.unit);
      unit.percent = args.percent;
      unit.reports += 1;
      unit.lastReportAt = now;
      if (unit.role === 'primary') {
        state.percent = args.percent;
        if (state.status === 'acknowledged') state.status = 'in-progress';
      }
      state.lastActivityAt = now;
      state.stalled = false;
      recomputeLight(Date.now(), currentExpectation());
      return record(person.id, 'progress.reported', {
        unit: unit.unit,
        role: unit.role,
        percent: args.percent,
        note: args.note,
        evidence: args.evidence ?? [],
      });
    },
    submit: (args, person) => {
      const nowMs = Date.now();
      state.submissions.push({
        submittedBy: person.id,
        submittedAt: iso(nowMs),
        summary: args.summary,
        evidence: args.evidence ?? [],
        reviewDueAt: iso(nowMs + policy.reviewDeadlineMs),
        overdueNotices: 0,
      });
      state.status = 'submitted';
      recomputeLight(nowMs, currentExpectation());
      return record(
        person.id,
        'task.submitted',
        { summary: args.summary, evidence: args.evidence ?? [], percent: state.percent, reviewDueAt: iso(nowMs + policy.reviewDeadlineMs) },
        {
          kind: 'review-requested',
          recipients: recipients({ roles: ['supervisor'] }),
          subject: `待审核 Submitted for review: ${taskLabel()}`,
          body: `${person.name} submitted: ${args.summary}`,
        },
      );
    },
    review: (args, person) => {
      const nowMs = Date.now();
      const submission = openSubmission(state);
      if (!submission) fail(TaskErrorCode.INVALID_STATE, `Task ${input.taskNumber} has no submission waiting for review.`);
      submission.reviewedBy = person.id;
      submission.reviewedAt = iso(nowMs);
      if (args.decision === 'approve') {
        submission.decision = 'approved';
        submission.score = args.score;
        state.status = 'approved';
        state.light = 'green';
        const assessment = assess({
          reviewerScore: args.score,
          checks: state.checks,
          rungs: state.escalation.history,
          scoring: policy.scoring,
          submittedAtMs: ms(submission.submittedAt),
          deadlineAtMs: ms(state.deadlineAt),
        });
        state.assessment = assessment;
        const reviewSeq = record(person.id, 'review.approved', { ...assessment, ...(args.note ? { note: args.note } : {}) });
        if (!assessment.commended) return reviewSeq;
        return record('system', 'task.commended', { score: assessment.score, submittedAt: submission.submittedAt, deadlineAt: state.deadlineAt }, {
          kind: 'commendation',
          recipients: [...recipients({ unit: input.primaryLead, roles: ['unit-head'] }), ...recipients({ roles: HQ_ROLES })],
          subject: `表扬 Commendation: ${taskLabel()}`,
          body: `Completed early with score ${assessment.score}.`,
        });
      }
      submission.decision = 'returned';
      submission.reasons = args.reasons;
      state.status = 'in-progress';
      state.lastActivityAt = iso(nowMs);
      state.stalled = false;
      // The ladder's wait restarts with the rework: the review time was not the unit's.
      if (state.escalation.episodeStartedAt !== undefined) state.escalation.lastStepAt = iso(nowMs);
      recomputeLight(nowMs, currentExpectation());
      return record(person.id, 'review.returned', { reasons: args.reasons }, {
        kind: 'returned',
        recipients: recipients({ unit: input.primaryLead, roles: WORKER_ROLES }),
        subject: `退回整改 Returned for rework: ${taskLabel()}`,
        body: args.reasons.join('\n'),
      });
    },
    requestExtension: (args, person) => {
      const nowMs = Date.now();
      state.extensions.push({
        requestId: args.requestId,
        requestedBy: person.id,
        requestedAt: iso(nowMs),
        reason: args.reason,
        fromDeadlineAt: state.deadlineAt,
        toDeadlineAt: args.deadlineAt,
      });
      return record(person.id, 'extension.requested', { from: state.deadlineAt, to: args.deadlineAt, reason: args.reason }, {
        kind: 'extension-requested',
        recipients: recipients({ roles: HQ_ROLES }),
        subject: `延期申请 Extension requested: ${taskLabel()}`,
        body: `To ${args.deadlineAt}: ${args.reason}`,
      });
    },
    decideExtension: (args, person) => {
      const nowMs = Date.now();
      const extension = pendingExtension();
      if (!extension) fail(TaskErrorCode.INVALID_STATE, `No extension request of task ${input.taskNumber} is waiting for a decision.`);
      extension.decidedBy = person.id;
      extension.decidedAt = iso(nowMs);
      const notice = (verdict: string): Notice => ({
        kind: 'extension-decided',
        recipients: recipients({ unit: input.primaryLead, roles: WORKER_ROLES }),
        subject: `延期${verdict}: ${taskLabel()}`,
        body: `Deadline ${state.deadlineAt}. ${args.reason ?? ''}`.trim(),
      });
      if (args.decision === 'refuse') {
        extension.decision = 'refused';
        extension.decisionReason = args.reason;
        return record(person.id, 'extension.refused', { requested: extension.toDeadlineAt, reason: args.reason }, notice('未批准 refused'));
      }
      extension.decision = 'approved';
      if (args.reason) extension.decisionReason = args.reason;
      const from = state.deadlineAt;
      // Normalized to UTC like every instant the workflow writes.
      state.deadlineAt = iso(ms(args.deadlineAt ?? extension.toDeadlineAt));
      extension.toDeadlineAt = state.deadlineAt;
      state.deadlinePassed = false;
      recomputeLight(nowMs, currentExpectation());
      return record(person.id, 'extension.approved', { from, to: state.deadlineAt, ...(args.reason ? { reason: args.reason } : {}) }, notice('已批准 approved'));
    },
    cancel: (args, person) => {
      const now = iso(Date.now());
      state.status = 'cancelled';
      state.cancelled = { by: person.id, at: now, reason: args.reason };
      return record(person.id, 'task.cancelled', { reason: args.reason }, {
        kind: 'cancelled',
        recipients: involvedUnits.flatMap((unit) => recipients({ unit, roles: ['unit-head'] })),
        subject: `任务撤销 Cancelled: ${taskLabel()}`,
        body: args.reason,
      });
    },
  };

  function result(requestId: string, applied: boolean): MessageResult {
    return { requestId, applied, status: state.status, light: state.light, deadlineAt: state.deadlineAt };
  }

  function register<N extends MessageName>(message: N, def: UpdateDefinition<MessageResult, [MessageArgs[N]]>): void {
    const handler = async (raw: ArgsOf<N>): Promise<MessageResult> => {
      const { args, person, duplicate } = check(message, raw);
      if (duplicate) return result(args.requestId, false);
      processedRequests[args.requestId] = message;
      const eventSeq = effects[message](args, person);
      reconcileLadder();
      // The caller hears back once the audit entry is written.
      await deliveredThrough(eventSeq);
      return result(args.requestId, true);
    };
    const validator = (raw: ArgsOf<N>): void => {
      check(message, raw);
    };
    setHandler(def, handler, { validator });
  }

  // Recorded before the handlers are set: a message buffered before the first run is applied after it.
  if (!carried) {
    record('system', 'task.assigned', {
      title: input.title,
      actionNumber: input.actionNumber,
      primaryLead: input.primaryLead,
      assistingLeads: input.assistingLeads,
      responsible: input.responsible,
      deadlineAt: state.deadlineAt,
      milestones: input.milestones,
    }, {
      kind: 'assignment',
      recipients: involvedUnits.flatMap((unit) => recipients({ unit, roles: WORKER_ROLES })),
      subject: `交办 Assigned: ${taskLabel()}`,
      body: `Lead: ${input.primaryLead}${input.assistingLeads.length ? ` (assisted by ${input.assistingLeads.join(', ')})` : ''}; responsible: ${input.responsible.join(', ')}. Deadline ${state.deadlineAt}. Acknowledge (签收) within ${Math.round(policy.acknowledgementWindowMs / 3_600_000)} h.`,
    });
  } else {
    upsertVisibility();
  }

  register('acknowledge', acknowledgeUpdate);
  register('reportProgress', reportProgressUpdate);
  register('submit', submitUpdate);
  register('review', reviewUpdate);
  register('requestExtension', requestExtensionUpdate);
  register('decideExtension', decideExtensionUpdate);
  register('cancel', cancelUpdate);
  setHandler(taskStateQuery, () => state);

  // ------------------------------------------------------------------ campaign (HQ board and amendments)

  // Only tasks started by a campaign talk to it; the patch keeps earlier histories replayable.
  const campaignLink =
    input.campaignWorkflowId !== undefined && patched(CAMPAIGN_LINK_PATCH)
      ? linkCampaign(input.campaignWorkflowId, () => version, () => taskSummary(state, input))
      : undefined;
  // A signal, not an update: the campaign (a workflow) cannot send updates; it has validated the amendment.
  setHandler(amendTaskSignal, (amendment) => {
    const seen = state.timeline.some((e) => e.kind === 'task.amended' && e.details['amendmentId'] === amendment.amendmentId);
    if (seen || isTerminal(state.status)) return;
    const details: Record<string, unknown> = { amendmentId: amendment.amendmentId, reason: amendment.reason };
    if (amendment.deadlineAt !== undefined) {
      const to = iso(ms(amendment.deadlineAt));
      details['deadline'] = { from: state.deadlineAt, to };
      state.deadlineAt = to;
      state.deadlinePassed = false;
      recomputeLight(Date.now(), currentExpectation());
    }
    if (amendment.leads) {
      const { primaryLead, assistingLeads, people, units } = amendment.leads;
      details['leads'] = { from: [input.primaryLead, ...input.assistingLeads], to: [primaryLead, ...assistingLeads] };
      const leads = [primaryLead, ...assistingLeads];
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
      involvedUnits.splice(0, involvedUnits.length, ...leads, ...input.responsible);
    }
    record(amendment.actor, 'task.amended', details, {
      kind: 'amended',
      recipients: recipients({ unit: input.primaryLead, roles: WORKER_ROLES }),
      subject: `计划调整 Plan amended: ${taskLabel()}`,
      body: `${amendment.reason}. Deadline ${state.deadlineAt}; lead ${input.primaryLead}.`,
    });
    reconcileLadder();
  });

  // ------------------------------------------------------------------ main loop

  for (;;) {
    processDueChecks();
    reconcileLadder();
    if (isTerminal(state.status)) break;
    if (shouldContinueAsNew()) {
      await condition(() => allHandlersFinished() && outbox.length === 0);
      // A message may have ended the task while the run drained.
      if (isTerminal(state.status)) break;
      if (shouldContinueAsNew()) {
        await continueAsNew<typeof taskWorkflow>({ ...input, carried: { state, seq, processedRequests } });
      }
    }
    const seen = version;
    const next = upcomingChecks(state, input)[0];
    if (next) await condition(() => version !== seen, Math.max(next.atMs - Date.now(), 1));
    else await condition(() => version !== seen);
  }

  await condition(() => allHandlersFinished() && outbox.length === 0);
  await campaignLink?.flush();
  stopOutbox = true;
  await outboxDone;
  const status = state.status === 'approved' ? 'approved' : 'cancelled';
  return {
    planId: input.planId,
    taskNumber: input.taskNumber,
    status,
    completedAt: state.timeline[state.timeline.length - 1]?.at ?? iso(Date.now()),
    light: state.light,
    ...(state.assessment ? { assessment: state.assessment } : {}),
    rungsClimbed: state.escalation.history.map((r) => r.rung),
  };

  function shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    const limit = input.continueAsNewAtHistoryLength;
    return info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
  }
}

type ArgsOf<N extends MessageName> = MessageArgs[N];

function optionalIso(atMs: number | undefined): string | undefined {
  return atMs === undefined ? undefined : iso(atMs);
}

function initialState(input: TaskWorkflowInput, workflowId: string): TaskState {
  const assignedAt = input.assignedAt ? iso(ms(input.assignedAt)) : iso(Date.now());
  const units: UnitProgress[] = [
    { unit: input.primaryLead, role: 'primary', percent: 0, reports: 0 },
    ...input.assistingLeads.map((unit): UnitProgress => ({ unit, role: 'assisting', percent: 0, reports: 0 })),
    ...input.responsible.map((unit): UnitProgress => ({ unit, role: 'responsible', percent: 0, reports: 0 })),
  ];
  return {
    planId: input.planId,
    taskNumber: input.taskNumber,
    workflowId,
    status: 'assigned',
    assignedAt,
    deadlineAt: iso(ms(input.deadlineAt)),
    percent: 0,
    light: 'green',
    units,
    checks: [],
    deadlinePassed: false,
    acknowledgementOverdue: false,
    stalled: false,
    lastActivityAt: assignedAt,
    escalation: { level: 0, history: [] },
    extensions: [],
    submissions: [],
    timeline: [],
  };
}

// The campaign workflow lives in its own file; exported here so one bundle holds both.
export { campaignWorkflow } from './campaign';
