import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type {
  AppendAuditResult,
  AuditEntryInput,
  DubanActivities,
  NotificationInput,
  NotifyResult,
} from '@duban/activities';
import type { Notice } from '@duban/common';
import type { Person, TaskPolicy, TaskState, TaskWorkflowInput } from '@duban/workflows';
import { ApplicationFailure, WorkflowUpdateFailedError, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DUBAN_TASK_QUEUE, taskWorkflowId } from '@duban/workflows';
import type { taskWorkflow } from '@duban/workflows/workflows';
import { workflowBundle } from '../harness';
import { Duration } from 'luxon';
import { findTask, taskSchedule, type Plan } from '@duban/plan';
type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

// The SDK's own history serializer, in @temporalio/common: reached through the client,
// which depends on it, because the test package does not list it.
const { historyToJSON } = createRequire(require.resolve('@temporalio/client'))('@temporalio/common/lib/proto-utils') as {
  historyToJSON(history: History): string;
};

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The roster of a two-lead task (城建办 primary, 城管办 assisting, communities responsible). */
export const people: Person[] = [
  { id: 'chengjian-head', name: '城建办主任', unit: 'chengjian', roles: ['unit-head'] },
  { id: 'chengjian-staff', name: '城建办干部', unit: 'chengjian', roles: ['staff'] },
  { id: 'chengguan-staff', name: '城管办干部', unit: 'chengguan', roles: ['staff'] },
  { id: 'community-staff', name: '社区干部', unit: 'communities', roles: ['staff'] },
  { id: 'supervisor-1', name: '督查考核组甲', unit: 'dangzheng', roles: ['supervisor'] },
  { id: 'supervisor-2', name: '督查考核组乙', unit: 'dangzheng', roles: ['supervisor'] },
  { id: 'hq-1', name: '指挥部办公室', unit: 'chengguan', roles: ['hq-office'] },
  { id: 'conduct-1', name: '作风问责组', unit: 'dangzheng', roles: ['accountability'] },
  // Reviews and also submits: the self-review case.
  { id: 'dual-1', name: '兼任督查的城建办干部', unit: 'chengjian', roles: ['staff', 'supervisor'] },
];

export function policy(overrides: Partial<TaskPolicy> = {}): TaskPolicy {
  return {
    acknowledgementWindowMs: 3 * DAY,
    reminderCadenceMs: 2 * DAY,
    stallWindowMs: 60 * DAY,
    reviewDeadlineMs: 5 * DAY,
    requireAssistingReports: false,
    yellowTolerance: 10,
    escalation: [
      { rung: 'reminder', waitMs: 0 },
      { rung: 'supervision-notice', waitMs: 7 * DAY },
      { rung: 'interview', waitMs: 7 * DAY },
      { rung: 'accountability', waitMs: 7 * DAY },
    ],
    scoring: {
      base: 100,
      deductions: { yellow: 2, red: 5, rungs: { reminder: 1, 'supervision-notice': 2, interview: 3, accountability: 5 } },
      commendation: { minScore: 90, earlyByMs: 10 * DAY },
    },
    ...overrides,
  };
}

/**
 * A task input whose instants are offsets from `nowMs` (the test server's clock, which
 * starts today and cannot go back).
 */
export function taskInput(
  nowMs: number,
  options: {
    planId?: string;
    taskNumber?: number;
    deadlineInMs?: number;
    milestonesInMs?: { id: string; inMs: number; expectedPercent?: number }[];
    policy?: Partial<TaskPolicy>;
  } = {},
): TaskWorkflowInput {
  const at = (offset: number) => new Date(nowMs + offset).toISOString();
  return {
    planId: options.planId ?? 'test-plan',
    planTitle: '测试计划',
    taskNumber: options.taskNumber ?? 1,
    title: { zh: '城市绿道建设', en: 'Urban greenways' },
    actionNumber: 1,
    primaryLead: 'chengjian',
    assistingLeads: ['chengguan'],
    responsible: ['communities'],
    units: [
      { code: 'chengjian', name: '城建办', en: 'Urban Construction Office' },
      { code: 'chengguan', name: '城管办', en: 'Urban Management Office' },
      { code: 'communities', name: '各相关社区', en: 'the communities' },
    ],
    people,
    milestones: (options.milestonesInMs ?? []).map((m) => ({
      id: m.id,
      dueAt: at(m.inMs),
      ...(m.expectedPercent !== undefined ? { expectedPercent: m.expectedPercent } : {}),
    })),
    deadlineAt: at(options.deadlineInMs ?? 90 * DAY),
    assignedAt: at(0),
    policy: policy(options.policy),
    // The time-skipping server has no custom search attributes.
    searchAttributes: false,
  };
}

