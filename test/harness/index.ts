/**
 * One Temporal server per test file: `startTimeSkipping()` for timelines,
 * `startDevServer()` for end-to-end and crash tests, `startDevServerWithWorker()` for
 * campaigns driven through the client or the CLI, `serverPerFile(start)` to start one
 * before a file's tests and stop it after. They use the binaries `@duban/servers`
 * resolves (env var, PATH, project-local install), never a download. `seedPlanPerFile()`
 * loads the seed plan once for a file.
 *
 * Logs are quiet; set DUBAN_DEBUG=1 to see the SDK's and the servers' logs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SearchAttributeKey, SearchAttributeType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadPlanFile, type Plan } from '@duban/plan';
import { resolveTemporalBinary, sdkExecutable, startDevServer as startTemporalDevServer } from '@duban/servers';
import { createDubanWorker } from '@duban/worker';
import { dubanSearchAttributes, workflowBundleOptions } from '@duban/workflows';

export const debug = process.env.DUBAN_DEBUG === '1';
const quietLogger = new DefaultLogger(debug ? 'DEBUG' : 'WARN');

let runtimeInstalled = false;
/** Quiet SDK logs for this test file; starting an environment or bundling calls it. */
export function installRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: quietLogger });
  runtimeInstalled = true;
}

const temporaryDirectories: string[] = [];

/** A temp directory removed when the test file ends. */
export function temporaryDirectory(prefix = 'duban-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporaryDirectories.push(dir);
  return dir;
}

export function removeTemporaryDirectories(): void {
  for (const dir of temporaryDirectories.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The time-skipping test server, for timelines of days and years that pass in seconds. */
export async function startTimeSkipping(): Promise<TestWorkflowEnvironment> {
  installRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: sdkExecutable(resolveTemporalBinary('test-server')) },
  });
}

export interface DevServerTestOptions {
  searchAttributes?: SearchAttributeKey<SearchAttributeType>[];
}

/**
 * The real dev server on a free loopback port, its SQLite database in a temp directory
 * (WAL), headless. Started by `@duban/servers` rather than the SDK's `createLocal`,
 * whose fixed 5-second start-up wait is too short on a busy two-core machine; it is
 * handed out only once its frontend answers as healthy (a busy machine answered
 * "Frontend is not healthy yet" for seconds after the port opened).
 * `env.teardown()` stops the server too.
 */
export async function startDevServer(options: DevServerTestOptions = {}): Promise<TestWorkflowEnvironment> {
  installRuntime();
  const dir = temporaryDirectory('duban-dev-server-');
  const server = await startTemporalDevServer({
    uiPort: false,
    dbFilename: join(dir, 'temporal.sqlite'),
    log: debug ? 'inherit' : 'ignore',
    searchAttributes: (options.searchAttributes ?? []).map((key) => ({ name: key.name, type: key.type })),
  });
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, namespace: server.namespace });
  } catch (error) {
    await server.stop();
    throw error;
  }
  teardownInTurn(env, env.teardown.bind(env), () => server.stop());
  return env;
}

/**
 * The dev server with the duban search attributes registered, and the duban worker on it
 * in this process: the real activities, the audit database at `auditDbPath`, the workflow
 * bundle of this jest run. `env.teardown()` shuts the worker down, then stops the server.
 *
 * @example
 * ```ts
 * const dir = temporaryDirectory('duban-campaign-');
 * const env = serverPerFile(() => startDevServerWithWorker(join(dir, 'audit.sqlite')));
 * ```
 */
export async function startDevServerWithWorker(auditDbPath: string): Promise<TestWorkflowEnvironment> {
  const env = await startDevServer({ searchAttributes: [...dubanSearchAttributes] });
  const worker = await createDubanWorker({ connection: env.nativeConnection, auditDbPath, workflowBundle: await workflowBundle() }).catch(async (error: unknown) => {
    await env.teardown();
    throw error;
  });
  const running = worker.run();
  const stopWorker = async () => {
    await worker.shutdown();
    await running.catch(() => undefined);
  };
  teardownInTurn(env, stopWorker, env.teardown.bind(env));
  return env;
}

/** Makes `env.teardown()` run `first`, then `second` even if `first` fails. */
function teardownInTurn(env: TestWorkflowEnvironment, first: () => Promise<void>, second: () => Promise<void>): void {
  env.teardown = async () => {
    try {
      await first();
    } finally {
      await second();
    }
  };
}

/**
 * One server for the test file (or the `describe` block it is called in): started before
 * the first test, stopped after the last, with the file's temporary directories. Returns
 * the environment, to be read inside tests and hooks.
 *
 * @example
 * ```ts
 * const env = serverPerFile(startTimeSkipping);
 * it('…', async () => { await env().client.workflow.start(…); });
 * ```
 */
export function serverPerFile(start: () => Promise<TestWorkflowEnvironment>): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await start();
  }, 300_000);
  afterAll(async () => {
    await env?.teardown();
    removeTemporaryDirectories();
  });
  return () => {
    if (env === undefined) throw new Error('The server is not started yet: read env() inside a test or hook.');
    return env;
  };
}

/** plans/xihu-2020.yaml, the seed plan. */
export const SEED_PLAN_PATH = join(__dirname, '..', '..', 'plans', 'xihu-2020.yaml');

/**
 * The seed plan, loaded with `loadPlanFile` before the file's tests (or the `describe`
 * block it is called in). Returns it as a function, to be read inside tests and hooks.
 *
 * @example
 * ```ts
 * const plan = seedPlanPerFile();
 * it('…', () => { expect(planTaskNumbers(plan())).toHaveLength(20); });
 * ```
 */
export function seedPlanPerFile(): () => Plan {
  let plan: Plan | undefined;
  beforeAll(async () => {
    plan = await loadPlanFile(SEED_PLAN_PATH);
  });
  return () => {
    if (plan === undefined) throw new Error('The seed plan is not loaded yet: read plan() inside a test or hook.');
    return plan;
  };
}

/** The address of an environment's server, for processes started outside the test. */
export function serverAddress(env: TestWorkflowEnvironment): string {
  return env.connection.options.address;
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** Bundles workflow code once per test file; every worker in the file reuses it. */
export function bundleWorkflows(workflowsPath: string, preloadModules: string[] = []): Promise<WorkflowBundleWithSourceMap> {
  installRuntime();
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, preloadModules, logger: quietLogger });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

/** Written by `global-setup.js` at the start of every jest run. */
const PREBUILT_BUNDLE = join(__dirname, '..', '..', '.duban', 'test', 'workflows-bundle.js');

/**
 * The duban workflows (task and campaign), bundled once per jest run by the global
 * setup; a file run without it bundles here, once per file.
 */
export async function workflowBundle(): Promise<{ code: string }> {
  installRuntime();
  if (existsSync(PREBUILT_BUNDLE)) return { code: readFileSync(PREBUILT_BUNDLE, 'utf8') };
  // As the worker bundles them (`workflowBundleOptions`), shared modules included.
  const { workflowsPath, preloadModules } = workflowBundleOptions();
  return bundleWorkflows(workflowsPath, preloadModules);
}
