/**
 * The simulated people of one task: its units (the primary lead, the assisting leads and
 * the responsible communities), its reviewers and HQ's office, each acting on whole days
 * as the scenario says. Pure: it decides what the next instruction is and learns from the
 * answer; the engine sends it through the real client. Nothing here reads a clock.
 */
import type { MessageResult, TaskState } from '@duban/workflows';
import { Draws } from './random';
import {
  mergeBehaviour,
  resolveBehaviour,
  type Behaviour,
  type BehaviourInput,
  type HqBehaviour,
  type ReviewerBehaviour,
} from './scenario';

/** One instruction a simulated person gives; `actor` signs it. */
export type Step =
  | { kind: 'acknowledge'; actor: string; unit: string }
  | { kind: 'reportProgress'; actor: string; unit: string; percent: number }
  | { kind: 'submit'; actor: string }
  | { kind: 'requestExtension'; actor: string; deadlineAt: string }
  | { kind: 'review'; actor: string; decision: 'approve'; score: number }
  | { kind: 'review'; actor: string; decision: 'return' }
  | { kind: 'decideExtension'; actor: string; grant: boolean };

export type StepKind = Step['kind'];

/** Who may act for a unit, and who reviews and decides: the roster of record. */
export interface Cast {
  /** The unit head (签收, extension requests); undefined when the unit has none. */
  head(unit: string): string | undefined;
  /** Who reports and submits for the unit: its staff, else its head. */
  worker(unit: string): string | undefined;
  /** Supervisors and HQ office outside `unit`, other than `except`; for a task that names who supervises it, their people only. */
  reviewers(unit: string, except: string, taskNumber: number): string[];
  /** HQ office members other than `except`. */
  hqOffice(except: string): string[];
}

/** What the task agent needs to know about the plan and the calendar. */
export interface AgentContext {
  cast: Cast;
  reviewers: ReviewerBehaviour;
  hq: HqBehaviour;
  /** The plan's highest score. */
  scoringBase: number;
  /** The last day people can act before an instant. */
  lastDayBefore(ms: number): number;
  /** The first day people can act after an instant. */
  firstDayAfter(ms: number): number;
  /** The day an instant falls on. */
  dayOf(ms: number): number;
  /** A deadline "by" the end of day `day`, as an ISO instant. */
  endOfDay(day: number): string;
  /** The campaign's end (extensions stay within it). */
  campaignEndMs: number;
  seed: number;
  behaviourOf(unit: string, primary: boolean): BehaviourInput;
}

type Role = TaskState['units'][number]['role'];

const OPEN = new Set<TaskState['status']>(['assigned', 'acknowledged', 'in-progress']);
/** Returns at most this often per task: a reviewer who keeps returning would never end the run. */
const MAX_RETURNS = 3;

/** One unit's part in one task. */
class UnitWork {
  behaviour: Behaviour;
  acknowledged = false;
  /** The day the unit acknowledges; undefined: never (or already done). */
  ackDay: number | undefined;
  anchorDay = 0;
  anchorPct = 0;
  finishDay = 0;
  lastPct = 0;
  /** The primary lead's next cadence report. */
  nextReportDay: number | undefined;
  stallUsed = false;
  done = false;
  readonly draws: Draws;

  constructor(
    readonly unit: string,
    public role: Role,
    public input: BehaviourInput,
    seed: number,
    taskNumber: number,
  ) {
    this.behaviour = resolveBehaviour(input);
    this.draws = new Draws(seed, `task:${taskNumber}:unit:${unit}`);
  }

  get primary(): boolean {
    return this.role === 'primary';
  }

  /** Within `acknowledgeWithin` of the day of assignment, and not before the first day people can act after it. */
  scheduleAcknowledgement(assignedDay: number, firstDay: number): void {
    this.ackDay = this.behaviour.profile === 'never-acknowledges' ? undefined : Math.max(firstDay, assignedDay + this.draws.int(0, this.behaviour.acknowledgeWithinDays));
  }

  /** Plans the work from `day` against the deadline the unit was given (its last day `deadlineDay`). */
  plan(day: number, deadlineDay: number): void {
    const b = this.behaviour;
    const early = () => deadlineDay - this.draws.int(Math.ceil(b.earlyDays / 3), b.earlyDays);
    let finish: number;
    switch (b.profile) {
      case 'slow':
      case 'asks-extension':
        finish = deadlineDay + b.delayDays;
        break;
      case 'stalls':
        // Works at a punctual pace; the stall pushes the finish back (the primary's when it happens, a partner's at once).
        finish = early() + (this.primary ? 0 : b.stallForDays);
        break;
      default:
        finish = early();
    }
    this.anchorDay = day;
    this.anchorPct = this.lastPct;
    this.finishDay = Math.max(finish, day + 1);
    // The primary lead keeps the task's progress current; a partner reports its part once, when it is done.
    this.nextReportDay = this.primary ? day + this.interval() : undefined;
  }

