import { DateTime } from 'luxon';
import { DubanError, ErrorCode } from '@duban/common';
import { dueInstant, findTask, type Plan, type PlanTask } from '@duban/plan';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { readPlanOrFail } from './plan-validate';

/** A task number as typed on the command line: a positive whole number. */
export function parseTaskNumber(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`The task number must be a positive whole number such as 3, got "${value}".`);
  return Number(value);
}

/** A commander parser for a whole number within `[min, max]`. */
export function wholeNumberIn(option: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || n < min || n > max) {
      throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got "${value}".`);
    }
    return n;
  };
}

/** A commander parser for a number within `[min, max]` (decimals allowed). */
export function numberIn(option: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new UsageError(`${option} must be a number from ${min} to ${max}, got "${value}".`);
    }
    return n;
  };
}

/** For repeatable options: `--evidence A --evidence B` → `[A, B]`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parseHttpUrl(option: string): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => {
    if (!/^https?:\/\/\S+$/.test(value)) throw new UsageError(`${option} needs an http(s) link, got "${value}".`);
    return collect(value, previous);
  };
}

/**
 * Loads the plan file and checks the task number against it, so a wrong number is
 * reported with the plan's actual numbers before any server is asked.
 */
export async function loadPlanTask(ctx: CommandContext, file: string, taskNumber: number, json = false): Promise<{ plan: Plan; task: PlanTask & { action: number } }> {
  const plan = await readPlanOrFail(ctx, file, json);
  // Here, not at the top: `plan show` shares this module and never loads the client (nor Temporal).
  const { planTaskNumbers } = await import('@duban/client');
  const numbers = planTaskNumbers(plan);
  if (!numbers.includes(taskNumber)) {
    throw new DubanError(ErrorCode.TASK_NOT_IN_PLAN, `Plan ${plan.id} (${file}) has no task ${taskNumber}; its tasks are ${numbers.join(', ')}.`, {
      details: { planId: plan.id, taskNumber },
    });
  }
  return { plan, task: findTask(plan, taskNumber) };
}

/**
 * A deadline typed on the command line, read in the plan's time zone. A bare date means
 * "by that day", i.e. the end of it, as the plan's own `by` deadlines do; a date-time
 * without offset is local to the plan.
 */
export function parseDeadline(option: string, value: string, plan: Plan): string {
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? (() => {
        const day = DateTime.fromISO(value, { zone: plan.timeZone });
        return day.isValid ? dueInstant(value, 'by', plan.timeZone) : day;
      })()
    : DateTime.fromISO(value, { zone: plan.timeZone, setZone: true });
  const iso = instant.isValid ? instant.toISO() : null;
  if (iso === null) {
    throw new UsageError(
      `${option} needs a date such as 2021-01-15 (the end of that day in ${plan.timeZone}) or a date-time such as 2021-01-15T18:00, got "${value}"` +
        `${instant.invalidExplanation ? ` (${instant.invalidExplanation})` : ''}.`,
    );
  }
  return iso;
}

/** An instant shown in the plan's time zone, to the minute. */
export function localTime(iso: string | undefined, timeZone: string): string {
  if (iso === undefined) return '';
  const at = DateTime.fromISO(iso, { setZone: true }).setZone(timeZone);
  return at.isValid ? at.toFormat('yyyy-MM-dd HH:mm') : iso;
}

/** Unit names as the plan writes them, by code. */
export function unitNames(plan: Plan): (codes: readonly string[]) => string {
  const names = new Map(plan.units.map((u) => [u.code, u.name]));
  return (codes) => codes.map((code) => names.get(code) ?? code).join('、');
}
