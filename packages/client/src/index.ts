/**
 * `@duban/client`: start a plan's task workflows and act on them, typed end to end.
 *
 * @example
 * ```ts
 * import { loadPlanFile } from '@duban/plan';
 * import { DubanClient, DubanClientError } from '@duban/client';
 *
 * const plan = await loadPlanFile('plans/xihu-2020.yaml');
 * const duban = await DubanClient.connect(); // 127.0.0.1:7233, the `duban dev` server
 * try {
 *   await duban.startTask(plan, 3);
 *   const task = duban.task(plan.id, 3);
 *   await task.acknowledge({ actor: 'chengguan-head' });
 *   await task.review({ actor: 'chengguan-staff', decision: 'approve', score: 90 });
 * } catch (error) {
 *   // e.g. WRONG_ROLE: chengguan-staff is no reviewer. Codes are stable; messages say what to do.
 *   if (error instanceof DubanClientError) console.error(`${error.code}: ${error.message}`);
 *   else throw error;
 * } finally {
 *   await duban.close();
 * }
 * ```
 *
 * `buildTaskInput(plan, n)` is the one place a plan task becomes workflow input, for
 * callers that start workflows themselves.
 */
export { DubanClient, DubanTaskHandle, TASK_WORKFLOW_TYPE, DEFAULT_ADDRESS, DEFAULT_NAMESPACE } from './client';
export type { DubanClientOptions, DubanConnectOptions, MessageInput, StartTaskOptions, StartTaskResult } from './client';
export { DubanClientError, DubanClientErrorCode, isDubanClientErrorCode } from './errors';
export type { DubanClientErrorOptions } from './errors';
export { buildTaskInput, planTaskNumbers } from './task-input';
export type { BuildTaskInputOptions } from './task-input';
export { CampaignOperations, buildCampaignInput, buildPlanAmendment, headquartersPeople, nextMondayMorning } from './campaign';
export type { LaunchOptions, LaunchResult } from './campaign';