  /**
   * Days to the next cadence report: `reportEvery`, up to 20 % sooner, never later (a
   * cadence just under the plan's stall window keeps the task from stalling).
   */
  interval(): number {
    const every = this.behaviour.reportEveryDays;
    return Math.max(1, this.draws.int(Math.round(every * 0.8), every));
  }

  percentOn(day: number): number {
    if (day >= this.finishDay) return 100;
    const span = this.finishDay - this.anchorDay;
    const pct = Math.floor(this.anchorPct + ((100 - this.anchorPct) * (day - this.anchorDay)) / span);
    return Math.max(this.lastPct, Math.min(99, pct));
  }
}

interface PendingExtension {
  requestedBy: string;
  decideDay: number;
  grant: boolean;
}

/**
 * The people of one task. The engine asks {@link nextDay} when they act next, then on
 * that day takes {@link nextStep} after step, sending each and handing the answer back
 * ({@link applied} or {@link refused}) until the day holds nothing more.
 */
export class TaskAgent {
  status: TaskState['status'];
  deadlineMs: number;
  /** The deadline the units were given when they planned: their pace follows it, whatever amendments do later. */
  private readonly plannedDeadlineMs: number;
  private readonly units = new Map<string, UnitWork>();
  private reviewDay: number | undefined;
  private resubmitDay: number | undefined;
  private submitter: string | undefined;
  private returns = 0;
  private askDay: number | undefined;
  private asked = false;
  private forced: { day: number; deadlineAt: string } | undefined;
  private pending: PendingExtension | undefined;
  private readonly review: Draws;

  constructor(
    readonly taskNumber: number,
    state: TaskState,
    private readonly ctx: AgentContext,
  ) {
    this.status = state.status;
    this.deadlineMs = Date.parse(state.deadlineAt);
    this.plannedDeadlineMs = this.deadlineMs;
    this.review = new Draws(ctx.seed, `task:${taskNumber}:review`);
    const assignedMs = Date.parse(state.assignedAt);
    for (const u of state.units) {
      const work = new UnitWork(u.unit, u.role, ctx.behaviourOf(u.unit, u.role === 'primary'), ctx.seed, taskNumber);
      if (u.acknowledgedAt === undefined) work.scheduleAcknowledgement(ctx.dayOf(assignedMs), ctx.firstDayAfter(assignedMs));
      this.units.set(u.unit, work);
    }
  }

  get finished(): boolean {
    return this.status === 'approved' || this.status === 'cancelled';
  }

  private get primary(): UnitWork | undefined {
    return [...this.units.values()].find((u) => u.primary);
  }

  private get partners(): UnitWork[] {
    return [...this.units.values()].filter((u) => !u.primary);
  }

  /** The next day anyone of this task acts; undefined when nobody will. */
  nextDay(): number | undefined {
    if (this.finished) return undefined;
    const days: Array<number | undefined> = [];
    const open = OPEN.has(this.status);
    for (const u of this.units.values()) {
      if (!u.acknowledged) {
        if (open) days.push(u.ackDay);
        continue;
      }
      if (!open) continue;
      if (u.primary) {
        if (this.resubmitDay !== undefined) continue;
        days.push(u.nextReportDay, u.done ? undefined : u.finishDay);
      } else if (!u.done) days.push(u.finishDay);
    }
    if (open) days.push(this.resubmitDay, this.asked ? undefined : this.askDay, this.forced?.day);
    if (this.status === 'submitted') days.push(this.reviewDay);
    days.push(this.pending?.decideDay);
    const due = days.filter((d): d is number => d !== undefined);
    return due.length === 0 ? undefined : Math.min(...due);
  }