/** An in-memory audit store and notifier that dedupe by idempotency key, as the real ones do. */
export class MemoryActivities {
  readonly audit: AuditEntryInput[] = [];
  readonly notifications: NotificationInput[] = [];
  /** Every call, including retries that were deduplicated. */
  calls = 0;

  readonly activities: DubanActivities = {
    appendAudit: async (entry: AuditEntryInput): Promise<AppendAuditResult> => {
      this.calls += 1;
      if (this.audit.some((e) => e.idempotencyKey === entry.idempotencyKey)) return { inserted: false };
      this.audit.push(entry);
      return { inserted: true };
    },
    notify: async (notification: NotificationInput): Promise<NotifyResult> => {
      this.calls += 1;
      if (this.notifications.some((n) => n.idempotencyKey === notification.idempotencyKey)) return { sent: false };
      this.notifications.push(notification);
      return { sent: true };
    },
  };

  events(workflowId: string): string[] {
    return this.audit.filter((e) => e.workflowId === workflowId).map((e) => e.event);
  }

  notificationKinds(workflowId: string): string[] {
    return this.notices(workflowId).map((n) => n.kind);
  }

  /** The notices sent for one workflow, in order. */
  notices(workflowId: string): Notice[] {
    return this.notifications.filter((n) => n.workflowId === workflowId).map((n) => n.notice);
  }
}

/** The code a workflow refused an update with (the failure's type); fails the test when the update was not refused. */
export async function refusalCode(sending: Promise<unknown>): Promise<string | undefined> {
  const error = await sending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return (cause as ApplicationFailure).type ?? undefined;
}

let requestCounter = 0;
/** A fresh request id per message. */
export function rid(label = 'req'): string {
  requestCounter += 1;
  return `${label}-${Date.now()}-${requestCounter}`;
}

let workflowCounter = 0;
/** A fresh workflow ID per test. */
export function freshTaskNumber(): number {
  workflowCounter += 1;
  return Number(`${Date.now() % 1_000_000}${workflowCounter}`);
}

/**
 * With DUBAN_RECORD_HISTORIES=1, saves a finished workflow's history under
 * test/workflows/histories/ for the replay test.
 */
export async function maybeRecordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.DUBAN_RECORD_HISTORIES !== '1') return;
  const dir = join(__dirname, 'histories');
  mkdirSync(dir, { recursive: true });
  const history = await handle.fetchHistory();
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ workflowId: handle.workflowId, history: JSON.parse(historyToJSON(history)) }, null, 2) + '\n');
}

/**
 * A task input from a plan file, the way an operator would launch it: the task's units,
 * the roster people of those units plus the supervisors, HQ office and accountability
 * group, and the plan's policies turned into milliseconds. `milestones` overrides the
 * task's own milestone list.
 */
