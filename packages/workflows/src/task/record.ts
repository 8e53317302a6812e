/**
 * The task's record: its state, the event sequence, the request ids already applied and
 * the outbox of audit entries and notices still to deliver. Every state change goes
 * through {@link TaskRecord.record}; every message goes through {@link TaskRecord.check}.
 * Workflow code (it upserts search attributes), but messages import it as a type only.
 */
import { allHandlersFinished, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { AuditEntryInput, NotificationInput, NotificationRecipient } from '@duban/activities';
import { HQ_ROLES, isTerminal, SYSTEM_ACTOR, WORKER_ROLES, type Role, type TaskNotice } from '@duban/common';
import { instructionDigest, type Proof } from '@duban/identity';
import { chainEntry } from '../audit-chain';
import { iso, ms, nextDeadlineAtMs, openSubmission } from '../decisions';
import { fail } from '../failure';
import {
  canonicalBytes,
  TASK_STATE_LIMITS,
  TaskErrorCode,
  type CarriedState,
  type MessageResult,
  type Person,
  type TaskState,
  type TaskWorkflowInput,
  type UnitProgress,
} from './definitions';
import { instructionOf } from '../identity-check';
import { AUTHORITY_RULES_PATCH, isBreakGlass, proofDetails, RequestLog, verifyProof } from './identity';
import { keepNewest, parseMessageArgs, type MessageArgsBase, type Senders, type TaskMessage } from './messages/message';
import {
  escalationLevelSearchAttribute,
  lightSearchAttribute,
  nextDeadlineSearchAttribute,
  planSearchAttribute,
  primaryLeadSearchAttribute,
  statusSearchAttribute,
  taskNumberSearchAttribute,
} from './search-attributes';

export type OutboxItem =
  | { seq: number; kind: 'audit'; entry: AuditEntryInput }
  | { seq: number; kind: 'notify'; notification: NotificationInput };

type Distribute<T> = T extends TaskNotice ? Omit<T, 'task' | 'names' | 'at' | 'settings'> : never;
/** A task notice's own facts; the record adds the task, the names, the time and the plan's settings. */
export type NoticeFacts = Distribute<TaskNotice>;

/** A notice and the people it goes to. */
export interface Outgoing {
  notice: TaskNotice;
  recipients: NotificationRecipient[];
}

/** Facts that name a person, so the render step gets that person's name with the notice. */
const PERSON_FACTS = ['submittedBy', 'requestedBy'] as const;

export interface Checked<A> {
  args: A;
  person: Person;
  /** The proof as sent (verified by the validator), recorded with the message's events. */
  proof: Proof | undefined;
  /** The instruction's digest, remembered with the request id. */
  digest: string;
  /** The request id was already applied by this message: answer it, change nothing. */
  duplicate: boolean;
}

export class TaskRecord {
  readonly state: TaskState;
  /** The last event sequence number used; carried across continue-as-new. */
  seq: number;
  /** The request ids applied lately, to answer retries and refuse reuse. */
  readonly requests: RequestLog;
  /** Audit entries and notices in event order; the outbox loop delivers and removes them. */
  readonly outbox: OutboxItem[] = [];
  /** Bumped on every state change: the main loop and the campaign link wake on it. */
  version = 0;
  /** Set by the workflow while the run waits for its handlers and deliveries to continue as new (see `check`). */
  continuingAsNew = false;
  /** Whether audit entries carry their hash-chain link; the workflow decides once per run (`AUDIT_CHAIN_PATCH`). */
  chained = false;
  /**
   * Whether search attributes are upserted once per workflow task, by {@link flushVisibility}
   * (`TASK_BOOKKEEPING_PATCH`); runs recorded before upsert after every change, as they ran.
   */
  visibilityDeferred = false;
  /**
   * The run took `TASK_BOOKKEEPING_PATCH`, so every older patch applies without being asked
   * (`AUTHORITY_RULES_PATCH` here); runs recorded before ask as they did.
   */
  currentRules = false;
  private lastSearchAttributes = '';
  /** The UTF-8 size of each event of the timeline, in order (see `boundTimeline`). */
  private readonly eventBytes: number[] = [];
  /** The message being applied: events its actor records carry its proof. */
  private acting: { message: string; actor: string; proof: Proof; breakGlassKept: boolean } | undefined;

  /** The run took `PLAN_V2_PATCH`: the plan-format-2 fields of the input apply (start, cooperating units, dated checks). */
  readonly planV2: boolean;

  constructor(
    /** Mutable: an amendment changes the leads, and the input is carried across continue-as-new. */
    readonly input: TaskWorkflowInput,
    readonly workflowId: string,
    options: { planV2?: boolean } = {},
  ) {
    const carried = input.carried;
    this.planV2 = options.planV2 === true;
    this.state = carried ? carried.state : initialState(input, workflowId, this.planV2);
    this.seq = carried?.seq ?? 0;
    this.requests = new RequestLog(carried?.processedRequests);
    if (carried) {
      // Runs from before the bounds carried every event and record: bounded on arrival.
      this.boundTimeline();
      keepNewest(this.state.submissions, TASK_STATE_LIMITS.submissions);
      keepNewest(this.state.extensions, TASK_STATE_LIMITS.extensions);
      if (this.state.breakGlass) keepNewest(this.state.breakGlass, TASK_STATE_LIMITS.breakGlassActs);
    }
  }

  get policy(): TaskWorkflowInput['policy'] {
    return this.input.policy;
  }

  /** The lead, responsible and (plan format 2) cooperating units, primary first. */
  get involvedUnits(): string[] {
    const units = [this.input.primaryLead, ...this.input.assistingLeads, ...this.input.responsible];
    const cooperating = this.planV2 ? (this.input.cooperating ?? []).filter((unit) => !units.includes(unit)) : [];
    return [...units, ...cooperating];
  }

  /**
   * What the next run starts from (continue-as-new): the state, bounded as it always is
   * (`TASK_STATE_LIMITS`, whose comment gives the worst case), the seq and the request window.
   */
  carried(): CarriedState {
    this.boundTimeline();
    return { state: this.state, seq: this.seq, processedRequests: this.requests.carried() };
  }

  /**
   * Keeps the timeline to its newest events (`TASK_STATE_LIMITS`), counting those that
   * leave in `earlierEvents`: the state is queried and carried across continue-as-new
   * whole, and one payload over 2 MB stops a task for good. The audit trail keeps every
   * event. No `patched()`: this changes no command, since nothing that decides reads an
   * event older than the newest (counts come from `eventCount`), so recorded histories
   * replay as they ran; only the state and the continue-as-new payload are smaller.
   */
  private boundTimeline(): void {
    const { state, eventBytes } = this;
    const { timeline } = state;
    // Measured once per event; remeasured should the timeline have been replaced.
    if (eventBytes.length > timeline.length) eventBytes.length = 0;
    for (const event of timeline.slice(eventBytes.length)) eventBytes.push(canonicalBytes(event));
    let bytes = eventBytes.reduce((sum, size) => sum + size, 0);
    const { timelineEvents, timelineBytes } = TASK_STATE_LIMITS;
    // The newest event always stays: the summary and the result read it.
    while (timeline.length > 1 && (timeline.length > timelineEvents || bytes > timelineBytes)) {
      const dropped = timeline.shift();
      bytes -= eventBytes.shift() ?? 0;
      if (!dropped) break;
      const earlier = (state.earlierEvents ??= { count: 0, kinds: {}, throughSeq: 0 });
      earlier.count += 1;
      earlier.kinds[dropped.kind] = (earlier.kinds[dropped.kind] ?? 0) + 1;
      earlier.throughSeq = dropped.seq;
    }
  }

  // ------------------------------------------------------------------ recording

  /** Every state change goes through here: one timeline event, one audit entry (linked into the task's hash chain), maybe one notice. */
  record(actor: string, kind: string, given: Record<string, unknown>, outgoing?: Outgoing): number {
    const { state, input, workflowId } = this;
    this.seq += 1;
    const seq = this.seq;
    const at = iso(Date.now());
    const details = this.withProof(actor, given, seq, at);
    const next = nextDeadlineAtMs(state, input);
    state.nextDeadlineAt = next === undefined ? undefined : iso(next);
    state.timeline.push({ seq, at, actor, kind, details });
    this.boundTimeline();
    const base = { at, planId: input.planId, taskNumber: input.taskNumber, workflowId };
    const entry: AuditEntryInput = {
      ...base,
      idempotencyKey: `${workflowId}:${seq}:${kind}`,
      actor,
      event: kind,
      details: { ...details, status: state.status, light: state.light, escalationLevel: state.escalation.level },
    };
    if (this.chained) {
      // Linked here, in event order: the audit lane writes entries in this order, and the head travels with the state.
      const linked = chainEntry(state.auditChain, entry, seq);
      state.auditChain = linked.head;
      this.outbox.push({ seq, kind: 'audit', entry: linked.entry });
    } else {
      this.outbox.push({ seq, kind: 'audit', entry });
    }
    if (outgoing) {
      const notification = { ...base, idempotencyKey: `${workflowId}:${seq}:notify.${outgoing.notice.kind}`, ...outgoing };
      this.outbox.push({ seq, kind: 'notify', notification });
    }
    this.version += 1;
    // Deferred: the workflow flushes once per workflow task, whatever the number of events recorded in it.
    if (!this.visibilityDeferred) this.upsertVisibility();
    return seq;
  }

  /** The search attributes as the state has them now. */
  private searchAttributePairs(): SearchAttributeUpdatePair[] {
    const { state, input } = this;
    const nextDeadline = state.nextDeadlineAt ? new Date(ms(state.nextDeadlineAt)) : null;
    return [
      { key: planSearchAttribute, value: input.planId },
      { key: taskNumberSearchAttribute, value: input.taskNumber },
      { key: statusSearchAttribute, value: state.status },
      { key: lightSearchAttribute, value: state.light },
      { key: escalationLevelSearchAttribute, value: state.escalation.level },
      { key: primaryLeadSearchAttribute, value: input.primaryLead },
      { key: nextDeadlineSearchAttribute, value: nextDeadline },
    ];
  }

  /**
   * Upserts the search attributes whose value differs from the run's own
   * (`workflowInfo().typedSearchAttributes`: those the client set at start, those carried
   * across continue-as-new, and every earlier upsert), in one command; nothing when none
   * changed. Called by the workflow once per workflow task (`TASK_BOOKKEEPING_PATCH`): a
   * message that records two events, or an update and a timer in the same task, upsert once.
   */
  flushVisibility(): void {
    if (this.input.searchAttributes === false) return;
    const current = workflowInfo().typedSearchAttributes;
    const changed = this.searchAttributePairs().filter(({ key, value }) => !sameSearchAttribute(current.get(key), value));
    if (changed.length > 0) upsertSearchAttributes(changed);
  }

  /** Before `TASK_BOOKKEEPING_PATCH`: every attribute, whenever one changed since this run's last upsert. */
  upsertVisibility(): void {
    if (this.input.searchAttributes === false) return;
    const pairs = this.searchAttributePairs();
    const fingerprint = JSON.stringify(pairs.map((p) => p.value));
    if (fingerprint === this.lastSearchAttributes) return;
    this.lastSearchAttributes = fingerprint;
    upsertSearchAttributes(pairs);
  }

  /**
   * A notice about this task: its facts plus what the render step needs around them: the
   * task (lead unit, deadline in force), the names, when it was issued and the plan's
   * settings (zone, language, issuer). Facts only: the zone travels as a name and the
   * render step formats dates in it, outside workflow code. Activity inputs are not
   * compared on replay, so facts added here change no command.
   */
  tell(facts: NoticeFacts, recipients: NotificationRecipient[]): Outgoing {
    const { input, state } = this;
    const named = new Set(PERSON_FACTS.map((key) => (facts as Partial<Record<string, unknown>>)[key]));
    const settings = {
      ...(input.timeZone ? { timeZone: input.timeZone } : {}),
      ...(input.lang ? { lang: input.lang } : {}),
      ...(input.issuer ? { issuer: input.issuer } : {}),
    };
    const notice = {
      ...facts,
      task: {
        planId: input.planId,
        ...(input.planTitle ? { planTitle: input.planTitle } : {}),
        taskNumber: input.taskNumber,
        title: input.title,
        primaryLead: input.primaryLead,
        deadlineAt: state.deadlineAt,
        // The plan's words for the deadline, while it is still the one the plan set.
        ...(input.deadline && ms(state.deadlineAt) === ms(input.deadlineAt) ? { deadline: input.deadline } : {}),
      },
      names: {
        units: Object.fromEntries(input.units.map((u) => [u.code, u.name])),
        unitsEn: Object.fromEntries(input.units.filter((u) => u.en).map((u) => [u.code, u.en])),
        people: Object.fromEntries(input.people.filter((p) => named.has(p.id)).map((p) => [p.id, p.name])),
      },
      // Workflow time: the instant `record` stamps on the event this notice goes with.
      at: iso(Date.now()),
      ...(Object.keys(settings).length > 0 ? { settings } : {}),
    } as TaskNotice;
    return { notice, recipients };
  }

  /** The people of a unit and/or with one of the roles; the unit or role itself when nobody is on the roster. */
  recipients(filter: { unit?: string; roles?: readonly Role[] }): NotificationRecipient[] {
    const role = filter.roles?.[0];
    const people = this.input.people.filter(
      (p) => (filter.unit === undefined || p.unit === filter.unit) && (filter.roles === undefined || filter.roles.some((r) => p.roles.includes(r))),
    );
    if (people.length > 0) return people.map((p) => ({ person: p.id, unit: p.unit, ...(role ? { role } : {}) }));
    // A plan with no 指挥部 office on its roster (plan format 2: organization optional): HQ's notices reach the supervisors.
    const toHq = filter.unit === undefined && filter.roles !== undefined && filter.roles.length > 0 && filter.roles.every((r) => HQ_ROLES.includes(r));
    if (toHq && this.planV2) return this.recipients({ roles: ['supervisor'] });
    return [{ ...(filter.unit ? { unit: filter.unit } : {}), ...(role ? { role } : {}) }];
  }

  /**
   * A task started before the campaign's start (`input.startAt`, plan format 2) waits for
   * it: assigned then, and every window counts from then; nothing is sent before.
   */
  waitForStart(startAt: string): void {
    const { state } = this;
    state.startsAt = iso(ms(startAt));
    state.assignedAt = state.startsAt;
    state.lastActivityAt = state.startsAt;
  }

  /** A task launched (`--allow-past`) after its deadline: the launch says so in the task's record. */
  recordLaunchedPastDeadline(): void {
    const { state } = this;
    this.record(SYSTEM_ACTOR, 'launch.past-deadline', { deadlineAt: state.deadlineAt, ...(this.input.deadline ? { deadline: this.input.deadline } : {}) });
  }

  /** 交办: the first event of a task (after the campaign's start), recorded before any message is handled. */
  assign(): void {
    const { input, state } = this;
    const cooperating = this.planV2 && input.cooperating && input.cooperating.length > 0 ? { cooperating: input.cooperating } : {};
    const checks = this.planV2 && input.checks && input.checks.length > 0 ? { checks: input.checks.length } : {};
    // The plan's targets, for people (notice facts only: activity inputs are not compared on replay).
    const targets = input.targets && input.targets.length > 0 ? { targets: input.targets } : {};
    const details = {
      title: input.title,
      actionNumber: input.actionNumber,
      primaryLead: input.primaryLead,
      assistingLeads: input.assistingLeads,
      responsible: input.responsible,
      ...cooperating,
      deadlineAt: state.deadlineAt,
      milestones: input.milestones,
      ...checks,
    };
    const notice = this.tell(
      {
        kind: 'assignment',
        primaryLead: input.primaryLead,
        assistingLeads: input.assistingLeads,
        responsible: input.responsible,
        ...cooperating,
        deadlineAt: state.deadlineAt,
        acknowledgementWindowMs: this.policy.acknowledgementWindowMs,
        ...targets,
      },
      this.involvedUnits.flatMap((unit) => this.recipients({ unit, roles: WORKER_ROLES })),
    );
    this.record('system', 'task.assigned', details, notice);
  }

  // ------------------------------------------------------------------ checking messages

  /**
   * The validation every message goes through, in the update validator (synchronous, so
   * a rejection leaves no trace in history) and again in the handler: arguments, the
   * actor, request id reuse (a retry is answered here), the proof (validator only), the
   * task still open, sender, status, then the message's own rules. Keep
   * `COMMON_REFUSALS` in this order.
   */
  check<A extends MessageArgsBase>(message: TaskMessage<string, A>, raw: unknown, { inValidator }: { inValidator: boolean }): Checked<A> {
    // The limits in the validator only: a message recorded under older limits replays as it ran.
    const parsed = parseMessageArgs<A>(message, raw, { limits: inValidator });
    if (!parsed.success) {
      const issues = parsed.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
      const listed = issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      fail(TaskErrorCode.INVALID_ARGUMENT, `Malformed ${message.name} arguments: ${listed}`, { issues });
    }
    const args = parsed.data;
    const person = this.input.people.find((p) => p.id === args.actor);
    if (!person) fail(TaskErrorCode.UNKNOWN_ACTOR, `No person ${args.actor} on the roster of task ${this.input.taskNumber}.`, { actor: args.actor });
    // Signed and digested as sent: the parsed copy is trimmed.
    const sent = raw as Record<string, unknown> & { proof?: Proof };
    const instruction = instructionOf(this.workflowId, message.name, sent);
    // patched() cannot be called in a validator (it records a marker); there the rules always apply.
    const authority = inValidator || this.currentRules || patched(AUTHORITY_RULES_PATCH);
    const digest = instructionDigest(instruction);
    const checked = { args, person, proof: sent.proof, digest };
    // A retry of an applied request is answered, not re-judged: the state has moved on.
    // Before the proof: a retry changes nothing, so it needs no fresh proof (its signature
    // may have aged past maxAgeMs); the same id with another digest is still refused.
    if (this.requests.isRetry(args.requestId, message.name, digest, authority)) return { ...checked, duplicate: true };
    if (inValidator && this.continuingAsNew && !allHandlersFinished()) {
      // Under a steady stream of messages the handlers were never all finished, the run never
      // continued as new, and Temporal terminated it at its history limit (the soak did: 1,462
      // reports, 4 at a time). While the run waits to continue, a message arriving as another
      // is still handled is sent back, to be sent again; validators do not run on replay.
      fail(
        TaskErrorCode.CONTINUING_AS_NEW,
        `Task ${this.input.taskNumber} is continuing in a fresh run and still handling another message: send this one again in a moment, with the same request id.`,
        { requestId: args.requestId },
      );
    }
    if (inValidator) verifyProof(this.input, instruction, sent.proof, person.id);
    // A finished task takes no more messages, whatever the message.
    this.requireNotTerminal();
    this.requireSender(person, message.name, message.senders);
    this.requireStatus(message.name, message.when);
    message.validate(this, args, person, { refuse: fail, authority });
    return { ...checked, duplicate: false };
  }

  /** Applies a checked message: remembers its request id, and its events carry its proof. */
  applyMessage<A extends MessageArgsBase>(message: TaskMessage<string, A>, { args, person, proof, digest }: Checked<A>): number {
    this.requests.remember(args.requestId, { message: message.name, digest, seq: this.seq });
    this.acting = proof ? { message: message.name, actor: person.id, proof, breakGlassKept: false } : undefined;
    try {
      return message.apply(this, args, person);
    } finally {
      this.acting = undefined;
    }
  }

  /** An event of the acting person carries the proof; a break-glass act is also kept for the campaign's bulletin. */
  private withProof(actor: string, details: Record<string, unknown>, seq: number, at: string): Record<string, unknown> {
    const acting = this.acting;
    if (!acting || acting.actor !== actor) return details;
    const { proof } = acting;
    if (isBreakGlass(proof, actor) && !acting.breakGlassKept) {
      acting.breakGlassKept = true;
      const act = { taskNumber: this.input.taskNumber, seq, at, signer: proof.signer, actor, message: acting.message, reason: proof.breakGlass.reason };
      this.state.breakGlass = [...(this.state.breakGlass ?? []), act].slice(-TASK_STATE_LIMITS.breakGlassActs);
    }
    return { ...details, proof: proofDetails(proof) };
  }

  result(requestId: string, applied: boolean): MessageResult {
    const { state } = this;
    return { requestId, applied, status: state.status, light: state.light, deadlineAt: state.deadlineAt };
  }

  unitOf(unit: string): UnitProgress {
    const found = this.state.units.find((u) => u.unit === unit);
    if (!found) fail(TaskErrorCode.WRONG_ROLE, `Unit ${unit} has no part in task ${this.input.taskNumber}.`);
    return found;
  }

  requireRole(person: Person, roles: readonly Role[], message: string, unit?: string): void {
    const roleOk = roles.some((r) => person.roles.includes(r));
    const unitOk = unit === undefined || person.unit === unit;
    if (roleOk && unitOk) return;
    fail(
      TaskErrorCode.WRONG_ROLE,
      `${person.name} (${person.id}) may not ${message} on task ${this.input.taskNumber}: it needs ${roles.join(' or ')}${unit ? ` of unit ${unit}` : ''}.`,
      { actor: person.id, requiredRoles: roles, ...(unit ? { requiredUnit: unit } : {}), actorUnit: person.unit, actorRoles: person.roles },
    );
  }

  /**
   * The people the task names as its supervisors (plan format 2, `supervisedBy`), in a run
   * that took `PLAN_V2_PATCH`; undefined otherwise (the plan-wide reviewer roles apply).
   */
  get supervisors(): readonly string[] | undefined {
    const people = this.planV2 ? this.input.supervisedBy?.people : undefined;
    return people !== undefined && people.length > 0 ? people : undefined;
  }

  /** Who is asked to review the task: the body the task names as its supervisor, else every supervisor. */
  reviewers(): NotificationRecipient[] {
    const named = this.supervisors;
    if (named === undefined) return this.recipients({ roles: ['supervisor'] });
    return this.input.people.filter((p) => named.includes(p.id)).map((p) => ({ person: p.id, unit: p.unit, role: 'supervisor' as const }));
  }

  /** The person may send the message: one of its sender roles, in the unit its senders name. */
  requireSender(person: Person, message: string, senders: Senders): void {
    const named = senders.supervising ? this.supervisors : undefined;
    if (named !== undefined) {
      if (named.includes(person.id)) return;
      const codes = this.input.supervisedBy?.codes ?? [];
      fail(
        TaskErrorCode.NOT_SUPERVISOR,
        `${person.name} (${person.id}) may not ${message} task ${this.input.taskNumber}: the plan names ${codes.join(', ')} as who supervises it, and only their people may (HQ office may act for one of them by break-glass).`,
        { actor: person.id, actorUnit: person.unit, supervisedBy: codes },
      );
    }
    if (senders.unit === 'primary') return this.requireRole(person, senders.roles, message, this.input.primaryLead);
    const units = this.involvedUnits;
    if (senders.unit === 'involved' && !units.includes(person.unit)) {
      fail(TaskErrorCode.WRONG_ROLE, `${person.name} (${person.id}) belongs to ${person.unit}, which has no part in task ${this.input.taskNumber}.`, {
        actor: person.id,
        actorUnit: person.unit,
        units,
      });
    }
    this.requireRole(person, senders.roles, message);
  }

  private requireNotTerminal(): void {
    const { status } = this.state;
    if (isTerminal(status)) fail(TaskErrorCode.INVALID_STATE, `Task ${this.input.taskNumber} is ${status}: it takes no more messages.`, { status });
  }

  requireStatus(message: string, allowed: readonly TaskState['status'][]): void {
    const { status } = this.state;
    if (allowed.includes(status)) return;
    fail(TaskErrorCode.INVALID_STATE, `Cannot ${message} task ${this.input.taskNumber} while it is ${status}; allowed when ${allowed.join(' or ')}.`, {
      status,
      allowed,
    });
  }

  /** The extension request waiting for HQ's decision, if any. */
  pendingExtension() {
    return this.state.extensions.find((e) => e.decision === undefined);
  }

  /** The submission waiting for review, if any. */
  openSubmission() {
    return openSubmission(this.state);
  }
}

/** Whether a search attribute's current value is `value` (instants compared as instants; null is unset). */
function sameSearchAttribute(current: unknown, value: unknown): boolean {
  if (current instanceof Date && value instanceof Date) return current.getTime() === value.getTime();
  return (current ?? null) === (value ?? null);
}

function initialState(input: TaskWorkflowInput, workflowId: string, planV2: boolean): TaskState {
  const assignedAt = input.assignedAt ? iso(ms(input.assignedAt)) : iso(Date.now());
  const taken = new Set([input.primaryLead, ...input.assistingLeads, ...input.responsible]);
  const cooperating = planV2 ? (input.cooperating ?? []).filter((unit) => !taken.has(unit)) : [];
  const units: UnitProgress[] = [
    { unit: input.primaryLead, role: 'primary', percent: 0, reports: 0 },
    ...input.assistingLeads.map((unit): UnitProgress => ({ unit, role: 'assisting', percent: 0, reports: 0 })),
    ...input.responsible.map((unit): UnitProgress => ({ unit, role: 'responsible', percent: 0, reports: 0 })),
    ...cooperating.map((unit): UnitProgress => ({ unit, role: 'cooperating', percent: 0, reports: 0 })),
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
