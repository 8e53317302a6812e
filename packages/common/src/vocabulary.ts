/**
 * The domain's words, each written once. Every package (workflow code included) takes
 * them from here, so a role or rung is never retyped as a string literal elsewhere.
 */

/** What a person on the roster may do. */
export const ROLES = ['unit-head', 'staff', 'supervisor', 'hq-office', 'accountability'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that carry out a task inside a unit: they acknowledge, report, submit and ask for extensions. */
export const WORKER_ROLES: readonly Role[] = ['unit-head', 'staff'];
/** Roles that review submitted work. */
export const REVIEWER_ROLES: readonly Role[] = ['supervisor', 'hq-office'];
/** Headquarters' office (指挥部办公室): decides extensions, cancels tasks. */
export const HQ_ROLES: readonly Role[] = ['hq-office'];

/** The accountability ladder, lowest first: 催办 → 督办单 → 约谈 → 问责. */
export const RUNGS = ['reminder', 'supervision-notice', 'interview', 'accountability'] as const;
export type Rung = (typeof RUNGS)[number];

/** Where a task stands, from assignment (交办) to its end. */
export const TASK_STATUSES = ['assigned', 'acknowledged', 'in-progress', 'submitted', 'approved', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses after which a task takes no more messages. */
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['approved', 'cancelled'];
export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The traffic light (红黄绿灯) of a task on the board. */
export const LIGHTS = ['green', 'yellow', 'red'] as const;
export type TrafficLight = (typeof LIGHTS)[number];

/**
 * A unit's part in one task: the first lead unit is primary, other leads assist, communities
 * are responsible; cooperating units (配合单位, 协办单位, plan format 2) may report and are
 * told, but their reports are never required.
 */
export const UNIT_ROLES = ['primary', 'assisting', 'responsible', 'cooperating'] as const;
export type UnitRole = (typeof UNIT_ROLES)[number];

/** Why a task counts as behind: what starts an escalation episode. */
export const BEHIND_REASONS = ['unacknowledged', 'stalled', 'behind-schedule', 'overdue'] as const;
export type BehindReason = (typeof BEHIND_REASONS)[number];

/** The actor of entries the workflow writes by itself (timers, the ladder). */
export const SYSTEM_ACTOR = 'system';
