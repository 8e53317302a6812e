/**
 * Heavy packages loaded only by the commands that need them: `@duban/worker` pulls in
 * the Temporal worker and its native runtime, which takes seconds to load and would slow
 * every `duban task …` call. Its defaults (audit path, env-variable names) come from
 * `@duban/common`, so help texts need not load it.
 */
export function loadWorkerPackage(): Promise<typeof import('@duban/worker')> {
  return import('@duban/worker');
}