  /** The next instruction on `day`, or undefined when the day holds nothing more. */
  nextStep(day: number): Step | undefined {
    if (this.finished) return undefined;
    const open = OPEN.has(this.status);
    const { cast } = this.ctx;
    const primary = this.primary;
    // 签收 first: a unit reports only once it has acknowledged.
    for (const u of this.units.values()) {
      if (!u.acknowledged && open && u.ackDay !== undefined && u.ackDay <= day) {
        const actor = cast.head(u.unit) ?? cast.worker(u.unit);
        if (actor === undefined) {
          u.ackDay = undefined;
          continue;
        }
        return { kind: 'acknowledge', actor, unit: u.unit };
      }
    }
    if (open) {
      for (const u of this.partners) {
        if (!u.acknowledged || u.done) continue;
        if (u.finishDay <= day) {
          const actor = cast.worker(u.unit);
          if (actor === undefined) {
            u.done = true;
            continue;
          }
          return { kind: 'reportProgress', actor, unit: u.unit, percent: u.percentOn(day) };
        }
      }
      if (this.forced !== undefined && this.forced.day <= day) {
        const actor = primary && (cast.head(primary.unit) ?? cast.worker(primary.unit));
        if (actor) return { kind: 'requestExtension', actor, deadlineAt: this.forced.deadlineAt };
        this.forced = undefined;
      }
      if (primary?.acknowledged) {
        const step = this.primaryStep(primary, day);
        if (step) return step;
      }
    }
    if (this.status === 'submitted' && this.reviewDay !== undefined && this.reviewDay <= day) return this.reviewStep();
    if (this.pending !== undefined && this.pending.decideDay <= day) {
      const [actor] = cast.hqOffice(this.pending.requestedBy);
      if (actor !== undefined) return { kind: 'decideExtension', actor, grant: this.pending.grant };
      this.pending = undefined;
    }
    return undefined;
  }

  private primaryStep(p: UnitWork, day: number): Step | undefined {
    const { cast } = this.ctx;
    const worker = cast.worker(p.unit);
    if (worker === undefined) return undefined;
    if (this.resubmitDay !== undefined) {
      if (this.resubmitDay > day) return undefined;
      return this.partnersDone() ? { kind: 'submit', actor: worker } : undefined;
    }
    // 延期申请: late work, asked for before the deadline passes.
    if (!this.asked && this.askDay !== undefined && this.askDay <= day) {
      const to = Math.min(Date.parse(this.ctx.endOfDay(p.finishDay + 7)), this.ctx.campaignEndMs);
      const actor = cast.head(p.unit) ?? worker;
      if (this.pending === undefined && !p.done && to > this.deadlineMs && day <= this.ctx.lastDayBefore(this.deadlineMs)) {
        return { kind: 'requestExtension', actor, deadlineAt: new Date(to).toISOString() };
      }
      this.asked = true;
    }
    const reportDue = (p.nextReportDay !== undefined && p.nextReportDay <= day) || (!p.done && p.finishDay <= day);
    if (reportDue) return { kind: 'reportProgress', actor: worker, unit: p.unit, percent: p.percentOn(day) };
    if (p.done && this.partnersDone() && (this.status === 'acknowledged' || this.status === 'in-progress')) return { kind: 'submit', actor: worker };
    return undefined;
  }

  private reviewStep(): Step | undefined {
    const primary = this.primary;
    const pool = this.ctx.cast.reviewers(primary?.unit ?? '', this.submitter ?? '', this.taskNumber);
    if (pool.length === 0) {
      this.reviewDay = undefined;
      return undefined;
    }
    const actor = this.review.pick(pool);
    const rate = primary?.behaviour.returnRate ?? this.ctx.reviewers.returnRate;
    if (this.returns < MAX_RETURNS && this.review.chance(rate)) return { kind: 'review', actor, decision: 'return' };
    const { scoreMin, scoreMax } = this.ctx.reviewers;
    const score = Math.min(this.ctx.scoringBase, this.review.int(scoreMin, scoreMax));
    return { kind: 'review', actor, decision: 'approve', score };
  }

  private partnersDone(): boolean {
    return this.partners.every((u) => u.done);
  }

  /** The task's answer to `step`, sent on `day`. */
  applied(step: Step, day: number, result: MessageResult): void {
    this.status = result.status;
    this.deadlineMs = Date.parse(result.deadlineAt);
    switch (step.kind) {
      case 'acknowledge': {
        const u = this.units.get(step.unit);
        if (!u) return;
        u.acknowledged = true;
        u.ackDay = undefined;
        u.plan(day, this.ctx.lastDayBefore(this.plannedDeadlineMs));
        if (u.primary && u.behaviour.profile === 'asks-extension' && u.finishDay > this.ctx.lastDayBefore(this.deadlineMs)) {
          this.askDay = Math.max(day, this.ctx.lastDayBefore(this.deadlineMs) - u.behaviour.askBeforeDays);
        }
        return;
      }
      case 'reportProgress': {
        const u = this.units.get(step.unit);
        if (!u) return;
        u.lastPct = step.percent;
        if (step.percent >= 100) u.done = true;
        if (!u.primary) {
          u.nextReportDay = undefined;
          return;
        }
        const b = u.behaviour;
        if (b.profile === 'stalls' && !u.stallUsed && step.percent >= b.stallAt && step.percent < 100) {
          // 停滞: no report for `stallFor`; the plan's stall window notices, the ladder climbs.
          u.stallUsed = true;
          const resume = day + b.stallForDays;
          u.nextReportDay = resume;
          u.anchorDay = resume;
          u.anchorPct = step.percent;
          u.finishDay += b.stallForDays;
          return;
        }
        u.nextReportDay = day + u.interval();
        return;
      }
      case 'submit':
        this.submitter = step.actor;
        this.resubmitDay = undefined;
        this.reviewDay = day + this.review.int(1, this.ctx.reviewers.delayDays);
        return;
      case 'review':
        if (step.decision === 'return') {
          this.returns += 1;
          this.reviewDay = undefined;
          this.resubmitDay = day + this.review.int(2, 7);
        }
        return;
      case 'requestExtension': {
        const grant = this.forced !== undefined ? true : this.ctx.hq.extensions === 'grant';
        this.pending = { requestedBy: step.actor, decideDay: day + this.ctx.hq.delayDays, grant };
        this.forced = undefined;
        this.asked = true;
        return;
      }
      case 'decideExtension':
        this.pending = undefined;
        return;
    }
  }

