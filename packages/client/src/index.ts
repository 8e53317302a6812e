/**
 * `@duban/client`: launch a plan's campaign, act on its tasks and read its board, typed
 * end to end. Every error it throws is a `DubanError` (`DubanClientError`) with a stable code.
 *
 * @example
 * ```ts
 * import { loadPlanFile } from '@duban/plan';
 * import { DubanClient, isDubanError, KeyStore } from '@duban/client';
 *
 * const plan = await loadPlanFile('plans/xihu-2020.yaml');
 * const duban = await DubanClient.connect(); // 127.0.0.1:7233, the `duban dev` server
 * const keys = KeyStore.fromEnv(); // $DUBAN_KEYS_DIR or ~/.config/duban/keys (`duban keys issue`)
 * try {
 *   // The campaign and every task, re-dated to next year (the 2020 campaign is over), with
 *   // the keyring's public keys in the roster of record; again: nothing new starts.
 *   await duban.launch(plan, { campaignYear: new Date().getFullYear() + 1 });
 *   const task = duban.task(plan.id, 3);
 *   await task.as(await keys.signingKey(plan.id, 'chengguan-head')).acknowledge({ actor: 'chengguan-head' });
 *   await task.as(await keys.signingKey(plan.id, 'chengguan-staff')).review({ actor: 'chengguan-staff', decision: 'approve', score: 90 });
 * } catch (error) {
 *   // e.g. WRONG_ROLE: chengguan-staff is no reviewer. Codes are stable; messages say what to do.
 *   if (isDubanError(error)) console.error(`${error.code}: ${error.message}`);
 *   else throw error;
 * } finally {
 *   await duban.close();
 * }
 * ```
 *
 * `buildTaskInput(plan, n)` is the one place a plan task becomes workflow input, for
 * callers that start workflows themselves.
 */
export { DubanClient } from './client';
export type { DubanClientOptions, DubanConnectOptions, StartTaskOptions, StartTaskResult } from './client';
export { DubanTaskHandle } from './task';
export type { ActAsOptions, MessageInput } from './task';
export { activeKeys, addedKeys, applyKeyChanges, KEY_FILE_FORMAT, KEYRING_FORMAT, keysDirectory, KeyStore, newKeyFile, rosterKeyOf } from './keys';
export type { KeyChanges, KeyFile, Keyring } from './keys';
export { signRequest } from './signing';
export type { SignedRequest, Signer } from './signing';
// The identity types a caller of the client handles (keys, proofs), without a second import.
export type { Proof, RosterKey, SigningKey } from '@duban/identity';
export { keyIdOf } from '@duban/identity';
export { DubanCampaignHandle, buildCampaignInput, buildStoredCampaign, buildPlanAmendment, headquartersPeople, nextMondayMorning, tasksPastDeadline } from './campaign';
export type { LaunchOptions, LaunchResult, PastDeadlineTask, StoredCampaign } from './campaign';
export { DubanClientError, DubanClientErrorCode } from './errors';
export type { DubanClientErrorOptions } from './errors';
export { buildTaskInput, campaignEndAt, planTaskNumbers, REQUIRED_IDENTITY, rosterPeople, supervisingBody, taskStartAt } from './task-input';
export type { BuildTaskInputOptions } from './task-input';
// From `@duban/common`, under the names this package exported before common existed.
export { DEFAULT_NAMESPACE, DEFAULT_TEMPORAL_ADDRESS as DEFAULT_ADDRESS, TASK_WORKFLOW_TYPE } from '@duban/common';
// The error model, so callers of the client need no second import to branch on a code.
export { DubanError, ErrorCode, isDubanError } from '@duban/common';
