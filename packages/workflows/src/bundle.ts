/**
 * How the workflow code is bundled (`bundleWorkflowCode` of `@temporalio/worker`): the
 * entry, and the modules loaded once per worker instead of once per workflow run. Used by
 * `createDubanWorker`, the tests and the benchmarks, so every bundle is the same. Not
 * workflow code.
 */

/**
 * Modules the workflow sandbox loads once and shares (frozen) between all workflow runs
 * (`preloadModules`), instead of evaluating them again for each run as it does every other
 * module of the bundle. Only modules without per-run state may be listed, and nothing that
 * imports `@temporalio/workflow`: they run before any workflow exists.
 *
 * `@duban/identity` brings `@duban/common`, `@noble/curves`, `@noble/hashes` and
 * `canonicalize` with it: pure functions and constants. Shared, the Ed25519 base-point
 * tables noble computes on the first signature check are computed once per worker instead
 * of once per task (measured with `pnpm bench`: 0.4 MiB and several ms of CPU per task).
 */
export const PRELOADED_MODULES: readonly string[] = ['@duban/identity'];

export interface DubanBundleOptions {
  /** The bundle entry: `@duban/workflows/workflows`. */
  workflowsPath: string;
  preloadModules: string[];
}

/** The options to bundle duban's workflows with: `bundleWorkflowCode({ ...workflowBundleOptions(), logger })`. */
export function workflowBundleOptions(): DubanBundleOptions {
  return { workflowsPath: require.resolve('./workflows'), preloadModules: [...PRELOADED_MODULES] };
}