  /**
   * The task refused `step` (`code`): the people take note and move on, with the task's
   * state as it is now, so a refusal never repeats itself.
   */
  refused(step: Step, day: number, state: TaskState | undefined): void {
    if (state) this.sync(state);
    switch (step.kind) {
      case 'acknowledge': {
        const u = this.units.get(step.unit);
        if (u && !u.acknowledged) u.ackDay = undefined;
        return;
      }
      case 'reportProgress': {
        const u = this.units.get(step.unit);
        if (u) {
          u.nextReportDay = u.primary ? day + u.interval() : undefined;
          if (!u.primary || u.finishDay <= day) u.done = true;
        }
        return;
      }
      case 'submit': {
        // Back to work for a cadence, then report done and submit again.
        this.resubmitDay = undefined;
        const p = this.primary;
        if (p) {
          p.done = false;
          p.finishDay = day + p.interval();
        }
        return;
      }
      case 'review':
        this.reviewDay = this.status === 'submitted' ? day + 1 : undefined;
        return;
      case 'requestExtension':
        this.forced = undefined;
        this.asked = true;
        return;
      case 'decideExtension':
        this.pending = undefined;
        return;
    }
  }

  /** Takes the task's status, deadline and units as the workflow holds them (after an amendment or a refusal). */
  sync(state: TaskState): void {
    this.status = state.status;
    this.deadlineMs = Date.parse(state.deadlineAt);
    for (const u of state.units) {
      let work = this.units.get(u.unit);
      if (!work) {
        work = new UnitWork(u.unit, u.role, this.ctx.behaviourOf(u.unit, u.role === 'primary'), this.ctx.seed, this.taskNumber);
        this.units.set(u.unit, work);
        const since = Date.parse(state.timeline[state.timeline.length - 1]?.at ?? state.assignedAt);
        if (u.acknowledgedAt === undefined) work.scheduleAcknowledgement(this.ctx.dayOf(since), this.ctx.firstDayAfter(since));
      }
      work.role = u.role;
      if (u.acknowledgedAt !== undefined) work.acknowledged = true;
    }
    for (const code of [...this.units.keys()]) if (!state.units.some((u) => u.unit === code)) this.units.delete(code);
    if (state.status !== 'submitted') this.reviewDay = undefined;
    if (!state.extensions.some((e) => e.decision === undefined)) this.pending = undefined;
  }

  /** A one-off event: the primary lead asks on `day` for the deadline `deadlineAt`, and HQ grants it. */
  forceExtension(day: number, deadlineAt: string): void {
    this.forced = { day, deadlineAt };
  }

  /**
   * A one-off event: from `day` on, `unit` (or, with `primaryOnly`, the task's primary
   * lead) works as `change` says; work under way is planned again from where it stands.
   */
  change(day: number, unit: string | undefined, change: BehaviourInput): void {
    for (const u of this.units.values()) {
      if (unit !== undefined ? u.unit !== unit : !u.primary) continue;
      u.input = mergeBehaviour(u.input, change);
      u.behaviour = resolveBehaviour(u.input);
      if (!u.acknowledged) {
        if (u.behaviour.profile === 'never-acknowledges') u.ackDay = undefined;
        else if (u.ackDay === undefined) u.scheduleAcknowledgement(day, day);
      } else if (!u.done) {
        u.plan(day, this.ctx.lastDayBefore(this.plannedDeadlineMs));
        if (u.primary && u.behaviour.profile === 'asks-extension' && !this.asked) {
          this.askDay = Math.max(day, this.ctx.lastDayBefore(this.deadlineMs) - u.behaviour.askBeforeDays);
        }
      }
    }
  }
}
