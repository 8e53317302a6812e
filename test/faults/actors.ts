/**
 * The scripted actors of the fault suite: the people of the seed plan driving some of its
 * tasks through a campaign's life in four phases (sign-off, reporting, submission,
 * review), each step a signed instruction sent through `@duban/client`. What each actor
 * does, with whom and when is drawn from the seed; each request is sent again with the
 * SAME request id until the workflow answers it (a server restart, a dead worker or a
 * lost answer must never apply it twice, nor lose it).
 */
import { WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { signRequest, type DubanClient, type MessageInput, type SigningKey } from '@duban/client';
import { isDubanError, REVIEWER_ROLES, taskWorkflowId, WORKER_ROLES, type TaskStatus } from '@duban/common';
import { findTask, type Plan } from '@duban/plan';
import { messageArgSchemas, TASK_MESSAGES, type MessageName, type MessageResult } from '@duban/workflows';
import { Draws } from './seed';

/** The phases of the actors' campaign, one fault type each. */
export const PHASES = ['sign-off', 'reporting', 'submission', 'review'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * The longest pause before each step, by phase: reviews come slowly, spread over the
 * audit store's outage rather than all sent before it.
 */
const PAUSE_MS: Record<Phase, number> = { 'sign-off': 300, reporting: 300, submission: 600, review: 3_000 };

/** How often an actor loses the answer to a request it sent. */
const LOST_ANSWER_RATE = 0.1;

/** The timeline event a message records, by message (and decision). */
const EVENT_OF = {
  acknowledge: 'task.acknowledged',
  reportProgress: 'progress.reported',
  submit: 'task.submitted',
  approve: 'review.approved',
  return: 'review.returned',
} as const;

/** The events the actors cause (the workflow adds its own: assignment, commendation, failed notices). */
export const ACTOR_EVENTS: readonly string[] = Object.values(EVENT_OF);

interface StepOf<N extends MessageName> {
  message: N;
  args: MessageInput<N> & { requestId: string; actor: string };
}

/** One request of a script: the message, its arguments (with its fixed request id), and when. */
export type Step = (StepOf<'acknowledge'> | StepOf<'reportProgress'> | StepOf<'submit'> | StepOf<'review'>) & {
  phase: Phase;
  /** The unit the actor acts for. */
  unit: string;
  /**
   * The first answer never reaches the actor: the workflow accepted the request, the
   * connection dropped, and the actor sends it again with the same request id (it must be
   * answered `applied: false`, and applied once).
   */
  loseAnswer: boolean;
  /** The event it must record, once. */
  event: string;
};

/** What one task must look like once its script has run through a phase. */
export interface TaskExpectation {
  status: TaskStatus;
  percent: number;
  /** The actor events in order: `event by actor`. */
  events: string[];
}

export interface TaskScript {
  taskNumber: number;
  /** The primary lead unit: its acknowledgement and its reports move the task. */
  primary: string;
  /** How far the script takes the task: approved, left under review, or returned for rework. */
  target: 'approved' | 'submitted' | 'returned';
  steps: Step[];
}

/** One task's script, drawn from the seed: who signs off, who reports what, whether the work is returned once. */
export function scriptTask(plan: Plan, taskNumber: number, seed: number): TaskScript {
  const draws = new Draws(seed, `script:task-${taskNumber}`);
  const task = findTask(plan, taskNumber);
  const [primary, ...others] = [...task.lead, ...task.responsible];
  if (primary === undefined) throw new Error(`Task ${taskNumber} has no lead unit.`);
  const workersOf = (unit: string) => plan.people.filter((p) => p.unit === unit && p.roles.some((r) => WORKER_ROLES.includes(r))).map((p) => p.id);
  const worker = (unit: string) => draws.pick(workersOf(unit));
  // Nobody reviews work of their own unit (the plan does not allow it).
  const reviewers = plan.people.filter((p) => p.unit !== primary && p.roles.some((r) => REVIEWER_ROLES.includes(r)));
  const target = draws.pick(['approved', 'approved', 'approved', 'submitted', 'returned'] as const);

  const steps: Step[] = [];
  let n = 0;
  const requestId = () => `fault-${seed}-t${taskNumber}-${(n += 1)}`;
  const add = (phase: Phase, unit: string, step: Pick<Step, 'message' | 'args'>) => {
    const event = step.message === 'review' ? EVENT_OF[(step.args as { decision: 'approve' | 'return' }).decision] : EVENT_OF[step.message];
    steps.push({ ...step, phase, unit, event, loseAnswer: draws.chance(LOST_ANSWER_RATE) } as Step);
  };
  const ack = (phase: Phase, unit: string) => add(phase, unit, { message: 'acknowledge', args: { requestId: requestId(), actor: worker(unit), note: '已签收' } });
  const report = (phase: Phase, unit: string, percent: number) =>
    add(phase, unit, { message: 'reportProgress', args: { requestId: requestId(), actor: worker(unit), percent, note: `完成 ${percent}%` } });
  const submit = (phase: Phase) => add(phase, primary, { message: 'submit', args: { requestId: requestId(), actor: worker(primary), summary: '牵头汇总：各单位均已完成' } });
  const review = (phase: Phase, decision: 'approve' | 'return') => {
    const reviewer = draws.pick(reviewers);
    add(phase, reviewer.unit, {
      message: 'review',
      args:
        decision === 'approve'
          ? { requestId: requestId(), actor: reviewer.id, decision, score: draws.int(90, 100), note: '现场验收通过' }
          : { requestId: requestId(), actor: reviewer.id, decision, reasons: ['台账不全', '缺少现场照片'].slice(0, draws.int(1, 2)) },
    });
  };

  // Sign-off: every unit acknowledges, in a drawn order; the primary lead reports a start.
  for (const unit of draws.shuffle([primary, ...others])) ack('sign-off', unit);
  report('sign-off', primary, draws.int(5, 30));
  // Reporting: every other unit reports its part (required before submission); the primary lead once or twice.
  for (const unit of draws.shuffle(others)) report('reporting', unit, draws.int(60, 100));
  report('reporting', primary, draws.int(40, 70));
  if (draws.chance(0.5)) report('reporting', primary, draws.int(71, 95));
  // Submission: the primary lead consolidates and submits; half the time the work comes back once and is submitted again.
  report('submission', primary, 100);
  submit('submission');
  if (draws.chance(0.5)) {
    review('submission', 'return');
    submit('submission');
  }
  // Review: approved (half the time after one more round of rework), left under review, or returned for rework.
  if (target !== 'submitted' && (target === 'returned' || draws.chance(0.5))) {
    review('review', 'return');
    report('review', primary, 100);
  }
  if (target === 'approved') {
    if (steps[steps.length - 1]?.event === 'progress.reported') submit('review');
    review('review', 'approve');
  }
  return { taskNumber, primary, target, steps };
}

/** What the task must look like after `through` (inclusive). */
export function expectationAfter(script: TaskScript, through: Phase): TaskExpectation {
  const last = PHASES.indexOf(through);
  const done = script.steps.filter((s) => PHASES.indexOf(s.phase) <= last);
  let status: TaskStatus = 'assigned';
  let percent = 0;
  for (const step of done) {
    const primary = step.unit === script.primary;
    if (step.event === 'task.acknowledged' && status === 'assigned' && primary) status = 'acknowledged';
    if (step.event === 'progress.reported' && primary) {
      percent = (step.args as { percent: number }).percent;
      if (status === 'acknowledged') status = 'in-progress';
    }
    if (step.event === 'task.submitted') status = 'submitted';
    if (step.event === 'review.returned') status = 'in-progress';
    if (step.event === 'review.approved') status = 'approved';
  }
  return { status, percent, events: done.map((s) => `${s.event} by ${s.args.actor}`) };
}

/** What the actors counted: the figures' requests line. */
export interface RequestCounts {
  /** Requests the workflow answered (each counted once, however many times it was sent). */
  acknowledged: number;
  /** Sends, first ones and retries. */
  sends: number;
  /** Requests that needed more than one send. */
  retried: number;
  /** Requests whose first answer was lost after the workflow accepted them (then sent again). */
  answersLost: number;
  /** Answers `applied: false`: a retry whose first send had been applied (the lost answer case). */
  answeredAlreadyApplied: number;
  /** Answers with `auditPending: true`: applied, the audit entry still on its way. */
  auditPending: number;
  /**
   * Requests in flight while a worker, the server or the audit store was down (answered
   * once it was back). The Temporal client itself retries a call the server did not
   * answer, with the same update id: those retries are not counted in `sends`.
   */
  throughOutages?: number;
  /** Errors that made an actor send again, by kind. */
  transientErrors: Record<string, number>;
}

export interface ActorsOptions {
  planId: string;
  duban: DubanClient;
  key: (person: string) => Promise<SigningKey>;
  seed: number;
  /** Give up on one request after this long (a bug, not a fault: the run fails). */
  requestDeadlineMs?: number;
}

/** Runs the scripts, phase by phase, and counts; `onAcknowledged` lets faults fire at seeded points. */
export class Actors {
  readonly counts: RequestCounts = { acknowledged: 0, sends: 0, retried: 0, answersLost: 0, answeredAlreadyApplied: 0, auditPending: 0, transientErrors: {} };
  /** Requests acknowledged in the running phase. */
  acknowledgedInPhase = 0;
  /** When each answered request was first sent, and when its answer came. */
  readonly timings: Array<{ requestId: string; phase: Phase; sentMs: number; answeredMs: number }> = [];
  private listeners: Array<(acknowledgedInPhase: number) => void> = [];

  constructor(
    private readonly options: ActorsOptions,
    readonly scripts: TaskScript[],
  ) {}

  /** How many requests `phase` sends. */
  requestsIn(phase: Phase): number {
    return this.scripts.reduce((n, s) => n + s.steps.filter((step) => step.phase === phase).length, 0);
  }

  /** The requests in flight at some moment of one of the outages: sent before it ended, answered after it began. */
  spanning(...outages: Array<{ fromMs: number; toMs: number }>): number {
    return this.timings.filter((t) => outages.some((o) => t.sentMs < o.toMs && t.answeredMs > o.fromMs)).length;
  }

  /** The longest a request of `phase` waited for its answer, first send to answer. */
  longestAnswerMs(phase: Phase): number {
    return Math.max(0, ...this.timings.filter((t) => t.phase === phase).map((t) => t.answeredMs - t.sentMs));
  }

  /** Resolves once `count` requests of the running phase are acknowledged (at once if they are). */
  whenAcknowledged(count: number): Promise<void> {
    if (this.acknowledgedInPhase >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const listener = (n: number) => {
        if (n < count) return;
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve();
      };
      this.listeners.push(listener);
    });
  }

  /** Every task's steps of `phase`, the tasks side by side, each task's steps in order with drawn pauses. */
  async run(phase: Phase): Promise<void> {
    this.acknowledgedInPhase = 0;
    await Promise.all(
      this.scripts.map(async (script) => {
        const pauses = new Draws(this.options.seed, `pauses:task-${script.taskNumber}:${phase}`);
        for (const step of script.steps.filter((s) => s.phase === phase)) {
          await sleep(pauses.int(0, PAUSE_MS[phase]));
          await this.send(script.taskNumber, step);
        }
      }),
    );
  }

  /** Sends one step until the workflow answers it; a refusal fails the run (the script is valid). */
  private async send(taskNumber: number, step: Step): Promise<MessageResult> {
    const { duban, key, planId, requestDeadlineMs = 150_000 } = this.options;
    const handle = duban.task(planId, taskNumber).as(await key(step.args.actor));
    const sentMs = Date.now();
    const deadline = sentMs + requestDeadlineMs;
    if (step.loseAnswer) await this.sendAndLoseAnswer(taskNumber, step, deadline);
    for (let sends = step.loseAnswer ? 2 : 1; ; sends += 1) {
      this.counts.sends += 1;
      if (sends === 2 && !step.loseAnswer) this.counts.retried += 1;
      try {
        const result = await handle.send(step.message, step.args as never);
        this.counts.acknowledged += 1;
        this.timings.push({ requestId: step.args.requestId, phase: step.phase, sentMs, answeredMs: Date.now() });
        if (!result.applied) this.counts.answeredAlreadyApplied += 1;
        if (result.auditPending) this.counts.auditPending += 1;
        this.acknowledgedInPhase += 1;
        for (const listener of [...this.listeners]) listener(this.acknowledgedInPhase);
        return result;
      } catch (error) {
        if (isRefusal(error)) {
          throw new Error(`Task ${taskNumber} refused ${step.message} ${step.args.requestId} by ${step.args.actor}: ${String(error)}`, { cause: error });
        }
        if (Date.now() > deadline) throw new Error(`Task ${taskNumber}: ${step.message} ${step.args.requestId} not answered in ${requestDeadlineMs} ms`, { cause: error });
        await this.backOff(error, sends);
      }
    }
  }

  /**
   * Sends `step` as the client does (validated, signed, the client's update id) and waits
   * only until the workflow accepted it: the answer is lost on the way back.
   */
  private async sendAndLoseAnswer(taskNumber: number, step: Step, deadline: number): Promise<void> {
    const { duban, key, planId } = this.options;
    const workflowId = taskWorkflowId(planId, taskNumber);
    const message = TASK_MESSAGES.find((m) => m.name === step.message);
    if (!message) throw new Error(`No task message ${step.message}.`);
    for (let sends = 1; ; sends += 1) {
      this.counts.sends += 1;
      try {
        const args = messageArgSchemas[step.message].parse(step.args);
        const signed = signRequest(workflowId, step.message, step.args.requestId, args, { key: await key(step.args.actor) });
        await duban.client.workflow.getHandle(workflowId).startUpdate(message.update, { args: [signed.args as never], updateId: signed.updateId, waitForStage: WorkflowUpdateStage.ACCEPTED });
        this.counts.answersLost += 1;
        this.counts.retried += 1;
        return;
      } catch (error) {
        if (isRefusal(error)) throw new Error(`Task ${taskNumber} refused ${step.message} ${step.args.requestId} by ${step.args.actor}: ${String(error)}`, { cause: error });
        if (Date.now() > deadline) throw new Error(`Task ${taskNumber}: ${step.message} ${step.args.requestId} not accepted in time`, { cause: error });
        await this.backOff(error, sends);
      }
    }
  }

  /** Counts a transient error and waits before the next send. */
  private async backOff(error: unknown, sends: number): Promise<void> {
    const kind = isDubanError(error) ? error.code : error instanceof Error ? error.name : 'unknown';
    this.counts.transientErrors[kind] = (this.counts.transientErrors[kind] ?? 0) + 1;
    await sleep(Math.min(250 * 2 ** Math.min(sends, 4), 2_000));
  }
}

/** The workflow answered, refusing: sending again cannot help (and must not be needed). */
function isRefusal(error: unknown): boolean {
  if (error instanceof WorkflowUpdateFailedError) return true;
  if (!isDubanError(error)) return false;
  return error.cause instanceof WorkflowUpdateFailedError || ['TASK_NOT_FOUND', 'INVALID_ARGUMENT', 'INVALID_STATE'].includes(error.code);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
