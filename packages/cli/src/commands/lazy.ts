/**
 * Heavy packages loaded only by the commands that need them: `@duban/worker` pulls in
 * the Temporal worker and its native runtime, which takes seconds to load and would slow
 * every `duban task …` call. Their defaults are repeated here for help texts; a test in
 * test/cli checks they still match the worker package.
 */
export const AUDIT_DB_ENV = 'DUBAN_AUDIT_DB';
export const WEBHOOK_ENV = 'DUBAN_WEBHOOK_URL';
export const DEFAULT_AUDIT_DB = '.duban/audit.sqlite';

export function loadWorkerPackage(): Promise<typeof import('@duban/worker')> {
  return import('@duban/worker');
}