export function inputFromPlan(
  plan: Plan,
  taskNumber: number,
  options: { milestones?: { id: string; dueAt: string }[]; assignedAt?: string } = {},
): TaskWorkflowInput {
  const task = findTask(plan, taskNumber);
  const schedule = taskSchedule(plan, taskNumber);
  if (schedule.deadlineAt === undefined) throw new Error(`Task ${taskNumber} of ${plan.id} has no deadline.`);
  const [primaryLead, ...assistingLeads] = task.lead;
  if (primaryLead === undefined) throw new Error(`Task ${taskNumber} of ${plan.id} has no lead unit.`);
  const involved = new Set([...task.lead, ...task.responsible]);
  const overseers = new Set(['supervisor', 'hq-office', 'accountability']);
  const millis = (iso: string) => Duration.fromISO(iso).toMillis();
  const p = plan.policies;
  return {
    planId: plan.id,
    taskNumber,
    title: { zh: task.title.zh, en: task.title.en ?? task.title.zh },
    actionNumber: task.action,
    primaryLead,
    assistingLeads,
    responsible: task.responsible,
    units: plan.units.filter((u) => involved.has(u.code)).map((u) => ({ code: u.code, name: u.name, en: u.en })),
    people: plan.people
      .filter((person) => involved.has(person.unit) || person.roles.some((r) => overseers.has(r)))
      .map((person) => ({ id: person.id, name: person.name, unit: person.unit, roles: person.roles })),
    milestones: options.milestones ?? schedule.milestones,
    deadlineAt: schedule.deadlineAt,
    ...(options.assignedAt ? { assignedAt: options.assignedAt } : {}),
    policy: {
      acknowledgementWindowMs: millis(p.acknowledgementWindow),
      reminderCadenceMs: millis(p.reminderCadence),
      stallWindowMs: millis(p.stallWindow),
      reviewDeadlineMs: millis(p.reviewDeadline),
      requireAssistingReports: p.requireAssistingReports,
      yellowTolerance: p.progressExpectation.yellowTolerance,
      escalation: p.escalation.map((step) => ({ rung: step.rung, waitMs: millis(step.wait) })),
      scoring: {
        base: p.scoring.base,
        deductions: {
          yellow: p.scoring.deductions.yellow,
          red: p.scoring.deductions.red,
          rungs: {
            reminder: p.scoring.deductions.rungs.reminder ?? 0,
            'supervision-notice': p.scoring.deductions.rungs['supervision-notice'] ?? 0,
            interview: p.scoring.deductions.rungs.interview ?? 0,
            accountability: p.scoring.deductions.rungs.accountability ?? 0,
          },
        },
        commendation: { minScore: p.scoring.commendation.minScore, earlyByMs: millis(p.scoring.commendation.earlyBy) },
      },
    },
    searchAttributes: false,
  };
}

export type TaskWorkflowHandle = WorkflowHandle<typeof taskWorkflow>;

/**
 * Runs `scenario` on a fresh task workflow with a worker of its own on `env`. A failing
 * scenario terminates the task: one left running would keep the next test's worker busy
 * with its timers.
 */
export async function withTaskWorkflow(
  env: Pick<TestWorkflowEnvironment, 'nativeConnection' | 'client'>,
  activities: DubanActivities,
  input: TaskWorkflowInput,
  scenario: (handle: TaskWorkflowHandle) => Promise<void>,
  start: Pick<WorkflowStartOptions, 'typedSearchAttributes'> = {},
): Promise<void> {
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: DUBAN_TASK_QUEUE, workflowBundle: await workflowBundle(), activities });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof taskWorkflow>('taskWorkflow', {
      taskQueue: DUBAN_TASK_QUEUE,
      workflowId: taskWorkflowId(input.planId, input.taskNumber),
      args: [input],
      ...start,
    });
    try {
      await scenario(handle);
    } catch (error) {
      await handle.terminate('test failed').catch(() => undefined);
      throw error;
    }
  });
}

/** A task's state as the decisions see it: assigned at `assignedMs`, due 100 days later, nothing done yet. */
export function bareTaskState(assignedMs: number, overrides: Partial<TaskState> = {}): TaskState {
  return {
    planId: 'p',
    taskNumber: 1,
    workflowId: 'duban/p/task-1',
    status: 'assigned',
    assignedAt: new Date(assignedMs).toISOString(),
    deadlineAt: new Date(assignedMs + 100 * DAY).toISOString(),
    percent: 0,
    light: 'green',
    units: [],
    checks: [],
    deadlinePassed: false,
    acknowledgementOverdue: false,
    stalled: false,
    lastActivityAt: new Date(assignedMs).toISOString(),
    escalation: { level: 0, history: [] },
    extensions: [],
    submissions: [],
    timeline: [],
    ...overrides,
  };
}
