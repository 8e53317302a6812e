/**
 * `launch` returns once the campaign is started; the campaign then reads the stored plan
 * and starts its tasks in batches, which on a busy machine takes seconds. Tests that act on
 * tasks right after a launch wait here first.
 */
import { planTaskNumbers, type DubanClient } from '@duban/client';
import type { Plan } from '@duban/plan';
import { eventually } from './poll';

/**
 * Waits until every task of `plan` answers its state query and
 * has been assigned (a launch with `startNow`); throws naming the tasks that were not.
 */
export async function untilTasksAssigned(duban: DubanClient, plan: Plan, options: { timeoutMs?: number } = {}): Promise<void> {
  const numbers = planTaskNumbers(plan);
  const assigned = (n: number) =>
    duban
      .task(plan.id, n)
      .state()
      .then((s) => s.timeline.some((e) => e.kind === 'task.assigned'), () => false);
  const answers = await eventually(() => Promise.all(numbers.map(assigned)), (all) => all.every(Boolean), { timeoutMs: options.timeoutMs ?? 120_000, intervalMs: 500 });
  const missing = numbers.filter((_, i) => !answers[i]);
  if (missing.length > 0) throw new Error(`Tasks of ${plan.id} not assigned within ${(options.timeoutMs ?? 120_000) / 1000} s of the launch: ${missing.join(', ')}.`);
}
